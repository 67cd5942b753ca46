import { Failure } from '../defer/failure';
import { ConnectionLost } from '../transport/errors';
import { InvalidArgTypeError, InvalidArgValueError, ReactorSystemError } from '../errors';
import { ReactorAlreadyRunning, ReactorClosed, ReactorNotRestartable, ReactorNotRunning } from './errors';
import { assertFunction, assertNonNegativeNumber, assertOneOf, describe } from '../util/validate';
import type { IReactorTime } from '../interfaces/time';
import { trace } from '../log/diagnostics';
import { reportError, type Logger } from '../log/logger';
import type { DelayedCall } from './delayed-call';
import type { DescriptorOptions, IFileDescriptor, IReadDescriptor, IWriteDescriptor, Trigger } from './descriptor';
import { DescriptorSet, type DescriptorHost } from './descriptor-set';
import { binding, C, type NativeReactor } from '../binding';
import { backendSupports, resolveOptions, type Backend, type ReactorOptions } from './options';
import { readStats, type ReactorStats } from './stats';
import { PHASES, SystemEvents, type Phase, type SystemEventTriggerID } from './system-events';
import { TimerLoop } from './timer-loop';
import * as endpoints from './stream-endpoints';
import type { ConnectTCPOptions, ConnectUNIXOptions, ListenTCPOptions, ListenUNIXOptions, StreamFamily } from './stream-endpoints';
import { StreamSet } from '../transport/stream-set';
import type { Connector } from '../transport/connector';
import type { Port, TCPPort, UNIXPort } from '../transport/port';
import type { Factory } from '../protocol/factory';
import { DatagramSet } from '../datagram/datagram-set';
import * as datagramEndpoints from '../datagram/datagram-endpoints';
import type { ConnectUNIXDatagramOptions, ListenUDPOptions, ListenUNIXDatagramOptions } from '../datagram/datagram-endpoints';
import type { DatagramPort } from '../datagram/datagram-port';
import type { DatagramProtocol } from '../datagram/protocol';
import { ProcessSet } from '../process/process-set';
import type { ProcessProtocol } from '../process/process-protocol';
import type { ProcessHost, ProcessTransport } from '../process/process-transport';
import { spawnProcess, type SpawnProcessOptions } from '../process/spawn-process';
import type { IHostnameResolver } from '../resolver/interfaces';
import { GAIResolver } from '../resolver/gai-resolver';
import { assertResolver, collectAddresses } from '../resolver/resolve';
import * as ssl from '../tls/ssl-endpoints';
import type { ListenSSLOptions } from '../tls/ssl-endpoints';
import type { TLSOptions } from '../tls/options';
import { startTLS } from '../tls/start-tls';

type Lifecycle = 'new' | 'running' | 'stopping' | 'stopped' | 'closed';

/**
 * A reactor: Twisted's IReactorCore, IReactorTime and IReactorFDSet over a native epoll,
 * kqueue or poll(2) core that lives inside Node's event loop.
 *
 * Create as many as you like, in any thread; each is independent. A reactor holds no native
 * resource until first used, and releases everything on {@link Reactor.close}.
 *
 * ```ts
 * const reactor = new Reactor({ trigger: 'edge' });
 * reactor.callLater(1, () => reactor.stop());
 * await reactor.run();
 * reactor.close();
 * ```
 */
export class Reactor implements IReactorTime {
  /** The backend in use: 'epoll', 'kqueue' or 'poll'. */
  readonly backend: Backend;
  /** The default trigger mode for registered descriptors. */
  readonly trigger: Trigger;
  /** Where unhandled errors from callbacks are reported. */
  readonly logger: Logger;

