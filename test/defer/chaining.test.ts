// Deferreds returned from callbacks (implicit chaining), chainDeferred, and stack depth,
// after twisted/test/test_defer.py DeferredTests.
import { describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred';
import { Failure } from '../../src/defer/failure';
import { gatherResults } from '../../src/defer/gather';
import { fail, succeed } from '../../src/defer/simple';
import { assertNoResult, failureResultOf, successResultOf } from './helpers';

describe('implicit chaining', () => {
  it('waits for a returned Deferred, including while it is paused (DeferredTests.test_callbackReturnsDeferred)', () => {
    const d1 = new Deferred<number>();
    const d2 = new Deferred<number>();
    d2.pause();
    const seen: number[] = [];
    d1.addCallback(() => d2).addCallback((r) => seen.push(r));
    d1.callback(1);
    expect(seen).toEqual([]);
    d2.callback(2);
    expect(seen).toEqual([]);
    d2.unpause();
    expect(seen).toEqual([2]);
  });

  it('errbacks may return Deferreds too (DeferredTests.test_errbackReturnsDeferred)', () => {
    const d = new Deferred<number>();
    const d2 = new Deferred<string>();
    const values: unknown[] = [];
    d.addErrback(() => d2).addCallback((r) => values.push(r));
    d.errback(new Error('x'));
    assertNoResult(d);
    expect(values).toEqual([]);
    d2.callback('result');
    expect(values).toEqual(['result']);
  });

  it('a paused Deferred with a result is waited for until unpaused (DeferredTests.test_chainedPausedDeferredWithResult)', () => {
    const expected = {};
    const paused = new Deferred<object>();
    paused.callback(expected);
    paused.pause();
    const chained = new Deferred<null>();
    chained.addCallback(() => paused);
    chained.callback(null);
    const result: unknown[] = [];
    chained.addCallback((r) => result.push(r));
    expect(result).toEqual([]);
    paused.unpause();
    expect(result).toEqual([expected]);
  });

  it('a paused outer Deferred does not stop the inner one (DeferredTests.test_pausedDeferredChained)', () => {
    const first = new Deferred<null>();
    const second = new Deferred<null>();
    first.addCallback(() => second);
    first.callback(null);
    first.pause();
    second.callback(null);
    const result: unknown[] = [];
    second.addCallback((r) => result.push(r));
    expect(result).toEqual([undefined]);
  });

  it('a fired Deferred returned from a callback gives its result away (DeferredTests.test_synchronousImplicitChain)', () => {
    const value = {};
    const first = succeed(value);
    const second = new Deferred<null>();
    second.addCallback(() => first);
    second.callback(null);
    const results: unknown[] = [];
    first.addCallback((r) => results.push(r));
    expect(results[0]).toBeUndefined();
    second.addCallback((r) => results.push(r));
    expect(results[1]).toBe(value);
  });

  it('an unfired returned Deferred passes its result on when it fires (DeferredTests.test_asynchronousImplicitChain)', () => {
    const first = new Deferred<object>();
    const second = new Deferred<object>();
    second.addCallback(() => first);
    second.callback({});
    const firstResult: unknown[] = [];
    const secondResult: unknown[] = [];
    first.addCallback((r) => firstResult.push(r));
    second.addCallback((r) => secondResult.push(r));
    expect([firstResult, secondResult]).toEqual([[], []]);
    const value = {};
    first.callback(value);
    expect(firstResult).toEqual([undefined]);
    expect(secondResult[0]).toBe(value);
  });

  it('a failed returned Deferred passes its Failure on and is left with undefined (DeferredTests.test_synchronousImplicitErrorChain)', () => {
    const first = fail(new Error("First Deferred's Failure"));
    const second = new Deferred<null>();
    second.addCallback(() => first);
    second.callback(null);
    const firstResult: unknown[] = [];
    first.addCallback((r) => firstResult.push(r));
    expect(firstResult).toEqual([undefined]);
    expect(failureResultOf(second).getErrorMessage()).toBe("First Deferred's Failure");
  });

  it('an unfired returned Deferred that fails moves its Failure (DeferredTests.test_asynchronousImplicitErrorChain)', () => {
    const first = new Deferred<null>();
    const second = new Deferred<null>();
    second.addCallback(() => first);
    second.callback(null);
    const secondError: Failure[] = [];
    second.addErrback((f) => secondError.push(f));
    const firstResult: unknown[] = [];
    first.addCallback((r) => firstResult.push(r));
    const secondResult: unknown[] = [];
    second.addCallback((r) => secondResult.push(r));
    first.errback(new RangeError("First Deferred's Failure"));
    expect(secondError[0].check(RangeError)).toBe(RangeError);
    expect(firstResult).toEqual([undefined]);
    expect(secondResult).toHaveLength(1);
  });

  it('chaining is transitive (DeferredTests.test_doubleAsynchronousImplicitChaining)', () => {
    const first = new Deferred<object>();
    const second = new Deferred<null>();
    second.addCallback(() => first);
    const third = new Deferred<null>();
    third.addCallback(() => second);
    const thirdResult: unknown[] = [];
    third.addCallback((r) => thirdResult.push(r));
    second.callback(null);
    third.callback(null);
    expect(thirdResult).toEqual([]);
    const value = {};
    first.callback(value);
    expect(thirdResult).toEqual([value]);
  });

  it('nested asynchronous chains continue when the inner one fires (DeferredTests.test_nestedAsynchronousChainedDeferreds)', () => {
    const results: unknown[] = [];
    const failures: Failure[] = [];
    const inner = new Deferred<string>();
    const cb = (result: string): Deferred<string> => {
      results.push(['start-of-cb', result]);
      const d = succeed('inner');
      const out = d
        .addCallback(() => {
          results.push(['firstCallback', 'inner']);
          return inner;
        })
        .addCallback((r: string) => {
          results.push(['secondCallback', r]);
          return r + r;
        });
      out.addErrback((f) => failures.push(f));
      return out as Deferred<string>;
    };
    const outer = succeed('outer')
      .addCallback(cb)
      .addCallback((r) => results.push(r));
    expect(results).toEqual([
      ['start-of-cb', 'outer'],
      ['firstCallback', 'inner'],
    ]);
    inner.callback('orange');
    inner.addErrback((f) => failures.push(f));
    outer.addErrback((f) => failures.push(f));
    expect(failures).toEqual([]);
    expect(results).toEqual([['start-of-cb', 'outer'], ['firstCallback', 'inner'], ['secondCallback', 'orange'], 'orangeorange']);
  });

  it('extra callbacks on the inner Deferred run before the outer continues (DeferredTests.test_nestedAsynchronousChainedDeferredsWithExtraCallbacks)', () => {
    const results: unknown[] = [];
    const failures: Failure[] = [];
    const inner = new Deferred<string>();
    const cb = (result: string): Deferred<unknown> => {
      results.push(['start-of-cb', result]);
      return succeed('inner')
        .addCallback((r) => {
          results.push(['firstCallback', r]);
          return inner.addCallback((x) => [x]);
        })
        .addCallback((r: string[]) => {
          results.push(['secondCallback', r]);
          return [...r, ...r];
        })
        .addErrback((f) => {
          failures.push(f);
        });
    };
    const outer = succeed('outer');
    outer.addCallback(cb).addCallback((r) => results.push(r));
    expect(results).toEqual([
      ['start-of-cb', 'outer'],
      ['firstCallback', 'inner'],
    ]);
    inner.callback('withers');
    outer.addErrback((f) => failures.push(f));
    inner.addErrback((f) => failures.push(f));
    expect(failures).toEqual([]);
    expect(results).toEqual([
      ['start-of-cb', 'outer'],
      ['firstCallback', 'inner'],
      ['secondCallback', ['withers']],
      ['withers', 'withers'],
    ]);
  });

  it("the middle Deferred's callbacks run before the first gets a result (DeferredTests.test_innerCallbacksPreserved)", () => {
    const results: unknown[] = [];
    const failures: Failure[] = [];
    const inner = new Deferred<string>();
    const cb = (result: string): Deferred<unknown> => {
      results.push(['start-of-cb', result]);
      const d = succeed('inner')
        .addCallback(() => {
          results.push(['firstCallback', 'inner']);
          return inner;
        })
        .addCallback((r: string) => {
          results.push(['secondCallback', r]);
          return r + r;
        });
      d.addErrback((f) => failures.push(f));
      return d;
    };
    const outer = succeed('outer');
    outer.addCallback(cb);
    inner.callback('orange');
    outer.addCallback((r) => results.push(r));
    inner.addErrback((f) => failures.push(f));
    outer.addErrback((f) => failures.push(f));
    expect(failures).toEqual([]);
    expect(results).toEqual([['start-of-cb', 'outer'], ['firstCallback', 'inner'], ['secondCallback', 'orange'], 'orangeorange']);
  });

  it('the continue link need not be the first callback (DeferredTests.test_continueCallbackNotFirst)', () => {
    const results: unknown[] = [];
    const failures: Failure[] = [];
    const a = new Deferred<string>();
    const cb = (result: string): Deferred<unknown> => {
      results.push(['cb', result]);
      const d = new Deferred<null>();
      const returner = d
        .addCallback((r) => {
          results.push(['firstCallback', r]);
          return gatherResults([a]);
        })
        .addCallback((r) => {
          results.push(['secondCallback', r]);
        })
        .addErrback((f) => {
          failures.push(f);
        });
      d.callback(null);
      return returner;
    };
    succeed('outer')
      .addCallback(cb)
      .addErrback((f) => failures.push(f));
    expect(results).toEqual([
      ['cb', 'outer'],
      ['firstCallback', null],
    ]);
    a.callback('withers');
    expect(failures).toEqual([]);
    expect(results).toEqual([
      ['cb', 'outer'],
      ['firstCallback', null],
      ['secondCallback', ['withers']],
    ]);
  });

  it('a callback added after the chain point runs after the inner callbacks (DeferredTests.test_callbackOrderPreserved)', () => {
    const results: unknown[] = [];
    const failures: Failure[] = [];
    const a = new Deferred<string>();
    const cb = (result: string): Deferred<unknown> => {
      results.push(['cb', result]);
      const d = new Deferred<null>();
      const returner = d
        .addCallback((r) => {
          results.push(['firstCallback', r]);
          return gatherResults([a]);
        })
        .addCallback((r) => {
          results.push(['secondCallback', r]);
        })
        .addErrback((f) => {
          failures.push(f);
        });
      d.callback(null);
      return returner;
    };
    const outer = new Deferred<string>();
    outer.addCallback(cb);
    outer.addCallback(() => results.push(['final', null]));
    outer.addErrback((f) => failures.push(f));
    outer.callback('outer');
    expect(results).toEqual([
      ['cb', 'outer'],
      ['firstCallback', null],
    ]);
    a.callback('withers');
    expect(failures).toEqual([]);
    expect(results).toEqual([
      ['cb', 'outer'],
      ['firstCallback', null],
      ['secondCallback', ['withers']],
      ['final', null],
    ]);
  });

  it('callbacks added to the middle of three chained Deferreds run when the last fires (DeferredTests.test_resultOfDeferredResultOfDeferredOfFiredDeferredCalled)', () => {
    const first = new Deferred<null>();
    const second = new Deferred<null>();
    const third = new Deferred<null>();
    first.addCallback(() => second);
    second.addCallback(() => third);
    second.callback(null);
    first.callback(null);
    third.callback(null);
    const results: unknown[] = [];
    second.addCallback((r) => results.push(r));
    expect(results).toEqual([undefined]);
  });

  it('records the Deferred it waits on, implicitly (DeferredTests.test_chainDeferredRecordsImplicitChain)', () => {
    const a = new Deferred<null>();
    const b = new Deferred<null>();
    a.addCallback(() => b);
    a.callback(null);
    expect(a._chainedTo).toBe(b);
    expect(a.result).toBe(b);
  });

  it('a callback returning its own Deferred fails instead of deadlocking (DeferredTests.test_circularChainException)', () => {
    const d = new Deferred<string>();
    d.addCallback(() => d);
    d.callback('foo');
    const f = failureResultOf(d);
    expect((f.value as { code?: string }).code).toBe('ERR_IOREACTOR_DEFERRED_WAITS_ON_ITSELF');
  });

  it('callback(d) with a Deferred waits for it, like resolving a promise with a promise', () => {
    const inner = new Deferred<number>();
    const outer = new Deferred<number>();
    outer.callback(inner as unknown as number);
    assertNoResult(outer);
    inner.callback(5);
    expect(successResultOf(outer)).toBe(5);
  });

  it('callback(d) with an already-fired Deferred takes its result at once', () => {
    const outer = new Deferred<number>();
    outer.callback(succeed(9) as unknown as number);
    expect(successResultOf(outer)).toBe(9);
  });
});

describe('chainDeferred', () => {
  it('records the explicit chain (DeferredTests.test_chainDeferredRecordsExplicitChain)', () => {
    const a = new Deferred<null>();
    const b = new Deferred<null>();
    b.chainDeferred(a);
    expect(a._chainedTo).toBe(b);
  });

  it('clears it once resolved (DeferredTests.test_explicitChainClearedWhenResolved)', () => {
    const a = new Deferred<null>();
    const b = new Deferred<null>();
    b.chainDeferred(a);
    b.callback(null);
    expect(a._chainedTo).toBeNull();
  });

  it('forwards success and failure; the source continues with undefined', () => {
    const src = new Deferred<number>();
    const dst = new Deferred<number>();
    const after = src.chainDeferred(dst);
    src.callback(4);
    expect(successResultOf(dst)).toBe(4);
    expect(successResultOf(after)).toBeUndefined();
    const src2 = new Deferred<number>();
    const dst2 = new Deferred<number>();
    src2.chainDeferred(dst2);
    src2.errback(new TypeError('t'));
    expect(failureResultOf(dst2, TypeError).getErrorMessage()).toBe('t');
    expect(successResultOf(src2)).toBeUndefined();
  });
});

describe('stack depth', () => {
  function depth(): number {
    return (new Error().stack ?? '').split('\n').length;
  }

  it('does not grow with the number of chained Deferreds (DeferredTests.test_boundedStackDepth)', () => {
    const chainDeferreds = (howMany: number): number => {
      const stack: number[] = [];
      const top = new Deferred<null>();
      const inners = Array.from({ length: howMany }, () => new Deferred<null>());
      const originals = inners.slice();
      const last = new Deferred<null>();
      let inner = inners.pop() as Deferred<null>;
      const firstInner = inner;
      top.addCallback(() => firstInner);
      top.addCallback(() => {
        stack.push(depth());
      });
      while (inners.length > 0) {
        const newInner = inners.pop() as Deferred<null>;
        inner.addCallback(() => newInner);
        inner = newInner;
      }
      inner.addCallback(() => last);
      top.callback(null);
      for (const d of originals) d.callback(null);
      expect(stack).toEqual([]);
      last.callback(null);
      return stack[0];
    };
    expect(chainDeferreds(1)).toBe(chainDeferreds(2));
    expect(chainDeferreds(2)).toBe(chainDeferreds(1000));
  });

  it('runs 1 000 000 callbacks on one Deferred', () => {
    const d = new Deferred<number>();
    for (let i = 0; i < 1_000_000; i++) d.addCallback((x: number) => x + 1);
    d.callback(0);
    expect(successResultOf(d)).toBe(1_000_000);
  });

  it('resolves 1 000 000-deep nesting of waiting Deferreds without recursion', () => {
    const n = 1_000_000;
    const ds: Deferred<unknown>[] = new Array(n);
    for (let i = 0; i < n; i++) ds[i] = new Deferred();
    for (let i = 0; i < n - 1; i++) {
      const next = ds[i + 1];
      ds[i].addCallback(() => next);
    }
    for (let i = 0; i < n - 1; i++) ds[i].callback(null);
    ds[n - 1].callback('deep');
    expect(successResultOf(ds[0])).toBe('deep');
  });

  it('resolves 1 000 000 Deferreds each waiting on a fired one (stealing results)', () => {
    const n = 1_000_000;
    const ds: Deferred<unknown>[] = new Array(n);
    for (let i = 0; i < n; i++) ds[i] = new Deferred();
    for (let i = 0; i < n - 1; i++) {
      const next = ds[i + 1];
      ds[i].addCallback(() => next);
    }
    for (let i = n - 1; i >= 0; i--) ds[i].callback(i === n - 1 ? 'x' : null);
    expect(successResultOf(ds[0])).toBe('x');
  });
});
