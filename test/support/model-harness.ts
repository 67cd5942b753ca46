// The model-based test's harness: runs one sequence of public calls (model-actions.ts) against
// a live reactor and node:net peers the harness controls, then checks the lifecycle contract of
// DESIGN.md ("The lifecycle contract") on what every side saw.
//
// Every byte a reactor-side connection writes is a frame `c<id>:<seq>[x...];`, every byte a
// peer writes is `p<id>:<seq>[x...];`, so each receiver can tell whose bytes it got and in what order.
//
// The invariants, by the name a violation carries (IOREACTOR_MODEL_IGNORE takes these names):
//   foreign-bytes / foreign-bytes-in   a peer (a protocol) got bytes not written to it, out of
//                                      order, uninitialised, or written after the transport closed
//   lose-not-flushed                   a clean loseConnection did not deliver everything written
//   data-not-delivered / write-not-delivered   an open connection left bytes unread or unsent
//   lost-twice, close-no-lost, stop-no-lost, throw-not-aborted   connectionLost once per connectionMade
//   callback-after-lost, callback-after-close, data-after-lose, data-after-throw, data-while-paused
//   connected-after-lose / -abort / -unregister / -throw / -lost   `connected` false at once
//   close-reason                       close() gives untouched connections a ConnectionLost
//   raw-*                              raw readers: no doRead after removeReader, no connectionLost from close()
//   throw-not-logged, unexpected-log   each planted throw logged once, nothing else logged
//   call-threw, call-after-close-threw public calls on transports never throw (after close: no-ops)
//   data-rewritten                     a Buffer given to dataReceived (not borrowed) never changes
//   slots-leaked, fd-leak              native slots back to 0, descriptors back to the baseline
//   spin, not-serving, stop-hung, peer-no-eof, close-run-unsettled   the loop goes quiet, keeps
//                                      serving, stops, and every peer sees the end
import { closeSync, readSync, writeSync } from 'node:fs';
import * as net from 'node:net';
import { fdSet, fdTarget, isOpen } from '../fixtures/open-descriptors';
import {
  ClientFactory,
  ConnectionLost,
  Factory,
  Failure,
  Protocol,
  Reactor,
  openSocketPair,
  type Address,
  type IPullProducer,
  type IPushProducer,
  type IReadDescriptor,
  type Logger,
  type Port,
} from '../../src/index';
import type { Variant } from './reactors';
import { socketPath } from './streams';
import type { Action, ConnOp, Fam, Size, View } from './model-actions';

// ---- knobs ---------------------------------------------------------------------------------

/** Invariants to skip (comma-separated names), to look for other failures behind a known one. */
const IGNORED = new Set((process.env.IOREACTOR_MODEL_IGNORE ?? '').split(',').filter(Boolean));
/** Batches in the idle window after the steps above which the loop is said to spin. */
const SPIN_BATCHES = 200;
/**
 * How long to wait for something that must happen before calling it a failure (ms). Passing runs
 * never wait this long (each wait ends as soon as its condition holds); it only has to be long
 * enough that a loaded two-core machine is not taken for a broken reactor.
 */
const PATIENCE = Number(process.env.IOREACTOR_MODEL_PATIENCE ?? 2000);
const IDLE_WINDOW_MS = 10;

export interface Violation {
  inv: string;
  msg: string;
}

/** An error a protocol callback throws on purpose; the logger must see each one once. */
export class PlantedError extends Error {
  constructor(readonly where: string) {
    super(`planted throw in ${where}`);
  }
}

class RecordingLogger implements Logger {
  readonly errors: { message: string; error: unknown }[] = [];
  error(message: string, error?: unknown): void {
    this.errors.push({ message, error });
  }
}

// ---- small utilities -----------------------------------------------------------------------

export function openDescriptors(): Set<number> {
  return fdSet();
}

/** The listing includes readdir's own directory descriptor, closed by the time we look. */
const stillOpen = isOpen;

function describeFd(fd: number): string {
  return fdTarget(fd) ?? 'closed';
}

const immediate = (): Promise<void> => new Promise((r) => setImmediate(r));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True if `p` settles within `ms` (the timer is cleared either way). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `cond` every loop turn (and every ms) until true or `ms` elapsed; returns cond(). */
async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  let turns = 0;
  while (!cond()) {
    if (Date.now() >= end) return cond();
    if (++turns % 4 === 0) await sleep(1);
    else await immediate();
  }
  return true;
}

const PAD: Record<Size, number> = { s: 0, m: 1000, l: 64 * 1024 };

function frame(tag: string, id: number, seq: number, size: Size): Buffer {
  return Buffer.from(`${tag}${id}:${seq}${'x'.repeat(PAD[size])};`);
}

/** `bytes` held as `view` says (the same bytes, in memory laid out differently). */
function held(bytes: Buffer, view: View): ArrayBufferView {
  if (view === 'own') return bytes;
  if (view === 'dataview') {
    const backing = new Uint8Array(bytes.length + 33).fill(0x7e);
    backing.set(bytes, 17);
    return new DataView(backing.buffer, 17, bytes.length);
  }
  if (view === 'shared') {
    const u = new Uint8Array(new SharedArrayBuffer(bytes.length));
    u.set(bytes);
    return u;
  }
  const big = new Uint8Array(bytes.length + 64);
  big.set(bytes, 32);
  return big.subarray(32, 32 + bytes.length);
}

function snippet(b: Buffer, at: number): string {
  return JSON.stringify(b.subarray(Math.max(0, at - 12), at + 24).toString('latin1'));
}

/** Whether `got` is a prefix of `sent`; if not, where they first differ. */
function prefixMismatch(got: Buffer, sent: Buffer): number {
  const n = Math.min(got.length, sent.length);
  for (let i = 0; i < n; i++) if (got[i] !== sent[i]) return i;
  return got.length > sent.length ? sent.length : -1;
}

// ---- the sides -----------------------------------------------------------------------------

type Origin = 'accepted' | 'connected' | 'adopted' | 'probe';

/** A reactor-side connection, as the model knows it. */
class Conn {
  readonly sent: Buffer[] = [];
  sentLength = 0;
  readonly received: Buffer[] = [];
  /** The Buffers dataReceived was given, kept as given: they are ours to keep, never rewritten. */
  readonly given: Buffer[] = [];
  /** Borrowed views: their bytes may change after the call, but reading them must stay safe. */
  readonly borrowed: Buffer[] = [];
  seq = 0;
  lostCount = 0;
  lostReason: Failure | undefined;
  /** loseConnection was called (outside or inside a batch), abortConnection, loseWriteConnection. */
  loseCalled = false;
  loseWithProducer = false;
  aborted = false;
  writeShut = false;
  /** The reactor aborted it because a callback threw. */
  threw = false;
  threwChecked = false;
  /** Writes from now on must never reach the peer. */
  dropping = false;
  /** pauseProducing was called outside a batch and not yet undone by resumeProducing. */
  pausedStrict = false;
  producer: ModelProducer | undefined;
  readonly producers: ModelProducer[] = [];
  armedThrowData = false;
  armedThrowLost = false;
  armedOnData: ConnOp[] = [];
  armedOnLost: ConnOp[] = [];
  hostPort = -1;
  peerPort = -1;
  /** The peer bound to this connection by construction (adopt) or by TCP port numbers. */
  peer: Peer | undefined;
  constructor(
    readonly id: number,
    readonly protocol: ModelProtocol,
    readonly origin: Origin,
    readonly family: Fam | 'pair',
  ) {}
  get transport() {
    return this.protocol.transport;
  }
  get lost(): boolean {
    return this.lostCount > 0;
  }
}

