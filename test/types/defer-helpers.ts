// Type tests for the Deferred helpers (npm run typecheck).
import {
  Deferred,
  DeferredList,
  DeferredLock,
  DeferredQueue,
  DeferredSemaphore,
  Failure,
  ensureDeferred,
  execute,
  gatherResults,
  inlineCallbacks,
  maybeDeferred,
  race,
  succeed,
  type DeferredListEntry,
  type InlineGenerator,
} from '../../src/index';

type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_?: T): void {}

// maybeDeferred unwraps what the function returns.
const m1 = maybeDeferred(() => 1);
assertType<Equal<typeof m1, Deferred<number>>>();
const m2 = maybeDeferred(async (s: string) => s.length, 'abc');
assertType<Equal<typeof m2, Deferred<number>>>();
// @ts-expect-error argument of the wrong type
maybeDeferred((s: string) => s, 1);

// execute keeps the return type as is.
const e1 = execute(() => 'x');
assertType<Equal<typeof e1, Deferred<string>>>();

// gatherResults keeps tuple element types.
const g = gatherResults([succeed(1), succeed('a'), Promise.resolve(true)]);
assertType<Equal<typeof g, Deferred<[number, string, boolean]>>>();
const many: Deferred<number>[] = [];
const gm = gatherResults(many);
assertType<Equal<typeof gm, Deferred<number[]>>>();

// DeferredList entries are [true, T] | [false, Failure].
const dl = new DeferredList([succeed(1), succeed(2)]);
assertType<Equal<typeof dl, DeferredList<DeferredListEntry<number>[]>>>();
dl.addCallback((entries) => {
  for (const [ok, value] of entries) {
    if (ok) {
      assertType<Equal<typeof value, number>>();
    } else {
      assertType<Equal<typeof value, Failure>>();
    }
  }
});
const first = new DeferredList([succeed('a')], { fireOnOneCallback: true });
assertType<Equal<typeof first, DeferredList<[result: string, index: number] | DeferredListEntry<string>[]>>>();

// race gives [index, value].
const r = race([succeed(1), succeed(2)]);
assertType<Equal<typeof r, Deferred<[index: number, result: number]>>>();

// inlineCallbacks keeps parameters and the return type.
const fetchLength = inlineCallbacks(function* (url: string) {
  const body: string = yield succeed(url);
  return body.length;
});
const fl = fetchLength('x');
assertType<Equal<typeof fl, Deferred<number>>>();
// @ts-expect-error wrong parameter type
fetchLength(42);
// @ts-expect-error inlineCallbacks needs a generator function
inlineCallbacks(() => 5);

// ensureDeferred accepts Deferreds, promises and generators.
function* gen(): InlineGenerator<string> {
  return 'x';
}
const en1 = ensureDeferred(gen());
assertType<Equal<typeof en1, Deferred<string>>>();
const en2 = ensureDeferred(Promise.resolve(2));
assertType<Equal<typeof en2, Deferred<number>>>();

// Lock, semaphore, queue.
const lock = new DeferredLock();
const acquired = lock.acquire();
assertType<Equal<typeof acquired, Deferred<DeferredLock>>>();
const ran = lock.run((a: number, b: number) => succeed(a + b), 1, 2);
assertType<Equal<typeof ran, Deferred<number>>>();
const sem = new DeferredSemaphore(2);
const semRan = sem.run(async () => 'done');
assertType<Equal<typeof semRan, Deferred<string>>>();
const q = new DeferredQueue<number>();
q.put(1);
// @ts-expect-error the queue holds numbers
q.put('one');
const got = q.get();
assertType<Equal<typeof got, Deferred<number>>>();

// succeed follows what callback() follows: a promise or Deferred is waited for.
const sp = succeed(Promise.resolve(1));
assertType<Equal<typeof sp, Deferred<number>>>();
const sf = succeed(new Failure(new Error('x')));
assertType<Equal<typeof sf, Deferred<never>>>();
// callback accepts a Failure or a promise of T, but not another type.
const cbTarget = new Deferred<number>();
cbTarget.callback(Promise.resolve(2));
cbTarget.callback(new Failure(new Error('e')));
// @ts-expect-error a promise of the wrong type
cbTarget.callback(Promise.resolve('2'));
