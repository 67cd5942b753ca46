// inlineCallbacks and ensureDeferred, after twisted/internet/test/test_inlinecb.py and
// twisted/test/test_defer.py EnsureDeferredTests.
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/defer/errors';
import { InvalidArgTypeError } from '../../src/errors';
import { Deferred } from '../../src/defer/deferred';
import { Failure } from '../../src/defer/failure';
import { ensureDeferred, inlineCallbacks, type InlineGenerator } from '../../src/defer/inline-callbacks';
import { fail, succeed } from '../../src/defer/simple';
import { assertNoResult, failureResultOf, successResultOf, thrownBy } from './helpers';

class TerminalException extends Error {}
class MyException extends Error {}

function getValueViaDeferred<T>(v: T): Deferred<T> {
  return succeed(v);
}

function getDivisionFailure(msg: string): Deferred<never> {
  return fail(new RangeError(msg));
}

/** Fires each Deferred with its value, or errbacks it when the value is an Error. */
function runCallbacksOnDeferreds(list: [Deferred<any>, unknown][]): void {
  for (const [d, x] of list) {
    if (x instanceof Error) d.errback(x);
    else d.callback(x);
  }
}

describe('inlineCallbacks basics (BasicTests)', () => {
  it('yields a succeeding and a failing Deferred and returns a value (testBasics)', () => {
    const gen = inlineCallbacks(function* () {
      const x: string = yield getValueViaDeferred('hi');
      expect(x).toBe('hi');
      try {
        yield getDivisionFailure('OMG');
        expect.unreachable();
      } catch (e) {
        expect((e as Error).message).toBe('OMG');
      }
      return 'WOOSH';
    });
    expect(successResultOf(gen())).toBe('WOOSH');
  });

  it('yields promises and catches their rejections (testBasicsAsync)', async () => {
    const gen = inlineCallbacks(function* () {
      const x: string = yield Promise.resolve('hi');
      expect(x).toBe('hi');
      try {
        yield Promise.reject(new RangeError('OMG'));
      } catch (e) {
        expect((e as Error).message).toBe('OMG');
        return 'WOOSH';
      }
      return 'not reached';
    });
    expect(await gen()).toBe('WOOSH');
  });

  it('an exception in the generator fails the Deferred (testProducesException)', () => {
    const gen = inlineCallbacks(function* () {
      yield getValueViaDeferred('hi');
      throw new RangeError('division');
    });
    expect(failureResultOf(gen(), RangeError).getErrorMessage()).toBe('division');
  });

  it('a generator that never yields results in undefined (testNothing)', () => {
    const gen = inlineCallbacks(function* () {
      if (Math.random() > 2) yield 1;
    });
    expect(successResultOf(gen())).toBeUndefined();
  });

  it('a handled failure does not fail the Deferred (testHandledTerminalFailure)', () => {
    const gen = inlineCallbacks(function* () {
      try {
        yield fail(new TerminalException('Handled Terminal Failure'));
      } catch (e) {
        if (!(e instanceof TerminalException)) throw e;
      }
    });
    expect(successResultOf(gen())).toBeUndefined();
  });

  it('handles a Deferred that fails later (testHandledTerminalAsyncFailure)', () => {
    const gen = inlineCallbacks(function* (d: Deferred<unknown>) {
      try {
        yield d;
      } catch (e) {
        if (!(e instanceof TerminalException)) throw e;
      }
    });
    const d = new Deferred<unknown>();
    const result = gen(d);
    assertNoResult(result);
    d.errback(new TerminalException('Handled Terminal Failure'));
    expect(successResultOf(result)).toBeUndefined();
  });

  it('handles a failure that comes through an async function awaiting a Deferred (testHandledCoroAsyncFailure)', async () => {
    const d = new Deferred<unknown>();
    const coro = async (): Promise<unknown> => await d;
    const gen = inlineCallbacks(function* () {
      try {
        yield coro();
      } catch (e) {
        if (!(e instanceof TerminalException)) throw e;
      }
    });
    const result = gen();
    d.errback(new TerminalException('Handled Terminal Failure'));
    expect(await result).toBeUndefined();
  });

  it('yielding many fired Deferreds does not grow the stack (testStackUsage)', () => {
    const gen = inlineCallbacks(function* () {
      for (let i = 0; i < 100_000; i++) yield succeed(1);
      return 0;
    });
    expect(successResultOf(gen())).toBe(0);
  });

  it('yielding many plain values does not grow the stack (testStackUsage2)', () => {
    const gen = inlineCallbacks(function* () {
      for (let i = 0; i < 100_000; i++) yield 1;
      return 0;
    });
    expect(successResultOf(gen())).toBe(0);
  });

  it('a yielded plain value comes straight back (testYieldNonDeferred)', () => {
    const gen = inlineCallbacks(function* () {
      const x: number = yield 5;
      return x;
    });
    expect(successResultOf(gen())).toBe(5);
  });

  it('a bare return results in undefined (testReturnNoValue)', () => {
    const gen = inlineCallbacks(function* () {
      yield 5;
      return;
    });
    expect(successResultOf(gen())).toBeUndefined();
  });

  it('a function that does not produce a generator is rejected (NonLocalExitTests.test_nonGeneratorReturn)', () => {
    const wrapped = inlineCallbacks((() => 5) as unknown as () => InlineGenerator<number>);
    const e = thrownBy(() => wrapped());
    expect(e).toBeInstanceOf(InvalidArgTypeError);
    expect((e as Error).message).toContain('inlineCallbacks');
  });

  it('passes arguments and this through', () => {
    const obj = {
      base: 10,
      add: inlineCallbacks(function* (this: { base: number }, a: number, b: number) {
        const x: number = yield succeed(a + b);
        return this.base + x;
      }),
    };
    expect(successResultOf(obj.add(1, 2))).toBe(13);
    expect(obj.add.name).toBe('');
  });

  it('keeps the name of the generator function', () => {
    const named = inlineCallbacks(function* fetchThings() {
      yield 1;
    });
    expect(named.name).toBe('fetchThings');
  });

  it('a returned Deferred is waited for', () => {
    const inner = new Deferred<number>();
    const gen = inlineCallbacks(function* () {
      yield 1;
      return inner;
    });
    const d = gen();
    assertNoResult(d);
    inner.callback(7);
    expect(successResultOf(d)).toBe(7);
  });

  it('takes the result of the yielded Deferred: it continues with undefined', () => {
    const awaited = succeed('v');
    const gen = inlineCallbacks(function* () {
      const v: string = yield awaited;
      return v;
    });
    expect(successResultOf(gen())).toBe('v');
    expect(successResultOf(awaited)).toBeUndefined();
  });

  it('throws the raw error value, not a Failure, into the generator', () => {
    const err = new TypeError('raw');
    let caught: unknown;
    const gen = inlineCallbacks(function* () {
      try {
        yield fail(new Failure(err));
      } catch (e) {
        caught = e;
      }
    });
    successResultOf(gen());
    expect(caught).toBe(err);
  });
});