/** A node:net socket on the other side of a reactor connection. */
class Peer {
  readonly sent: Buffer[] = [];
  readonly received: Buffer[] = [];
  seq = 0;
  sawEnd = false;
  sawClose = false;
  error: Error | undefined;
  /** The model ended, destroyed or reset it: full delivery is no longer owed to it. */
  touched = false;
  dropping = false;
  localPort = -1;
  remotePort = -1;
  conn: Conn | undefined;
  constructor(
    readonly id: number,
    readonly sock: net.Socket,
    readonly family: Fam | 'pair',
  ) {
    sock.on('data', (d: Buffer) => this.received.push(Buffer.from(d)));
    sock.on('end', () => {
      this.sawEnd = true;
    });
    sock.on('close', () => {
      this.sawClose = true;
    });
    sock.on('error', (e) => {
      this.error = e;
    });
  }
  get done(): boolean {
    return this.sawEnd || this.sawClose;
  }
}

/** A protocol that reports everything to the run. */
class ModelProtocol extends Protocol {
  conn: Conn | undefined;
  constructor(
    private readonly run: ModelRun,
    private readonly origin: Origin,
    private readonly family: Fam | 'pair',
    readonly pairPeer?: Peer,
  ) {
    super();
  }
  override connectionMade(): void {
    this.run.onMade(this, this.origin, this.family);
  }
  override dataReceived(data: Buffer): void {
    this.run.onData(this, data);
  }
  override connectionLost(reason: Failure): void {
    this.run.onLost(this, reason);
  }
}

/** A producer that writes frames when asked (push: once per resume; pull: up to a budget). */
class ModelProducer implements IPushProducer, IPullProducer {
  stopped = false;
  unregistered = false;
  paused = false;
  budget = 4;
  constructor(
    private readonly run: ModelRun,
    readonly conn: Conn,
    readonly streaming: boolean,
  ) {}
  pauseProducing(): void {
    this.check('pauseProducing');
    this.paused = true;
  }
  resumeProducing(): void {
    this.check('resumeProducing');
    this.paused = false;
    if (this.budget > 0) {
      this.budget--;
      this.run.write(this.conn, 1, 's', false);
    }
  }
  stopProducing(): void {
    if (this.stopped) this.run.violate('producer-stopped-twice', `c${this.conn.id}: stopProducing called twice`);
    this.check('stopProducing');
    this.stopped = true;
  }
  private check(what: string): void {
    if (this.unregistered) this.run.violate('producer-call-after-unregister', `c${this.conn.id}: ${what} after unregisterProducer`);
    else if (this.stopped) this.run.violate('producer-call-after-stop', `c${this.conn.id}: ${what} after stopProducing`);
  }
}

/** A raw descriptor (one end of a socketpair) registered with addReader. */
class RawReader implements IReadDescriptor {
  readonly received: Buffer[] = [];
  readonly sent: Buffer[] = [];
  seq = 0;
  reads = 0;
  lostCount = 0;
  registered = false;
  ownerClosed = false;
  removedAt = -1;
  readonly local: number;
  readonly remote: number;
  constructor(
    private readonly run: ModelRun,
    readonly id: number,
  ) {
    [this.local, this.remote] = openSocketPair();
  }
  fileno(): number {
    return this.local;
  }
  doRead(): undefined {
    this.run.onRawRead(this);
    if (this.ownerClosed) return undefined;
    const buf = Buffer.alloc(4096);
    for (let i = 0; i < 64; i++) {
      let got: number;
      try {
        got = readSync(this.local, buf, 0, buf.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw err;
      }
      if (got === 0) break;
      this.received.push(Buffer.from(buf.subarray(0, got)));
    }
    return undefined;
  }
  connectionLost(_reason: Failure): void {
    this.run.onRawLost(this);
  }
}

// ---- one run -------------------------------------------------------------------------------

export interface RunOptions {
  /** Skip the descriptor-count check (the first run of a process may open lazy descriptors). */
  skipFdCheck?: boolean;
}

export interface RunResult {
  violations: Violation[];
  batches: number;
  conns: number;
  ms: number;
}

/** What the runs of this process exercised (to see that the sequences reach the interesting states). */
export const stats = {
  runs: 0,
  conns: 0,
  peerBytes: 0,
  connBytes: 0,
  rawBytes: 0,
  fullDeliveries: 0,
  throwsLogged: 0,
  producers: 0,
  closedMidRun: 0,
  stoppedMidRun: 0,
  reasons: {} as Record<string, number>,
};

export class ModelRun {
  readonly logger = new RecordingLogger();
  readonly reactor: Reactor;
  readonly violations: Violation[] = [];
  readonly conns: Conn[] = [];
  readonly peers: Peer[] = [];
  readonly ports: Port[] = [];
  readonly raws: RawReader[] = [];
  private readonly servers = new Map<Fam, net.Server>();
  private readonly serverAddr = new Map<Fam, string | number>();
  private readonly planted: PlantedError[] = [];
  private readonly byProtocol = new Map<ModelProtocol, Conn>();
  private readonly failedConnects: Failure[] = [];
  /** Connection attempts the sequence stopped (connectCancel). */
  private readonly cancelled: { id: number; stopped: boolean; failures: number; built: boolean }[] = [];
  private runPromise: Promise<void> | undefined;
  private stopCalled = false;
  private stopCalledMidRun = false;
  private closeCalledMidRun = false;
  private closeCalled = false;
  closeReturned = false;
  private inClose = false;
  private throwMadeArmed = false;
  private pendingLater = 0;
  private batchDepth = 0;
  batches = 0;
  private nativeRef: { registrationCount: number } | undefined;
  private readonly serverFactory: Factory;
  private readonly clientFactory: ClientFactory;
  private readonly baseline: Set<number>;
  private made = 0;
  /** Connections made before the reactor finished stopping: the shutdown must have lost them all. */
  private madeAtStop = -1;
  /** Something was opened on the reactor after it stopped (it holds slots until close). */
  private openedAfterStop = false;

