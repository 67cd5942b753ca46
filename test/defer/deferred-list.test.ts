// DeferredList, gatherResults and race, after twisted/test/test_defer.py DeferredTests,
// DeferredListEmptyTests, RaceTests and FirstErrorTests.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, FailureGroup, FirstError } from '../../src/defer/errors';
import { Deferred } from '../../src/defer/deferred';
import { DeferredList, type DeferredListEntry } from '../../src/defer/deferred-list';
import { Failure } from '../../src/defer/failure';
import { gatherResults } from '../../src/defer/gather';
import { race } from '../../src/defer/race';
import { fail, succeed } from '../../src/defer/simple';
import { getDeferredLogger, setDeferredLogger } from '../../src/defer/unhandled';
import { assertNoResult, failureResultOf, GenericError, successResultOf } from './helpers';

const fakeCallbackCanceller = (d: Deferred<string>): void => d.callback('Callback Result');

const originalLogger = getDeferredLogger();
afterEach(() => {
  setDeferredLogger(originalLogger);
});

describe('DeferredList', () => {
  it('collects [success, result] pairs in order (DeferredTests.testDeferredList)', () => {
    const d1 = new Deferred<string>();
    const d2 = new Deferred<string>();
    const d3 = new Deferred<string>();
    const dl = new DeferredList([d1, d2, d3]);
    const result: DeferredListEntry<string>[] = [];
    dl.addCallbacks(
      (list) => {
        result.push(...list);
      },
      () => undefined,
    );
    d1.callback('1');
    d2.addErrback(() => undefined);
    d2.errback(new GenericError('2'));
    d3.callback('3');
    expect(result[0]).toEqual([true, '1']);
    expect(result[1][0]).toBe(false);
    expect((result[1][1] as Failure).getErrorMessage()).toBe('2');
    expect(result[2]).toEqual([true, '3']);
  });

  it('fires at once when empty, never with fireOnOneCallback (DeferredTests.testEmptyDeferredList, DeferredListEmptyTests.testDeferredListEmpty)', () => {
    const result: unknown[] = [];
    new DeferredList([]).addCallback((r) => result.push(r));
    expect(result).toEqual([[]]);
    result.length = 0;
    const dl2 = new DeferredList([], { fireOnOneCallback: true });
    dl2.addCallback((r) => result.push(r));
    expect(result).toEqual([]);
  });

  it('fireOnOneErrback fails with FirstError carrying index and sub-failure (DeferredTests.testDeferredListFireOnOneError)', () => {
    const d1 = new Deferred<string>();
    const d2 = new Deferred<string>();
    const d3 = new Deferred<string>();
    const dl = new DeferredList([d1, d2, d3], { fireOnOneErrback: true });
    const result: Failure[] = [];
    dl.addErrback((f) => {
      result.push(f);
    });
    d2.addErrback(() => undefined);
    d1.callback('1');
    expect(result).toEqual([]);
    d2.errback(new GenericError('from def2'));
    expect(result).toHaveLength(1);
    expect(result[0].type).toBe(FirstError);
    const firstError = result[0].value as FirstError;
    expect(firstError.subFailure.type).toBe(GenericError);
    expect(firstError.subFailure.getErrorMessage()).toBe('from def2');
    expect(firstError.index).toBe(1);
    expect(firstError.code).toBe('ERR_IOREACTOR_FIRST_ERROR');
    d3.callback('3');
  });

  it('without consumeErrors later errbacks still see the failure (DeferredTests.testDeferredListDontConsumeErrors)', () => {
    const d1 = new Deferred<null>();
    const dl = new DeferredList([d1]);
    const errorTrap: Failure[] = [];
    d1.addErrback((f) => {
      errorTrap.push(f);
    });
    const lists: DeferredListEntry<null>[][] = [];
    dl.addCallback((l) => lists.push(l));
    d1.errback(new GenericError('Bang'));
    expect(errorTrap[0].getErrorMessage()).toBe('Bang');
    expect((lists[0][0][1] as Failure).getErrorMessage()).toBe('Bang');
  });

  it('consumeErrors hides the failure from later errbacks (DeferredTests.testDeferredListConsumeErrors)', () => {
    const d1 = new Deferred<null>();
    const dl = new DeferredList([d1], { consumeErrors: true });
    const errorTrap: Failure[] = [];
    d1.addErrback((f) => {
      errorTrap.push(f);
    });
    const lists: DeferredListEntry<null>[][] = [];
    dl.addCallback((l) => lists.push(l));
    d1.errback(new GenericError('Bang'));
    expect(errorTrap).toEqual([]);
    expect((lists[0][0][1] as Failure).getErrorMessage()).toBe('Bang');
  });

  it('fireOnOneErrback with an already-failed Deferred fails at once (DeferredTests.testDeferredListFireOnOneErrorWithAlreadyFiredDeferreds)', () => {
    const d1 = new Deferred<null>();
    const d2 = new Deferred<null>();
    d1.errback(new GenericError('Bang'));
    const dl = new DeferredList([d1, d2], { fireOnOneErrback: true });
    const result: Failure[] = [];
    dl.addErrback((f) => {
      result.push(f);
    });
    expect(result).toHaveLength(1);
    d1.addErrback(() => undefined);
  });

  it('with already-fired Deferreds it fires at once (DeferredTests.testDeferredListWithAlreadyFiredDeferreds)', () => {
    const d1 = new Deferred<number>();
    const d2 = new Deferred<number>();
    d1.errback(new GenericError('Bang'));
    d2.callback(2);
    const result: unknown[] = [];
    new DeferredList([d1, d2]).addCallback((r) => result.push(r));
    expect(result).toHaveLength(1);
    d1.addErrback(() => undefined);
  });

  it('fireOnOneCallback fires with [result, index] of the first success', () => {
    const d1 = new Deferred<string>();
    const d2 = new Deferred<string>();
    const dl = new DeferredList([d1, d2], { fireOnOneCallback: true });
    d2.callback('two');
    expect(successResultOf(dl)).toEqual(['two', 1]);
    d1.callback('one');
  });

  it('fireOnOneCallback with only failures fires with the full list once all failed', () => {
    const d1 = new Deferred<string>();
    const dl = new DeferredList([d1], { fireOnOneCallback: true, consumeErrors: true });
    d1.errback(new Error('x'));
    const r = successResultOf(dl) as DeferredListEntry<string>[];
    expect(r[0][0]).toBe(false);
  });

  it('tracks finishedCount and resultList while in progress', () => {
    const d1 = new Deferred<number>();
    const d2 = new Deferred<number>();
    const dl = new DeferredList([d1, d2]);
    d2.callback(7);
    expect(dl.finishedCount).toBe(1);
    expect(dl.resultList).toEqual([undefined, [true, 7]]);
    d1.callback(1);
  });

  it('accepts promises, following them', async () => {
    const dl = new DeferredList([Promise.resolve(1), succeed(2)]);
    expect(await dl).toEqual([
      [true, 1],
      [true, 2],
    ]);
  });

  it('cancel cancels every Deferred (DeferredTests.test_cancelDeferredList)', () => {
    const d1 = new Deferred<null>();
    const d2 = new Deferred<null>();
    const dl = new DeferredList([d1, d2]);
    dl.cancel();
    failureResultOf(d1, CancelledError);
    failureResultOf(d2, CancelledError);
  });

  it('cancel with a canceller that callbacks yields the list (DeferredTests.test_cancelDeferredListCallback)', () => {
    const d1 = new Deferred<string>(fakeCallbackCanceller);
    const d2 = new Deferred<string>();
    const dl = new DeferredList([d1, d2]);
    dl.cancel();
    failureResultOf(d2, CancelledError);
    const result = successResultOf(dl);
    expect(result[0]).toEqual([true, 'Callback Result']);
    expect(result[1][0]).toBe(false);
    expect((result[1][1] as Failure).check(CancelledError)).toBe(CancelledError);
  });

  it('cancel with fireOnOneCallback cancels all (DeferredTests.test_cancelDeferredListWithFireOnOneCallback)', () => {
    const d1 = new Deferred<null>();
    const d2 = new Deferred<null>();
    const dl = new DeferredList([d1, d2], { fireOnOneCallback: true });
    dl.cancel();
    failureResultOf(d1, CancelledError);
    failureResultOf(d2, CancelledError);
  });

  it('cancel with fireOnOneCallback and a callbacking canceller fires with [result, index] (DeferredTests.test_cancelDeferredListWithFireOnOneCallbackAndDeferredCallback)', () => {
    const d1 = new Deferred<string>(fakeCallbackCanceller);
    const d2 = new Deferred<string>();
    const dl = new DeferredList([d1, d2], { fireOnOneCallback: true });
    dl.cancel();
    failureResultOf(d2, CancelledError);
    expect(successResultOf(dl)).toEqual(['Callback Result', 0]);
  });

  it('cancel with fireOnOneErrback fails with FirstError(CancelledError) (DeferredTests.test_cancelDeferredListWithFireOnOneErrback)', () => {
    const d1 = new Deferred<null>();
    const d2 = new Deferred<null>();
    const dl = new DeferredList([d1, d2], { fireOnOneErrback: true });
    dl.cancel();
    failureResultOf(d1, CancelledError);
    failureResultOf(d2, CancelledError);
    const f = failureResultOf(dl, FirstError);
    expect((f.value as FirstError).subFailure.check(CancelledError)).toBe(CancelledError);
  });

  it('cancel with fireOnOneErrback when all cancellers callback yields the list (DeferredTests.test_cancelDeferredListWithFireOnOneErrbackAllDeferredsCallback)', () => {
    const d1 = new Deferred<string>(fakeCallbackCanceller);
    const d2 = new Deferred<string>(fakeCallbackCanceller);
    const dl = new DeferredList([d1, d2], { fireOnOneErrback: true });
    dl.cancel();
    expect(successResultOf(dl)).toEqual([
      [true, 'Callback Result'],
      [true, 'Callback Result'],
    ]);
  });

  it('cancel affects only the Deferreds given at construction (DeferredTests.test_cancelDeferredListWithOriginalDeferreds)', () => {
    const d1 = new Deferred<null>();
    const d2 = new Deferred<null>();
    const args = [d1, d2];
    const dl = new DeferredList(args);
    const d3 = new Deferred<null>();
    args.push(d3);
    dl.cancel();
    failureResultOf(d1, CancelledError);
    failureResultOf(d2, CancelledError);
    assertNoResult(d3);
  });

  it('cancel goes on past a throwing canceller and logs it (DeferredTests.test_cancelDeferredListWithException)', () => {
    const logged: unknown[] = [];
    setDeferredLogger({ error: (message, error) => logged.push([message, error]) });
    const d1 = new Deferred<null>(() => {
      throw new RangeError('test');
    });
    const d2 = new Deferred<null>();
    const dl = new DeferredList([d1, d2]);
    dl.cancel();
    failureResultOf(d2, CancelledError);
    expect(logged).toHaveLength(1);
    expect((logged[0] as [string, Error])[1]).toBeInstanceOf(RangeError);
    d1.callback(null);
    successResultOf(dl);
  });

  it('cancel after firing on one callback does nothing (DeferredTests.test_cancelFiredOnOneCallbackDeferredList)', () => {
    const d1 = new Deferred<null>();
    const d2 = new Deferred<null>();
    const dl = new DeferredList([d1, d2], { fireOnOneCallback: true });
    d1.callback(null);
    dl.cancel();
    assertNoResult(d2);
  });

  it('cancel after firing on one errback does nothing (DeferredTests.test_cancelFiredOnOneErrbackDeferredList)', () => {
    const d1 = new Deferred<null>();
    const d2 = new Deferred<null>();
    const dl = new DeferredList([d1, d2], { fireOnOneErrback: true });
    d1.errback(new GenericError('test'));
    dl.cancel();
    assertNoResult(d2);
    failureResultOf(d1, GenericError);
    failureResultOf(dl, FirstError);
  });

  it('is a Deferred subclass', () => {
    const dl = new DeferredList([]);
    expect(dl).toBeInstanceOf(Deferred);
    expect(dl).toBeInstanceOf(DeferredList);
    expect(String(dl)).toMatch(/^<DeferredList at 0x[0-9a-f]+ current result: \[\]>$/);
  });
});