describe('stacked inlineCallbacks (StackedInlineCallbacksTests)', () => {
  function makeF1(expectations: unknown[], deferredList: [Deferred<any>, unknown][]) {
    return inlineCallbacks(function* (x: number) {
      expectations.push(['f1 enter', x]);
      const d = new Deferred<number>();
      deferredList.push([d, x]);
      let y: number = yield d;
      y += 1;
      expectations.push(['f1 exit', y]);
      return y;
    });
  }

  it('a chain of inlineCallbacks blocking on one Deferred (test_nonCalledDeferredSingleYield)', () => {
    const expectations: unknown[] = [];
    const deferredList: [Deferred<any>, unknown][] = [];
    const f1 = makeF1(expectations, deferredList);
    const f2 = inlineCallbacks(function* (x: number) {
      expectations.push(['f2 enter', x]);
      let y: number = yield f1(x);
      y += 2;
      expectations.push(['f2 exit', y]);
      return y;
    });
    const f3 = inlineCallbacks(function* (x: number) {
      expectations.push(['f3 enter', x]);
      let y: number = yield f2(x);
      y += 4;
      expectations.push(['f3 exit', y]);
      return y;
    });
    const res = f3(1);
    runCallbacksOnDeferreds(deferredList);
    expect(successResultOf(res)).toBe(8);
    expect(expectations).toEqual([
      ['f3 enter', 1],
      ['f2 enter', 1],
      ['f1 enter', 1],
      ['f1 exit', 2],
      ['f2 exit', 4],
      ['f3 exit', 8],
    ]);
  });

  it('mixes with nested raw generators (test_nonCalledDeferredSingleYieldCoro)', () => {
    const expectations: unknown[] = [];
    const deferredList: [Deferred<any>, unknown][] = [];
    const f1 = makeF1(expectations, deferredList);
    function* f2(x: number): InlineGenerator<number> {
      expectations.push(['f2 enter', x]);
      let y: number = yield f1(x);
      y += 2;
      expectations.push(['f2 exit', y]);
      return y;
    }
    const f3 = inlineCallbacks(function* (x: number) {
      expectations.push(['f3 enter', x]);
      let y: number = yield f2(x);
      y += 4;
      expectations.push(['f3 exit', y]);
      return y;
    });
    const res = f3(1);
    runCallbacksOnDeferreds(deferredList);
    expect(successResultOf(res)).toBe(8);
    expect(expectations.map((e) => (e as string[])[0])).toEqual(['f3 enter', 'f2 enter', 'f1 enter', 'f1 exit', 'f2 exit', 'f3 exit']);
  });

  it('the same function yielded several times (test_nonCalledDeferredMultipleYields)', () => {
    const expectations: unknown[] = [];
    const deferredList: [Deferred<any>, unknown][] = [];
    const f1 = makeF1(expectations, deferredList);
    const f2 = inlineCallbacks(function* (x: number) {
      expectations.push(['f2 enter', x]);
      let y: number = yield f1(x);
      y = yield f1(y);
      y = yield f1(y);
      y += 2;
      expectations.push(['f2 exit', y]);
      return y;
    });
    const f3 = inlineCallbacks(function* (x: number) {
      expectations.push(['f3 enter', x]);
      let y: number = yield f2(x);
      y = yield f2(y);
      y = yield f2(y);
      y += 4;
      expectations.push(['f3 exit', y]);
      return y;
    });
    const res = f3(1);
    // Each Deferred is created while the previous one fires: fire them as they appear.
    for (let i = 0; i < deferredList.length; i++) deferredList[i][0].callback(deferredList[i][1]);
    expect(successResultOf(res)).toBe(20);
    expect(expectations).toHaveLength(26);
    expect(expectations[expectations.length - 1]).toEqual(['f3 exit', 20]);
    expect(expectations[8]).toEqual(['f2 exit', 6]);
  });

  it('async functions awaiting inlineCallbacks Deferreds interleave (test_nonCalledDeferredMultipleYieldsCoro)', async () => {
    const expectations: unknown[] = [];
    const deferredList: [Deferred<any>, unknown][] = [];
    const f1 = makeF1(expectations, deferredList);
    const f2 = async (x: number): Promise<number> => {
      expectations.push(['f2 enter', x]);
      let y = await f1(x);
      y = await f1(y);
      y = await f1(y);
      y += 2;
      expectations.push(['f2 exit', y]);
      return y;
    };
    const f3 = inlineCallbacks(function* (x: number) {
      expectations.push(['f3 enter', x]);
      let y: number = yield f2(x);
      y = yield f2(y);
      y = yield f2(y);
      y += 4;
      expectations.push(['f3 exit', y]);
      return y;
    });
    const res = f3(1);
    for (let i = 0; i < 9; i++) {
      while (deferredList.length <= i) await new Promise((r) => setImmediate(r));
      deferredList[i][0].callback(deferredList[i][1]);
    }
    expect(await res).toBe(20);
    expect(expectations[expectations.length - 1]).toEqual(['f3 exit', 20]);
  });

  it('a callback added to an inlineCallbacks Deferred before yielding it (test_intermediateAddCallbacksAndNoWaiting)', () => {
    const expectations: unknown[] = [];
    const f1 = inlineCallbacks(function* (x: number) {
      expectations.push(['f1 enter', x]);
      let y: number = yield x;
      y += 1;
      expectations.push(['f1 exit', y]);
      return y;
    });
    const f2 = (x: number): number => {
      expectations.push(['f2 enter', x]);
      expectations.push(['f2 exit', x + 2]);
      return x + 2;
    };
    const f3 = inlineCallbacks(function* (x: number) {
      expectations.push(['f3 enter', x]);
      const d = f1(x).addCallback(f2);
      let y: number = yield d;
      y += 4;
      expectations.push(['f3 exit', y]);
      return y;
    });
    expect(successResultOf(f3(1))).toBe(8);
    expect(expectations).toEqual([
      ['f3 enter', 1],
      ['f1 enter', 1],
      ['f1 exit', 2],
      ['f2 enter', 2],
      ['f2 exit', 4],
      ['f3 exit', 8],
    ]);
  });

  it('...when the first Deferred waits (test_intermediateAddCallbacksAndWithWaitingFirstYield)', () => {
    const expectations: unknown[] = [];
    const deferredList: [Deferred<any>, unknown][] = [];
    const f1 = makeF1(expectations, deferredList);
    const f2 = (x: number): number => {
      expectations.push(['f2', x]);
      return x + 2;
    };
    const f3 = inlineCallbacks(function* (x: number) {
      const d = f1(x).addCallback(f2);
      let y: number = yield d;
      y += 4;
      return y;
    });
    const res = f3(1);
    runCallbacksOnDeferreds(deferredList);
    expect(successResultOf(res)).toBe(8);
    expect(expectations).toEqual([
      ['f1 enter', 1],
      ['f1 exit', 2],
      ['f2', 2],
    ]);
  });

  it('...when a second Deferred waits (test_intermediateAddCallbacksAndWithWaitingSecondYield)', () => {
    const expectations: unknown[] = [];
    const deferredList: [Deferred<any>, unknown][] = [];
    const f1 = makeF1(expectations, deferredList);
    const f3 = inlineCallbacks(function* (x: number) {
      let y: number = yield f1(x);
      const d = f1(y).addCallback((v: number) => v + 2);
      y = yield d;
      return y + 4;
    });
    const res = f3(1);
    for (let i = 0; i < deferredList.length; i++) deferredList[i][0].callback(deferredList[i][1]);
    expect(successResultOf(res)).toBe(9);
  });

  it('an exception from a nested inlineCallbacks is raised at the yield (test_raisesExceptionFromDeferredWithWaitingFirstCallback)', () => {
    const expectations: unknown[] = [];
    const deferredList: [Deferred<any>, unknown][] = [];
    const f2 = inlineCallbacks(function* (x: number) {
      expectations.push(['f2 enter', x]);
      const d = new Deferred<number>();
      deferredList.push([d, new MyException()]);
      const y: number = yield d;
      expectations.push(['f2 exit', y]);
      return y;
    });
    const f3 = inlineCallbacks(function* (x: number) {
      expectations.push(['f3 enter', x]);
      try {
        x = yield f2(x);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(MyException);
      }
      x += 4;
      expectations.push(['f3 exit', x]);
      return x;
    });
    const res = f3(1);
    runCallbacksOnDeferreds(deferredList);
    expect(successResultOf(res)).toBe(5);
    expect(expectations).toEqual([
      ['f3 enter', 1],
      ['f2 enter', 1],
      ['f3 exit', 5],
    ]);
  });

  it('...after a first successful nested wait (test_raisesExceptionFromDeferredWithWaitingSecondCallback)', () => {
    const expectations: unknown[] = [];
    const deferredList: [Deferred<any>, unknown][] = [];
    const f1 = makeF1(expectations, deferredList);
    const f2 = inlineCallbacks(function* (x: number) {
      expectations.push(['f2 enter', x]);
      const d = new Deferred<number>();
      deferredList.push([d, new MyException()]);
      return (yield d) as number;
    });
    const f3 = inlineCallbacks(function* (x: number) {
      expectations.push(['f3 enter', x]);
      x = yield f1(x);
      try {
        x = yield f2(x);
      } catch (e) {
        expect(e).toBeInstanceOf(MyException);
      }
      x += 4;
      expectations.push(['f3 exit', x]);
      return x;
    });
    const res = f3(1);
    for (let i = 0; i < deferredList.length; i++) {
      const [d, x] = deferredList[i];
      if (x instanceof Error) d.errback(x);
      else d.callback(x);
    }
    expect(successResultOf(res)).toBe(6);
    expect(expectations).toEqual([
      ['f3 enter', 1],
      ['f1 enter', 1],
      ['f1 exit', 2],
      ['f2 enter', 2],
      ['f3 exit', 6],
    ]);
  });
});

