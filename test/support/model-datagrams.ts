// The datagram model of test/datagram/model.test.ts: six ports (two UDP over IPv4, two over
// IPv6, two UNIX datagram), a random sequence of calls on them (some made from inside
// datagramReceived or stopProtocol), and a model that knows, for every call, whether it must
// succeed or which coded error it must throw, and which datagrams each port may receive.
import fc from 'fast-check';
import {
  DatagramProtocol,
  IPv4Address,
  IPv6Address,
  ReactorSystemError,
  UNIXAddress,
  type Address,
  type Deferred,
  type DatagramPort,
  type Logger,
  type Reactor,
} from '../../src/index';
import { openFds } from '../fixtures/open-descriptors';
import { newReactor, type Variant } from './reactors';
import { socketPath } from './streams';

/** Ports 0-1 are UDP over IPv4, 2-3 over IPv6, 4-5 UNIX datagram: a port's peer is index ^ 1. */
export const PORTS = 6;
const isUnix = (p: number): boolean => p >= 4;

export type Simple =
  | { t: 'write'; from: number; self: boolean; connected: boolean; size: number; count: number }
  | { t: 'connect'; from: number; self: boolean }
  | { t: 'stop'; p: number; lose: boolean }
  | { t: 'option'; p: number; which: 'ttl' | 'broadcast' | 'loopback'; value: number }
  | { t: 'group'; p: number; join: boolean }
  | { t: 'close' };
export type Action = Simple | { t: 'inReceive'; p: number; action: Simple } | { t: 'inStop'; p: number; action: Simple } | { t: 'wait' };

const port = fc.integer({ min: 0, max: PORTS - 1 });
const simple: fc.Arbitrary<Simple> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('write' as const),
      from: port,
      self: fc.boolean(),
      connected: fc.boolean(),
      size: fc.integer({ min: 12, max: 1400 }),
      count: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('connect' as const), from: port, self: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('stop' as const), p: port, lose: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('option' as const),
      p: port,
      which: fc.constantFrom('ttl' as const, 'broadcast' as const, 'loopback' as const),
      value: fc.integer({ min: 0, max: 255 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('group' as const), p: port, join: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ t: 'close' as const }) },
);
/** A call for inside one of port `p`'s callbacks: any call, or one on `p` itself (stopping it, writing from it). */
const callbackOn = (t: 'inReceive' | 'inStop'): fc.Arbitrary<Action> =>
  port.chain((p) =>
    fc.record({
      t: fc.constant(t),
      p: fc.constant(p),
      action: fc.oneof(
        simple,
        fc.record({ t: fc.constant('stop' as const), p: fc.constant(p), lose: fc.boolean() }),
        fc.record({
          t: fc.constant('write' as const),
          from: fc.constant(p),
          self: fc.boolean(),
          connected: fc.boolean(),
          size: fc.constant(40),
          count: fc.constant(1),
        }),
      ),
    }),
  );
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 10, arbitrary: simple.filter((a) => a.t !== 'close') },
  { weight: 4, arbitrary: callbackOn('inReceive') },
  { weight: 2, arbitrary: callbackOn('inStop') },
  { weight: 3, arbitrary: fc.constant({ t: 'wait' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'close' as const }) },
);
export const sequence = fc.array(action, { minLength: 1, maxLength: 30 });

/** What a call may end in: success, or an error whose `code` is one of these. */
type Outcome = { ok: true } | { codes: string[] };
const OK: Outcome = { ok: true };
const CLOSED: Outcome = { codes: ['ERR_IOREACTOR_DATAGRAM_PORT_CLOSED'] };
/** A UNIX datagram to a path nobody is bound to any more, or a socket option UNIX sockets lack. */
const SYSTEM: Outcome = { codes: ['ENOENT', 'ECONNREFUSED', 'ENOPROTOOPT', 'EOPNOTSUPP', 'ENOTSUP', 'EINVAL', 'EAGAIN', 'ENOBUFS'] };

class ModelProtocol extends DatagramProtocol {
  readonly events: ('start' | 'stop' | { data: Buffer; addr: Address })[] = [];
  readonly onReceive: Simple[] = [];
  readonly onStop: Simple[] = [];
  constructor(
    private readonly run: Run,
    private readonly index: number,
  ) {
    super();
  }
  override startProtocol(): void {
    this.events.push('start');
    // A call from inside startProtocol: port 1 greets port 0 as soon as it listens.
    if (this.index === 1) this.run.execute({ t: 'write', from: 1, self: false, connected: false, size: 32, count: 1 }, this.transport);
  }
  override stopProtocol(): void {
    this.events.push('stop');
    this.run.open[this.index] = false;
    for (const a of this.onStop.splice(0)) this.run.execute(a);
  }
  override datagramReceived(data: Buffer, addr: Address): void {
    this.events.push({ data: Buffer.from(data), addr });
    const next = this.onReceive.shift();
    if (next !== undefined) this.run.execute(next);
  }
}