  private state: Lifecycle = 'new';
  private isRunning = false;
  private nativeReactor: NativeReactor | undefined;
  private readonly timers: TimerLoop;
  private readonly events: SystemEvents;
  private readonly descriptors: DescriptorSet;
  private readonly streams: StreamSet;
  private readonly datagrams: DatagramSet;
  private readonly processes = new ProcessSet();
  private readonly processHost: ProcessHost;
  private stopped: Promise<void> | undefined;
  private resolver: IHostnameResolver = new GAIResolver();
  /** The counters as the native core left them when the reactor closed. */
  private finalStats: ReactorStats | undefined;
  private resolveStopped: (() => void) | undefined;
  /**
   * The native core's batch callback. The core holds it weakly unless running, so this field
   * is what keeps it alive, and an abandoned reactor (this object, the callback and the native
   * object only reachable from each other) can be collected and its descriptors closed.
   */
  private onBatch: ((count: number, arena: ArrayBuffer | undefined) => number) | undefined;

  constructor(options?: ReactorOptions) {
    const resolved = resolveOptions(options);
    this.backend = resolved.backend;
    this.trigger = resolved.trigger;
    this.logger = resolved.logger;
    this.events = new SystemEvents(this.logger);
    this.timers = new TimerLoop(this.logger);
    const host: DescriptorHost = {
      native: () => this.native(),
      trigger: this.trigger,
      backend: this.backend,
      supportsTrigger: (t) => backendSupports(this.backend, t),
      logger: this.logger,
    };
    this.descriptors = new DescriptorSet(host);
    this.streams = new StreamSet({
      native: () => this.native(),
      triggerCode: { level: C.TRIGGER_LEVEL, edge: C.TRIGGER_EDGE, oneshot: C.TRIGGER_ONESHOT }[this.trigger],
      logger: this.logger,
      reactor: this,
      callLater: (delay, f) => this.callLater(delay, f),
      isClosed: () => this.state === 'closed',
      resolveHost: (host, done) => {
        collectAddresses(this.resolver, host, 0, null, (err, addresses) => done(err, addresses[0]));
      },
      startTLS: (t, tlsOptions, normal) => startTLS(t, tlsOptions, normal, this.logger),
    });
    this.datagrams = new DatagramSet({
      native: () => this.native(),
      triggerCode: { level: C.TRIGGER_LEVEL, edge: C.TRIGGER_EDGE, oneshot: C.TRIGGER_ONESHOT }[this.trigger],
      logger: this.logger,
      arena: () => this.streams.arenaBuffer(),
      keepArena: (end) => this.streams.keepArena(end),
    });
    this.processHost = {
      edge: this.trigger === 'edge',
      logger: this.logger,
      // Owned by the native core while registered: closed by it if this reactor is collected
      // unclosed or its worker is terminated, a running child's exit watcher going to the
      // native orphan reaper instead (close() releases them from JavaScript first).
      addReader: (d) => this.descriptors.addReader(d, undefined, true),
      removeReader: (d) => this.descriptors.removeReader(d),
      addWriter: (d) => this.descriptors.addWriter(d, undefined, true),
      removeWriter: (d) => this.descriptors.removeWriter(d),
      callSoon: (f) => {
        if (this.state !== 'closed') this.callLater(0, f);
      },
      track: (p) => this.processes.add(p),
      forget: (p) => this.processes.delete(p),
    };
    this.events.add(
      'during',
      'startup',
      () => {
        this.isRunning = true;
      },
      [],
    );
  }

  // ---- IReactorCore ----------------------------------------------------------------------

  /** True from the 'during startup' phase until the reactor has stopped. */
  get running(): boolean {
    return this.isRunning;
  }

  /**
   * Starts the reactor: fires the 'startup' system event (so `callWhenRunning` callbacks run
   * before this returns) and keeps the process alive until {@link stop}. The promise settles
   * once the 'shutdown' event has run all three phases.
   *
   * @throws ReactorAlreadyRunning if running; ReactorNotRestartable if it ran before.
   */
  run(): Promise<void> {
    this.assertOpen();
    if (this.state === 'running' || this.state === 'stopping') throw new ReactorAlreadyRunning();
    if (this.state === 'stopped') throw new ReactorNotRestartable();
    const rc = this.native().start();
    if (rc < 0) throw new ReactorSystemError(rc, 'uv_poll_start');
    this.state = 'running';
    this.stopped = new Promise<void>((resolve) => {
      this.resolveStopped = resolve;
    });
    this.timers.start();
    this.events.fire('startup');
    return this.stopped;
  }

