// Interop with real Twisted: its LineReceiver, NetstringReceiver and Int32StringReceiver
// (twisted_basic.py) against ioreactor's, in both directions, over 127.0.0.1. Each side traces
// what it received, its refusal callback and how the connection ended; the traces of Twisted
// and ioreactor in the same role must be equal, and equal to what the messages predict.
//
// Which Python: the differential suite's finder (test/differential/twisted.ts). Without a
// Python that has Twisted the suite is skipped with the reason, unless
// IOREACTOR_REQUIRE_TWISTED=1, in which case it fails.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ClientFactory,
  Factory,
  Int32StringReceiver,
  LineReceiver,
  NetstringReceiver,
  type Failure,
  type NetstringParseError,
  type Protocol,
  type Reactor,
} from '../../../src/index';
import { runTwistedScenarios } from '../../differential/twisted';
import { newReactor, RecordingLogger, runReactor, VARIANTS, type Variant } from '../../support/reactors';

const SCRIPT = join(__dirname, 'twisted_basic.py');
const KINDS = ['line', 'netstring', 'int32'] as const;
type Kind = (typeof KINDS)[number];
type Traces = Record<Kind, string[]>;

const LIMIT: Record<Kind, number> = { line: 16384, netstring: 99999, int32: 99999 };
const BAD_TAIL: Record<Kind, Buffer> = {
  line: Buffer.concat([Buffer.alloc(16385, 'x'), Buffer.from('\r\n')]),
  netstring: Buffer.from('100000:'),
  int32: Buffer.concat([Buffer.from([0, 1, 0x86, 0xa0]), Buffer.alloc(10, 'y')]),
};
const REFUSAL: Record<Kind, string> = { line: 'exceeded', netstring: 'parse-error', int32: 'exceeded 100000' };

const describeData = (d: Buffer): string => `recv ${d.length} ${createHash('sha1').update(d).digest('hex').slice(0, 12)}`;

/** 200 deterministic messages per kind: empty, tiny, at and just under the limit, and a spread. */
function messagesFor(kind: Kind): Buffer[] {
  let seed = kind.length * 7919;
  const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const sizes = [0, 1, 2, LIMIT[kind] - 1, LIMIT[kind], 100, 1000];
  while (sizes.length < 200) sizes.push(rand(rand(10) === 0 ? 5000 : 60));
  return sizes.map((n) => {
    const m = Buffer.alloc(n);
    // Lines may hold any byte but CR and LF; the others any byte at all.
    for (let i = 0; i < n; i++) m[i] = kind === 'line' ? 32 + rand(95) : rand(256);
    return m;
  });
}

const MESSAGES: Record<Kind, Buffer[]> = { line: messagesFor('line'), netstring: messagesFor('netstring'), int32: messagesFor('int32') };

/** The Twisted script's behaviour, shared by the three receivers: trace, and echo (servers) or send then the bad tail (clients). */
class Tracer {
  readonly trace: string[] = [];
  echo = false;
  sendFirst: Buffer[] | undefined;
  onLost?: () => void;
  constructor(
    private readonly kind: Kind,
    private readonly p: Protocol & { send(m: Buffer): void },
  ) {}
  record(data: Buffer): void {
    this.trace.push(describeData(data));
    if (this.echo) this.p.send(data);
  }
  made(): void {
    if (this.sendFirst === undefined) return;
    for (const m of this.sendFirst) this.p.send(m);
    this.p.transport.write(BAD_TAIL[this.kind]);
  }
  lost(reason: Failure): void {
    this.trace.push(`lost ${(reason.value as Error).constructor.name}`);
    this.onLost?.();
  }
}

class Line extends LineReceiver {
  readonly t = new Tracer('line', this);
  override connectionMade(): void {
    this.t.made();
  }
  override connectionLost(reason: Failure): void {
    this.t.lost(reason);
  }
  override lineReceived(line: Buffer): void {
    this.t.record(line);
  }
  send(m: Buffer): void {
    this.sendLine(m);
  }
  override lineLengthExceeded(line: Buffer): unknown {
    this.t.trace.push('exceeded');
    return super.lineLengthExceeded(line);
  }
}

class Netstring extends NetstringReceiver {
  readonly t = new Tracer('netstring', this);
  override connectionMade(): void {
    this.t.made();
  }
  override connectionLost(reason: Failure): void {
    this.t.lost(reason);
  }
  override stringReceived(s: Buffer): void {
    this.t.record(s);
  }
  send(m: Buffer): void {
    this.sendString(m);
  }
  override handleParseError(error: NetstringParseError): void {
    this.t.trace.push('parse-error');
    super.handleParseError(error);
  }
}

class Int32 extends Int32StringReceiver {
  readonly t = new Tracer('int32', this);
  override connectionMade(): void {
    this.t.made();
  }
  override connectionLost(reason: Failure): void {
    this.t.lost(reason);
  }
  override stringReceived(s: Buffer): void {
    this.t.record(s);
  }
  send(m: Buffer): void {
    this.sendString(m);
  }
  override lengthLimitExceeded(length: number): void {
    this.t.trace.push(`exceeded ${length}`);
    super.lengthLimitExceeded(length);
  }
}