/** Payload of a datagram: who sent it, its number, then bytes derived from both. */
function payload(run: number, from: number, seq: number, size: number): Buffer {
  const data = Buffer.alloc(size);
  data.writeUInt32BE(run, 0);
  data.writeUInt32BE(from, 4);
  data.writeUInt32BE(seq, 8);
  for (let i = 12; i < size; i++) data[i] = (seq * 7 + from + i) & 0xff;
  return data;
}

let runCounter = 0;

export class Run {
  readonly id = ++runCounter;
  readonly reactor: Reactor;
  readonly ports: DatagramPort[] = [];
  readonly protocols: ModelProtocol[] = [];
  readonly open: boolean[] = new Array<boolean>(PORTS).fill(false);
  readonly connectedTo: (number | undefined)[] = new Array<number | undefined>(PORTS).fill(undefined);
  /** Datagram key "from:seq" -> [destination, payload, written while the destination listened]. */
  readonly written = new Map<string, { to: number; data: Buffer; whileOpen: boolean }>();
  readonly violations: string[] = [];
  readonly logged: string[] = [];
  readonly pendingStops: Deferred<void>[] = [];
  private unreportedSendFailures = 0;
  private seq = 0;
  private paths: string[] = [];

  constructor(variant: Variant) {
    const logger: Logger = { error: (message, error) => this.logged.push(`${message} ${String(error)}`) };
    this.reactor = newReactor(variant, { logger });
  }

  /** Opens the six ports; the startProtocol of port 1 writes to port 0. */
  openPorts(): void {
    for (let i = 0; i < PORTS; i++) {
      const protocol = new ModelProtocol(this, i);
      this.protocols.push(protocol);
      this.open[i] = true;
      let p: DatagramPort;
      if (i < 2) p = this.reactor.listenUDP(0, protocol, { interface: '127.0.0.1' });
      else if (i < 4) p = this.reactor.listenUDP(0, protocol, { interface: '::1' });
      else {
        const path = socketPath();
        this.paths.push(path);
        p = this.reactor.listenUNIXDatagram(path, protocol);
      }
      this.ports[i] = p;
    }
  }

  private hostOf(p: number): { host: string; port: number } | string {
    const addr = this.ports[p]!.getHost();
    if (addr instanceof UNIXAddress) return addr.name!;
    return { host: (addr as IPv4Address).host, port: (addr as IPv4Address).port };
  }