  constructor(
    readonly variant: Variant,
    private readonly options: RunOptions = {},
  ) {
    this.baseline = openDescriptors();
    this.reactor = new Reactor({ backend: variant.backend, trigger: variant.trigger, logger: this.logger });
    // Count batches and know when a callback runs inside one (records are being dispatched).
    const r = this.reactor as unknown as { dispatch: (records: Int32Array, count: number) => void };
    const dispatch = r.dispatch.bind(this.reactor);
    r.dispatch = (records, count) => {
      this.batches++;
      this.batchDepth++;
      try {
        dispatch(records, count);
      } finally {
        this.batchDepth--;
      }
    };
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const run = this;
    this.serverFactory = new (class extends Factory {
      override buildProtocol(addr: Address): Protocol {
        void addr;
        return new ModelProtocol(run, 'accepted', 'tcp4');
      }
    })();
    this.clientFactory = new (class extends ClientFactory {
      override buildProtocol(): Protocol {
        return new ModelProtocol(run, 'connected', 'tcp4');
      }
      override clientConnectionFailed(_c: unknown, reason: Failure): void {
        if (run.closeReturned) run.violate('callback-after-close', `clientConnectionFailed after reactor.close() returned`);
        run.failedConnects.push(reason);
      }
    })();
  }

  violate(inv: string, msg: string): void {
    if (IGNORED.has(inv)) return;
    if (this.violations.length < 40) this.violations.push({ inv, msg });
  }

  private get inBatch(): boolean {
    return this.batchDepth > 0;
  }

  private get alive(): boolean {
    return this.reactor.running && !this.stopCalled && !this.closeCalled;
  }

  // ---- callbacks from the sides -------------------------------------------------------------

  onMade(protocol: ModelProtocol, origin: Origin, family: Fam | 'pair'): void {
    if (this.closeReturned) this.violate('callback-after-close', `connectionMade after reactor.close() returned`);
    const conn = new Conn(this.made++, protocol, origin, family);
    protocol.conn = conn;
    this.conns.push(conn);
    this.byProtocol.set(protocol, conn);
    const t = protocol.transport as unknown as { highWaterMark: number };
    t.highWaterMark = 2048;
    // Every other connection borrows its reads (a view into the arena, valid during the call).
    protocol.borrowData = conn.id % 2 === 1;
    const pairPeer = protocol.pairPeer;
    if (pairPeer !== undefined) {
      conn.peer = pairPeer;
      pairPeer.conn = conn;
    } else {
      try {
        const host = protocol.transport.getHost();
        const peer = protocol.transport.getPeer();
        if (host.type !== 'UNIX') conn.hostPort = host.port;
        if (peer.type !== 'UNIX') conn.peerPort = peer.port;
      } catch {
        // the peer may already be gone; the binding then comes from the data alone
      }
      this.bindByPorts(conn);
    }
    if (this.throwMadeArmed) {
      this.throwMadeArmed = false;
      conn.threw = true;
      conn.dropping = true;
      this.throwPlanted(`c${conn.id}.connectionMade`);
    }
  }

  onData(protocol: ModelProtocol, data: Buffer): void {
    const conn = this.byProtocol.get(protocol);
    if (conn === undefined) {
      this.violate('data-before-made', `dataReceived before connectionMade`);
      return;
    }
    if (conn.lost) this.violate('callback-after-lost', `c${conn.id}: dataReceived after connectionLost`);
    if (this.closeReturned) this.violate('callback-after-close', `c${conn.id}: dataReceived after reactor.close() returned`);
    if (conn.threw) this.violate('data-after-throw', `c${conn.id}: dataReceived after a callback threw (the connection should be aborted)`);
    if ((conn.loseCalled && !conn.loseWithProducer) || conn.aborted) {
      this.violate(
        'data-after-lose',
        `c${conn.id}: dataReceived after ${conn.aborted ? 'abortConnection' : 'loseConnection'} returned (a closing connection hears no more data)`,
      );
    }
    if (conn.pausedStrict) this.violate('data-while-paused', `c${conn.id}: dataReceived while paused (pauseProducing outside a batch)`);
    if (!(data instanceof Buffer)) this.violate('data-not-buffer', `c${conn.id}: dataReceived got ${typeof data}`);
    conn.received.push(Buffer.from(data));
    if (protocol.borrowData) conn.borrowed.push(data);
    else conn.given.push(data);
    const ops = conn.armedOnData;
    conn.armedOnData = [];
    for (const op of ops) this.connOp(op);
    if (conn.armedThrowData) {
      conn.armedThrowData = false;
      conn.threw = true;
      conn.dropping = true;
      this.throwPlanted(`c${conn.id}.dataReceived`);
    }
  }

  onLost(protocol: ModelProtocol, reason: Failure): void {
    const conn = this.byProtocol.get(protocol);
    if (conn === undefined) {
      this.violate('lost-without-made', `connectionLost without connectionMade`);
      return;
    }
    conn.lostCount++;
    if (conn.lostCount > 1) this.violate('lost-twice', `c${conn.id}: connectionLost called ${conn.lostCount} times`);
    if (this.closeReturned) this.violate('callback-after-close', `c${conn.id}: connectionLost after reactor.close() returned`);
    if (!(reason instanceof Failure)) this.violate('lost-reason', `c${conn.id}: connectionLost reason is not a Failure`);
    else if (this.inClose && !conn.aborted && !conn.threw && !conn.loseCalled && !(reason.value instanceof ConnectionLost)) {
      this.violate('close-reason', `c${conn.id}: connectionLost from reactor.close() with ${String(reason.value)}, not ConnectionLost`);
    }
    conn.lostReason = reason;
    conn.dropping = true;
    if (conn.transport.connected) this.violate('connected-after-lost', `c${conn.id}: transport.connected is still true in connectionLost`);
    const ops = conn.armedOnLost;
    conn.armedOnLost = [];
    for (const op of ops) this.connOp(op);
    if (conn.armedThrowLost) {
      conn.armedThrowLost = false;
      this.throwPlanted(`c${conn.id}.connectionLost`);
    }
  }

  onRawRead(raw: RawReader): void {
    raw.reads++;
    if (!raw.registered) this.violate('raw-read-after-remove', `r${raw.id}: doRead after removeReader`);
    if (this.closeReturned) this.violate('callback-after-close', `r${raw.id}: doRead after reactor.close() returned`);
  }

  onRawLost(raw: RawReader): void {
    raw.lostCount++;
    if (this.inClose || this.closeReturned)
      this.violate('raw-lost-on-close', `r${raw.id}: connectionLost from reactor.close() (raw descriptors are dropped silently)`);
    else if (!raw.registered) this.violate('raw-lost-after-remove', `r${raw.id}: connectionLost after removeReader`);
    if (raw.lostCount > 1) this.violate('raw-lost-twice', `r${raw.id}: connectionLost ${raw.lostCount} times`);
    raw.registered = false;
  }

  private throwPlanted(where: string): never {
    const err = new PlantedError(where);
    this.planted.push(err);
    throw err;
  }

  // ---- calls --------------------------------------------------------------------------------