type Traced = Protocol & { t: Tracer };
const CLASSES: Record<Kind, new () => Traced> = { line: Line, netstring: Netstring, int32: Int32 };

/** Spawns the Twisted side; resolves with its first stdout line (ports) and, later, its traces. */
function startPython(python: string, mode: 'serve' | 'connect', input?: string): { first: Promise<unknown>; traces: Promise<Traces> } {
  const child = spawn(python, [SCRIPT, mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let resolveFirst: (v: unknown) => void;
  const first = new Promise<unknown>((r) => (resolveFirst = r));
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    const nl = out.indexOf('\n');
    if (nl >= 0) resolveFirst(JSON.parse(out.slice(0, nl)));
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const traces = new Promise<Traces>((resolve, reject) => {
    child.on('close', (code) => {
      const lines = out.trim().split('\n');
      try {
        const last = JSON.parse(lines[lines.length - 1]!) as { traces?: Traces };
        if (code !== 0 || last.traces === undefined) throw new Error(`exit ${code}`);
        resolve(last.traces);
      } catch (e) {
        reject(new Error(`${python} ${SCRIPT} ${mode} failed (${String(e)}):\n${err}\n${out.slice(0, 2000)}`));
      }
    });
  });
  child.stdin.end(input ?? '');
  return { first, traces };
}

function expected(role: 'server' | 'client', kind: Kind): string[] {
  return [...MESSAGES[kind].map(describeData), ...(role === 'server' ? [REFUSAL[kind]] : []), 'lost ConnectionDone'];
}

/** Runs one ioreactor protocol per kind; resolves with their traces once all three are lost. */
async function ioreactorSide(
  variant: Variant,
  start: (reactor: Reactor, make: (kind: Kind, role: 'server' | 'client') => Traced) => void,
): Promise<{ traces: Traces; logger: RecordingLogger }> {
  const logger = new RecordingLogger();
  const reactor = newReactor(variant, { logger });
  const traces = { line: [], netstring: [], int32: [] } as Traces;
  await runReactor(
    reactor,
    (done) => {
      let lost = 0;
      start(reactor, (kind, role) => {
        const p = new CLASSES[kind]();
        p.t.echo = role === 'server';
        if (role === 'client') p.t.sendFirst = MESSAGES[kind];
        traces[kind] = p.t.trace as string[];
        p.t.onLost = () => {
          if (++lost === KINDS.length) done();
        };
        return p;
      });
    },
    15,
  );
  return { traces, logger };
}

const twisted = runTwistedScenarios();
const python = twisted.ok ? twisted.python : undefined;
const required = process.env.IOREACTOR_REQUIRE_TWISTED === '1';
const missing = !twisted.ok && twisted.missing;
if (missing && !required) console.warn(`[interop/basic] skipped: ${twisted.reason}`);

describe.skipIf(missing && !required)('interop with Twisted: LineReceiver, NetstringReceiver, Int32StringReceiver', () => {
  if (python === undefined) {
    it('finds a Python with Twisted', () => {
      expect.fail(`${required && missing ? 'IOREACTOR_REQUIRE_TWISTED=1 but ' : ''}${twisted.ok ? '' : twisted.reason}`);
    });
    return;
  }

  it(`Twisted servers, ioreactor clients (${VARIANTS[0]!.name}): both traces match the messages`, { timeout: 20_000 }, async () => {
    const py = startPython(python, 'serve');
    const { ports } = (await py.first) as { ports: Record<Kind, number> };
    const mine = await ioreactorSide(VARIANTS[0]!, (reactor, make) => {
      for (const kind of KINDS) {
        const factory = new (class extends ClientFactory {
          override buildProtocol(): Protocol {
            return make(kind, 'client');
          }
        })();
        reactor.connectTCP('127.0.0.1', ports[kind], factory);
      }
    });
    const theirs = await py.traces;
    for (const kind of KINDS) {
      expect(theirs[kind], `Twisted ${kind} server`).toEqual(expected('server', kind));
      expect(mine.traces[kind], `ioreactor ${kind} client`).toEqual(expected('client', kind));
    }
    expect(mine.logger.errors).toEqual([]);
  });

  it(`ioreactor servers (${VARIANTS[VARIANTS.length - 1]!.name}), Twisted clients: both traces match the messages`, { timeout: 20_000 }, async () => {
    let py: ReturnType<typeof startPython> | undefined;
    const mine = await ioreactorSide(VARIANTS[VARIANTS.length - 1]!, (reactor, make) => {
      const ports = {} as Record<Kind, number>;
      for (const kind of KINDS) {
        const factory = new (class extends Factory {
          override buildProtocol(): Protocol {
            return make(kind, 'server');
          }
        })();
        const port = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
        ports[kind] = (port.getHost() as { port: number }).port;
      }
      const messages = Object.fromEntries(KINDS.map((k) => [k, MESSAGES[k].map((m) => m.toString('base64'))]));
      py = startPython(python, 'connect', JSON.stringify({ ports, messages }));
    });
    const theirs = await py!.traces;
    for (const kind of KINDS) {
      expect(mine.traces[kind], `ioreactor ${kind} server`).toEqual(expected('server', kind));
      expect(theirs[kind], `Twisted ${kind} client`).toEqual(expected('client', kind));
    }
    expect(mine.logger.errors).toEqual([]);
  });
});