  /** Runs one call, checking its outcome against the model. `self` is the port when called from its own startProtocol. */
  execute(a: Simple, early?: DatagramPort): void {
    if (a.t === 'write' && a.count > 1) {
      // A burst: several datagrams in one batch, so that a call from the first one's
      // datagramReceived meets the rest still undelivered.
      for (let i = 0; i < a.count; i++) this.execute({ ...a, count: 1 }, early);
      return;
    }
    let expected: Outcome;
    let call: () => void;
    switch (a.t) {
      case 'write': {
        const to = a.self ? a.from : a.from ^ 1;
        const from = early ?? this.ports[a.from]!;
        const key = `${a.from}:${this.seq++}`;
        const data = payload(this.id, a.from, this.seq - 1, a.size);
        const connected = this.connectedTo[a.from];
        const dest = a.connected ? connected : to;
        if (!this.open[a.from]) expected = CLOSED;
        else if (a.connected && connected === undefined) expected = { codes: ['ERR_IOREACTOR_DATAGRAM_ADDRESS_REQUIRED'] };
        else if (!a.connected && connected !== undefined && connected !== to) expected = { codes: ['ERR_IOREACTOR_INVALID_ADDRESS'] };
        else if (isUnix(to) && !this.open[to]) expected = SYSTEM;
        else expected = OK;
        const whileOpen = dest !== undefined && this.open[dest]!;
        call = () => {
          if (a.connected) from.write(data);
          else from.write(data, this.hostOf(to));
          if (dest !== undefined) this.written.set(key, { to: dest, data, whileOpen });
        };
        break;
      }
      case 'connect': {
        const to = a.self ? a.from : a.from ^ 1;
        if (!this.open[a.from]) expected = CLOSED;
        else if (isUnix(a.from)) expected = { codes: ['ERR_IOREACTOR_INVALID_ADDRESS'] };
        else if (this.connectedTo[a.from] !== undefined) expected = { codes: ['ERR_IOREACTOR_ALREADY_CONNECTED'] };
        else expected = OK;
        call = () => {
          const target = this.hostOf(to) as { host: string; port: number };
          this.ports[a.from]!.connect(target.host, target.port);
          this.connectedTo[a.from] = to;
        };
        break;
      }
      case 'stop':
        expected = OK;
        call = () => {
          const wasOpen = this.open[a.p];
          this.open[a.p] = false;
          const p = this.ports[a.p]!;
          const d = a.lose ? p.loseConnection() : p.stopListening();
          if (wasOpen && !this.protocols[a.p]!.events.includes('stop')) this.violations.push(`port ${a.p}: stopListening did not call stopProtocol`);
          // Called again from inside stopProtocol, the Deferred is the first call's, which fires
          // once that call returns: checked at the end of the run.
          this.pendingStops.push(d);
        };
        break;
      case 'option': {
        expected = !this.open[a.p] ? CLOSED : isUnix(a.p) ? SYSTEM : OK;
        call = () => {
          const p = this.ports[a.p]!;
          if (a.which === 'ttl') {
            p.setTTL(a.value);
            if (p.getTTL() !== a.value) this.violations.push(`port ${a.p}: setTTL(${a.value}) then getTTL() = ${p.getTTL()}`);
          } else {
            const on = a.value % 2 === 1;
            if (a.which === 'broadcast') p.setBroadcastAllowed(on);
            else p.setLoopbackMode(on);
            const now = a.which === 'broadcast' ? p.getBroadcastAllowed() : p.getLoopbackMode();
            if (now !== on) this.violations.push(`port ${a.p}: set ${a.which} ${on} then read ${now}`);
          }
        };
        break;
      }
      case 'group': {
        // Membership depends on the host's interfaces and on what was joined before: any
        // system error is allowed, but it must come through the Deferred, coded.
        expected = OK;
        call = () => {
          const p = this.ports[a.p]!;
          const group = a.p >= 2 && a.p < 4 ? 'ff02::1:3' : '224.0.0.251';
          const iface = a.p >= 2 && a.p < 4 ? '' : '127.0.0.1';
          const d = a.join ? p.joinGroup(group, iface) : p.leaveGroup(group, iface);
          d.addErrback((failure) => {
            const err = failure.value as { code?: unknown };
            const allowed = !this.open[a.p]
              ? err.code === 'ERR_IOREACTOR_DATAGRAM_PORT_CLOSED'
              : err instanceof ReactorSystemError || typeof err.code === 'string';
            if (!allowed) this.violations.push(`port ${a.p}: ${a.join ? 'joinGroup' : 'leaveGroup'} failed without a code: ${String(err)}`);
          });
        };
        break;
      }
      case 'close':
        expected = OK;
        call = () => this.reactor.close();
        break;
    }
    let thrown: unknown;
    try {
      call();
    } catch (err) {
      thrown = err;
    }
    const what = JSON.stringify(a);
    if ('ok' in expected) {
      if (thrown !== undefined) this.violations.push(`${what} threw ${describeError(thrown)}, the model expected success`);
    } else if (thrown === undefined) {
      // Written from a callback, a UNIX datagram goes out with the batch, after the call has
      // returned: its failure (the path is gone) is logged as the port's error instead.
      // Options: SO_BROADCAST applies to UNIX sockets too, the multicast ones do not.
      if (expected === SYSTEM && a.t === 'write') this.unreportedSendFailures++;
      else if (expected !== SYSTEM) this.violations.push(`${what} succeeded, the model expected ${expected.codes.join(' or ')}`);
    } else {
      const code = (thrown as { code?: unknown }).code;
      if (typeof code !== 'string' || !expected.codes.includes(code)) {
        this.violations.push(`${what} threw ${describeError(thrown)}, the model expected ${expected.codes.join(' or ')}`);
      }
    }
  }