  /** Writes `n` frames to conn's transport (as writes or one writeSequence), as the model sees it. */
  write(conn: Conn, n: number, size: Size, sequence: boolean, view: View = 'own'): void {
    const frames: Buffer[] = [];
    for (let i = 0; i < n; i++) frames.push(frame('c', conn.id, conn.seq++, size));
    const views = frames.map((f) => held(f, view));
    if (!conn.dropping) {
      for (const f of frames) {
        conn.sent.push(f);
        conn.sentLength += f.length;
      }
    }
    const target = conn;
    this.guard(`c${conn.id}.write`, () => {
      if (sequence) target.transport.writeSequence(views);
      else for (const v of views) target.transport.write(v);
    });
  }

  /** Runs a public call that must not throw. */
  private guard(what: string, f: () => void, inv = 'call-threw'): void {
    try {
      f();
    } catch (err) {
      if (err instanceof PlantedError) throw err;
      this.violate(this.closeReturned ? 'call-after-close-threw' : inv, `${what} threw ${String(err)}`);
    }
  }

  private pick<T>(list: T[], i: number): T | undefined {
    return list.length === 0 ? undefined : list[i % list.length];
  }

  connOp(op: ConnOp): void {
    if (op.t === 'stopInside') {
      if (this.reactor.running && !this.stopCalled && !this.closeCalled) {
        this.stopCalled = true;
        this.stopCalledMidRun = true;
        this.guard('reactor.stop() inside a callback', () => this.reactor.stop());
      }
      return;
    }
    if (op.t === 'closeInside') {
      if (!this.closeCalled) {
        this.closeCalledMidRun = true;
        this.closeReactor();
      } else if (this.inClose) {
        // close() again from a connectionLost that close() itself is delivering: a no-op.
        this.guard('reactor.close() inside close()', () => this.reactor.close());
      }
      return;
    }
    const conn = this.pick(this.conns, op.c);
    if (conn === undefined) return;
    const t = conn.transport;
    const outside = !this.inBatch;
    switch (op.t) {
      case 'write':
      case 'writeSeq':
        this.write(conn, op.n, op.size, op.t === 'writeSeq', op.view);
        return;
      case 'lose':
        this.lose(conn, 'loseConnection', () => t.loseConnection());
        return;
      case 'abort': {
        const wasConnected = t.connected;
        this.guard(`c${conn.id}.abortConnection`, () => t.abortConnection());
        if (!wasConnected) return;
        conn.aborted = true;
        conn.dropping = true;
        if (conn.producer === undefined && t.connected)
          this.violate('connected-after-abort', `c${conn.id}: transport.connected is true after abortConnection returned`);
        return;
      }
      case 'loseWrite':
        this.guard(`c${conn.id}.loseWriteConnection`, () => t.loseWriteConnection());
        if (t.connected) conn.writeShut = true;
        conn.dropping = true;
        return;
      case 'pause':
        this.guard(`c${conn.id}.pauseProducing`, () => t.pauseProducing());
        if (outside) conn.pausedStrict = true;
        return;
      case 'resume':
        this.guard(`c${conn.id}.resumeProducing`, () => t.resumeProducing());
        conn.pausedStrict = false;
        return;
      case 'register': {
        if (conn.producer !== undefined) return; // registering twice is a documented error
        const p = new ModelProducer(this, conn, op.streaming);
        const wasConnected = t.connected;
        this.guard(`c${conn.id}.registerProducer`, () => t.registerProducer(p, op.streaming));
        if (wasConnected) {
          conn.producer = p;
          conn.producers.push(p);
        }
        return;
      }
      case 'unregister': {
        const p = conn.producer;
        this.guard(`c${conn.id}.unregisterProducer`, () => t.unregisterProducer());
        if (p === undefined) return;
        p.unregistered = true;
        conn.producer = undefined;
        if (conn.loseWithProducer) {
          conn.loseWithProducer = false; // the close it waited for goes ahead now
          conn.dropping = true;
          if (t.connected)
            this.violate('connected-after-unregister', `c${conn.id}: transport.connected is true after unregisterProducer completed a pending loseConnection`);
        }
        return;
      }
    }
  }

  /** loseConnection (or Connector.disconnect of a connected connector) on conn, as the model sees it. */
  private lose(conn: Conn, what: string, call: () => void): void {
    const t = conn.transport;
    const wasConnected = t.connected && !t.disconnecting;
    this.guard(`c${conn.id}.${what}`, call);
    if (!wasConnected) return;
    conn.loseCalled = true;
    if (conn.producer !== undefined) conn.loseWithProducer = true;
    else {
      conn.dropping = true;
      if (t.connected) this.violate('connected-after-lose', `c${conn.id}: transport.connected is true after ${what} returned`);
    }
  }

  // ---- peers and servers --------------------------------------------------------------------

  private addPeer(sock: net.Socket, family: Fam | 'pair'): Peer {
    const peer = new Peer(this.peers.length, sock, family);
    this.peers.push(peer);
    return peer;
  }

  private bindByPorts(conn: Conn): void {
    if (conn.hostPort < 0 || conn.peerPort < 0) return;
    for (const p of this.peers) {
      if (p.conn === undefined && p.remotePort === conn.hostPort && p.localPort === conn.peerPort) {
        p.conn = conn;
        conn.peer = p;
        return;
      }
    }
  }

  private async server(fam: Fam): Promise<string | number> {
    const have = this.serverAddr.get(fam);
    if (have !== undefined) return have;
    const server = net.createServer({ allowHalfOpen: true }, (sock) => {
      const peer = this.addPeer(sock, fam);
      peer.localPort = sock.localPort ?? -1;
      peer.remotePort = sock.remotePort ?? -1;
      for (const c of this.conns) if (c.peer === undefined && c.origin === 'connected') this.bindByPorts(c);
    });
    this.servers.set(fam, server);
    const where: string | number = await new Promise((resolve, reject) => {
      server.once('error', reject);
      if (fam === 'unix') {
        const path = socketPath();
        server.listen(path, () => resolve(path));
      } else {
        server.listen(0, fam === 'tcp4' ? '127.0.0.1' : '::1', () => resolve((server.address() as net.AddressInfo).port));
      }
    });
    this.serverAddr.set(fam, where);
    return where;
  }

  private peerWrite(peer: Peer, n: number, size: Size = 's'): void {
    if (peer.dropping || peer.sock.destroyed || !peer.sock.writable) return;
    for (let i = 0; i < n; i++) {
      const f = frame('p', peer.id, peer.seq++, size);
      peer.sent.push(f);
      peer.sock.write(f);
    }
  }

  // ---- the sequence -------------------------------------------------------------------------

