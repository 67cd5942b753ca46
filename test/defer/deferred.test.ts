// Core callback-chain behaviour, after twisted/test/test_defer.py DeferredTests.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred';
import { Failure } from '../../src/defer/failure';
import { fail, succeed } from '../../src/defer/simple';
import { getDebugging, setDebugging } from '../../src/defer/debug';
import { assertNoResult, failureResultOf, GenericError, successResultOf } from './helpers';

afterEach(() => setDebugging(false));

describe('callbacks and errbacks', () => {
  it('passes the result to a callback without args (DeferredTests.testCallbackWithoutArgs)', () => {
    const seen: unknown[][] = [];
    const d = new Deferred<string>();
    d.addCallback((...a: unknown[]) => seen.push(a));
    d.callback('hello');
    expect(seen).toEqual([['hello']]);
  });

  it('passes extra positional args after the result (DeferredTests.testCallbackWithArgs)', () => {
    const seen: unknown[][] = [];
    const d = new Deferred<string>();
    d.addCallback((r: string, a: string, b: number) => seen.push([r, a, b]), 'world', 2);
    d.callback('hello');
    expect(seen).toEqual([['hello', 'world', 2]]);
  });

  it('runs two callbacks in order, each on the previous result (DeferredTests.testTwoCallbacks)', () => {
    const d = new Deferred<number>();
    const order: string[] = [];
    const out = d
      .addCallback((x) => {
        order.push('first');
        return x * 2;
      })
      .addCallback((x) => {
        order.push('second');
        return x + 1;
      });
    d.callback(5);
    expect(order).toEqual(['first', 'second']);
    expect(successResultOf(out)).toBe(11);
  });

  it('addCallbacks with no errback passes failures through (DeferredTests.test_addCallbacksNoneErrback)', () => {
    const d = new Deferred<number>();
    const seen: unknown[] = [];
    d.addCallbacks((r) => seen.push(r), null);
    d.errback(new GenericError('x'));
    expect(seen).toEqual([]);
    expect(failureResultOf(d, GenericError).getErrorMessage()).toBe('x');
  });

  it('addCallbacks passes callbackArgs (DeferredTests.test_addCallbacksNoneCallbackArgs)', () => {
    const d = new Deferred<string>();
    const seen: unknown[] = [];
    d.addCallbacks((r: string, extra: string) => seen.push(r, extra), undefined, { callbackArgs: ['cb-arg'] });
    d.callback('v');
    expect(seen).toEqual(['v', 'cb-arg']);
  });

  it('addCallbacks passes errbackArgs (DeferredTests.test_addCallbacksNoneErrbackArgs)', () => {
    const d = new Deferred<string>();
    const seen: unknown[] = [];
    d.addCallbacks(
      () => undefined,
      (f: Failure, extra: string) => seen.push(f.getErrorMessage(), extra),
      { errbackArgs: ['eb-arg'] },
    );
    d.errback(new Error('bad'));
    expect(seen).toEqual(['bad', 'eb-arg']);
  });

  it('addErrback passes extra args and successes pass it by', () => {
    const d = new Deferred<number>();
    const seen: unknown[] = [];
    d.addErrback((f: Failure, tag: string) => seen.push(tag), 'tag');
    d.callback(1);
    expect(seen).toEqual([]);
    expect(successResultOf(d)).toBe(1);
  });

  it('addBoth sees successes and failures and gets its args either way', () => {
    const seen: unknown[] = [];
    const a = new Deferred<number>();
    a.addBoth((r, tag: string) => seen.push([r, tag]), 'A');
    a.callback(1);
    const b = new Deferred<number>();
    b.addBoth((r, tag: string) => seen.push([r instanceof Failure, tag]), 'B');
    b.errback(new Error('x'));
    expect(seen).toEqual([
      [1, 'A'],
      [true, 'B'],
    ]);
  });

  it('a callback added to a fired Deferred runs at once, synchronously (DeferredTests.testImmediateSuccess)', () => {
    const seen: string[] = [];
    succeed('success').addCallback((r) => seen.push(r));
    expect(seen).toEqual(['success']);
  });

  it('succeed(x) matches new Deferred().callback(x) (DeferredTests.test_succeedMatchesManualSuccess)', () => {
    const d = new Deferred<string>();
    d.callback('success');
    const d2 = succeed('success');
    expect([d2.called, d2.paused, d2.result]).toEqual([d.called, d.paused, d.result]);
  });

  it('fail(e) errbacks at once (DeferredTests.testImmediateFailure)', () => {
    const seen: Failure[] = [];
    fail(new GenericError('fail')).addErrback((f) => seen.push(f));
    expect(String((seen[0].value as Error).message)).toBe('fail');
  });

  it('a paused failed Deferred delivers the failure on unpause (DeferredTests.testPausedFailure)', () => {
    const seen: Failure[] = [];
    const d = fail(new GenericError('fail'));
    d.pause();
    d.addErrback((f) => seen.push(f));
    expect(seen).toEqual([]);
    d.unpause();
    expect((seen[0].value as Error).message).toBe('fail');
  });

  it('a throwing callback or a returned Failure moves to the errback path (DeferredTests.testCallbackErrors)', () => {
    const seen: Failure[] = [];
    const d = new Deferred<number>();
    d.addCallback(() => {
      throw new RangeError('div');
    }).addErrback((f) => seen.push(f));
    d.callback(1);
    expect(seen[0].value).toBeInstanceOf(RangeError);
    const d2 = new Deferred<number>();
    d2.addCallback(() => new Failure(new RangeError('ret'))).addErrback((f) => seen.push(f));
    d2.callback(1);
    expect(seen[1].value).toBeInstanceOf(RangeError);
  });

  it('unpause before callback lets the callback run (DeferredTests.testUnpauseBeforeCallback)', () => {
    const seen: unknown[] = [];
    const d = new Deferred<number>();
    d.pause();
    d.addCallback((r) => seen.push(r));
    d.unpause();
    expect(seen).toEqual([]);
    d.callback(3);
    expect(seen).toEqual([3]);
  });

  it('pause holds callbacks after firing until unpause; paused counts nesting', () => {
    const seen: unknown[] = [];
    const d = new Deferred<number>();
    d.pause();
    d.pause();
    expect(d.paused).toBe(2);
    d.callback(1);
    d.addCallback((r) => seen.push(r));
    d.unpause();
    expect(seen).toEqual([]);
    d.unpause();
    expect(seen).toEqual([1]);
    expect(d.paused).toBe(0);
  });

  it('an errback returning a value moves back to the callback path', () => {
    const d = new Deferred<number>();
    const out = d.addErrback(() => 42).addCallback((v) => v + 1);
    d.errback(new Error('x'));
    expect(successResultOf(out)).toBe(43);
  });

  it('a callback may return a Failure or a value (DeferredTests.test_callbackMaybeReturnsFailure)', () => {
    const rte = new Error('rte');
    let shouldFail = false;
    const maybeFail = (r: number): number | Failure => (shouldFail ? new Failure(rte) : r + 1);
    const d = new Deferred<number>();
    d.callback(6);
    expect(successResultOf(d.addCallback(maybeFail))).toBe(7);
    shouldFail = true;
    const d2 = new Deferred<number>();
    d2.callback(6);
    expect(failureResultOf(d2.addCallback(maybeFail).addCallback(maybeFail)).value).toBe(rte);
  });

  it('errback wraps a non-Failure and keeps a Failure as is', () => {
    const f = new Failure(new Error('x'));
    const a = new Deferred();
    a.errback(f);
    expect(failureResultOf(a)).toBe(f);
    const b = new Deferred();
    b.errback('a string');
    const got = failureResultOf(b);
    expect(got.value).toBe('a string');
    expect(got.type).toBe(String);
  });

  it('callback(Failure) takes the errback path', () => {
    const d = new Deferred<unknown>();
    d.callback(new Failure(new TypeError('t')));
    expect(failureResultOf(d, TypeError).getErrorMessage()).toBe('t');
  });

  it('called is false until fired and true after', () => {
    const d = new Deferred<number>();
    expect(d.called).toBe(false);
    d.callback(1);
    expect(d.called).toBe(true);
  });
});

