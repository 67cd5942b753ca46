// Type tests for AMP Commands: compiled by `npm run typecheck`; every @ts-expect-error line must
// fail to compile, everything else must compile.
import {
  AMP,
  AmpBoolean,
  AmpDateTime,
  AmpList,
  AmpString,
  BigInteger,
  Command,
  DateTime,
  Decimal,
  Deferred,
  Float,
  Integer,
  ListOf,
  Unicode,
  type ArgumentsOf,
  type ResponseOf,
} from '../../src/index';

type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_?: T): void {}

const Sum = new Command({
  name: 'Sum',
  arguments: { a: new Integer(), b: new Integer() },
  response: { total: new Integer() },
});
declare const amp: AMP;

// The call's arguments and result are inferred from the definition.
const total = amp.callRemote(Sum, { a: 1, b: 2 });
assertType<Equal<typeof total, Deferred<{ total: number }>>>();
async function awaited(): Promise<number> {
  const r = await amp.callRemote(Sum, { a: 1, b: 2 });
  return r.total;
}
void awaited;

// @ts-expect-error a string where an Integer is declared
amp.callRemote(Sum, { a: '1', b: 2 });
// @ts-expect-error a missing argument
amp.callRemote(Sum, { a: 1 });
// @ts-expect-error an undeclared argument
amp.callRemote(Sum, { a: 1, b: 2, c: 3 });
// @ts-expect-error not a command
amp.callRemote({ name: 'Sum' }, { a: 1, b: 2 });
amp.callRemote(Sum, { a: 1, b: 2 }).addCallback((r) => {
  // @ts-expect-error no such response value
  return r.sum;
});

// Optional arguments may be left out or null, and decode as possibly absent.
const Opt = new Command({
  name: 'Opt',
  arguments: { need: new Unicode(), maybe: new Integer({ optional: true }) },
  response: { out: new Float({ optional: true }) },
});
amp.callRemote(Opt, { need: 'x' });
amp.callRemote(Opt, { need: 'x', maybe: null });
amp.callRemote(Opt, { need: 'x', maybe: 3 });
assertType<Equal<ResponseOf<typeof Opt>, { out?: number }>>();
assertType<Equal<ArgumentsOf<typeof Opt>, { need: string; maybe?: number | null }>>();
// @ts-expect-error the required one cannot be left out
amp.callRemote(Opt, { maybe: 3 });

// Every argument type: what callers give and what they get back.
const All = new Command({
  name: 'All',
  arguments: {
    i: new Integer(),
    big: new BigInteger(),
    s: new AmpString(),
    fl: new Float(),
    b: new AmpBoolean(),
    u: new Unicode(),
    l: new ListOf(new Integer()),
    al: new AmpList({ x: new Integer(), y: new Unicode({ optional: true }) }),
    dt: new DateTime(),
    d: new Decimal(),
  },
  response: { dt: new DateTime(), s: new AmpString(), al: new AmpList({ x: new Integer() }), big: new BigInteger() },
});
assertType<
  Equal<
    ArgumentsOf<typeof All>,
    {
      i: number;
      big: bigint | number;
      s: Uint8Array;
      fl: number;
      b: boolean;
      u: string;
      l: readonly number[];
      al: readonly { x: number; y?: string | null }[];
      dt: AmpDateTime | Date;
      d: string;
    }
  >
>();
assertType<Equal<ResponseOf<typeof All>, { dt: AmpDateTime; s: Buffer; al: { x: number }[]; big: bigint }>>();

// requiresAnswer: false returns undefined.
const Fire = new Command({ name: 'Fire', arguments: { n: new Integer() }, requiresAnswer: false });
const nothing = amp.callRemote(Fire, { n: 1 });
assertType<Equal<typeof nothing, undefined>>();

// A command with no arguments or response.
const Ping = new Command({ name: 'Ping' });
const pong = amp.callRemote(Ping, {});
assertType<Equal<typeof pong, Deferred<{}>>>();

// Responders get the decoded arguments, `this` is the protocol, and the result is checked.
class Calc extends AMP {
  factor = 2;
}
Sum.responder(Calc, function ({ a, b }) {
  assertType<Equal<typeof a, number>>();
  return { total: (a + b) * this.factor };
});
Sum.responder(Calc, async ({ a }) => ({ total: a }));
Sum.responder(Calc, ({ a }) => new Deferred<{ total: number }>().addCallback(() => ({ total: a })));
// @ts-expect-error wrong response type
Sum.responder(Calc, () => ({ total: 'three' }));
// @ts-expect-error missing response value
Sum.responder(Calc, () => ({}));
// @ts-expect-error no such argument
Sum.responder(Calc, ({ c }) => ({ total: c }));
Sum.responder(Calc, function () {
  // @ts-expect-error `this` is a Calc, which has no `divisor`
  return { total: this.divisor };
});
// A response with nothing required may return nothing.
Ping.responder(Calc, () => {});
Opt.responder(Calc, ({ need, maybe }) => {
  assertType<Equal<typeof maybe, number | undefined>>();
  return need.length > 0 ? { out: 1 } : undefined;
});

// Per-connection responders are typed the same way.
new Calc().respond(Sum, ({ a, b }) => ({ total: a - b }));
// @ts-expect-error wrong response type
new Calc().respond(Sum, () => ({ total: true }));

// DateTime takes a Date or an AmpDateTime and gives an AmpDateTime.
All.responder(Calc, ({ dt, s, big }) => {
  assertType<Equal<typeof dt, AmpDateTime>>();
  return { dt: new Date(), s, al: [{ x: 1 }], big: big + 1n };
});
