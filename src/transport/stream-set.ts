/**
 * The reactor's sockets (listening ports, connectors, connections) and the dispatch of the
 * native core's stream records to them.
 * Internal to the package.
 */
import { unlinkSync } from 'node:fs';
import { markAsUntransferable } from 'node:worker_threads';
import { Failure } from '../defer/failure';
import { ConnectError, ConnectionLost, ConnectionRefusedError } from './errors';
import { ReactorSystemError } from '../errors';
import type { IDelayedCall, IReactorTime } from '../interfaces/time';
import type { IFileDescriptorReceiver, ITLSTransport } from '../interfaces/transport';
import { connectionCloseChannel, connectionOpenChannel, trace } from '../log/diagnostics';
import { reportError, type Logger } from '../log/logger';
import type { Factory } from '../protocol/factory';
import { Protocol } from '../protocol/protocol';
import { C, generationOf, slotOf, type NativeReactor } from '../binding';
import { IPv4Address, IPv6Address, UNIXAddress, type Address } from './address';
import { addressFromBlob, addressFromNative } from './native-addresses';
import { Connector, type ConnectorOwner } from './connector';
import { Port, type PortOwner } from './port';
import { StreamTransport, type TransportOwner } from './stream-transport';

/**
 * Reads at least this large reach protocols as views of the read arena, which the core then
 * never reuses (one copy, kernel to the protocol's bytes). Smaller ones are copied out, into
 * Node's Buffer pool, so the arena is reused and a kept small chunk does not hold an arena.
 */
export const VIEW_READ_BYTES = 4096;

/** The hooks StreamSet needs from its reactor. */
export interface StreamHost {
  native(): NativeReactor;
  readonly triggerCode: number;
  readonly logger: Logger;
  /** The reactor itself, which connectors expose as `reactor` (as Twisted's do). */
  readonly reactor: IReactorTime;
  callLater(delay: number, f: () => void): IDelayedCall;
  /** True once the reactor is closed. */
  isClosed(): boolean;
  /**
   * Resolves `host` with the reactor's name resolver and calls `done` once: with the first
   * address, or with a DNSLookupError. Numeric hosts are answered at once.
   */
  resolveHost(host: string, done: (err: Error | null, address: IPv4Address | IPv6Address | undefined) => void): void;
  /** Moves a connection under TLS (the reactor hands this in from tls/, a folder above this one). */
  startTLS(t: StreamTransport, tlsOptions: unknown, normal: unknown): ITLSTransport;
}

/** Where an outgoing connection goes, in native terms. */
export type ConnectTarget = { kind: 'tcp'; host: string; port: number; bind: { host: string; port: number } | undefined } | { kind: 'unix'; path: Buffer };

/**
 * Every object here is filed under its native slot and carries the slot's generation; a record
 * is handled only by the object whose generation it names, so a record can never reach a newer
 * user of the slot (the native core also holds a closed slot until its close record is
 * delivered).
 */
export class StreamSet implements PortOwner, ConnectorOwner, TransportOwner {
  private readonly transports: (StreamTransport | undefined)[] = [];
  private readonly ports: (Port | undefined)[] = [];
  private readonly connectors: (Connector | undefined)[] = [];
  private readonly targets = new WeakMap<Connector, ConnectTarget>();
  /** Connectors waiting for their name to resolve: not in `connectors` yet, told at shutdown all the same. */
  private readonly resolving = new Set<Connector>();
  private arena: Buffer | undefined;
  /** The end of the arena handed out as views during this delivery (see onData). */
  private keptEnd = 0;
  /** The end of the arena handed out as views since reads began in it. */
  private arenaKept = 0;

  constructor(private readonly host: StreamHost) {}

  get native(): NativeReactor {
    return this.host.native();
  }

  get logger(): Logger {
    return this.host.logger;
  }

  // ---- creating endpoints -----------------------------------------------------------------