describe('re-entrancy', () => {
  it('a callback added by a running callback goes to the end (DeferredTests.test_reentrantRunCallbacks)', () => {
    const called: number[] = [];
    const d = new Deferred<null>();
    d.addCallback(() => {
      called.push(1);
      d.addCallback(() => called.push(3));
    });
    d.addCallback(() => called.push(2));
    d.callback(null);
    expect(called).toEqual([1, 2, 3]);
  });

  it('a callback added by a running callback runs only after it returns (DeferredTests.test_nonReentrantCallbacks)', () => {
    const called: number[] = [];
    let seenInside: number[] | undefined;
    const d = new Deferred<null>();
    d.addCallback(() => {
      called.push(1);
      d.addCallback(() => called.push(2));
      // Asserted outside: an expect failing in here would only become the chain's Failure.
      seenInside = called.slice();
    });
    d.callback(null);
    expect(seenInside).toEqual([1]);
    expect(called).toEqual([1, 2]);
    expect(successResultOf(d)).toBe(2);
  });

  it('a throwing re-entrantly added callback errbacks the chain (DeferredTests.test_reentrantRunCallbacksWithFailure)', () => {
    const d = new Deferred<null>();
    d.addCallback(() => {
      d.addCallback(() => {
        throw new Error('callback raised exception');
      });
    });
    d.callback(null);
    expect(failureResultOf(d).getErrorMessage()).toBe('callback raised exception');
  });
});