  /**
   * Asks the reactor to stop. The 'shutdown' system event fires on the next turn of the loop:
   * its `before` triggers may delay the stop by returning Deferreds; during it, every
   * registered descriptor is removed and told `connectionLost(ConnectionLost)`.
   *
   * @throws ReactorNotRunning if the reactor is not running or is already stopping.
   */
  stop(): void {
    this.assertOpen();
    if (this.state !== 'running') throw new ReactorNotRunning();
    this.state = 'stopping';
    setImmediate(() => {
      if (this.state !== 'stopping') return; // closed meanwhile
      this.events.add('during', 'shutdown', () => this.disconnectAll(), []);
      this.events.add('during', 'shutdown', () => this.halt(), []);
      this.events.fire('shutdown', () => this.finishStopping());
    });
  }

  /** Calls `f(...args)` once the reactor is running (now, if it already is). */
  callWhenRunning<A extends unknown[]>(f: (...args: A) => unknown, ...args: A): SystemEventTriggerID | undefined {
    this.assertOpen();
    assertFunction(f, 'callWhenRunning callback');
    if (this.isRunning) {
      try {
        f(...args);
      } catch (err) {
        this.logger.error('Unhandled error in a callWhenRunning callback:', err);
      }
      return undefined;
    }
    return this.events.add('after', 'startup', f, args);
  }

  /**
   * Adds a trigger for a system event ('startup', 'shutdown' or any name of yours, fired with
   * {@link fireSystemEvent}). A `before` trigger that returns a Deferred or promise delays the
   * `during` phase until it settles. Returns an ID for {@link removeSystemEventTrigger}.
   */
  addSystemEventTrigger<A extends unknown[]>(phase: Phase, eventType: string, f: (...args: A) => unknown, ...args: A): SystemEventTriggerID {
    this.assertOpen();
    assertOneOf(phase, PHASES, 'phase', 'ERR_IOREACTOR_INVALID_PHASE');
    if (typeof eventType !== 'string') throw new InvalidArgTypeError(`eventType must be a string, received ${describe(eventType)}`);
    assertFunction(f, 'system event trigger');
    return this.events.add(phase, eventType, f, args);
  }

  /** Removes a trigger added by {@link addSystemEventTrigger} or {@link callWhenRunning}. */
  removeSystemEventTrigger(triggerID: SystemEventTriggerID): void {
    this.assertOpen();
    if (!this.events.remove(triggerID)) {
      throw new InvalidArgValueError(`unknown or already consumed system event trigger: ${describe(triggerID)}`, 'ERR_IOREACTOR_INVALID_TRIGGER_ID');
    }
  }

  /** Fires a system event's three phases now. */
  fireSystemEvent(eventType: string): void {
    this.assertOpen();
    if (typeof eventType !== 'string') throw new InvalidArgTypeError(`eventType must be a string, received ${describe(eventType)}`);
    this.events.fire(eventType);
  }

  /**
   * Releases the reactor's native resources, at once, also from inside a callback. A running
   * reactor is halted without the shutdown event. Every connection is closed and its protocol
   * told `connectionLost` (a `ConnectionLost`), ports stop listening and connection attempts
   * fail, as at shutdown; raw descriptors are dropped without connectionLost and left open
   * (they belong to whoever registered them); pending delayed calls are discarded; nothing is
   * dispatched afterwards. Idempotent.
   */
  close(): void {
    if (this.state === 'closed') return;
    const wasRunning = this.state === 'running' || this.state === 'stopping';
    const native = this.nativeReactor;
    this.state = 'closed';
    this.halt();
    this.timers.clear();
    if (native !== undefined) {
      // Child processes' pipes and exit watchers belong to the reactor, unlike raw descriptors.
      this.processes.releaseAll();
      this.descriptors.removeAll();
      // Protocols hear of it while the native core can still close their sockets; whatever
      // they ask of the reactor meanwhile is refused with ReactorClosed (and logged).
      this.streams.disconnectAll('the reactor was closed');
      this.datagrams.disconnectAll();
      this.finalStats = { ...readStats(native), registrations: 0, heldSlots: 0 };
      native.close();
      this.streams.released();
    }
    this.nativeReactor = undefined;
    this.onBatch = undefined;
    if (wasRunning) this.resolveStopped?.();
  }