  async execute(actions: Action[]): Promise<RunResult> {
    const started = Date.now();
    this.runPromise = this.reactor.run().then(() => {
      if (this.madeAtStop < 0) this.madeAtStop = this.made;
    });
    this.nativeRef = (this.reactor as unknown as { nativeReactor?: { registrationCount: number } }).nativeReactor;
    try {
      for (const a of actions) {
        await this.step(a);
        await immediate();
      }
      await this.teardown();
    } finally {
      await this.cleanup();
    }
    this.checkAfter();
    this.count();
    return { violations: this.violations, batches: this.batches, conns: this.conns.length, ms: Date.now() - started };
  }

  private async step(a: Action): Promise<void> {
    const open = !this.closeCalled;
    for (const c of this.conns) {
      if (c.threw && !c.threwChecked) {
        c.threwChecked = true;
        if (c.transport.connected)
          this.violate('connected-after-throw', `c${c.id}: transport.connected still true after its callback threw (the connection should be aborted)`);
      }
    }
    if (this.madeAtStop >= 0 && ['listen', 'connect', 'connectRefused', 'connectCancel', 'adopt', 'addReader'].includes(a.t)) this.openedAfterStop = true;
    switch (a.t) {
      case 'write':
      case 'writeSeq':
      case 'lose':
      case 'abort':
      case 'loseWrite':
      case 'pause':
      case 'resume':
      case 'register':
      case 'unregister':
      case 'stopInside':
      case 'closeInside':
        this.connOp(a);
        return;
      case 'listen': {
        if (!open) return;
        const port =
          a.fam === 'unix'
            ? this.reactor.listenUNIX(socketPath(), this.serverFactory)
            : this.reactor.listenTCP(0, this.serverFactory, { interface: a.fam === 'tcp4' ? '127.0.0.1' : '::1' });
        this.ports.push(port);
        return;
      }
      case 'stopListening': {
        const port = this.pick(this.ports, a.port);
        if (port !== undefined && open) this.guard('stopListening', () => void port.stopListening());
        return;
      }
      case 'peerConnect': {
        const port = this.pick(this.ports, a.port);
        if (port === undefined || !port.listening || !open) return;
        const host = port.getHost();
        const before = this.conns.length;
        const sock =
          host.type === 'UNIX'
            ? net.connect({ path: host.name!, allowHalfOpen: true })
            : net.connect({ host: host.host, port: host.port, allowHalfOpen: true });
        const peer = this.addPeer(sock, host.type === 'UNIX' ? 'unix' : host.host.includes(':') ? 'tcp6' : 'tcp4');
        sock.once('connect', () => {
          peer.localPort = sock.localPort ?? -1;
          peer.remotePort = sock.remotePort ?? -1;
          for (const c of this.conns) if (c.peer === undefined && c.origin === 'accepted') this.bindByPorts(c);
        });
        if (this.alive) await waitUntil(() => this.conns.length > before, 100);
        return;
      }
      case 'connect': {
        if (!open) return;
        const where = await this.server(a.fam);
        const before = this.conns.length + this.failedConnects.length;
        if (this.closeCalled) return;
        if (a.fam === 'unix') this.reactor.connectUNIX(where as string, this.clientFactory);
        else this.reactor.connectTCP(a.fam === 'tcp4' ? '127.0.0.1' : '::1', where as number, this.clientFactory);
        if (this.alive) await waitUntil(() => this.conns.length + this.failedConnects.length > before, 100);
        return;
      }
      case 'connectRefused': {
        if (!open) return;
        const before = this.failedConnects.length;
        this.reactor.connectUNIX(socketPath(), this.clientFactory);
        if (this.alive) await waitUntil(() => this.failedConnects.length > before, 100);
        return;
      }
      case 'connectCancel': {
        if (!open) return;
        const where = await this.server(a.fam);
        if (this.closeCalled) return;
        const attempt = { id: this.cancelled.length, stopped: false, failures: 0, built: false };
        this.cancelled.push(attempt);
        // eslint-disable-next-line @typescript-eslint/no-this-alias
        const run = this;
        const factory = new (class extends ClientFactory {
          override buildProtocol(): Protocol {
            attempt.built = true;
            if (attempt.stopped) run.violate('made-after-stop-connecting', `attempt ${attempt.id}: buildProtocol after stopConnecting()`);
            return new ModelProtocol(run, 'connected', a.fam);
          }
          override clientConnectionFailed(): void {
            attempt.failures++;
            if (run.closeReturned) run.violate('callback-after-close', `clientConnectionFailed after reactor.close() returned`);
            if (attempt.failures > 1) run.violate('connect-failed-twice', `attempt ${attempt.id}: clientConnectionFailed ${attempt.failures} times`);
          }
        })();
        const connector =
          a.fam === 'unix'
            ? this.reactor.connectUNIX(where as string, factory)
            : this.reactor.connectTCP(a.fam === 'tcp4' ? '127.0.0.1' : '::1', where as number, factory);
        if (a.when === 'now') {
          attempt.stopped = true;
          this.guard(`attempt ${attempt.id} stopConnecting`, () => connector.stopConnecting());
          if (attempt.failures !== 1)
            this.violate('connect-failed-count', `attempt ${attempt.id}: clientConnectionFailed ${attempt.failures} times by the time stopConnecting returned`);
        } else {
          this.pendingLater++;
          this.reactor.callLater(0, () => {
            this.pendingLater--;
            if (connector.state === 'connecting') attempt.stopped = true;
            const conn = this.conns.find((c) => c.transport === (connector.transport as unknown));
            if (connector.state === 'connected' && conn !== undefined) this.lose(conn, 'connector.disconnect()', () => connector.disconnect());
            else this.guard(`attempt ${attempt.id} disconnect`, () => connector.disconnect());
          });
        }
        return;
      }
      case 'adopt': {
        if (!open) return;
        this.adopt('adopted');
        return;
      }
      case 'peerWrite': {
        const peer = this.pick(this.peers, a.p);
        if (peer !== undefined) this.peerWrite(peer, a.n, a.size);
        return;
      }
      case 'peerEnd': {
        const peer = this.pick(this.peers, a.p);
        if (peer === undefined) return;
        peer.touched = true;
        peer.dropping = true;
        peer.sock.end();
        return;
      }
      case 'peerDestroy': {
        const peer = this.pick(this.peers, a.p);
        if (peer === undefined) return;
        peer.touched = true;
        peer.dropping = true;
        if (a.reset && typeof peer.sock.resetAndDestroy === 'function' && peer.family !== 'unix' && peer.family !== 'pair' && !peer.sock.connecting)
          peer.sock.resetAndDestroy();
        else peer.sock.destroy();
        return;
      }
      case 'peerPause': {
        this.pick(this.peers, a.p)?.sock.pause();
        return;
      }
      case 'peerResume': {
        this.pick(this.peers, a.p)?.sock.resume();
        return;
      }
      case 'addReader': {
        if (!open) return;
        const raw = new RawReader(this, this.raws.length);
        this.raws.push(raw);
        this.reactor.addReader(raw);
        raw.registered = true;
        return;
      }
      case 'rawWrite': {
        const raw = this.pick(this.raws, a.r);
        if (raw === undefined || raw.ownerClosed) return;
        const f = frame('r', raw.id, raw.seq++, 's');
        try {
          writeSync(raw.remote, f);
          raw.sent.push(f);
        } catch {
          // buffer full: nothing sent
        }
        return;
      }
      case 'removeReader': {
        const raw = this.pick(this.raws, a.r);
        if (raw === undefined || !open) return;
        this.guard(`r${raw.id} removeReader`, () => this.reactor.removeReader(raw));
        raw.registered = false;
        return;
      }
      case 'rawCloseRemove': {
        const raw = this.pick(this.raws, a.r);
        if (raw === undefined || raw.ownerClosed || !open) return;
        raw.ownerClosed = true;
        closeSync(raw.local);
        this.guard(`r${raw.id} removeReader after its descriptor was closed`, () => this.reactor.removeReader(raw));
        raw.registered = false;
        return;
      }
      case 'later': {
        if (!open) return;
        this.pendingLater++;
        this.reactor.callLater(a.ms / 1000, () => {
          this.pendingLater--;
          this.connOp(a.a);
        });
        return;
      }
      case 'onData':
      case 'throwData': {
        const conn = this.pick(this.conns, a.c);
        if (conn === undefined || conn.lost) return;
        if (a.t === 'onData') conn.armedOnData.push(a.a);
        else conn.armedThrowData = true;
        // Its peer writes first, then every other peer: one batch then carries records of
        // several connections after the one whose callback acts on them.
        const peer = conn.peer ?? this.peers.find((p) => p.conn === conn);
        if (peer !== undefined) this.peerWrite(peer, 1);
        for (const p of this.peers) if (p !== peer) this.peerWrite(p, 1);
        return;
      }
      case 'throwMade':
        this.throwMadeArmed = true;
        return;
      case 'onLost': {
        const conn = this.pick(this.conns, a.c);
        if (conn !== undefined && !conn.lost) conn.armedOnLost.push(a.a);
        return;
      }
      case 'throwLost': {
        const conn = this.pick(this.conns, a.c);
        if (conn !== undefined && !conn.lost) conn.armedThrowLost = true;
        return;
      }
      case 'wait':
        if (a.ms === 0) await immediate();
        else await sleep(a.ms);
        return;
      case 'stop':
        if (this.reactor.running && !this.stopCalled && open) {
          this.stopCalledMidRun = true;
          this.stopCalled = true;
          this.reactor.stop();
        }
        return;
      case 'close':
        if (open) this.closeCalledMidRun = true;
        if (open) this.closeReactor();
        return;
    }
  }