describe('cancellation of inlineCallbacks (CancellationTests)', () => {
  class UntranslatedError extends Error {}
  class TranslatedError extends Error {}
  class DontFail extends Error {
    constructor(readonly actualValue: number) {
      super('DontFail');
    }
  }
  type Stack = 'NOT_STACKED' | 'STACKED_INLINECB' | 'STACKED_GENERATOR';

  const stackedInlineCB = inlineCallbacks(function* (getChild: () => Deferred<any>) {
    const x: unknown = yield getChild();
    return x;
  });
  function* stackedGenerator(getChild: () => Deferred<any>): InlineGenerator<unknown> {
    return (yield getChild()) as unknown;
  }

  /** The generator G of the Twisted tests; D is the Deferred it returns, C the one it awaits. */
  const sampleInlineCB = inlineCallbacks(function* (stack: Stack, getChild: () => Deferred<any>, first?: Deferred<unknown>) {
    let x: number;
    try {
      if (stack === 'NOT_STACKED') {
        x = yield getChild();
      } else {
        if (first) yield first;
        x = stack === 'STACKED_INLINECB' ? yield stackedInlineCB(getChild) : yield stackedGenerator(getChild);
      }
    } catch (e) {
      if (e instanceof UntranslatedError) throw new TranslatedError();
      if (e instanceof DontFail) x = e.actualValue - 2;
      else throw e;
    }
    return x + 1;
  });

  const variants: [string, Stack, boolean][] = [
    ['', 'NOT_STACKED', false],
    ['StackedInlineCb', 'STACKED_INLINECB', false],
    ['StackedInlineCbOnSecondDeferred', 'STACKED_INLINECB', true],
    ['StackedCoro', 'STACKED_GENERATOR', false],
    ['StackedCoroOnSecondDeferred', 'STACKED_GENERATOR', true],
  ];

  for (const [suffix, stack, onSecond] of variants) {
    it(`cancelling D cancels C (test_CascadeCancellingOnCancel${suffix || 'NotStacked'})`, () => {
      let childResult: unknown = 'FAILURE';
      const getChild = (): Deferred<unknown> =>
        new Deferred<unknown>().addErrback((f) => {
          childResult = f.check(CancelledError);
          return f;
        });
      const first = onSecond ? new Deferred<unknown>() : undefined;
      const d = sampleInlineCB(stack, getChild, first);
      d.addErrback(() => null);
      first?.callback(1);
      d.cancel();
      expect(childResult).toBe(CancelledError);
    });

    it(`D fails with C's CancelledError (test_ErrbackCancelledErrorOnCancel${suffix})`, () => {
      const outstanding: Deferred<unknown>[] = [];
      const first = onSecond ? new Deferred<unknown>() : undefined;
      const d = sampleInlineCB(
        stack,
        () => {
          const c = new Deferred<unknown>();
          outstanding.push(c);
          return c;
        },
        first,
      );
      first?.callback(1);
      d.cancel();
      expect(() => failureResultOf(d).raiseException()).toThrow(CancelledError);
    });

    it(`G may translate C's error into another error (test_ErrorToErrorTranslation${suffix})`, () => {
      const a = new Deferred<unknown>((it) => it.errback(new UntranslatedError()));
      const first = onSecond ? new Deferred<unknown>() : undefined;
      const d = sampleInlineCB(stack, () => a, first);
      first?.callback(1);
      d.cancel();
      expect(() => failureResultOf(d).raiseException()).toThrow(TranslatedError);
    });

    it(`G may translate C's error into a result (test_ErrorToSuccessTranslation${suffix})`, () => {
      const a = new Deferred<unknown>((it) => it.errback(new DontFail(4321)));
      const first = onSecond ? new Deferred<unknown>() : undefined;
      const d = sampleInlineCB(stack, () => a, first);
      const results: unknown[] = [];
      d.addCallback((r) => results.push(r));
      first?.callback(1);
      d.cancel();
      expect(results).toEqual([4320]);
    });

    it(`D waits until C's chain reaches G (test_AsynchronousCancellation${suffix})`, () => {
      const more = new Deferred<number>();
      const deferMe = (): Deferred<unknown> =>
        new Deferred<unknown>().addErrback((f) => {
          f.trap(CancelledError);
          return more;
        });
      const first = onSecond ? new Deferred<unknown>() : undefined;
      const d = sampleInlineCB(stack, deferMe, first);
      first?.callback(1);
      d.cancel();
      assertNoResult(d);
      more.callback(6543);
      expect(successResultOf(d)).toBe(6544);
    });
  }

  it('a generator that catches the CancelledError goes on; a second cancel cancels the next wait (test_inlineCallbacksCancelCaptured)', () => {
    const canceller1: unknown[] = [];
    const canceller2: unknown[] = [];
    const d1 = new Deferred<unknown>((d) => canceller1.push(d));
    const d2 = new Deferred<unknown>((d) => canceller2.push(d));
    const testFunc = inlineCallbacks(function* () {
      try {
        yield d1;
      } catch {
        // carry on
      }
      yield d2;
    });
    const funcD = testFunc();
    assertNoResult(d1);
    assertNoResult(d2);
    assertNoResult(funcD);
    funcD.cancel();
    expect(canceller1).toEqual([d1]);
    expect(canceller2).toEqual([]);
    assertNoResult(funcD);
    funcD.cancel();
    expect(failureResultOf(funcD).type).toBe(CancelledError);
    expect(canceller2).toEqual([d2]);
  });

  it('cancelling while waiting on a returned Deferred cancels it', () => {
    let innerCancelled = 0;
    const inner = new Deferred<number>(() => {
      innerCancelled++;
    });
    const gen = inlineCallbacks(function* () {
      yield 1;
      return inner;
    });
    const d = gen();
    d.cancel();
    expect(innerCancelled).toBe(1);
    failureResultOf(d, CancelledError);
  });

  it('cancelling a yielded promise abandons it with CancelledError', async () => {
    let release!: (v: number) => void;
    const p = new Promise<number>((r) => (release = r));
    const gen = inlineCallbacks(function* () {
      return (yield p) as number;
    });
    const d = gen();
    d.cancel();
    failureResultOf(d, CancelledError);
    release(1);
    await p;
  });
});