  listen(family: number, address: string | Buffer, port: number, backlog: number, factory: Factory, unixName: string | null, reusePort: boolean): Port {
    const name = this.native.listen(family, address, port, backlog, this.host.triggerCode, reusePort);
    if (name < 0) throw new ReactorSystemError(name, 'listen', family === C.FAMILY_UNIX ? `path ${JSON.stringify(unixName)}` : `${address} port ${port}`);
    return this.startPort(name, factory, unixName);
  }

  adoptPort(fd: number, factory: Factory): Port {
    const name = this.native.adopt(fd, true, this.host.triggerCode);
    if (name < 0) throw new ReactorSystemError(name, 'adopt', `descriptor ${fd} (a listening stream socket is needed)`);
    return this.startPort(name, factory, null);
  }

  adoptConnection(fd: number, factory: Factory): void {
    const name = this.native.adopt(fd, false, this.host.triggerCode);
    if (name < 0) throw new ReactorSystemError(name, 'adopt', `descriptor ${fd} (a connected stream socket is needed)`);
    const t = new StreamTransport(this, slotOf(name), generationOf(name), undefined, undefined);
    t.rememberAddresses();
    this.transports[t.slot] = t;
    this.startProtocol(t, () => factory.buildProtocol(t.getPeer()));
  }

  private startPort(name: number, factory: Factory, unixName: string | null): Port {
    const p = new Port(this, slotOf(name), generationOf(name), factory, unixName);
    this.ports[p.slot] = p;
    if (trace.enabled) trace('listening: slot %d, %s', p.slot, p.describe());
    try {
      factory.doStart();
    } catch (err) {
      this.closeListener(p);
      throw err;
    }
    return p;
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
    this.resolving.add(c);
    this.host.resolveHost(target.host, (err, address) => {
      this.resolving.delete(c);
      if (c.attempt !== attempt || c.state !== 'connecting') return; // stopped meanwhile
      if (this.host.isClosed()) return; // the reactor closed meanwhile: the connector was told then
      if (err || address === undefined) this.connectionFailed(c, err ?? new ConnectError('no address'));
      else this.connectNow(c, address instanceof IPv6Address ? C.FAMILY_IPV6 : C.FAMILY_IPV4, address.host, target.port, target.bind);
    });
  }

  abortAttempt(c: Connector, reason: Error): void {
    c.attempt++; // a resolver answer still on its way is now stale
    this.resolving.delete(c);
    if (c.slot >= 0 && this.connectors[c.slot] === c) {
      this.connectors[c.slot] = undefined;
      this.native.closeStream(c.slot, c.generation, C.CLOSE_DISCARD);
    }
    this.connectionFailed(c, reason);
  }

  callLater(delay: number, f: () => void): IDelayedCall {
    return this.host.callLater(delay, f);
  }

  private connectNow(c: Connector, family: number, address: string | Buffer, port: number, bind: { host: string; port: number } | undefined): void {
    const bindFamily = bind === undefined ? 0 : bind.host.includes(':') ? C.FAMILY_IPV6 : C.FAMILY_IPV4;
    const name = this.native.connect(family, address, port, bindFamily, bind?.host ?? '', bind?.port ?? 0, this.host.triggerCode);
    if (name >= 0) {
      c.slot = slotOf(name);
      c.generation = generationOf(name);
      // The peer is what we connect to: known now, so the connection needs no getpeername.
      if (family === C.FAMILY_UNIX) c.peer = c.getDestination();
      else c.peer = family === C.FAMILY_IPV6 ? new IPv6Address(address as string, port) : new IPv4Address(address as string, port);
      this.connectors[c.slot] = c;
      if (trace.enabled) trace('connecting: slot %d', c.slot);
      return;
    }
    // Refused at once (a UNIX path with no listener, say): report it asynchronously, as every
    // other outcome of connect is reported.
    const attempt = c.attempt;
    this.host.callLater(0, () => {
      if (c.attempt === attempt && c.state === 'connecting') this.connectionFailed(c, connectErrorFor(name));
    });
  }