  private adopt(origin: Origin): Conn | undefined {
    const [mine, theirs] = openSocketPair();
    const peer = this.addPeer(new net.Socket({ fd: theirs, readable: true, writable: true, allowHalfOpen: true }), 'pair');
    const before = this.conns.length;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the factory class below has its own `this`
    const run = this;
    const factory = new (class extends Factory {
      override buildProtocol(): Protocol {
        return new ModelProtocol(run, origin, 'pair', peer);
      }
    })();
    try {
      this.reactor.adoptStreamConnection(mine, 'UNIX', factory);
    } finally {
      closeSync(mine); // the reactor holds its own duplicate
    }
    return this.conns.length > before ? this.conns[before] : undefined;
  }

  private closeReactor(): void {
    this.closeCalled = true;
    this.inClose = true;
    try {
      this.reactor.close();
    } catch (err) {
      this.violate('close-threw', `reactor.close() threw ${String(err)}`);
    } finally {
      this.inClose = false;
      this.closeReturned = true;
    }
    // The contract: close() has told every connected protocol connectionLost.
    for (const c of this.conns) {
      if (!c.lost) this.violate('close-no-lost', `c${c.id}: no connectionLost after reactor.close() returned`);
    }
    // Calls on the connections after close are silent no-ops; nothing reaches a peer.
    for (const c of this.conns) {
      c.dropping = true;
      const t = c.transport;
      this.guard(`c${c.id}.write after reactor.close()`, () => t.write(frame('c', c.id, c.seq++, 's')), 'call-after-close-threw');
      this.guard(`c${c.id}.pauseProducing after reactor.close()`, () => t.pauseProducing(), 'call-after-close-threw');
      this.guard(`c${c.id}.resumeProducing after reactor.close()`, () => t.resumeProducing(), 'call-after-close-threw');
      this.guard(`c${c.id}.loseConnection after reactor.close()`, () => t.loseConnection(), 'call-after-close-threw');
      this.guard(`c${c.id}.abortConnection after reactor.close()`, () => t.abortConnection(), 'call-after-close-threw');
    }
  }

  private async teardown(): Promise<void> {
    for (const p of this.peers) p.sock.resume();
    // Let the sequence's own timers and armed callbacks play out, then disarm what is left, so
    // nothing of the sequence runs during the checks below.
    await waitUntil(() => this.pendingLater === 0 || !this.reactor.running, 50);
    await sleep(2);
    for (const c of this.conns) {
      c.armedOnData = [];
      c.armedOnLost = [];
      c.armedThrowData = false;
    }
    this.throwMadeArmed = false;
    if (this.alive) {
      // Nothing left to do: the loop must go quiet (no spinning on a readiness nobody clears).
      await sleep(2);
      const before = this.batches;
      await sleep(IDLE_WINDOW_MS);
      const idle = this.batches - before;
      if (idle > SPIN_BATCHES) this.violate('spin', `${idle} batches in an idle ${IDLE_WINDOW_MS} ms window`);
      // The reactor still serves: a fresh connection hears its peer.
      this.throwMadeArmed = false;
      const probe = this.adopt('probe');
      if (probe === undefined) this.violate('not-serving', `adoptStreamConnection built no protocol`);
      else {
        const peer = probe.peer!;
        this.peerWrite(peer, 1);
        const ok = await waitUntil(() => probe.received.length > 0 || probe.lost, PATIENCE);
        if (!ok || probe.received.length === 0) {
          const why = probe.lost ? `it was lost (${String(probe.lostReason?.value)}) first` : `within ${PATIENCE} ms`;
          this.violate('not-serving', `a fresh connection (c${probe.id}) heard nothing from its peer: ${why}`);
        }
      }
      // Connections closed with loseConnection finish closing once their peers read.
      await waitUntil(() => this.conns.every((c) => c.lost || !c.loseCalled || c.loseWithProducer || c.producer !== undefined), 300);
      if (this.alive) await this.checkLiveness();
    }
    if (this.reactor.running && !this.stopCalled && !this.closeCalled) {
      this.stopCalled = true;
      this.reactor.stop();
    }
    if (!this.closeCalled) {
      const stopped = await settlesWithin(this.runPromise!, 2 * PATIENCE);
      if (!stopped) this.violate('stop-hung', `reactor.run() did not settle within ${2 * PATIENCE} ms of stop()`);
      for (const c of this.conns) if (!c.lost && c.id < this.madeAtStop) this.violate('stop-no-lost', `c${c.id}: no connectionLost after the reactor stopped`);
      // Live registrations only: a slot may stay held for a close record the stopped loop will
      // never deliver (the protocol was told by the shutdown; the slot is never reused).
      const slots = this.nativeSlots(false);
      if (slots !== undefined && slots !== 0 && !this.openedAfterStop)
        this.violate('slots-leaked', `${slots} native slots still registered after the reactor stopped`);
      this.closeReactor();
    }
    const slots = this.nativeSlots(false);
    if (slots !== undefined && slots !== 0) this.violate('slots-leaked', `${slots} native slots still registered after reactor.close()`);
    await immediate();
    // Every peer of a connection sees the end of it.
    if (this.closeCalled) {
      const settled = await settlesWithin(this.runPromise!, PATIENCE);
      if (!settled) this.violate('close-run-unsettled', `reactor.run() did not settle after reactor.close()`);
    }
    const ok = await waitUntil(() => this.peers.every((p) => p.done || p.touched), PATIENCE);
    if (!ok) {
      const open = this.peers.filter((p) => !(p.done || p.touched)).map((p) => `p${p.id}${p.conn ? `(c${p.conn.id})` : ''}`);
      this.violate('peer-no-eof', `peers saw no EOF after the reactor closed: ${open.join(', ')}`);
    }
  }

