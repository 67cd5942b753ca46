/**
 * The worker's side of `balance: 'acceptor'`: the module's listenTCP calls do not bind; each
 * becomes a Port fed with connections the acceptor (in serve()'s thread) accepted and handed
 * over by descriptor number, which the reactor adopts (duplicates). Descriptors are
 * process-wide, so this works between threads only.
 * Internal to the package.
 */
import { InvalidArgValueError } from '../errors';
import { assertFactory, type Factory } from '../protocol/factory';
import type { Reactor } from '../reactor/reactor';
import type { ListenTCPOptions } from '../reactor/stream-endpoints';
import { IPv4Address, IPv6Address } from '../transport/address';
import { assertPort, listenInterface } from '../transport/native-addresses';
import { Port, type PortOwner, type TCPPort } from '../transport/port';
import { C } from '../binding';
import type { ToParent } from './serve-messages';

/** Where the acceptor listens for a worker's listenTCP: the acceptor's key for it. */
export function listenKey(host: string, port: number): string {
  return `${host} ${port}`;
}

export class AcceptorPorts {
  private readonly ports = new Map<string, Port>();

  constructor(
    private readonly reactor: Reactor,
    private readonly post: (message: ToParent) => void,
  ) {}

  /** Makes `reactor.listenTCP` register with the acceptor instead of binding. */
  install(): void {
    this.reactor.listenTCP = (port: number, factory: Factory, options?: ListenTCPOptions): TCPPort => this.listen(port, factory, options);
  }

  private listen(port: unknown, factory: unknown, options?: ListenTCPOptions): TCPPort {
    assertPort(port);
    assertFactory(factory);
    if (port === 0) {
      throw new InvalidArgValueError(
        "with balance 'acceptor', listenTCP needs a port number: every worker must name the same one",
        'ERR_IOREACTOR_INVALID_PORT',
      );
    }
    const { family, host } = listenInterface(options?.interface);
    const key = listenKey(host, port);
    const address = family === C.FAMILY_IPV6 ? new IPv6Address(host, port) : new IPv4Address(host, port);
    const owner: PortOwner = {
      closeListener: (p) => {
        if (this.ports.get(key) !== p) return;
        this.ports.delete(key);
        this.post({ type: 'unlisten', key });
        p.factory.doStop();
      },
      listenerAddress: () => address,
    };
    const p: TCPPort = new Port(owner, -1, -1, factory as Factory, null);
    this.ports.get(key)?.stopListening();
    this.ports.set(key, p);
    (factory as Factory).doStart();
    this.post({ type: 'listen', key, host, port, backlog: options?.backlog ?? 511 });
    return p;
  }

  /** The ports still fed by the acceptor. */
  listening(): Port[] {
    return [...this.ports.values()];
  }

  /** Serves a connection the acceptor handed over; the acceptor closes its copy on 'adopted'. */
  adopt(key: string, fd: number): void {
    try {
      const p = this.ports.get(key);
      if (p === undefined || this.reactor.closed) return; // stopped meanwhile: the acceptor's close ends it
      this.reactor.adoptStreamConnection(fd, key.includes(':') ? 'INET6' : 'INET', p.factory);
    } catch (err) {
      this.reactor.logger.error(`Unhandled error adopting a connection from the acceptor:`, err);
    } finally {
      this.post({ type: 'adopted', fd });
    }
  }
}