  // ---- PortOwner --------------------------------------------------------------------------

  closeListener(p: Port): void {
    if (this.ports[p.slot] !== p) return;
    this.ports[p.slot] = undefined;
    if (trace.enabled) trace('stopped listening: slot %d', p.slot);
    this.native.closeListener(p.slot, p.generation);
    if (p.unixName !== null && !p.unixName.startsWith('\0')) {
      try {
        unlinkSync(p.unixName);
      } catch {
        // already gone: nothing to clean up
      }
    }
    this.guard(() => p.factory.doStop(), 'Unhandled error in Factory.doStop:');
  }

  listenerAddress(p: Port): Address {
    // A UNIX port reports the name it was given (an abstract name's NUL included).
    if (p.unixName !== null) return new UNIXAddress(p.unixName);
    const reply = this.native.address(p.slot, p.generation, false);
    if (typeof reply === 'number') throw new ReactorSystemError(reply, 'getsockname');
    return addressFromNative(reply);
  }

  // ---- TransportOwner -----------------------------------------------------------------------

  write(t: StreamTransport, data: ArrayBufferView): number {
    return this.native.write(t.slot, t.generation, data);
  }

  writev(t: StreamTransport, chunks: ArrayBufferView[]): number {
    return this.native.writev(t.slot, t.generation, chunks);
  }

  setReading(t: StreamTransport, reading: boolean): void {
    this.native.setReading(t.slot, t.generation, reading);
  }

  requestDrain(t: StreamTransport): void {
    this.native.requestDrain(t.slot, t.generation);
  }

  pending(t: StreamTransport): number {
    return this.native.pending(t.slot, t.generation);
  }

  closeAfterFlush(t: StreamTransport): void {
    this.native.closeStream(t.slot, t.generation, C.CLOSE_AFTER_FLUSH);
  }

  abort(t: StreamTransport): void {
    this.native.closeStream(t.slot, t.generation, C.CLOSE_ABORT);
  }

  shutWriteAfterFlush(t: StreamTransport): void {
    this.native.closeStream(t.slot, t.generation, C.SHUT_WRITE_AFTER_FLUSH);
  }

  sendFileDescriptor(t: StreamTransport, fd: number): number {
    return this.native.sendDescriptor(t.slot, t.generation, fd);
  }

  address(t: StreamTransport, peer: boolean): Address {
    const reply = this.native.address(t.slot, t.generation, peer);
    if (typeof reply === 'number') throw new ReactorSystemError(reply, peer ? 'getpeername' : 'getsockname');
    return addressFromNative(reply);
  }

  socketOption(t: StreamTransport, option: 'noDelay' | 'keepAlive', value: boolean | undefined): boolean {
    const rc = this.native.socketOption(t.slot, t.generation, option === 'noDelay' ? C.OPTION_NODELAY : C.OPTION_KEEPALIVE, value);
    if (rc < 0) throw new ReactorSystemError(rc, 'setsockopt');
    return rc === 1;
  }

  startTLS(t: StreamTransport, tlsOptions: unknown, normal: unknown): ITLSTransport {
    return this.host.startTLS(t, tlsOptions, normal);
  }

  // ---- dispatch -----------------------------------------------------------------------------