describe('FirstError', () => {
  it('describes the index and the sub-failure (FirstErrorTests.test_str / test_repr)', () => {
    const f = new Failure(new RangeError('some text'));
    const e = new FirstError(f, 3);
    expect(e.message).toBe('FirstError[#3, [Failure RangeError: some text]]');
    expect(e.cause).toBe(f.value);
  });
});

describe('gatherResults', () => {
  it('gives the list of results, or fails with FirstError (DeferredTests.test_gatherResults)', () => {
    const results: unknown[] = [];
    gatherResults([succeed(1), succeed(2)]).addCallback((r) => results.push(r));
    expect(results).toEqual([[1, 2]]);
    const errors: Failure[] = [];
    const dl = [succeed(1), fail(new RangeError())];
    gatherResults(dl).addErrback((f) => {
      errors.push(f);
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(Failure);
    dl[1].addErrback(() => 1);
  });

  it('consumeErrors turns the individual failure into undefined (DeferredTests.test_gatherResultsWithConsumeErrors)', () => {
    const dgood = succeed(1);
    const dbad = fail(new RangeError('oh noes'));
    const d = gatherResults([dgood, dbad], { consumeErrors: true });
    const unconsumed: Failure[] = [];
    dbad.addErrback((f) => {
      unconsumed.push(f);
    });
    const gathered: Failure[] = [];
    d.addErrback((f) => {
      gathered.push(f);
    });
    expect([unconsumed.length, gathered.length]).toEqual([0, 1]);
    expect(gathered[0].value).toBeInstanceOf(FirstError);
    expect((gathered[0].value as FirstError).subFailure.value).toBeInstanceOf(RangeError);
  });

  it('cancel cancels every Deferred (DeferredTests.test_cancelGatherResults)', () => {
    const d1 = new Deferred<null>();
    const d2 = new Deferred<null>();
    const result = gatherResults([d1, d2]);
    result.cancel();
    failureResultOf(d1, CancelledError);
    failureResultOf(d2, CancelledError);
    const f = failureResultOf(result, FirstError);
    expect((f.value as FirstError).subFailure.check(CancelledError)).toBe(CancelledError);
  });

  it('cancel with callbacking cancellers yields the results (DeferredTests.test_cancelGatherResultsWithAllDeferredsCallback)', () => {
    const d1 = new Deferred<string>(fakeCallbackCanceller);
    const d2 = new Deferred<string>(fakeCallbackCanceller);
    const result = gatherResults([d1, d2]);
    result.cancel();
    expect(successResultOf(result)).toEqual(['Callback Result', 'Callback Result']);
  });

  it('keeps input order whatever the firing order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { minLength: 1, maxLength: 8 }).chain((xs) =>
          fc.tuple(
            fc.constant(xs),
            fc.shuffledSubarray(
              xs.map((_, i) => i),
              { minLength: xs.length, maxLength: xs.length },
            ),
          ),
        ),
        ([values, order]) => {
          const ds = values.map(() => new Deferred<number>());
          const g = gatherResults(ds);
          for (const i of order) ds[i].callback(values[i]);
          expect(successResultOf(g)).toEqual(values);
        },
      ),
    );
  });
});

