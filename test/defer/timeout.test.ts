// Deferred.addTimeout, after twisted/test/test_defer.py DeferredAddTimeoutTests, on the
// deterministic task Clock.
import { describe, expect, it } from 'vitest';
import { CancelledError, TimeoutError } from '../../src/defer/errors';
import { Deferred } from '../../src/defer/deferred';
import { Failure } from '../../src/defer/failure';
import { Clock } from '../../src/task/clock';
import { assertNoResult, failureResultOf, successResultOf } from './helpers';

const overrideFunc = (): string => 'OVERRIDDEN';

describe('addTimeout', () => {
  it('returns the Deferred, so it chains (DeferredAddTimeoutTests.test_timeoutChainable)', () => {
    const clock = new Clock();
    const d = new Deferred<null>();
    const same = d.addTimeout(5, clock);
    expect(same).toBe(d);
    d.addCallback(() => 'done');
    d.callback(null);
    expect(successResultOf(d)).toBe('done');
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  for (const custom of [false, true]) {
    const suffix = custom ? 'Custom' : '';
    const add = (d: Deferred<any>, clock: Clock): void => {
      if (custom) d.addTimeout(10, clock, overrideFunc);
      else d.addTimeout(10, clock);
    };

    it(`success before the timeout cancels the timer (DeferredAddTimeoutTests.test_successResultBeforeTimeout${suffix})`, () => {
      const clock = new Clock();
      const d = new Deferred<string>();
      add(d, clock);
      const inner = new Deferred<null>();
      let seen: string | undefined;
      d.addCallback((r) => {
        seen = r;
        return inner;
      });
      d.callback('results');
      expect(seen).toBe('results');
      clock.advance(15);
      assertNoResult(inner);
      expect(clock.getDelayedCalls()).toEqual([]);
    });

    it(`failure before the timeout passes through (DeferredAddTimeoutTests.test_failureBeforeTimeout${suffix})`, () => {
      const clock = new Clock();
      const d = new Deferred<null>();
      add(d, clock);
      const inner = new Deferred<null>();
      const error = new RangeError('fail');
      let seen: Failure | undefined;
      d.addErrback((f) => {
        seen = f;
        return inner;
      });
      d.errback(error);
      expect(seen?.value).toBe(error);
      clock.advance(15);
      assertNoResult(inner);
    });

    it(`manual cancel before the timeout keeps the CancelledError (DeferredAddTimeoutTests.test_cancelBeforeTimeout${suffix})`, () => {
      const clock = new Clock();
      const d = new Deferred<null>();
      add(d, clock);
      const inner = new Deferred<null>();
      let seen: Failure | undefined;
      d.addErrback((f) => {
        seen = f;
        return inner;
      });
      d.cancel();
      expect(seen?.type).toBe(CancelledError);
      clock.advance(15);
      assertNoResult(inner);
      expect(clock.getDelayedCalls()).toEqual([]);
    });
  }

  it('times out with TimeoutError (DeferredAddTimeoutTests.test_timedOut)', () => {
    const clock = new Clock();
    const d = new Deferred<null>();
    d.addTimeout(10, clock);
    assertNoResult(d);
    clock.advance(9.5);
    assertNoResult(d);
    clock.advance(0.5);
    const f = failureResultOf(d, TimeoutError);
    expect((f.value as TimeoutError).timeout).toBe(10);
    expect((f.value as TimeoutError).code).toBe('ERR_IOREACTOR_TIMEOUT');
  });

  it('a custom onTimeoutCancel may turn the timeout into a value (DeferredAddTimeoutTests.test_timedOutCustom)', () => {
    const clock = new Clock();
    const d = new Deferred<null>();
    const out = d.addTimeout(10, clock, overrideFunc);
    clock.advance(15);
    expect(successResultOf(out)).toBe('OVERRIDDEN');
  });

  it('onTimeoutCancel receives the result and the timeout', () => {
    const clock = new Clock();
    const d = new Deferred<null>();
    const got: unknown[] = [];
    d.addTimeout(3, clock, (r, s) => {
      got.push(r instanceof Failure ? r.type : r, s);
      return 'x';
    });
    clock.advance(3);
    expect(got).toEqual([CancelledError, 3]);
  });

  it("a canceller's success wins over the timeout (DeferredAddTimeoutTests.test_timedOutProvidedCancelSuccess)", () => {
    const clock = new Clock();
    const d = new Deferred<string>((c) => c.callback('I was cancelled!'));
    d.addTimeout(10, clock);
    assertNoResult(d);
    clock.advance(15);
    expect(successResultOf(d)).toBe('I was cancelled!');
  });

  it("a canceller's non-cancel failure passes through (DeferredAddTimeoutTests.test_timedOutProvidedCancelFailure)", () => {
    const clock = new Clock();
    const error = new RangeError('what!');
    const d = new Deferred<null>((c) => c.errback(error));
    d.addTimeout(10, clock);
    clock.advance(15);
    expect(failureResultOf(d, RangeError).value).toBe(error);
  });

  it('a custom function handles a canceller failure (DeferredAddTimeoutTests.test_providedCancelCalledBeforeTimeoutCustom)', () => {
    const clock = new Clock();
    const d = new Deferred<null>((c) => c.errback(new RangeError('what!')));
    d.addTimeout(10, clock, overrideFunc);
    clock.advance(15);
    expect(successResultOf(d)).toBe('OVERRIDDEN');
  });

  it('an earlier errback sees CancelledError, the end sees TimeoutError (DeferredAddTimeoutTests.test_errbackAddedBeforeTimeout)', () => {
    const clock = new Clock();
    const d = new Deferred<null>();
    let seen: Failure | undefined;
    d.addErrback((f) => {
      seen = f;
      return f;
    });
    d.addTimeout(10, clock);
    clock.advance(15);
    expect(seen?.value).toBeInstanceOf(CancelledError);
    failureResultOf(d, TimeoutError);
  });

  it('an earlier errback may suppress the cancellation (DeferredAddTimeoutTests.test_errbackAddedBeforeTimeoutSuppressesCancellation)', () => {
    const clock = new Clock();
    const d = new Deferred<null>();
    let seen: Failure | undefined;
    d.addErrback((f) => {
      seen = f;
      f.trap(CancelledError);
    });
    d.addTimeout(10, clock);
    clock.advance(15);
    expect(seen?.value).toBeInstanceOf(CancelledError);
    expect(successResultOf(d)).toBeUndefined();
  });

  it('with a custom function after an errback that passes it on (DeferredAddTimeoutTests.test_errbackAddedBeforeTimeoutCustom)', () => {
    const clock = new Clock();
    const d = new Deferred<null>();
    d.addErrback((f) => f);
    d.addTimeout(10, clock, overrideFunc);
    clock.advance(15);
    expect(successResultOf(d)).toBe('OVERRIDDEN');
  });

  it('with a custom function after an errback that suppresses (DeferredAddTimeoutTests.test_errbackAddedBeforeTimeoutSuppressesCancellationCustom)', () => {
    const clock = new Clock();
    const d = new Deferred<null>();
    let seen: Failure | undefined;
    d.addErrback((f) => {
      seen = f;
    });
    d.addTimeout(10, clock, overrideFunc);
    clock.advance(15);
    expect(seen?.value).toBeInstanceOf(CancelledError);
    expect(successResultOf(d)).toBe('OVERRIDDEN');
  });

  it('a callback before the timeout runs when a canceller resumes (DeferredAddTimeoutTests.test_callbackAddedToCancelerBeforeTimeout)', () => {
    const clock = new Clock();
    const d = new Deferred<string>((x) => x.callback('success'));
    let seen: string | undefined;
    d.addCallback((v) => {
      seen = v;
      return v;
    });
    d.addTimeout(10, clock);
    clock.advance(15);
    expect(seen).toBe('success');
    expect(successResultOf(d)).toBe('success');
  });

  it('...and the custom function still runs (DeferredAddTimeoutTests.test_callbackAddedToCancelerBeforeTimeoutCustom)', () => {
    const clock = new Clock();
    const d = new Deferred<string>((x) => x.callback('success'));
    d.addCallback((v) => v);
    d.addTimeout(10, clock, overrideFunc);
    clock.advance(15);
    expect(successResultOf(d)).toBe('OVERRIDDEN');
  });

  it('a zero timeout fires on the next advance', () => {
    const clock = new Clock();
    const d = new Deferred<null>();
    d.addTimeout(0, clock);
    assertNoResult(d);
    clock.advance(0);
    failureResultOf(d, TimeoutError);
  });

  it('TimeoutError carries a readable message', () => {
    expect(new TimeoutError(2.5).message).toBe('the Deferred timed out after 2.5 seconds');
    expect(new TimeoutError().timeout).toBeUndefined();
  });
});
