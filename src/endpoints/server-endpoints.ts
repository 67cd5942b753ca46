// The stream server endpoints: Twisted's TCP4ServerEndpoint, TCP6ServerEndpoint and
// UNIXServerEndpoint. Each listen() is the reactor's listen call, its throw turned into a
// failed Deferred (Twisted's defer.execute).
import type { Deferred } from '../defer/deferred';
import { execute } from '../defer/simple';
import type { Factory } from '../protocol/factory';
import type { Port } from '../transport/port';
import type { EndpointReactor, IStreamServerEndpoint } from './interfaces';

/** Listens for TCP over IPv4 (or on the numeric IPv6 `interface` given). `interface` '' is every IPv4 interface. */
export class TCP4ServerEndpoint implements IStreamServerEndpoint {
  /** The numeric address listened on. */
  readonly interface: string;

  constructor(
    readonly reactor: EndpointReactor,
    readonly port: number,
    readonly backlog = 50,
    iface = '',
  ) {
    this.interface = iface;
  }

  listen(factory: Factory): Deferred<Port> {
    return execute(() => this.reactor.listenTCP(this.port, factory, { backlog: this.backlog, interface: this.interface }));
  }

  toString(): string {
    return `TCP4ServerEndpoint(${this.interface || '0.0.0.0'}, ${this.port})`;
  }
}

/** Listens for TCP over IPv6; `interface` defaults to '::' (every IPv6 interface). */
export class TCP6ServerEndpoint extends TCP4ServerEndpoint {
  constructor(reactor: EndpointReactor, port: number, backlog = 50, iface = '::') {
    super(reactor, port, backlog, iface);
  }

  override toString(): string {
    return `TCP6ServerEndpoint(${this.interface}, ${this.port})`;
  }
}

/** Listens on a UNIX socket path (or a Linux abstract name starting with '\0'). */
export class UNIXServerEndpoint implements IStreamServerEndpoint {
  constructor(
    readonly reactor: EndpointReactor,
    readonly address: string,
    readonly backlog = 50,
    readonly mode = 0o666,
  ) {}

  listen(factory: Factory): Deferred<Port> {
    return execute(() => this.reactor.listenUNIX(this.address, factory, { backlog: this.backlog, mode: this.mode }));
  }

  toString(): string {
    return `UNIXServerEndpoint(${JSON.stringify(this.address)})`;
  }
}