  /** True once {@link close} has run. */
  get closed(): boolean {
    return this.state === 'closed';
  }

  /**
   * Counters of what the native core has done since this reactor first used it: batches,
   * reports, reads and writes with their bytes, system calls. Zeros before first use; after
   * {@link close}, the final counts. One native call, whatever the traffic.
   */
  stats(): ReactorStats {
    return this.finalStats !== undefined ? { ...this.finalStats } : readStats(this.nativeReactor);
  }

  // ---- IReactorTime ----------------------------------------------------------------------

  /** Seconds on a monotonic clock (unaffected by changes to the wall clock). */
  seconds(): number {
    return this.timers.seconds();
  }

  /**
   * Runs `f(...args)` once, `delay` seconds from now (once the reactor is running). Calls run
   * in deadline order; calls with equal deadlines run in the order they were scheduled.
   */
  callLater<A extends unknown[]>(delay: number, f: (...args: A) => unknown, ...args: A): DelayedCall {
    this.assertOpen();
    assertNonNegativeNumber(delay, 'delay');
    assertFunction(f, 'callLater callback');
    return this.timers.schedule(delay, f as (...a: never[]) => unknown, args);
  }

  /** Every delayed call that has neither run nor been cancelled. */
  getDelayedCalls(): DelayedCall[] {
    return this.timers.pending();
  }

  // ---- IReactorFDSet ---------------------------------------------------------------------

  /**
   * Watches `reader` for readability; its `doRead()` is called when it may be readable (see
   * {@link IReadDescriptor} for the readiness contract). Adding the same reader twice is a
   * no-op. `options.trigger` overrides the reactor's trigger mode for this descriptor.
   *
   * @throws InvalidArgTypeError / InvalidArgValueError for a malformed descriptor or options;
   *   ReactorSystemError (code `EBADF`, ...) when the kernel refuses the descriptor.
   */
  addReader(reader: IReadDescriptor, options?: DescriptorOptions): void {
    this.assertOpen();
    this.descriptors.addReader(reader, options);
  }

  /** Watches `writer` for writability; see {@link addReader}. */
  addWriter(writer: IWriteDescriptor, options?: DescriptorOptions): void {
    this.assertOpen();
    this.descriptors.addWriter(writer, options);
  }

  /** Stops watching `reader`. Removing a reader that is not registered is a no-op. */
  removeReader(reader: IReadDescriptor): void {
    this.assertOpen();
    this.descriptors.removeReader(reader);
  }

  /** Stops watching `writer`. Removing a writer that is not registered is a no-op. */
  removeWriter(writer: IWriteDescriptor): void {
    this.assertOpen();
    this.descriptors.removeWriter(writer);
  }

  /** Stops watching everything; returns the descriptors that were registered. */
  removeAll(): IFileDescriptor[] {
    this.assertOpen();
    return this.descriptors.removeAll();
  }

  getReaders(): IReadDescriptor[] {
    return this.descriptors.getReaders();
  }

  getWriters(): IWriteDescriptor[] {
    return this.descriptors.getWriters();
  }

  // ---- IReactorTCP / IReactorUNIX ---------------------------------------------------------

