/**
 * The reactor's sockets (listening ports, connectors, connections) and the dispatch of the
 * native core's stream records to them. @internal
 */
import { unlinkSync } from 'node:fs';
import { Failure } from '../defer/failure';
import { ConnectError } from '../errors/connect-error';
import { ConnectionLost } from '../errors/connection-lost';
import { ConnectionRefusedError } from '../errors/connection-refused-error';
import { DNSLookupError } from '../errors/dns-lookup-error';
import { ReactorSystemError } from '../errors/system-error';
import type { IDelayedCall, IReactorTime } from '../interfaces/time';
import type { Logger } from '../log/logger';
import type { Factory } from '../protocol/factory';
import { Protocol } from '../protocol/protocol';
import { C, type NativeReactor } from '../reactor/native';
import { UNIXAddress, type Address } from './address';
import { addressFromBlob, addressFromNative, resolveHost } from './addresses';
import { Connector, type ConnectorOwner } from './connector';
import { Port, type PortOwner } from './port';
import { StreamTransport } from './stream-transport';

/** The hooks StreamSet needs from its reactor. */
export interface StreamHost {
  native(): NativeReactor;
  readonly triggerCode: number;
  readonly logger: Logger;
  /** The reactor itself, which connectors expose as `reactor` (as Twisted's do). */
  readonly reactor: IReactorTime;
  callLater(delay: number, f: () => void): IDelayedCall;
}

/** Where an outgoing connection goes, in native terms. */
export type ConnectTarget =
  | { kind: 'tcp'; host: string; port: number; bind: { host: string; port: number } | undefined }
  | { kind: 'unix'; path: Buffer };

export class StreamSet implements PortOwner, ConnectorOwner {
  private readonly transports: (StreamTransport | undefined)[] = [];
  private readonly ports: (Port | undefined)[] = [];
  private readonly connectors: (Connector | undefined)[] = [];
  private readonly targets = new WeakMap<Connector, ConnectTarget>();
  private arena: Buffer | undefined;

  constructor(private readonly host: StreamHost) {}

  get native(): NativeReactor {
    return this.host.native();
  }

  get logger(): Logger {
    return this.host.logger;
  }

  // ---- creating endpoints -----------------------------------------------------------------

  listen(family: number, address: string | Buffer, port: number, backlog: number, factory: Factory, unixName: string | null): Port {
    const slot = this.native.listen(family, address, port, backlog, this.host.triggerCode);
    if (slot < 0) throw new ReactorSystemError(slot, 'listen', family === C.FAMILY_UNIX ? `path ${JSON.stringify(unixName)}` : `${address} port ${port}`);
    const p = new Port(this, slot, factory, unixName);
    this.ports[slot] = p;
    factory.doStart();
    return p;
  }

  adoptPort(fd: number, factory: Factory): Port {
    const slot = this.native.adopt(fd, true, this.host.triggerCode);
    if (slot < 0) throw new ReactorSystemError(slot, 'adopt', `descriptor ${fd}`);
    const p = new Port(this, slot, factory, null);
    this.ports[slot] = p;
    factory.doStart();
    return p;
  }

  adoptConnection(fd: number, factory: Factory): void {
    const slot = this.native.adopt(fd, false, this.host.triggerCode);
    if (slot < 0) throw new ReactorSystemError(slot, 'adopt', `descriptor ${fd}`);
    const t = new StreamTransport(this, slot, undefined);
    this.transports[slot] = t;
    this.startProtocol(t, () => factory.buildProtocol(t.getPeer()));
  }

  connector(factory: Factory, destination: Address, target: ConnectTarget, timeout: number): Connector {
    const c = new Connector(this, this.host.reactor, factory as never, destination, timeout);
    this.targets.set(c, target);
    return c;
  }

  // ---- ConnectorOwner ---------------------------------------------------------------------

  startAttempt(c: Connector): void {
    const target = this.targets.get(c)!;
    const attempt = c.attempt;
    if (target.kind === 'unix') {
      this.connectNow(c, C.FAMILY_UNIX, target.path, 0, undefined);
      return;
    }
    resolveHost(target.host, (err, family, address) => {
      if (c.attempt !== attempt || c.state !== 'connecting') return; // stopped meanwhile
      if (err) c.connectionFailed(new Failure(new DNSLookupError(`DNS lookup failed: ${target.host}`, { cause: err })));
      else this.connectNow(c, family, address, target.port, target.bind);
    });
  }

