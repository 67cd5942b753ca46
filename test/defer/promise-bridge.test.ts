// Deferreds and the promise / AbortSignal world: then/await, fromPromise, thenables returned by
// callbacks, signals; also succeed/fail/execute/maybeDeferred (test_defer.py DeferredTests
// test_maybeDeferred*, DeferredFutureAdapterTests in spirit).
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/defer/errors';
import { Deferred } from '../../src/defer/deferred';
import { Failure } from '../../src/defer/failure';
import { execute, fail, maybeDeferred, succeed } from '../../src/defer/simple';
import { assertNoResult, failureResultOf, successResultOf } from './helpers';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('then / await', () => {
  it('await yields the result', async () => {
    const d = new Deferred<number>();
    setImmediate(() => d.callback(3));
    expect(await d).toBe(3);
  });

  it('await of a failed Deferred throws the raw error value', async () => {
    const err = new RangeError('r');
    await expect(fail(err)).rejects.toBe(err);
  });

  it('then does not consume the result: later callbacks see the same value', async () => {
    const d = succeed(5);
    const p = d.then((v) => v * 2);
    const later: number[] = [];
    d.addCallback((v) => later.push(v));
    expect(later).toEqual([5]);
    expect(await p).toBe(10);
  });

  it('then does not consume a failure either: later errbacks still see it', async () => {
    const d = fail(new Error('still here'));
    await expect(d.then()).rejects.toThrow('still here');
    expect(failureResultOf(d).getErrorMessage()).toBe('still here');
  });

  it('then callbacks run asynchronously even on a fired Deferred (Promises/A+ 2.2.4)', async () => {
    const order: string[] = [];
    const p = succeed(1).then(() => order.push('then'));
    order.push('sync');
    await p;
    expect(order).toEqual(['sync', 'then']);
  });

  it('then observes the result at the point where it was called', async () => {
    const d = new Deferred<number>();
    const before = d.then((v) => v);
    d.addCallback((v) => v + 100);
    const after = d.then((v) => v);
    d.callback(1);
    expect(await before).toBe(1);
    expect(await after).toBe(101);
  });

  it('catch and finally behave like Promise methods', async () => {
    const seen: string[] = [];
    expect(await fail(new Error('c')).catch((e: Error) => e.message)).toBe('c');
    expect(await succeed('f').finally(() => seen.push('finally'))).toBe('f');
    expect(seen).toEqual(['finally']);
  });

  it('asPromise settles with the value or the failure value', async () => {
    expect(await succeed('x').asPromise()).toBe('x');
    const err = new Error('y');
    await expect(fail(err).asPromise()).rejects.toBe(err);
  });

  it('works with Promise.all and async functions', async () => {
    const a = new Deferred<number>();
    const b = succeed(2);
    setImmediate(() => a.callback(1));
    expect(await Promise.all([a, b])).toEqual([1, 2]);
  });

  it('a thrown Failure inside then-land is unwrapped to its value', async () => {
    const d = new Deferred<number>();
    d.addCallback(() => {
      throw new Failure(new TypeError('wrapped'));
    });
    d.callback(1);
    await expect(d).rejects.toBeInstanceOf(TypeError);
  });
});

describe('fromPromise and returned thenables', () => {
  it('fromPromise follows resolution', async () => {
    const d = Deferred.fromPromise(Promise.resolve('ok'));
    assertNoResult(d);
    await tick();
    expect(successResultOf(d)).toBe('ok');
  });

  it('fromPromise follows rejection', async () => {
    const d = Deferred.fromPromise(Promise.reject(new RangeError('no')));
    await tick();
    expect(failureResultOf(d, RangeError).getErrorMessage()).toBe('no');
  });

  it('cancelling a fromPromise Deferred errbacks at once and ignores the late outcome', async () => {
    let resolve!: (v: string) => void;
    const d = Deferred.fromPromise(new Promise<string>((r) => (resolve = r)));
    d.cancel();
    failureResultOf(d, CancelledError);
    resolve('late');
    await tick();
    expect(d.called).toBe(true);
  });

  it('fromPromise with a canceller that fires drops the late outcome', async () => {
    let resolve!: (v: string) => void;
    const d = Deferred.fromPromise(new Promise<string>((r) => (resolve = r)), (x) => x.callback('cancelled'));
    d.cancel();
    expect(successResultOf(d)).toBe('cancelled');
    resolve('late');
    await tick();
    expect(successResultOf(d)).toBe('cancelled');
  });

  it('a callback returning a promise pauses the chain until it settles', async () => {
    const d = new Deferred<number>();
    const seen: number[] = [];
    d.addCallback(async (v) => v + 1).addCallback((v) => seen.push(v));
    d.callback(1);
    expect(seen).toEqual([]);
    await tick();
    expect(seen).toEqual([2]);
  });

  it('a callback returning a rejecting promise takes the errback path', async () => {
    const d = new Deferred<number>();
    const seen: unknown[] = [];
    d.addCallback(async () => {
      throw new RangeError('async');
    }).addErrback((f) => seen.push(f.value));
    d.callback(1);
    await tick();
    expect(seen[0]).toBeInstanceOf(RangeError);
  });

  it('a synchronous thenable is adopted at once', () => {
    const d = new Deferred<number>();
    const out = d.addCallback(() => ({ then: (ok: (v: number) => void) => ok(9) }));
    d.callback(0);
    expect(successResultOf(out)).toBe(9);
  });

  it('a thenable whose then throws makes the chain fail', () => {
    const d = new Deferred<number>();
    const out = d.addCallback(() => ({
      then() {
        throw new TypeError('bad then');
      },
    }));
    d.callback(0);
    expect(failureResultOf(out, TypeError).getErrorMessage()).toBe('bad then');
  });

  it('a thenable that settles twice counts once', () => {
    const d = new Deferred<number>();
    const out = d.addCallback(() => ({
      then(ok: (v: number) => void, bad: (e: unknown) => void) {
        ok(1);
        ok(2);
        bad(new Error('no'));
      },
    }));
    d.callback(0);
    expect(successResultOf(out)).toBe(1);
  });

  it('an object with a non-function then is a plain value', () => {
    const value = { then: 42 };
    expect(successResultOf(succeed(1).addCallback(() => value))).toBe(value);
  });
});