describe('race', () => {
  function setupRaceState(n: number): [number[], Deferred<unknown>[]] {
    const cancelled = new Array<number>(n).fill(0);
    const ds = Array.from({ length: n }, (_, i) => new Deferred<unknown>(() => cancelled[i]++));
    return [cancelled, ds];
  }

  it('fires with [index, result] of the winner and cancels the rest (RaceTests.test_success)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (before, after) => {
        const [cancelled, ds] = setupRaceState(before + 1 + after);
        const r = race(ds);
        const expected = {};
        ds[before].callback(expected);
        const got = successResultOf(r);
        expect(got[0]).toBe(before);
        expect(got[1]).toBe(expected);
        expect(cancelled).toEqual([...new Array(before).fill(1), 0, ...new Array(after).fill(1)]);
        // race's own errback took the losers' CancelledErrors: they continue with undefined.
        for (const d of ds) if (d !== ds[before]) expect(successResultOf(d)).toBeUndefined();
      }),
    );
  });

  it('fails with FailureGroup when all fail (RaceTests.test_failure)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (before, after) => {
        const [cancelled, ds] = setupRaceState(before + 1 + after);
        const failure = new Failure(new Error('The test demands failures.'));
        const r = race(ds);
        for (const d of ds) d.errback(failure);
        const f = failureResultOf(r, FailureGroup);
        expect((f.value as FailureGroup).failures).toEqual(ds.map(() => failure));
        expect(cancelled).toEqual(ds.map(() => 0));
      }),
    );
  });

  it('a result after cancellation goes nowhere (RaceTests.test_resultAfterCancel)', () => {
    const ds = [new Deferred<null>(), new Deferred<null>()];
    const r = race(ds);
    ds[0].callback(null);
    ds[1].callback(null);
    expect(successResultOf(r)).toEqual([0, null]);
  });

  it('a canceller that fires with success does no harm (RaceTests.test_resultFromCancel)', () => {
    const winner = new Deferred<object>();
    const ds = [winner, new Deferred<object>((d) => d.callback({}))];
    const expected = {};
    const r = race(ds);
    winner.callback(expected);
    expect(successResultOf(r)).toEqual([0, expected]);
  });

  it('cancelling the race cancels every input (RaceTests.test_cancel)', () => {
    for (const n of [1, 2, 3]) {
      const [cancelled, ds] = setupRaceState(n);
      const r = race(ds);
      r.cancel();
      expect(cancelled).toEqual(new Array(n).fill(1));
      failureResultOf(r, FailureGroup);
    }
  });

  it('FailureGroup keeps failures in input order even if they arrive out of order', () => {
    const ds = [new Deferred<null>(), new Deferred<null>(), new Deferred<null>()];
    const r = race(ds);
    ds[2].errback(new Error('c'));
    ds[0].errback(new Error('a'));
    ds[1].errback(new Error('b'));
    const g = failureResultOf(r, FailureGroup).value as FailureGroup;
    expect(g.failures.map((f) => f.getErrorMessage())).toEqual(['a', 'b', 'c']);
    expect(g.code).toBe('ERR_IOREACTOR_FAILURE_GROUP');
  });
});