  abortAttempt(c: Connector, reason: Error): void {
    c.attempt++; // a resolver answer still on its way is now stale
    if (c.slot >= 0) {
      this.connectors[c.slot] = undefined;
      this.native.closeStream(c.slot, C.CLOSE_DISCARD);
    }
    c.connectionFailed(new Failure(reason));
  }

  callLater(delay: number, f: () => void): IDelayedCall {
    return this.host.callLater(delay, f);
  }

  private connectNow(c: Connector, family: number, address: string | Buffer, port: number, bind: { host: string; port: number } | undefined): void {
    const bindFamily = bind === undefined ? 0 : bind.host.includes(':') ? C.FAMILY_IPV6 : C.FAMILY_IPV4;
    const slot = this.native.connect(family, address, port, bindFamily, bind?.host ?? '', bind?.port ?? 0, this.host.triggerCode);
    if (slot >= 0) {
      c.slot = slot;
      this.connectors[slot] = c;
      return;
    }
    // Refused at once (a UNIX path with no listener, say): report it asynchronously, as every
    // other outcome of connect is reported.
    const attempt = c.attempt;
    this.host.callLater(0, () => {
      if (c.attempt === attempt && c.state === 'connecting') c.connectionFailed(new Failure(connectErrorFor(slot)));
    });
  }

  // ---- PortOwner --------------------------------------------------------------------------

  closeListener(p: Port): void {
    if (this.ports[p.slot] !== p) return;
    this.ports[p.slot] = undefined;
    this.native.closeListener(p.slot);
    if (p.unixName !== null && !p.unixName.startsWith('\0')) {
      try {
        unlinkSync(p.unixName);
      } catch {
        // already gone: nothing to clean up
      }
    }
    p.factory.doStop();
  }

  listenerAddress(p: Port): Address {
    // A UNIX port reports the name it was given (an abstract name's NUL included).
    if (p.unixName !== null) return new UNIXAddress(p.unixName);
    const reply = this.native.address(p.slot, false);
    if (typeof reply === 'number') throw new ReactorSystemError(reply, 'getsockname');
    return addressFromNative(reply);
  }

  // ---- dispatch -----------------------------------------------------------------------------

  /** Handles one native record (any type but RECORD_RAW). */
  dispatch(type: number, slot: number, a: number, b: number): void {
    switch (type) {
      case C.RECORD_DATA:
        this.onData(slot, a, b);
        break;
      case C.RECORD_ACCEPT:
        this.onAccept(slot, a, b);
        break;
      case C.RECORD_CLOSED:
        this.onClosed(slot, a);
        break;
      case C.RECORD_CONNECTED:
        this.onConnected(slot);
        break;
      case C.RECORD_CONNECT_FAILED: {
        const c = this.connectors[slot];
        this.connectors[slot] = undefined;
        if (c !== undefined) c.connectionFailed(new Failure(connectErrorFor(a)));
        break;
      }
      case C.RECORD_DRAINED:
        this.transports[slot]?.drained();
        break;
      case C.RECORD_READ_CLOSED:
        this.callProtocol(slot, 'readConnectionLost');
        break;
      case C.RECORD_WRITE_CLOSED:
        this.callProtocol(slot, 'writeConnectionLost');
        break;
      case C.RECORD_ACCEPT_ERROR:
        this.onAcceptError(slot, a);
        break;
    }
  }

  /** Tells every connection and port the reactor is shutting down (Twisted's disconnectAll). */
  disconnectAll(): void {
    for (const p of this.ports) if (p !== undefined) p.stopListening();
    for (const c of this.connectors) if (c !== undefined) this.abortAttempt(c, new ConnectionLost('the reactor shut down'));
    for (let slot = 0; slot < this.transports.length; slot++) {
      const t = this.transports[slot];
      if (t === undefined) continue;
      t.closeReason ??= new ConnectionLost('the reactor shut down');
      this.native.closeStream(slot, C.CLOSE_DISCARD);
      this.onClosed(slot, 0);
    }
  }

  get connectionCount(): number {
    let n = 0;
    for (const t of this.transports) if (t !== undefined) n++;
    return n;
  }

  private onData(slot: number, offset: number, length: number): void {
    const t = this.transports[slot];
    const protocol = t?.protocol;
    if (protocol === undefined || t!.closeReason !== undefined) return;
    const arena = (this.arena ??= this.native.arena);
    let data: Buffer;
    if (protocol.borrowData === true) {
      data = arena.subarray(offset, offset + length);
    } else {
      data = Buffer.allocUnsafe(length);
      arena.copy(data, 0, offset, offset + length);
    }
    try {
      protocol.dataReceived(data);
    } catch (err) {
      this.protocolFailed(t!, 'dataReceived', err);
    }
  }