  /** Every receipt checked against what was written; `strict`: nothing that must arrive is missing. */
  missing(): string[] {
    if (this.reactor.closed || this.reactor.stats().datagramsDropped > 0) return [];
    const missing: string[] = [];
    for (const [key, w] of this.written) {
      if (!w.whileOpen || !this.open[w.to]) continue;
      const from = Number(key.split(':')[0]);
      const connected = this.connectedTo[w.to];
      if (connected !== undefined && connected !== from) continue; // the kernel filters for connected ports
      const got = this.protocols[w.to]!.events.some((e) => typeof e === 'object' && e.data.equals(w.data));
      if (!got) missing.push(`port ${w.to} never received ${key}`);
    }
    return missing;
  }

  check(): void {
    for (let i = 0; i < PORTS; i++) {
      const events = this.protocols[i]!.events;
      const starts = events.filter((e) => e === 'start').length;
      const stops = events.filter((e) => e === 'stop').length;
      if (events[0] !== 'start' || starts !== 1) this.violations.push(`port ${i}: startProtocol ${starts} times, first event ${String(events[0])}`);
      if (stops !== 1 || events[events.length - 1] !== 'stop') this.violations.push(`port ${i}: stopProtocol ${stops} times, not last`);
      const seen = new Set<string>();
      for (const e of events) {
        if (typeof e !== 'object') continue;
        const key = `${e.data.readUInt32BE(4)}:${e.data.readUInt32BE(8)}`;
        const w = this.written.get(key);
        if (e.data.readUInt32BE(0) !== this.id || w === undefined || w.to !== i || !w.data.equals(e.data)) {
          this.violations.push(`port ${i} received ${key} (${e.data.length} bytes), not written to it`);
          continue;
        }
        if (seen.has(key)) this.violations.push(`port ${i} received ${key} twice`);
        seen.add(key);
        const sender = Number(key.split(':')[0]);
        const expectedFrom = this.ports[sender]!.getHost();
        if (!sameAddress(e.addr, expectedFrom)) this.violations.push(`port ${i} received ${key} from ${String(e.addr)}, sent by ${String(expectedFrom)}`);
      }
    }
    for (const d of this.pendingStops) if (!d.called) this.violations.push('a stopListening Deferred never fired');
    const sendFailure = /^Error on .*ReactorSystemError: datagram failed: (ENOENT|ECONNREFUSED)/;
    const unexpected = this.logged.filter((entry) => !sendFailure.test(entry));
    const sendFailures = this.logged.length - unexpected.length;
    if (unexpected.length > 0) this.violations.push(`logged: ${unexpected.join('; ')}`);
    if (sendFailures > this.unreportedSendFailures) this.violations.push(`${sendFailures} send failures logged, ${this.unreportedSendFailures} possible`);
  }
}

function sameAddress(a: Address, b: Address): boolean {
  if (a instanceof UNIXAddress || b instanceof UNIXAddress) return a instanceof UNIXAddress && b instanceof UNIXAddress && a.name === b.name;
  const x = a as IPv4Address | IPv6Address;
  const y = b as IPv4Address | IPv6Address;
  return x.host === y.host && x.port === y.port;
}

function describeError(err: unknown): string {
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  return `${String(e?.name)} ${String(e?.code)}: ${String(e?.message)}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `actions` on a fresh reactor; returns the violations (empty when the model held). */
export async function runDatagramSequence(variant: Variant, actions: Action[], patienceMs = 2000): Promise<string[]> {
  const fdsBefore = new Set(openFds());
  const run = new Run(variant);
  const running = run.reactor.run();
  try {
    run.openPorts();
    for (const a of actions) {
      if (run.reactor.closed) break;
      if (a.t === 'wait') await sleep(1);
      else if (a.t === 'inReceive') run.protocols[a.p]!.onReceive.push(a.action);
      else if (a.t === 'inStop') run.protocols[a.p]!.onStop.push(a.action);
      else run.execute(a);
    }
    const deadline = Date.now() + patienceMs;
    while (!run.reactor.closed && run.missing().length > 0 && Date.now() < deadline) await sleep(2);
    run.violations.push(...run.missing());
  } finally {
    if (!run.reactor.closed) run.reactor.close();
    await running;
  }
  run.check();
  const leaked = openFds().filter((fd) => !fdsBefore.has(fd));
  if (leaked.length > 0) {
    // A descriptor Node opened meanwhile (readdir's own) is gone on a second look.
    await sleep(5);
    const still = openFds().filter((fd) => !fdsBefore.has(fd));
    if (still.length > 0) run.violations.push(`descriptors left open: ${still.join(', ')}`);
  }
  return run.violations;
}
