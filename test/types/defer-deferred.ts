// Type tests for Deferred: compiled by `npm run typecheck`; every @ts-expect-error line must fail
// to compile, everything else must compile.
import { Deferred, Failure, succeed, fail, type Settled } from '../../src/index';

type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_?: T): void {}

// addCallback maps the result type.
const d = new Deferred<number>();
const s = d.addCallback((x) => x.toFixed());
assertType<Equal<typeof s, Deferred<string>>>();

// Returned Deferreds and promises are unwrapped.
const viaDeferred = d.addCallback((x) => succeed(String(x)));
assertType<Equal<typeof viaDeferred, Deferred<string>>>();
const viaPromise = d.addCallback(async (x) => x > 0);
assertType<Equal<typeof viaPromise, Deferred<boolean>>>();

// A returned Failure adds no value type.
const maybeFail = d.addCallback((x): number | Failure => (x > 0 ? x : new Failure(new Error('neg'))));
assertType<Equal<typeof maybeFail, Deferred<number>>>();

// Extra arguments are checked against the callback's parameters.
const withArgs = d.addCallback((x: number, suffix: string, n: number) => x + suffix + n, '!', 2);
assertType<Equal<typeof withArgs, Deferred<string>>>();
// @ts-expect-error the extra argument must be a string
d.addCallback((x: number, suffix: string) => x + suffix, 3);
// @ts-expect-error a missing extra argument
d.addCallback((x: number, suffix: string) => x + suffix);

// A callback expecting another type is refused.
// @ts-expect-error string parameter on a Deferred<number>
d.addCallback((x: string) => x.length);
// @ts-expect-error not a function
d.addCallback(42);

// addErrback unions the recovered type; its parameter is a Failure.
const recovered = d.addErrback((f) => f.getErrorMessage());
assertType<Equal<typeof recovered, Deferred<number | string>>>();
// @ts-expect-error errbacks receive a Failure, not a number
d.addErrback((f: number) => f);

// addBoth sees T | Failure.
const both = d.addBoth((r) => (r instanceof Failure ? -1 : r * 2));
assertType<Equal<typeof both, Deferred<number>>>();

// addCallbacks combines both paths.
const combined = d.addCallbacks(
  (x) => String(x),
  (f) => f.check(TypeError) !== null,
);
assertType<Equal<typeof combined, Deferred<string | boolean>>>();

// callback takes T.
d.callback(1);
// @ts-expect-error wrong type for callback
d.callback('one');

// Awaiting yields T.
async function awaiting(): Promise<void> {
  const n = await new Deferred<number>();
  assertType<Equal<typeof n, number>>();
  const viaThen = await succeed('x').then((v) => v.length);
  assertType<Equal<typeof viaThen, number>>();
}
void awaiting;

// Settled unwraps nested awaitables and drops Failure.
assertType<Equal<Settled<Deferred<Promise<number>> | Failure>, number>>();

// fail() is Deferred<never> unless told otherwise, so it fits anywhere.
const failed: Deferred<string> = fail(new Error('x'));
void failed;

// Deferred is covariant in its result: a Deferred<number> is a Deferred<number | string>.
const widened: Deferred<number | string> = new Deferred<number>();
void widened;

// The canceller receives the Deferred.
new Deferred<number>((self) => {
  assertType<Equal<typeof self, Deferred<number>>>();
});

// addTimeout with onTimeoutCancel widens the type.
declare const clock: import('../../src/index').IReactorTime;
const timed = new Deferred<number>().addTimeout(1, clock, () => 'timeout' as const);
assertType<Equal<typeof timed, Deferred<number | 'timeout'>>>();
// @ts-expect-error the clock must be an IReactorTime
new Deferred<number>().addTimeout(1, {});

// Signals and promises.
const fromP = Deferred.fromPromise(Promise.resolve(3));
assertType<Equal<typeof fromP, Deferred<number>>>();
const sig: AbortSignal = new Deferred().toSignal();
void sig;