  private onAccept(listenerSlot: number, slot: number, blobOffset: number): void {
    const port = this.ports[listenerSlot];
    if (port === undefined) {
      this.native.closeStream(slot, C.CLOSE_DISCARD);
      return;
    }
    port.acceptBackoff = 0;
    const arena = (this.arena ??= this.native.arena);
    const peer = addressFromBlob(arena, blobOffset, null);
    const t = new StreamTransport(this, slot, peer);
    this.transports[slot] = t;
    this.startProtocol(t, () => port.factory.buildProtocol(peer));
  }

  private onConnected(slot: number): void {
    const c = this.connectors[slot];
    this.connectors[slot] = undefined;
    if (c === undefined) return;
    const t = new StreamTransport(this, slot, undefined);
    this.transports[slot] = t;
    t.connector = c;
    c.transport = t;
    // Twisted gives a refused client connection a plain Protocol and closes it at once.
    this.startProtocol(t, () => c.buildProtocol(c.getDestination()) ?? (t.loseConnection(), new Protocol()));
  }

  private startProtocol(t: StreamTransport, build: () => Protocol | null): void {
    let protocol: Protocol | null;
    try {
      protocol = build();
    } catch (err) {
      this.logger.error('Unhandled error in buildProtocol:', err);
      protocol = null;
    }
    if (protocol === null) {
      // Refused: close at once; nobody hears of this connection.
      this.transports[t.slot] = undefined;
      t.connected = false;
      this.native.closeStream(t.slot, C.CLOSE_DISCARD);
      return;
    }
    t.protocol = protocol;
    if (typeof (protocol as Partial<{ readConnectionLost: unknown }>).readConnectionLost === 'function') {
      this.native.setHalfClose(t.slot, true);
    }
    try {
      protocol.makeConnection(t);
    } catch (err) {
      this.protocolFailed(t, 'connectionMade', err);
    }
  }

  private onClosed(slot: number, error: number): void {
    const t = this.transports[slot];
    if (t === undefined) return;
    this.transports[slot] = undefined;
    t.closed();
    const reason = t.reasonFor(error);
    const protocol = t.protocol;
    if (protocol !== undefined) {
      protocol.connected = false;
      try {
        protocol.connectionLost(reason);
      } catch (err) {
        this.logger.error(`Unhandled error in ${safePrefix(protocol)}.connectionLost:`, err);
      }
    }
    t.connector?.connectionLost(reason);
  }

  private callProtocol(slot: number, method: 'readConnectionLost' | 'writeConnectionLost'): void {
    const t = this.transports[slot];
    const protocol = t?.protocol as (Protocol & Partial<Record<typeof method, () => void>>) | undefined;
    if (protocol === undefined || typeof protocol[method] !== 'function') return;
    try {
      protocol[method]!();
    } catch (err) {
      this.protocolFailed(t!, method, err);
    }
  }

  private onAcceptError(slot: number, error: number): void {
    const port = this.ports[slot];
    if (port === undefined) return;
    const err = new ReactorSystemError(error, 'accept', `on ${port.getHost()}`);
    const paused = ['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM'].includes(err.code);
    if (!paused) {
      this.logger.error('Error accepting a connection:', err);
      return;
    }
    // Back off (10 ms, doubling to 1 s) and try again: descriptors may free up meanwhile.
    port.acceptBackoff = port.acceptBackoff === 0 ? 0.01 : Math.min(1, port.acceptBackoff * 2);
    this.logger.error(`Out of resources accepting connections; retrying in ${port.acceptBackoff}s:`, err);
    this.host.callLater(port.acceptBackoff, () => {
      if (this.ports[slot] === port) this.native.resumeListener(slot);
    });
  }

  /** A protocol callback threw: log it and close the connection with that reason. */
  private protocolFailed(t: StreamTransport, method: string, err: unknown): void {
    this.logger.error(`Unhandled error in ${t.protocol ? safePrefix(t.protocol) : 'protocol'}.${method}:`, err);
    if (t.connected) t.abortWith(err instanceof Error ? err : new ConnectionLost(String(err)));
  }
}

function safePrefix(protocol: Protocol): string {
  try {
    return protocol.logPrefix();
  } catch {
    return 'protocol';
  }
}

function connectErrorFor(error: number): Error {
  const cause = new ReactorSystemError(error, 'connect');
  if (cause.code === 'ECONNREFUSED') return new ConnectionRefusedError(undefined, { cause });
  return new ConnectError(`connect failed: ${cause.code}`, { cause });
}