  /**
   * Listens for TCP connections on `port` (0 picks a free one: see `getHost()` of the result)
   * and serves each with a protocol from `factory`. IPv6 when `options.interface` is an IPv6
   * address. Accept, read and write run in the native core.
   *
   * @throws InvalidArgValueError (`ERR_IOREACTOR_INVALID_PORT`, `ERR_IOREACTOR_INVALID_ADDRESS`),
   *   InvalidArgTypeError for a non-factory, ReactorSystemError (`EADDRINUSE`, ...).
   */
  listenTCP(port: number, factory: Factory, options?: ListenTCPOptions): TCPPort {
    this.assertOpen();
    return endpoints.listenTCP(this.streams, port, factory, options);
  }

  /**
   * Connects to `host` (a name, resolved without blocking the loop, or a numeric address) and
   * `port`, with a protocol from the client `factory` (startedConnecting, then buildProtocol and
   * connectionMade, or clientConnectionFailed).
   */
  connectTCP(host: string, port: number, factory: Factory, options?: ConnectTCPOptions): Connector {
    this.assertOpen();
    return endpoints.connectTCP(this.streams, host, port, factory, options);
  }

  /** Listens on a UNIX socket path, or a Linux abstract name starting with '\0'. */
  listenUNIX(path: string, factory: Factory, options?: ListenUNIXOptions): UNIXPort {
    this.assertOpen();
    return endpoints.listenUNIX(this.streams, path, factory, options);
  }

  /** Connects to a UNIX socket path or abstract name. */
  connectUNIX(path: string, factory: Factory, options?: ConnectUNIXOptions): Connector {
    this.assertOpen();
    return endpoints.connectUNIX(this.streams, path, factory, options);
  }

  /**
   * Serves an already listening socket. The descriptor is duplicated: close your own copy when
   * you like; the port's copy closes with stopListening.
   */
  adoptStreamPort(fd: number, family: StreamFamily, factory: Factory): Port {
    this.assertOpen();
    return endpoints.adoptStreamPort(this.streams, fd, family, factory);
  }

  /** Serves an already connected socket (duplicated, as adoptStreamPort) with a protocol from `factory`. */
  adoptStreamConnection(fd: number, family: StreamFamily, factory: Factory): void {
    this.assertOpen();
    endpoints.adoptStreamConnection(this.streams, fd, family, factory);
  }

  // ---- IReactorPluggableNameResolver ------------------------------------------------------

  /**
   * The resolver connectTCP and the `tcp:` client endpoints use for host names: by default a
   * GAIResolver (getaddrinfo on libuv's thread pool, never blocking the loop).
   */
  get nameResolver(): IHostnameResolver {
    return this.resolver;
  }

  /** Substitutes the reactor's name resolver; returns the previous one, as Twisted does. */
  installNameResolver(resolver: IHostnameResolver): IHostnameResolver {
    assertResolver(resolver);
    const previous = this.resolver;
    this.resolver = resolver;
    return previous;
  }

  // ---- IReactorSSL -----------------------------------------------------------------------

  /**
   * Listens for TLS connections on `port`, as Twisted's listenSSL(port, factory,
   * contextFactory): `tlsOptions` are node:tls server options (key and cert, or pfx, or a
   * secureContext; ALPNProtocols, SNICallback, requestCert...; `handshakeTimeout` in ms,
   * default 30000). Each protocol is built when its TCP connection is accepted and hears
   * connectionMade once the handshake has completed; its transport is an {@link ITLSTransport}.
   * Connections whose handshake fails go to `options.onHandshakeError`, if given.
   *
   * @throws as listenTCP; InvalidArgValueError `ERR_IOREACTOR_INVALID_TLS_OPTIONS` for
   *   certificates or keys node:tls cannot load.
   */
  listenSSL(port: number, factory: Factory, tlsOptions: TLSOptions, options?: ListenSSLOptions): TCPPort {
    this.assertOpen();
    return ssl.listenSSL(this, port, factory, tlsOptions, options);
  }

