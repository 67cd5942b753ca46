// Unhandled-error reports of collected Deferreds, after twisted/test/test_defer.py LogTests.
// Collection is forced with forceGarbageCollection (global.gc, or the flag turned on at run time).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnhandledDeferredError } from '../../src/defer/errors';
import { setDebugging } from '../../src/defer/debug';
import { Deferred } from '../../src/defer/deferred';
import { fail } from '../../src/defer/simple';
import {
  forceGarbageCollection,
  getDeferredLogger,
  setDeferredLogger,
  trackUnhandledDeferredErrors,
  type UnhandledErrorTracker,
} from '../../src/defer/unhandled';

let tracker: UnhandledErrorTracker;
const logged: [string, unknown][] = [];
const original = getDeferredLogger();

beforeEach(() => {
  logged.length = 0;
  setDeferredLogger({ error: (message, error) => logged.push([message, error]) });
  tracker = trackUnhandledDeferredErrors({ log: true });
});

afterEach(() => {
  tracker.stop();
  setDeferredLogger(original);
  setDebugging(false);
});

// Each scenario builds its Deferreds in a function of its own so nothing keeps them alive.
function leakFailingChain(): void {
  // Fired through the Deferred<number> reference: the one addCallback returns is typed
  // Deferred<never> (its callback always throws), so it cannot be given the 1.
  const d = new Deferred<number>();
  d.addCallback(() => {
    throw new RangeError('zero');
  });
  d.callback(1);
}

describe('unhandled errors in collected Deferreds', () => {
  it('forceGarbageCollection works in this process', () => {
    expect(forceGarbageCollection()).toBe(true);
  });

  it('a collected Deferred ending in a Failure is reported (LogTests.test_errorLog)', async () => {
    leakFailingChain();
    await tracker.collect();
    expect(tracker.reports).toHaveLength(1);
    expect(tracker.reports[0].failure.check(RangeError)).toBe(RangeError);
    expect(logged).toHaveLength(1);
    expect(logged[0][0]).toMatch(/^Unhandled error in Deferred:/);
    expect(logged[0][1]).toBeInstanceOf(RangeError);
    expect(() => tracker.assertNone()).toThrow(UnhandledDeferredError);
  });

  it('is reported even when the Deferred is part of a reference cycle (LogTests.test_errorLogWithInnerFrameCycle)', async () => {
    (() => {
      const d = new Deferred<number>() as Deferred<number> & { self?: unknown };
      d.self = d;
      d.addCallback(() => {
        throw new RangeError('cycle');
      });
      d.callback(1);
    })();
    await tracker.collect();
    expect(tracker.reports.map((r) => r.failure.getErrorMessage())).toEqual(['cycle']);
  });

  it('a non-Error value is reported with its traceback text', async () => {
    (() => {
      fail('just a string');
    })();
    await tracker.collect();
    expect(tracker.reports).toHaveLength(1);
    expect(tracker.reports[0].message).toContain('String: just a string');
  });

  it('in debug mode the report includes where the Deferred was created (LogTests.test_errorLogDebugInfo)', async () => {
    setDebugging(true);
    function createTheDeferred(): void {
      const d = new Deferred<number>();
      d.addCallback(() => {
        throw new RangeError('debug');
      });
      d.callback(1);
    }
    createTheDeferred();
    await tracker.collect();
    expect(tracker.reports).toHaveLength(1);
    expect(tracker.reports[0].message).toContain('(debug:  C: Deferred was created:');
    expect(tracker.reports[0].message).toContain(' I: First Invoker was:');
    expect(tracker.reports[0].creationStack).toContain('createTheDeferred');
  });

  it('a failure moved to a waiting Deferred is not reported twice (LogTests.test_chainedErrorCleanup)', async () => {
    (() => {
      const d = new Deferred<null>();
      d.addCallback(() => fail(new RangeError('zoop')));
      d.callback(null);
      const errors: unknown[] = [];
      d.addErrback((f) => {
        errors.push(f);
      });
      expect(errors).toHaveLength(1);
    })();
    await tracker.verify();
  });

  it('an errback chaining to another Deferred clears the failure (LogTests.test_errorClearedByChaining)', async () => {
    (() => {
      const bad = fail(new Error('oh no'));
      const good = new Deferred<null>();
      bad.addErrback(() => good);
    })();
    await tracker.verify();
  });

  it('a handled failure is not reported', async () => {
    (() => {
      fail(new Error('handled')).addErrback(() => undefined);
    })();
    await tracker.verify();
  });

  it('a failure delivered to then() counts as handled', async () => {
    await (async () => {
      const d = fail(new Error('awaited'));
      await expect(d).rejects.toThrow('awaited');
    })();
    await tracker.verify();
  });

  it('a failure recovered by a later errback is not reported', async () => {
    (() => {
      const d = new Deferred<null>();
      d.errback(new Error('later'));
      d.addErrback(() => null);
    })();
    await tracker.verify();
  });

  it('a Deferred still referenced is not reported', async () => {
    const kept = fail(new Error('kept'));
    await tracker.verify();
    kept.addErrback(() => undefined);
  });

  it('log: false keeps reports from the logger', async () => {
    const quiet = trackUnhandledDeferredErrors();
    leakFailingChain();
    await quiet.collect();
    quiet.stop();
    expect(quiet.reports).toHaveLength(1);
    expect(logged).toHaveLength(0);
    tracker.clear();
  });

  it('a logger that throws does not break reporting', async () => {
    setDeferredLogger({
      error() {
        throw new Error('broken logger');
      },
    });
    leakFailingChain();
    await tracker.collect();
    expect(tracker.reports).toHaveLength(1);
    tracker.clear();
  });
});
