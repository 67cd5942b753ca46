// The ioreactor twin of twisted_amp.py: the extra Commands, the server's responders and the
// client scenario, writing the same trace lines.
import { createHash } from 'node:crypto';
import {
  AMP,
  AmpDateTime,
  AmpList,
  AmpString,
  BigInteger,
  ClientCreator,
  Command,
  ConnectionDone,
  DateTime,
  Decimal,
  Deferred,
  Float,
  gatherResults,
  ListOf,
  TooLong,
  UnhandledCommand,
  Unicode,
  UnknownRemoteError,
  type AnyArgument,
  type Failure,
  type Reactor,
  type Schema,
  type ValuesIn,
} from '../../../src/index';
import { pythonFloatRepr } from '../../../src/protocols/amp/python-format';
import { Blob, Boom, Divide, EchoAll, Explode, Missing, Notify, Sum, ZeroDivision } from '../../protocols/amp/commands';

export const Notes = new Command({ name: 'Notes', response: { notes: new ListOf(new Unicode()) } });
export const Floats = new Command({
  name: 'Floats',
  arguments: { xs: new ListOf(new Float()) },
  response: { xs: new ListOf(new Float()), reprs: new ListOf(new Unicode()) },
});
const LONG = 'k'.repeat(255);
export const LongKey = new Command({ name: 'LongKey', arguments: { [LONG]: new AmpString() }, response: { [LONG]: new AmpString() } });

/** The server twisted_amp.py's Server mirrors. */
export class InteropServer extends AMP {
  notes: string[] = [];
}
Sum.responder(InteropServer, ({ a, b }) => ({ total: a + b }));
Divide.responder(InteropServer, ({ numerator, denominator }) => {
  if (denominator === 0) throw new ZeroDivision('division by zero');
  return { result: numerator / denominator };
});
Explode.responder(InteropServer, ({ how }) => {
  if (how === 'fatal') throw new Boom('boom!');
  if (how === 'undeclared') throw new Error('not declared');
  return {};
});
Notify.responder(InteropServer, function ({ note }) {
  this.notes.push(note);
  return {};
});
Notes.responder(InteropServer, function () {
  return { notes: this.notes };
});
EchoAll.responder(InteropServer, (args) => args);
Floats.responder(InteropServer, ({ xs }) => ({ xs, reprs: xs.map(pythonFloatRepr) }));
Blob.responder(InteropServer, ({ data }) => ({ data: Buffer.from(data).reverse() }));
LongKey.responder(InteropServer, (args) => args);

// ---- trace formatting: the same JSON as twisted_amp.py's canon()/dumps() --------------------

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function canonValue(arg: AnyArgument, v: unknown): unknown {
  if (arg instanceof Float) return `f:${pythonFloatRepr(v as number)}`;
  if (arg instanceof BigInteger) return (v as bigint) <= SAFE && (v as bigint) >= -SAFE ? Number(v) : String(v);
  if (arg instanceof AmpString) return `hex:${(v as Buffer).toString('hex')}`;
  if (arg instanceof DateTime) return `dt:${(v as AmpDateTime).toString()}`;
  if (arg instanceof Decimal) return `dec:${v as string}`;
  if (arg instanceof ListOf) return (v as unknown[]).map((x) => canonValue(arg.elementType, x));
  if (arg instanceof AmpList) return (v as Record<string, unknown>[]).map((x) => canon(arg.schema, x));
  return v; // Integer, AmpBoolean, Unicode
}

function canon(schema: Schema, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(schema)) if (values[key] !== undefined) out[key] = canonValue(schema[key], values[key]);
  return out;
}