  /**
   * Connects over TLS, as Twisted's connectSSL(host, port, factory, contextFactory): the
   * server's certificate is verified against `tlsOptions.ca` (else Node's root certificates)
   * and `host` (or `tlsOptions.servername`, which is also sent as SNI) unless
   * `rejectUnauthorized: false`. The protocol hears connectionMade after the handshake; a
   * failed handshake reaches `clientConnectionFailed` as a TLSVerificationError,
   * TLSHandshakeTimeout or TLSHandshakeError.
   */
  connectSSL(host: string, port: number, factory: Factory, tlsOptions: TLSOptions, options?: ConnectTCPOptions): Connector {
    this.assertOpen();
    return ssl.connectSSL(this, host, port, factory, tlsOptions, options);
  }

  // ---- IReactorUDP / IReactorUNIXDatagram ---------------------------------------------------

  /**
   * Listens for UDP datagrams on `port` (0 picks a free one: see `getHost()`), delivered to
   * `protocol.datagramReceived(data, addr)` in batches read natively (recvmmsg on Linux).
   * IPv6 when `options.interface` is an IPv6 address. See the README's "Datagrams".
   *
   * @throws InvalidArgValueError (`ERR_IOREACTOR_INVALID_PORT`, `ERR_IOREACTOR_INVALID_ADDRESS`,
   *   `ERR_IOREACTOR_INVALID_ARG_VALUE` for maxPacketSize), InvalidArgTypeError for a
   *   non-protocol, ReactorSystemError (`EADDRINUSE`, ...).
   */
  listenUDP(port: number, protocol: DatagramProtocol, options?: ListenUDPOptions): DatagramPort {
    this.assertOpen();
    return datagramEndpoints.listenUDP(this.datagrams, port, protocol, options);
  }

  /** Listens for UNIX datagrams on a path (or '\0' abstract name); the file is removed when the port stops. */
  listenUNIXDatagram(path: string, protocol: DatagramProtocol, options?: ListenUNIXDatagramOptions): DatagramPort {
    this.assertOpen();
    return datagramEndpoints.listenUNIXDatagram(this.datagrams, path, protocol, options);
  }

  /** A UNIX datagram port connected to `path` (bound to `options.bindAddress` first, so replies can arrive). */
  connectUNIXDatagram(path: string, protocol: DatagramProtocol, options?: ConnectUNIXDatagramOptions): DatagramPort {
    this.assertOpen();
    return datagramEndpoints.connectUNIXDatagram(this.datagrams, path, protocol, options);
  }

  /** Serves an existing datagram socket (duplicated: close your own copy when you like). */
  adoptDatagramPort(fd: number, family: StreamFamily, protocol: DatagramProtocol, maxPacketSize?: number): DatagramPort {
    this.assertOpen();
    return datagramEndpoints.adoptDatagramPort(this.datagrams, fd, family, protocol, maxPacketSize);
  }

  // ---- what a reactor is serving ----------------------------------------------------------

  /**
   * The ports of this reactor that are still listening (listenTCP, listenUNIX, adoptStreamPort),
   * so code that did not open them (a graceful shutdown, `serve`'s workers) can stop accepting
   * with `stopListening()` while open connections finish. Empty once the reactor is closed.
   */
  listeningPorts(): Port[] {
    if (this.state === 'closed') return [];
    return this.streams.listeningPorts();
  }

  /**
   * Stream connections this reactor has open (accepted, connected or adopted, not yet told
   * connectionLost): what a graceful shutdown waits to fall to zero. Raw descriptors
   * (addReader...) are not counted.
   */
  get connectionCount(): number {
    return this.state === 'closed' ? 0 : this.streams.connectionCount;
  }

  // ---- IReactorProcess -------------------------------------------------------------------