  /** Handles one native record (any type but RECORD_RAW) naming slot + generation. */
  dispatch(type: number, slot: number, generation: number, a: number, b: number, c: number): void {
    switch (type) {
      case C.RECORD_DATA:
        this.onData(slot, generation, a, b);
        break;
      case C.RECORD_ACCEPT:
        this.onAccept(slot, generation, a, b, c);
        break;
      case C.RECORD_CLOSED:
        this.onClosed(slot, generation, a);
        break;
      case C.RECORD_CONNECTED:
        this.onConnected(slot, generation);
        break;
      case C.RECORD_CONNECT_FAILED: {
        const connector = this.connectors[slot];
        if (connector === undefined || connector.generation !== generation) break;
        this.connectors[slot] = undefined;
        this.connectionFailed(connector, connectErrorFor(a));
        break;
      }
      case C.RECORD_DRAINED: {
        const t = this.transportAt(slot, generation);
        if (t !== undefined) this.call(t, 'resumeProducing', () => t.drained());
        break;
      }
      case C.RECORD_READ_CLOSED:
        this.callProtocol(slot, generation, 'readConnectionLost');
        break;
      case C.RECORD_WRITE_CLOSED:
        this.callProtocol(slot, generation, 'writeConnectionLost');
        break;
      case C.RECORD_ACCEPT_ERROR:
        this.onAcceptError(slot, generation, a);
        break;
      case C.RECORD_DESCRIPTOR:
        this.onDescriptor(slot, generation, a);
        break;
    }
  }

  /**
   * A record's handling threw past the guards around protocol callbacks (a bug of ours, or a
   * producer's pauseProducing called from write): report it, and abort the connection named.
   */
  recordFailed(slot: number, generation: number, err: unknown): void {
    this.report('Unhandled error in the reactor:', err);
    const t = this.transportAt(slot, generation);
    if (t !== undefined && t.connected) t.abortWith(asError(err));
  }

  /**
   * Tells every connection and port the reactor is shutting down (Twisted's disconnectAll):
   * ports stop listening, connection attempts fail, and every connection is closed at once and
   * its protocol told connectionLost with `reason`.
   */
  disconnectAll(reason: string): void {
    for (const p of this.ports) if (p !== undefined) this.guard(() => p.stopListening(), 'Unhandled error in stopListening:');
    for (const c of [...this.connectors, ...this.resolving]) if (c !== undefined) this.abortAttempt(c, new ConnectionLost(reason));
    for (let slot = 0; slot < this.transports.length; slot++) {
      const t = this.transports[slot];
      if (t === undefined) continue;
      t.closeReason ??= new ConnectionLost(reason);
      this.native.closeStream(slot, t.generation, C.CLOSE_DISCARD);
      this.onClosed(slot, t.generation, 0);
    }
  }

  /** The reactor closed its native core: forget the memory it shared. */
  released(): void {
    this.arena = undefined;
  }

  /** The core moved reads to `arena` itself: the old one lives on only in the views protocols kept. */
  arenaMoved(arena: ArrayBuffer): void {
    this.useArena(arena);
  }

  /**
   * Ends a delivery: how far into the arena it handed out views, for the core to leave alone.
   * Once most of the arena is handed out, reads move to a fresh one made here: an ordinary
   * ArrayBuffer, uninitialised and young, which the garbage collector reclaims with its cheapest
   * collection once the protocols drop their views (memory made natively would be external,
   * and only full collections reclaim that).
   */
  takeKeptEnd(): number {
    const end = this.keptEnd;
    this.keptEnd = 0;
    if (end > this.arenaKept) this.arenaKept = end;
    if (this.arenaKept <= C.ARENA_BYTES - C.ARENA_REPLACE_BELOW) return end;
    const arena = Buffer.allocUnsafeSlow(C.ARENA_BYTES).buffer;
    if (this.native.setArena(arena) < 0) return end;
    this.useArena(arena);
    return 0;
  }

  private useArena(arena: ArrayBuffer): void {
    // The core writes into this memory: it must never be transferred away to another thread.
    markAsUntransferable(arena);
    this.arena = Buffer.from(arena);
    this.arenaKept = 0;
  }

  /** The ports still listening, in slot order. */
  listeningPorts(): Port[] {
    const ports: Port[] = [];
    for (const p of this.ports) if (p !== undefined && p.listening) ports.push(p);
    return ports;
  }

  get connectionCount(): number {
    let n = 0;
    for (const t of this.transports) if (t !== undefined) n++;
    return n;
  }