  /** The peer on the other side of `c`: bound by construction or port, else named by the frames. */
  private peerOf(c: Conn): Peer | undefined {
    if (c.peer !== undefined) return c.peer;
    const byTheirData = this.peers.find(
      (p) => p.conn === undefined && /^c(\d+):/.exec(Buffer.concat(p.received).subarray(0, 16).toString('latin1'))?.[1] === String(c.id),
    );
    if (byTheirData !== undefined) return byTheirData;
    const m = /^p(\d+):/.exec(Buffer.concat(c.received).subarray(0, 16).toString('latin1'));
    return m ? this.peers[Number(m[1])] : undefined;
  }

  /**
   * Nothing is left unread or unsent on an open connection once both sides read: every open,
   * unpaused connection hears all its peer wrote and its peer hears all it wrote (edge and
   * one-shot modes must not lose a wake-up across pause/resume, partial writes, re-arming).
   */
  private async checkLiveness(): Promise<void> {
    for (const c of this.conns) {
      if (!c.lost && !c.loseCalled && !c.aborted && !c.threw && c.transport.connected) {
        this.guard(`c${c.id}.resumeProducing`, () => c.transport.resumeProducing());
        c.pausedStrict = false;
      }
    }
    const open = this.conns.filter((c) => !c.lost && !c.aborted && !c.threw && !(c.loseCalled && !c.loseWithProducer));
    const pairs = open.map((c) => ({ c, p: this.peerOf(c) })).filter((x): x is { c: Conn; p: Peer } => x.p !== undefined && !x.p.touched && !x.p.done);
    // (A connection waiting in loseConnection for its producer has stopped reading, as Twisted's.)
    const inDone = (x: { c: Conn; p: Peer }): boolean =>
      x.c.lost || x.c.loseCalled || Buffer.concat(x.c.received).length >= x.p.sent.reduce((n, b) => n + b.length, 0);
    const outDone = (x: { c: Conn; p: Peer }): boolean => x.c.lost || Buffer.concat(x.p.received).length >= x.c.sentLength;
    // A half-closed connection (loseWriteConnection) is still open, and its peer sees the end.
    const halfClosed = this.conns
      .filter((c) => c.writeShut && !c.lost && !c.aborted && !c.threw && !c.loseCalled)
      .map((c) => ({ c, p: this.peerOf(c) }))
      .filter((x): x is { c: Conn; p: Peer } => x.p !== undefined && !x.p.touched);
    await waitUntil(() => pairs.every((x) => inDone(x) && outDone(x)) && halfClosed.every((x) => x.c.lost || x.p.sawEnd || x.p.sawClose), PATIENCE);
    for (const x of halfClosed) {
      if (!x.c.lost && !x.p.sawEnd && !x.p.sawClose)
        this.violate('half-close-not-delivered', `p${x.p.id} saw no end ${PATIENCE} ms after c${x.c.id}.loseWriteConnection()`);
    }
    for (const x of pairs) {
      if (!inDone(x)) {
        const sent = x.p.sent.reduce((n, b) => n + b.length, 0);
        this.violate(
          'data-not-delivered',
          `c${x.c.id} (open, reading) received ${Buffer.concat(x.c.received).length} of the ${sent} bytes p${x.p.id} wrote, ${PATIENCE} ms after the last`,
        );
      }
      if (!outDone(x)) {
        this.violate(
          'write-not-delivered',
          `p${x.p.id} received ${Buffer.concat(x.p.received).length} of the ${x.c.sentLength} bytes c${x.c.id} (open) wrote, ${PATIENCE} ms after the last`,
        );
      }
    }
  }

  /**
   * Native slots in use: live registrations, plus (with `withHeld`) slots held for a close
   * record not yet delivered (`registrationCount`, `heldCount` on main; other names are tried in
   * case they move). After close() only live ones count: a closed core delivers no more records,
   * so a held count left there is bookkeeping of a dead object, not a resource.
   */
  private nativeSlots(withHeld: boolean): number | undefined {
    const n = this.nativeRef as Record<string, unknown> | undefined;
    if (n === undefined) return undefined;
    let total: number | undefined;
    for (const name of withHeld ? ['registrationCount', 'heldCount', 'slotCount', 'liveSlots'] : ['registrationCount', 'slotCount', 'liveSlots']) {
      try {
        const v = n[name];
        if (typeof v === 'number') total = (total ?? 0) + v;
      } catch {
        // a closed native object may refuse: nothing to count then
      }
    }
    return total;
  }

  private async cleanup(): Promise<void> {
    if (!this.reactor.closed) {
      try {
        this.reactor.close();
      } catch {
        // reported by the checks
      }
    }
    for (const p of this.peers) p.sock.destroy();
    for (const s of this.servers.values()) s.close();
    for (const r of this.raws) {
      for (const fd of r.ownerClosed ? [r.remote] : [r.local, r.remote]) {
        try {
          closeSync(fd);
        } catch {
          // gone already
        }
      }
    }
    await waitUntil(() => this.peers.every((p) => p.sawClose), PATIENCE);
    if (!this.options.skipFdCheck) {
      const leakedNow = (): number[] => [...openDescriptors()].filter((fd) => !this.baseline.has(fd) && stillOpen(fd));
      const ok = await waitUntil(() => leakedNow().length === 0, PATIENCE);
      if (!ok) {
        const leaked = leakedNow().map((fd) => `${fd} (${describeFd(fd)})`);
        this.violate('fd-leak', `descriptors left open after the run: ${leaked.join(', ')}`);
      }
    }
  }