describe('ensureDeferred (EnsureDeferredTests)', () => {
  it('passes Deferreds through unchanged (test_passesThroughDeferreds)', () => {
    const d1 = new Deferred<null>();
    expect(ensureDeferred(d1)).toBe(d1);
  });

  it('refuses anything else (test_willNotAllowNonDeferredOrCoroutine)', () => {
    expect(thrownBy(() => ensureDeferred('something' as unknown as Deferred<string>))).toBeInstanceOf(InvalidArgTypeError);
    expect(thrownBy(() => ensureDeferred(null as unknown as Deferred<string>))).toBeInstanceOf(InvalidArgTypeError);
  });

  it('turns a promise (an async function call) into a Deferred (test_ensureDeferredCoroutine)', async () => {
    const run = async (): Promise<string> => await succeed('foo');
    const d = ensureDeferred(run());
    expect(d).toBeInstanceOf(Deferred);
    expect(await d).toBe('foo');
  });

  it('turns a generator into a Deferred (test_ensureDeferredGenerator)', () => {
    function* run(): InlineGenerator<string> {
      const res: string = yield succeed('foo');
      return res;
    }
    const d = ensureDeferred(run());
    expect(d).toBeInstanceOf(Deferred);
    expect(successResultOf(d)).toBe('foo');
  });
});