/** JSON with sorted keys and no spaces, as Python's json.dumps(sort_keys=True, separators=(',', ':')). */
function dumps(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(dumps).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${dumps(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function describeError(e: unknown): string {
  if (e instanceof UnhandledCommand) return `error UnhandledCommand ${e.description}`;
  if (e instanceof UnknownRemoteError) return `error UnknownRemoteError ${e.description}`;
  if (e instanceof TooLong) return 'error TooLong';
  if (e instanceof ConnectionDone) return 'error ConnectionDone';
  return `error ${(e as Error).name} ${(e as Error).message}`;
}

/** Calls `command` (one that requires an answer) and formats its response or error for the trace. */
async function call<A extends Schema, R extends Schema>(p: AMP, command: Command<A, R, true>, args: ValuesIn<A>): Promise<string> {
  try {
    const result = await p.callRemote(command, args);
    return dumps(canon(command.response, result));
  } catch (e) {
    return describeError(e);
  }
}

// ---- the scenario ----------------------------------------------------------------------------

class Client extends AMP {
  readonly lost = new Deferred<string>();
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.lost.callback((reason.value as Error).name);
  }
}

const tz = (sign: '+' | '-', h: number, m: number): number => (sign === '-' ? -1 : 1) * (h * 60 + m);

const ECHO_1 = {
  i: -42,
  big: 2n ** 100n,
  s: Buffer.from([0, 1, 2, 255]),
  fl: 0.1,
  b: true,
  u: 'h\u00e9llo \u2603 \u{1F600}',
  l: [1, 2, 3],
  lu: ['', 'two', 'drei'],
  al: [{ x: 1, y: 'one' }, { x: 2 }],
  dt: new AmpDateTime({ year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 58, microsecond: 123456, utcOffset: tz('-', 5, 30) }),
  d: '-1.50E+3',
};
const ECHO_2 = {
  i: 9007199254740991,
  big: -(10n ** 40n),
  s: Buffer.alloc(0),
  fl: -Infinity,
  b: false,
  u: '\ufeffBOM',
  l: [],
  lu: [],
  al: [],
  dt: new AmpDateTime({ year: 1, month: 1, day: 1, utcOffset: tz('+', 23, 59) }),
  d: 'NaN',
  opt: 0,
};
const ECHO_3 = {
  i: 0,
  big: 0n,
  s: Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  fl: 5e-324,
  b: true,
  u: '\x00\n\t"\\\u2028\x7f',
  l: [-1, 0, 9007199254740991],
  lu: ['\u{10FFFF}'],
  al: [{ x: 0, y: '' }],
  dt: new AmpDateTime({ year: 2000, month: 1, day: 1, hour: 12, microsecond: 999999 }),
  d: '0E-7',
};
const FLOATS = [
  0.0,
  -0.0,
  1.0,
  0.1,
  1e16,
  1e15,
  1e-5,
  0.0001,
  1.5e-5,
  5e-324,
  1.7976931348623157e308,
  Infinity,
  -Infinity,
  NaN,
  123456789.123,
  2 ** 53,
  1 / 3,
  100.0,
  -2.5e-300,
];

const blobData = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) & 0xff));

/** twisted_amp.py's scenario(), run by an ioreactor client against `port`; resolves with its trace. */
export async function scenario(reactor: Reactor, port: number): Promise<string[]> {
  const trace: string[] = [];
  const creator = new ClientCreator(reactor, Client);
  let p = await creator.connectTCP('127.0.0.1', port);
  trace.push(`Sum ${await call(p, Sum, { a: 1, b: 2 })}`);
  trace.push(`EchoAll ${await call(p, EchoAll, ECHO_1)}`);
  trace.push(`EchoAll ${await call(p, EchoAll, ECHO_2)}`);
  trace.push(`EchoAll ${await call(p, EchoAll, ECHO_3)}`);
  trace.push(`Floats ${await call(p, Floats, { xs: FLOATS })}`);
  trace.push(`Divide ${await call(p, Divide, { numerator: 7, denominator: 2 })}`);
  trace.push(`Divide ${await call(p, Divide, { numerator: 1, denominator: 0 })}`);
  trace.push(`Missing ${await call(p, Missing, { x: 1 })}`);
  const blob = await call(p, Blob, { data: blobData(65535) });
  const expected = dumps(canon(Blob.response, { data: blobData(65535).reverse() }));
  trace.push(`Blob 65535 ${blob === expected ? 'reversed' : blob.slice(0, 200)}`);
  trace.push(`Blob 65536 ${await call(p, Blob, { data: blobData(65536) })}`);
  const long = { [LONG]: Buffer.alloc(65535, 'v') };
  const echoed = await call(p, LongKey, long);
  trace.push(`LongKey ${echoed === dumps(canon(LongKey.response, long)) ? 'echoed' : echoed.slice(0, 200)}`);
  p.callRemote(Notify, { note: 'a' });
  p.callRemote(Notify, { note: 'b \u2603' });
  trace.push(`Notes ${await call(p, Notes, {})}`);
  const results = await gatherResults(Array.from({ length: 1000 }, (_, i) => p.callRemote(Sum, { a: i, b: i * i })));
  const ok = results.every((r, i) => r.total === i + i * i);
  trace.push(`Concurrent ${results.length} ${ok ? 'in order' : 'WRONG'}`);
  p.transport.loseConnection();
  trace.push(`lost ${await p.lost}`);

  p = await creator.connectTCP('127.0.0.1', port);
  trace.push(`Explode ${await call(p, Explode, { how: 'undeclared' })}`);
  trace.push(`lost ${await p.lost}`);
  trace.push(`Sum ${await call(p, Sum, { a: 1, b: 1 })}`);

  p = await creator.connectTCP('127.0.0.1', port);
  trace.push(`Explode ${await call(p, Explode, { how: 'fatal' })}`);
  trace.push(`lost ${await p.lost}`);
  return trace;
}

/** A digest of a trace, for short failure messages. */
export function digest(trace: string[]): string {
  return createHash('sha256').update(trace.join('\n')).digest('hex').slice(0, 16);
}