  private count(): void {
    stats.runs++;
    stats.conns += this.conns.length;
    for (const p of this.peers) stats.peerBytes += Buffer.concat(p.received).length;
    for (const c of this.conns) {
      stats.connBytes += Buffer.concat(c.received).length;
      stats.producers += c.producers.length;
      const name = String(c.lostReason?.value?.constructor?.name ?? 'none');
      stats.reasons[name] = (stats.reasons[name] ?? 0) + 1;
    }
    for (const r of this.raws) stats.rawBytes += Buffer.concat(r.received).length;
    stats.throwsLogged += this.planted.length;
    if (this.closeCalledMidRun) stats.closedMidRun++;
    if (this.stopCalledMidRun) stats.stoppedMidRun++;
  }

  // ---- the checks after the run -------------------------------------------------------------

  private checkAfter(): void {
    // The logger saw each planted throw once, and nothing else.
    const logged = this.logger.errors.map((e) => e.error);
    for (const p of this.planted) {
      const times = logged.filter((e) => e === p).length;
      if (times !== 1) this.violate('throw-not-logged', `${p.where}: logged ${times} times`);
    }
    for (const e of this.logger.errors) {
      if (!(e.error instanceof PlantedError)) this.violate('unexpected-log', `logged: ${e.message} ${String(e.error)}`);
    }
    // A connection whose callback threw was aborted.
    for (const c of this.conns) {
      if (c.threw && !c.lost) this.violate('throw-not-aborted', `c${c.id}: a callback threw but the connection was never lost`);
    }
    this.checkBytes();
    for (const a of this.cancelled) {
      if (a.stopped && a.failures !== 1) this.violate('connect-failed-count', `attempt ${a.id}: stopped, clientConnectionFailed ${a.failures} times`);
    }
    // Borrowed views stay readable after the reactor closed (they keep their memory alive).
    let sum = 0;
    for (const c of this.conns) for (const b of c.borrowed) for (let i = 0; i < b.length; i += 512) sum += b[i]!;
    if (Number.isNaN(sum)) this.violate('borrowed-unreadable', 'a borrowed view could not be read after close');
    // The bytes dataReceived got are the protocol's to keep: nothing rewrote them since.
    for (const c of this.conns) {
      for (let i = 0; i < c.given.length; i++) {
        if (!c.given[i]!.equals(c.received[i]!)) {
          this.violate(
            'data-rewritten',
            `c${c.id}: the Buffer of dataReceived #${i} changed after the call: ${snippet(c.given[i]!, 0)} was ${snippet(c.received[i]!, 0)}`,
          );
          break;
        }
      }
    }
    for (const r of this.raws) {
      const got = Buffer.concat(r.received);
      const sent = Buffer.concat(r.sent);
      const at = prefixMismatch(got, sent);
      if (at >= 0) this.violate('raw-bytes', `r${r.id}: read bytes that were not written to it, at ${at}: ${snippet(got, at)}`);
    }
  }

  private checkBytes(): void {
    // Peer -> connection bindings: by construction, by port, or by the frames themselves.
    const claimed = new Map<Conn, Peer>();
    for (const p of this.peers) {
      const got = Buffer.concat(p.received);
      if (got.length === 0) continue;
      const m = /^c(\d+):/.exec(got.subarray(0, 16).toString('latin1'));
      const named = m ? this.conns[Number(m[1])] : undefined;
      const conn = p.conn ?? named;
      if (conn === undefined) {
        this.violate('foreign-bytes', `p${p.id} received bytes no connection wrote: ${snippet(got, 0)}`);
        continue;
      }
      const other = claimed.get(conn);
      if (other !== undefined && other !== p) this.violate('foreign-bytes', `c${conn.id}'s bytes reached two peers (p${other.id}, p${p.id})`);
      claimed.set(conn, p);
      const sent = Buffer.concat(conn.sent);
      const at = prefixMismatch(got, sent);
      if (at >= 0) {
        this.violate(
          'foreign-bytes',
          `p${p.id} (of c${conn.id}) received bytes c${conn.id} did not write there, at ${at} of ${got.length} (c${conn.id} wrote ${sent.length}): got ${snippet(got, at)}, expected ${snippet(sent, at)}`,
        );
      }
    }
    // Full delivery: a connection closed with loseConnection, never aborted, whose peer stayed.
    for (const c of this.conns) {
      const p = c.peer;
      if (p === undefined || !c.loseCalled || c.aborted || c.threw || p.touched || !c.lost) continue;
      if (c.lostReason?.value?.constructor?.name !== 'ConnectionDone') continue;
      // Closing a socket with unread input resets the connection (TCP's rule, not ours): the
      // peer may then lose what it had not read yet. Full delivery is owed only without that.
      const sentByPeer = p.sent.reduce((n, b) => n + b.length, 0);
      if (Buffer.concat(c.received).length !== sentByPeer) continue;
      const got = Buffer.concat(p.received).length;
      stats.fullDeliveries++;
      if (got !== c.sentLength)
        this.violate('lose-not-flushed', `c${c.id}: closed cleanly with loseConnection, but its peer p${p.id} received ${got} of ${c.sentLength} bytes`);
    }
    // Connection <- peer: what a protocol received came from its own peer, in order.
    for (const c of this.conns) {
      const got = Buffer.concat(c.received);
      if (got.length === 0) continue;
      const m = /^p(\d+):/.exec(got.subarray(0, 16).toString('latin1'));
      const named = m ? this.peers[Number(m[1])] : undefined;
      const peer = c.peer ?? named;
      if (peer === undefined) {
        this.violate('foreign-bytes-in', `c${c.id} received bytes no peer wrote: ${snippet(got, 0)}`);
        continue;
      }
      if (peer.conn !== undefined && peer.conn !== c)
        this.violate('foreign-bytes-in', `c${c.id} received p${peer.id}'s bytes, but p${peer.id} is c${peer.conn.id}'s peer`);
      const sent = Buffer.concat(peer.sent);
      const at = prefixMismatch(got, sent);
      if (at >= 0)
        this.violate('foreign-bytes-in', `c${c.id} received bytes p${peer.id} did not write, at ${at}: got ${snippet(got, at)}, expected ${snippet(sent, at)}`);
    }
  }
}

/** Runs one sequence on a fresh reactor of `variant`; returns what broke. */
export async function runSequence(variant: Variant, actions: Action[], options: RunOptions = {}): Promise<RunResult> {
  const run = new ModelRun(variant, options);
  return run.execute(actions);
}

/** A failure message naming each broken invariant, for fast-check's report. */
export function describeViolations(variant: Variant, actions: Action[], result: RunResult): string {
  const lines = result.violations.map((v) => `  [${v.inv}] ${v.msg}`);
  return `${variant.name}: ${result.violations.length} violation(s)\n${lines.join('\n')}\nsequence: ${JSON.stringify(actions)}`;
}