describe('AbortSignal bridging', () => {
  it('cancelWhenAborted cancels when the signal aborts', () => {
    const controller = new AbortController();
    const d = new Deferred<number>().cancelWhenAborted(controller.signal);
    assertNoResult(d);
    controller.abort();
    failureResultOf(d, CancelledError);
  });

  it('an already-aborted signal cancels at once', () => {
    const d = Deferred.fromSignal<number>(AbortSignal.abort());
    failureResultOf(d, CancelledError);
  });

  it('fromSignal passes the canceller on', () => {
    const controller = new AbortController();
    const d = Deferred.fromSignal<string>(controller.signal, (x) => x.callback('stopped'));
    controller.abort();
    expect(successResultOf(d)).toBe('stopped');
  });

  it('the abort listener goes away once the chain passes, so a late abort does nothing', () => {
    const controller = new AbortController();
    let cancels = 0;
    const d = new Deferred<number>(() => cancels++).cancelWhenAborted(controller.signal);
    d.callback(1);
    controller.abort();
    expect(cancels).toBe(0);
    expect(successResultOf(d)).toBe(1);
  });

  it('toSignal aborts with CancelledError when the Deferred is cancelled', () => {
    const d = new Deferred<number>();
    const signal = d.toSignal();
    expect(signal.aborted).toBe(false);
    d.cancel();
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(CancelledError);
    failureResultOf(d, CancelledError);
  });

  it('toSignal lets an operation bound to the signal fire the Deferred before the default CancelledError', () => {
    const d = new Deferred<string>();
    d.toSignal().addEventListener('abort', () => d.callback('aborted cleanly'));
    d.cancel();
    expect(successResultOf(d)).toBe('aborted cleanly');
  });

  it('toSignal never aborts once the Deferred has fired', () => {
    const d = new Deferred<number>();
    const signal = d.toSignal();
    d.callback(1);
    d.cancel();
    expect(signal.aborted).toBe(false);
    expect(d.toSignal().aborted).toBe(false);
  });
});

describe('succeed / fail / execute / maybeDeferred', () => {
  it('maybeDeferred passes a synchronous result (DeferredTests.test_maybeDeferredSync)', () => {
    const value = {};
    expect(successResultOf(maybeDeferred(() => value))).toBe(value);
  });

  it('maybeDeferred passes arguments (DeferredTests.test_maybeDeferredSyncWithArgs)', () => {
    expect(successResultOf(maybeDeferred((x: number) => x + 5, 10))).toBe(15);
  });

  it('maybeDeferred catches a synchronous exception (DeferredTests.test_maybeDeferredSyncException)', () => {
    const expected = new RangeError('that value is unacceptable');
    const f = failureResultOf(
      maybeDeferred(() => {
        throw expected;
      }),
    );
    expect(f.value).toBe(expected);
  });

  it('maybeDeferred turns a returned Failure into a failed Deferred (DeferredTests.test_maybeDeferredSyncFailure)', () => {
    const expected = new Failure(new TypeError('10 + 5'));
    expect(failureResultOf(maybeDeferred(() => expected))).toBe(expected);
  });

  it('maybeDeferred returns a returned Deferred as is (DeferredTests.test_maybeDeferredAsync)', () => {
    const d1 = new Deferred<string>();
    const d2 = maybeDeferred(() => d1);
    expect(d2).toBe(d1);
    d1.callback('Success');
    expect(successResultOf(d2)).toBe('Success');
  });

  it('maybeDeferred lets a failing Deferred pass by (DeferredTests.test_maybeDeferredAsyncError)', () => {
    const d1 = new Deferred<null>();
    const d2 = maybeDeferred(() => d1);
    d1.errback(new Failure(new RangeError()));
    failureResultOf(d2, RangeError);
  });

  it('maybeDeferred follows an async function (DeferredTests.test_maybeDeferredCoroutineSuccess)', async () => {
    const d = maybeDeferred(async () => 7);
    await tick();
    expect(successResultOf(d)).toBe(7);
  });

  it('maybeDeferred follows a rejecting async function (DeferredTests.test_maybeDeferredCoroutineFailure)', async () => {
    class SomeException extends Error {}
    const d = maybeDeferred(async () => {
      throw new SomeException();
    });
    await tick();
    expect(failureResultOf(d).type).toBe(SomeException);
  });

  it('execute wraps the return value as is, or the exception', () => {
    expect(successResultOf(execute((a: number, b: number) => a * b, 3, 4))).toBe(12);
    expect(
      failureResultOf(
        execute(() => {
          throw new RangeError('e');
        }),
        RangeError,
      ).getErrorMessage(),
    ).toBe('e');
  });

  it('succeed() without a value fires with undefined', () => {
    expect(successResultOf(succeed())).toBeUndefined();
  });

  it('fail() of a Failure keeps it', () => {
    const f = new Failure(new Error('same'));
    expect(failureResultOf(fail(f))).toBe(f);
  });
});