  private transportAt(slot: number, generation: number): StreamTransport | undefined {
    const t = this.transports[slot];
    return t !== undefined && t.generation === generation ? t : undefined;
  }

  /** Datagram ports handed out views of the arena up to `end` in this delivery (see takeKeptEnd). */
  keepArena(end: number): void {
    if (end > this.keptEnd) this.keptEnd = end;
  }

  /** A Buffer over the native arena, made once per native core (asking for it is a native call). */
  arenaBuffer(): Buffer {
    if (this.arena === undefined) this.useArena(this.native.arena!);
    return this.arena!;
  }

  private onData(slot: number, generation: number, offset: number, length: number): void {
    const t = this.transportAt(slot, generation);
    const protocol = t?.protocol;
    // A connection we are closing hears no more data (as Twisted stops reading on loseConnection).
    if (protocol === undefined || !t!.connected) return;
    const arena = this.arenaBuffer();
    const borrowed = protocol.borrowData === true;
    let data: Buffer;
    if (borrowed || length >= VIEW_READ_BYTES) {
      // The kernel's copy is the only one: the protocol gets the arena's own bytes. Unless it
      // only borrows them, the core never writes this part of the arena again.
      data = arena.subarray(offset, offset + length);
      if (!borrowed) this.keptEnd = Math.max(this.keptEnd, offset + length);
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

  /**
   * A descriptor arrived on a UNIX connection. It is handed to the protocol if it has
   * fileDescriptorReceived (and is then the protocol's, even if that throws: it may have kept
   * it, so closing it here could close a number since reused); otherwise it stays the core's,
   * which closes it once this batch is consumed, or when its environment ends.
   *
   * The claim and the call follow each other with nothing in between (the method is read
   * before), so a worker terminated before the call leaves the descriptor to the core. One
   * terminated inside the protocol's method, even at its first instant, leaves it to nobody:
   * only the protocol knows whether it closed the descriptor or handed it on, so closing it for
   * the protocol could close a number another thread has since been given.
   */
  private onDescriptor(slot: number, generation: number, fd: number): void {
    const t = this.transportAt(slot, generation);
    const protocol = t?.protocol as (Protocol & Partial<IFileDescriptorReceiver>) | undefined;
    // A connection we are closing hears no more (as for data): the core closes the descriptor.
    if (protocol === undefined || !t!.connected) return;
    const receive = protocol.fileDescriptorReceived;
    if (typeof receive !== 'function') {
      if (trace.enabled) trace('slot %d: %s has no fileDescriptorReceived; closing descriptor %d received', slot, safePrefix(protocol), fd);
      return;
    }
    if (this.native.claimDescriptor(fd) < 0) return;
    try {
      receive.call(protocol, fd);
    } catch (err) {
      this.protocolFailed(t!, 'fileDescriptorReceived', err);
    }
  }

  private onAccept(slot: number, generation: number, listenerSlot: number, listenerGeneration: number, blobOffset: number): void {
    const port = this.ports[listenerSlot];
    if (port === undefined || port.generation !== listenerGeneration) {
      this.native.closeStream(slot, generation, C.CLOSE_DISCARD);
      return;
    }
    port.acceptBackoff = 0;
    const peer = addressFromBlob(this.arenaBuffer(), blobOffset, null);
    const t = new StreamTransport(this, slot, generation, peer, port.acceptedHost());
    t.rememberAddresses(); // a native call only under a wildcard listener, whose host cannot tell
    this.transports[slot] = t;
    this.startProtocol(t, () => port.factory.buildProtocol(peer));
  }

  private onConnected(slot: number, generation: number): void {
    const c = this.connectors[slot];
    if (c === undefined || c.generation !== generation) return;
    this.connectors[slot] = undefined;
    const t = new StreamTransport(this, slot, generation, c.peer, undefined);
    t.rememberAddresses(); // the local port was chosen by the kernel: one getsockname
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
      this.report('Unhandled error in buildProtocol:', err);
      protocol = null;
    }
    if (protocol === null) {
      // Refused: close at once; nobody hears of this connection.
      this.transports[t.slot] = undefined;
      t.connected = false;
      this.native.closeStream(t.slot, t.generation, C.CLOSE_DISCARD);
      if (t.connector !== undefined) this.connectionLost(t.connector, new Failure(new ConnectionLost('buildProtocol refused the connection')));
      return;
    }
    t.protocol = protocol;
    if (typeof (protocol as Partial<{ readConnectionLost: unknown }>).readConnectionLost === 'function') {
      this.native.setHalfClose(t.slot, t.generation, true);
    }
    try {
      protocol.makeConnection(t);
    } catch (err) {
      this.protocolFailed(t, 'connectionMade', err);
    }
    if (trace.enabled) trace('connection open: slot %d', t.slot);
    if (connectionOpenChannel.hasSubscribers) connectionOpenChannel.publish({ transport: t, protocol });
  }

  private onClosed(slot: number, generation: number, error: number): void {
    const t = this.transportAt(slot, generation);
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
        this.report(`Unhandled error in ${safePrefix(protocol)}.connectionLost:`, err);
      }
    }
    if (t.connector !== undefined) this.connectionLost(t.connector, reason);
    if (trace.enabled) trace('connection closed: slot %d, %s', slot, reason.value instanceof Error ? reason.value.name : String(reason.value));
    if (connectionCloseChannel.hasSubscribers) connectionCloseChannel.publish({ transport: t, protocol, reason });
  }

  private callProtocol(slot: number, generation: number, method: 'readConnectionLost' | 'writeConnectionLost'): void {
    const t = this.transportAt(slot, generation);
    const protocol = t?.protocol as (Protocol & Partial<Record<typeof method, () => void>>) | undefined;
    if (protocol === undefined || !t!.connected || typeof protocol[method] !== 'function') return;
    try {
      protocol[method]!();
    } catch (err) {
      this.protocolFailed(t!, method, err);
    }
  }

  /** Accepting failed and the core paused the listener. */
  private onAcceptError(slot: number, generation: number, error: number): void {
    const port = this.ports[slot];
    if (port === undefined || port.generation !== generation) return;
    const err = new ReactorSystemError(error, 'accept', `on ${port.describe()}`);
    // Back off (10 ms, doubling to 1 s) and try again: descriptors may free up meanwhile.
    port.acceptBackoff = port.acceptBackoff === 0 ? 0.01 : Math.min(1, port.acceptBackoff * 2);
    this.report(`Error accepting connections; retrying in ${port.acceptBackoff}s:`, err);
    this.host.callLater(port.acceptBackoff, () => {
      if (this.ports[slot] === port) this.native.resumeListener(slot, port.generation);
    });
  }

  private connectionFailed(c: Connector, reason: Error): void {
    this.guard(() => c.connectionFailed(new Failure(reason)), 'Unhandled error in clientConnectionFailed:');
  }

  private connectionLost(c: Connector, reason: Failure): void {
    this.guard(() => c.connectionLost(reason), 'Unhandled error in clientConnectionLost:');
  }

  /** Runs a transport's own callback into user code (a producer's); a throw aborts it. */
  private call(t: StreamTransport, what: string, f: () => void): void {
    try {
      f();
    } catch (err) {
      this.protocolFailed(t, what, err);
    }
  }

  private guard(f: () => void, message: string): void {
    try {
      f();
    } catch (err) {
      this.report(message, err);
    }
  }

  private report(message: string, err: unknown): void {
    reportError(this.logger, message, err);
  }

  /** A protocol callback threw: log it and close the connection with that reason. */
  private protocolFailed(t: StreamTransport, method: string, err: unknown): void {
    this.report(`Unhandled error in ${t.protocol ? safePrefix(t.protocol) : 'protocol'}.${method}:`, err);
    if (t.connected) t.abortWith(asError(err));
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new ConnectionLost(String(err));
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