  /**
   * Starts `executable` with `args` (argv, `args[0]` included; the default is `[executable]`)
   * as a child process driven by this reactor, as Twisted's spawnProcess: its pipes are
   * registered with the reactor's poller and its exit is seen through a descriptor (a pidfd on
   * Linux), never by polling. `processProtocol` hears `makeConnection`, `childDataReceived`,
   * `childConnectionLost`, `processExited` and, once the child has exited and every pipe is
   * closed, `processEnded`. An executable without a '/' is looked up in this process's PATH.
   *
   * At shutdown the pipes are closed (`childConnectionLost`) and watching stops; a child still
   * running then is left running, as in Twisted. {@link close} closes every descriptor of
   * every child without telling the protocols.
   *
   * @throws InvalidArgTypeError / InvalidArgValueError for bad arguments; ReactorSystemError
   *   when the child cannot be started (`ENOENT`: no such executable, `EACCES`...).
   */
  spawnProcess(processProtocol: ProcessProtocol, executable: string, args?: readonly string[], options?: SpawnProcessOptions): ProcessTransport {
    this.assertOpen();
    return spawnProcess(this.processHost, processProtocol, executable, args, options);
  }

  // ---- internals -------------------------------------------------------------------------

  private native(): NativeReactor {
    if (this.nativeReactor !== undefined) return this.nativeReactor;
    this.assertOpen();
    const onBatch = (count: number, arena: ArrayBuffer | undefined): number => {
      if (arena !== undefined) this.streams.arenaMoved(arena);
      this.dispatch(records, count);
      // Closed by a callback: the core and its arena are gone.
      return this.state === 'closed' ? 0 : this.streams.takeKeptEnd();
    };
    const native = new binding.NativeReactor(onBatch);
    this.onBatch = onBatch;
    const rc = native.open(this.backend);
    if (rc < 0) {
      native.close();
      throw new ReactorSystemError(rc, `${this.backend} open`);
    }
    // A view made once: the native side reuses its memory every batch.
    const records = native.records!;
    this.nativeReactor = native;
    return native;
  }

  /** Runs one native batch: `count` records (negative: a failed wait). */
  private dispatch(records: Int32Array, count: number): void {
    if (count < 0) {
      reportError(this.logger, 'Unhandled error in the reactor:', new ReactorSystemError(count, `${this.backend} wait`));
      return;
    }
    if (trace.enabled) trace('batch: %d records', count);
    const raw = C.RECORD_RAW;
    const datagramRecords = C.RECORD_DATAGRAMS; // and RECORD_DATAGRAM_ERROR after it: the last record types (batch.h)
    const stride = C.RECORD_INTS;
    for (let i = 0, end = count * stride; i < end; i += stride) {
      // Every record is handled at most once, whatever a callback does: one that throws past
      // the guards costs its own connection, never the rest of the batch.
      try {
        const type = records[i];
        if (type === raw) this.descriptors.dispatchRecord(records[i + 1], records[i + 2], records[i + 3]);
        else if (type >= datagramRecords) this.datagrams.dispatch(type, records[i + 1], records[i + 2], records[i + 3], records[i + 4], records[i + 5]);
        else this.streams.dispatch(records[i], records[i + 1], records[i + 2], records[i + 3], records[i + 4], records[i + 5]);
      } catch (err) {
        if (this.state !== 'closed') this.streams.recordFailed(records[i + 1], records[i + 2], err);
      }
      if (this.state === 'closed') return; // closed by a callback: its ports sent what they staged as they stopped
    }
    this.datagrams.endBatch();
  }

  private assertOpen(): void {
    if (this.state === 'closed') throw new ReactorClosed();
  }

  private disconnectAll(): void {
    if (this.nativeReactor !== undefined) {
      this.streams.disconnectAll('the reactor shut down');
      this.datagrams.disconnectAll();
    }
    for (const d of this.descriptors.removeAll()) {
      this.descriptors.disconnect(d, new Failure(new ConnectionLost('the reactor shut down')));
    }
  }

  /** Stops dispatching: no more timers or readiness until the reactor is closed. */
  private halt(): void {
    this.isRunning = false;
    this.nativeReactor?.stop();
    this.timers.halt();
  }

  private finishStopping(): void {
    if (this.state !== 'stopping') return;
    this.state = 'stopped';
    this.resolveStopped?.();
  }
}