describe('repr', () => {
  it('shows class and id (DeferredTests.test_repr)', () => {
    const d = new Deferred();
    expect(String(d)).toMatch(/^<Deferred at 0x[0-9a-f]+>$/);
  });

  it('shows the current result (DeferredTests.test_reprWithResult)', () => {
    const d = new Deferred<string>();
    d.callback('orange');
    expect(String(d)).toMatch(/^<Deferred at 0x[0-9a-f]+ current result: 'orange'>$/);
  });

  it('shows what it waits on (DeferredTests.test_reprWithChaining)', () => {
    const a = new Deferred<null>();
    const b = new Deferred<null>();
    b.chainDeferred(a);
    const idOf = (d: Deferred<unknown>): string => /0x[0-9a-f]+/.exec(String(d))![0];
    expect(String(a)).toBe(`<Deferred at ${idOf(a)} waiting on Deferred at ${idOf(b)}>`);
  });

  it('ids are stable and distinct', () => {
    const a = new Deferred();
    const b = new Deferred();
    expect(String(a)).toBe(String(a));
    expect(String(a)).not.toBe(String(b));
  });
});

describe('debug mode', () => {
  it('getDebugging reflects setDebugging', () => {
    expect(getDebugging()).toBe(false);
    setDebugging(true);
    expect(getDebugging()).toBe(true);
    setDebugging(false);
    expect(getDebugging()).toBe(false);
  });

  it('setDebugging(true) records creation and invocation stacks in AlreadyCalledError', () => {
    setDebugging(true);
    const d = new Deferred<string>();
    function firstInvoker(): void {
      d.callback('hello');
    }
    firstInvoker();
    let message = '';
    try {
      d.callback('twice');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(' C: Deferred was created:');
    expect(message).toContain(' I: First Invoker was:');
    expect(message.split('\n').filter((l) => l.startsWith(' I:') && l.includes('firstInvoker'))).toHaveLength(1);
  });

  it('without debugging the error has only the plain message (AlreadyCalledTests.testNoDebugging)', () => {
    const d = new Deferred<string>();
    d.callback('hello');
    let message = '';
    try {
      d.callback('twice');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('the Deferred has already been fired');
  });

  it('switching debugging mid-life does not break anything (AlreadyCalledTests.testSwitchDebugging)', () => {
    const d = new Deferred<null>();
    d.addBoth(() => null);
    setDebugging(true);
    d.callback(null);
    setDebugging(false);
    const d2 = new Deferred<null>();
    d2.callback(null);
    setDebugging(true);
    expect(successResultOf(d2.addBoth(() => 'ok'))).toBe('ok');
  });

  it('in debug mode a Failure of a non-Error records where it was wrapped', () => {
    setDebugging(true);
    const f = new Failure('plain');
    expect(f.getTraceback()).toContain('String: plain');
    expect(f.getTraceback()).toMatch(/at /);
  });
});

describe('no result yet', () => {
  it('assertNoResult holds for a fresh Deferred and fails after firing', () => {
    const d = new Deferred<number>();
    assertNoResult(d);
    d.callback(1);
    expect(() => assertNoResult(d)).toThrow();
  });
});

describe('chain semantics against a model (property)', () => {
  type Op = 'cbAdd' | 'cbThrow' | 'cbFailure' | 'ebRecover' | 'ebPass' | 'ebThrow' | 'bothTag' | 'fireAsync';
  const ops: Op[] = ['cbAdd', 'cbThrow', 'cbFailure', 'ebRecover', 'ebPass', 'ebThrow', 'bothTag', 'fireAsync'];

  it('every sequence of links gives the result a straight-line model predicts, fired before or after adding', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ops), { maxLength: 25 }), fc.boolean(), fc.integer(), (seq, fireFirst, start) => {
        // The model: either a number or an error message.
        let model: { ok: true; v: number } | { ok: false; msg: string } = { ok: true, v: start };
        const pending: Deferred<number>[] = [];
        const d = new Deferred<number>();
        if (fireFirst) d.callback(start);
        let chain: Deferred<unknown> = d;
        // A loop rather than seq.forEach: the compiler then sees the assignments to model below, so
        // it stays the union it is declared as after the loop (inside a callback it would not).
        for (const [k, op] of seq.entries()) {
          switch (op) {
            case 'cbAdd':
              chain = chain.addCallback((v) => (v as number) + k);
              if (model.ok) model = { ok: true, v: model.v + k };
              break;
            case 'cbThrow':
              chain = chain.addCallback(() => {
                throw new Error(`t${k}`);
              });
              if (model.ok) model = { ok: false, msg: `t${k}` };
              break;
            case 'cbFailure':
              chain = chain.addCallback(() => new Failure(new Error(`f${k}`)));
              if (model.ok) model = { ok: false, msg: `f${k}` };
              break;
            case 'ebRecover':
              chain = chain.addErrback(() => k);
              if (!model.ok) model = { ok: true, v: k };
              break;
            case 'ebPass':
              chain = chain.addErrback((f) => f);
              break;
            case 'ebThrow':
              chain = chain.addErrback((f) => {
                throw new Error(`${f.getErrorMessage()}!`);
              });
              if (!model.ok) model = { ok: false, msg: `${model.msg}!` };
              break;
            case 'bothTag':
              chain = chain.addBoth((r) => (r instanceof Failure ? r : (r as number) * 2));
              if (model.ok) model = { ok: true, v: model.v * 2 };
              break;
            case 'fireAsync': {
              // A callback returning a Deferred that fires later with the same outcome.
              const inner = new Deferred<number>();
              pending.push(inner);
              chain = chain.addBoth((r) => {
                if (r instanceof Failure) inner.errback(r);
                else inner.callback(r as number);
                return inner;
              });
              break;
            }
          }
        }
        if (!fireFirst) d.callback(start);
        if (model.ok) {
          expect(successResultOf(chain)).toBe(model.v);
        } else {
          expect(failureResultOf(chain).getErrorMessage()).toBe(model.msg);
        }
      }),
    );
  });
});
