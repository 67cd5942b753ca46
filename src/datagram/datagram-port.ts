/**
 * A datagram port (UDP or UNIX datagrams): Twisted's udp.Port / unix.DatagramPort, the
 * transport a DatagramProtocol writes through.
 */
import { Deferred } from '../defer/deferred';
import { Failure } from '../defer/failure';
import type { Address } from '../transport/address';
import { DatagramPortClosedError } from './errors';
import type { DatagramProtocol } from './protocol';

/** Where a datagram goes: a numeric host and port, an Address a datagram came from, or a UNIX path. */
export type DatagramDestination = { host: string; port: number } | Address | string;

/** What a DatagramPort needs from its reactor's datagram set (internal to the package). */
export interface DatagramPortOwner {
  write(port: DatagramPort, data: unknown, addr: unknown): void;
  connect(port: DatagramPort, host: unknown, port_: unknown): void;
  close(port: DatagramPort): void;
  hostAddress(port: DatagramPort): Address;
  option(port: DatagramPort, which: 'broadcast' | 'ttl' | 'loopback', value: unknown): number;
  membership(port: DatagramPort, join: boolean, group: unknown, iface: unknown): void;
  outgoingInterface(port: DatagramPort, iface: unknown): string;
}

/** The transport of a DatagramProtocol. */
export type DatagramTransport = DatagramPort;

export class DatagramPort {
  /** True until stopListening. */
  listening = true;
  /** Where transport.connect sent this port (UDP), or undefined. */
  connectedAddress: { host: string; port: number } | undefined = undefined;
  /** @internal Writes may omit the address: connected (UDP connect, connectUNIXDatagram, or adopted so). */
  peerConnected = false;
  private host: Address | undefined;
  private stopped: Deferred<void> | undefined;

  /** @internal */
  constructor(
    private readonly owner: DatagramPortOwner,
    /** @internal */ readonly slot: number,
    /** @internal */ readonly generation: number,
    readonly protocol: DatagramProtocol,
    /** The socket's family: 'INET', 'INET6' or 'UNIX'. */
    readonly family: 'INET' | 'INET6' | 'UNIX',
    /** The largest datagram read whole; larger ones are reported truncated. */
    readonly maxPacketSize: number,
    /** @internal For UNIX ports bound to a path: the path, unlinked when the port stops. */ readonly unixName: string | null,
  ) {}

  /**
   * Sends one datagram. `addr` is required unless the port is connected (and must then be the
   * connected address if given). Outside the reactor's dispatch it is sent at once; written from
   * a callback, it goes out with the others of the batch in one sendmmsg. A full send buffer
   * drops it, as the network would (counted in `reactor.stats().datagramsDropped`).
   *
   * @throws DatagramTooLargeError (`ERR_IOREACTOR_DATAGRAM_TOO_LARGE`); InvalidArgTypeError /
   *   InvalidArgValueError for bad data or addresses (`ERR_IOREACTOR_INVALID_ADDRESS`,
   *   `ERR_IOREACTOR_INVALID_PORT`, `ERR_IOREACTOR_DATAGRAM_ADDRESS_REQUIRED`);
   *   DatagramPortClosedError after stopListening.
   */
  write(data: ArrayBufferView, addr?: DatagramDestination): void {
    this.owner.write(this, data, addr);
  }

  /** Connects the port to one peer (a numeric host, as Twisted): only its datagrams arrive, and write needs no address. */
  connect(host: string, port: number): void {
    this.owner.connect(this, host, port);
  }

  /** The address this port is bound to (with the real port number when 0 was asked for). */
  getHost(): Address {
    if (this.host === undefined) this.host = this.owner.hostAddress(this);
    return this.host;
  }

  /** Closes the socket and stops the protocol (once its last port stops). Calling it again returns the same Deferred. */
  stopListening(): Deferred<void> {
    if (this.stopped !== undefined) return this.stopped;
    try {
      this.getHost(); // remember it: after closing there is no socket to ask
    } catch {
      // an unbound UNIX socket has no name to remember
    }
    this.listening = false;
    const d = new Deferred<void>();
    this.stopped = d;
    this.owner.close(this);
    d.callback(undefined);
    return d;
  }

  /** Twisted's alias for stopListening. */
  loseConnection(): Deferred<void> {
    return this.stopListening();
  }

  setBroadcastAllowed(enabled: boolean): void {
    this.owner.option(this, 'broadcast', enabled);
  }

  getBroadcastAllowed(): boolean {
    return this.owner.option(this, 'broadcast', undefined) !== 0;
  }

  /**
   * Joins the multicast group `addr` on the interface `iface` (IPv4: the interface's address,
   * '' for the system's choice; IPv6: an interface name or index). The Deferred fires with
   * undefined, or fails with the system's reason (as Twisted's).
   */
  joinGroup(addr: string, iface = ''): Deferred<void> {
    return this.settle(() => this.owner.membership(this, true, addr, iface));
  }

  leaveGroup(addr: string, iface = ''): Deferred<void> {
    return this.settle(() => this.owner.membership(this, false, addr, iface));
  }

  /** Multicast time to live (IPv6: hop limit), 0 to 255. */
  setTTL(ttl: number): void {
    this.owner.option(this, 'ttl', ttl);
  }

  getTTL(): number {
    return this.owner.option(this, 'ttl', undefined);
  }

  /** Whether multicast datagrams this host sends are looped back to its own members. */
  setLoopbackMode(enabled: boolean): void {
    this.owner.option(this, 'loopback', enabled);
  }

  getLoopbackMode(): boolean {
    return this.owner.option(this, 'loopback', undefined) !== 0;
  }

  /** The interface multicast datagrams leave by (IPv4: its address; IPv6: its name or index). */
  setOutgoingInterface(iface: string): void {
    this.owner.outgoingInterface(this, iface);
  }

  /** The outgoing multicast interface ('0.0.0.0' or '' when the system chooses). */
  getOutgoingInterface(): string {
    return this.owner.outgoingInterface(this, undefined);
  }

  /** @internal Fails calls on a closed port. */
  assertOpen(): void {
    if (!this.listening) throw new DatagramPortClosedError();
  }

  toString(): string {
    return `<DatagramPort ${this.listening ? 'on' : 'closed, was on'} ${this.host ?? ''}>`;
  }

  private settle(f: () => void): Deferred<void> {
    const d = new Deferred<void>();
    try {
      f();
    } catch (err) {
      d.errback(new Failure(err));
      return d;
    }
    d.callback(undefined);
    return d;
  }
}
