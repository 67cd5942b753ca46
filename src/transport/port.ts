import { Deferred } from '../defer/deferred';
import type { IListeningPort } from '../interfaces/transport';
import type { Factory } from '../protocol/factory';
import type { Address, IPv4Address, IPv6Address, UNIXAddress } from './address';

/** What a Port needs from its reactor's stream set (internal to the package). */
export interface PortOwner {
  closeListener(port: Port): void;
  listenerAddress(port: Port): Address;
}

/**
 * A listening TCP or UNIX port: Twisted's IListeningPort. `A` is what getHost answers:
 * {@link TCPPort} from listenTCP/listenSSL, {@link UNIXPort} from listenUNIX, any Address for
 * an adopted socket.
 */
export class Port<A extends Address = Address> implements IListeningPort {
  /** True until stopListening. */
  listening = true;
  /** @internal Seconds to wait before accepting again after running out of descriptors. */
  acceptBackoff = 0;
  private host: A | undefined;
  private stopped: Deferred<void> | undefined;

  /** @internal */
  constructor(
    private readonly owner: PortOwner,
    /** @internal */ readonly slot: number,
    /** @internal The slot's generation: with the slot, this port's name in the native core. */ readonly generation: number,
    readonly factory: Factory,
    /** @internal For UNIX ports: the name accepted connections report as their host. */ readonly unixName: string | null,
  ) {}

  /** The address this port listens on (with the real port number when 0 was asked for). */
  getHost(): A {
    // The owner asks the socket this port was made for: a TCP socket names an IP address.
    if (this.host === undefined) this.host = this.owner.listenerAddress(this) as A;
    return this.host;
  }

  /**
   * @internal The host of a connection this port accepted, when the port's own address tells
   * it (a UNIX path, a TCP port bound to one address); undefined under a wildcard address.
   */
  acceptedHost(): Address | undefined {
    let host: Address;
    try {
      host = this.getHost();
    } catch {
      return undefined; // an adopted socket that cannot name itself: ask the connection instead
    }
    if (host.type === 'UNIX') return host;
    return host.host === '0.0.0.0' || host.host === '::' ? undefined : host;
  }

  /**
   * Stops accepting connections and closes the socket (unlinking a UNIX socket file). The
   * factory is stopped if this was its last port. Calling it again returns the same Deferred.
   */
  stopListening(): Deferred<void> {
    if (this.stopped !== undefined) return this.stopped;
    try {
      this.getHost(); // remember it: after closing there is no socket to ask
    } catch {
      // the socket cannot name itself (an adopted oddity): there is nothing to remember
    }
    this.listening = false;
    this.owner.closeListener(this);
    const d = new Deferred<void>();
    this.stopped = d;
    d.callback(undefined);
    return d;
  }

  /** Twisted's alias for stopListening. */
  loseConnection(): Deferred<void> {
    return this.stopListening();
  }

  /** @internal The address for messages: never throws, even when the socket cannot tell. */
  describe(): string {
    try {
      return String(this.getHost());
    } catch {
      return 'a listening socket';
    }
  }

  toString(): string {
    return `<Port ${this.listening ? 'listening on' : 'closed, was'} ${this.host ?? ''}>`;
  }
}

/** A listening TCP port: its host is an IP address. */
export type TCPPort = Port<IPv4Address | IPv6Address>;

/** A listening UNIX port: its host is a UNIX path or abstract name. */
export type UNIXPort = Port<UNIXAddress>;
