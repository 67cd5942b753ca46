// LoopingCall failures, returned Deferreds and promises, state errors and argument checks. Cases
// follow Twisted's twisted/test/test_task.py ReactorLoopTests, run on a Clock (the Twisted test
// name is in each title).
import { describe, expect, it } from 'vitest';
import { Clock } from '../../src/task/clock';
import { LoopingCall } from '../../src/task/looping-call';
import { Deferred } from '../../src/defer/deferred';
import type { Failure } from '../../src/defer/failure';
import { InvalidArgTypeError, InvalidArgValueError } from '../../src/errors';
import { LoopingCallAlreadyRunning, LoopingCallNotRunning } from '../../src/task/errors';
import type { IReactorTime } from '../../src/interfaces/time';
import { settle } from './helpers';

class TestException extends Error {}

function looping<A extends unknown[]>(clock: IReactorTime, f: (...args: A) => unknown, ...args: A): LoopingCall<A> {
  const lc = new LoopingCall(f, ...args);
  lc.clock = clock;
  return lc;
}

describe('LoopingCall: failures, returned Deferreds, state and arguments', () => {
  it('testFailure: an exception from the function fails the Deferred and stops the loop', () => {
    const clock = new Clock();
    const lc = looping(
      clock,
      (x: string) => {
        throw new TestException(x);
      },
      'bar',
    );
    const o = settle(lc.start(0.1));
    expect(o.failure?.value).toBeInstanceOf(TestException);
    expect(o.failure?.getErrorMessage()).toBe('bar');
    expect(lc.running).toBe(false);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it('testFailAndStop: stop() then throw inside the function still fails the Deferred', () => {
    const clock = new Clock();
    const lc: LoopingCall<[string]> = looping(
      clock,
      (x: string) => {
        lc.stop();
        throw new TestException(x);
      },
      'bar',
    );
    const o = settle(lc.start(0.1));
    expect(o.failure?.value).toBeInstanceOf(TestException);
  });

  it('testEveryIteration: interval 0 calls again at once; stop from inside ends the loop', () => {
    const clock = new Clock();
    let ran = 0;
    const lc: LoopingCall<[]> = looping(clock, () => {
      ran++;
      if (ran > 5) lc.stop();
    });
    const o = settle(lc.start(0));
    clock.advance(0);
    expect(ran).toBe(6);
    expect(o.value).toBe(lc);
  });

  it('testStopAtOnceLater: stop() from another timed call prevents later calls', () => {
    const clock = new Clock();
    const ran: number[] = [];
    const lc = looping(clock, () => ran.push(clock.seconds()));
    lc.start(1, false);
    clock.callLater(0, () => lc.stop());
    clock.advance(0);
    clock.advance(5);
    expect(ran).toEqual([]);
  });

  it('testWaitDeferred: the next call waits for the Deferred the function returned', () => {
    const clock = new Clock();
    const lc: LoopingCall<[]> = looping(clock, () => {
      const d = new Deferred<void>();
      d.addCallback(() => lc.stop());
      clock.callLater(1, () => d.callback(undefined));
      return d;
    });
    const o = settle(lc.start(0.2));
    clock.pump([0.2, 0.8]);
    expect(clock.getDelayedCalls()).toEqual([]);
    expect(o.value).toBe(lc);
  });

  it('testFailurePropagation: a failing returned Deferred fails the loop', () => {
    const clock = new Clock();
    const lc = looping(clock, () => {
      const d = new Deferred<void>();
      clock.callLater(0.3, () => d.errback(new TestException()));
      return d;
    });
    const o = settle(lc.start(1));
    clock.pump([0.3]);
    expect(o.failure?.check(TestException)).toBe(TestException);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it('test_deferredWithCount: calls skipped while a Deferred was pending are counted', () => {
    const clock = new Clock();
    const gate = new Deferred<void>();
    const counts: number[] = [];
    const lc = LoopingCall.withCount((n) => {
      counts.push(n);
      return counts.length === 1 ? gate : undefined;
    });
    lc.clock = clock;
    lc.start(0.2, false);
    expect(counts).toEqual([]);
    clock.pump([0.2, 0.4]);
    expect(counts).toHaveLength(1);
    gate.callback(undefined);
    clock.pump([0.2]);
    expect(counts).toEqual([1, 3]);
    lc.stop();
  });

  it('a returned promise is waited for like a Deferred', async () => {
    const clock = new Clock();
    const seen: number[] = [];
    let release!: () => void;
    const lc = looping(clock, () => {
      seen.push(clock.seconds());
      if (seen.length === 1) return new Promise<void>((r) => (release = r));
      return undefined;
    });
    lc.start(1);
    clock.advance(1);
    expect(seen).toEqual([0]);
    release();
    await Promise.resolve();
    await Promise.resolve();
    clock.advance(1);
    expect(seen).toEqual([0, 2]);
    lc.stop();
  });

  it('a rejected promise fails the loop', async () => {
    const clock = new Clock();
    const lc = looping(clock, async () => {
      throw new TestException('async');
    });
    const failure = await new Promise<Failure>((resolve) => {
      lc.start(1).addErrback((f: Failure) => resolve(f));
    });
    expect(failure.getErrorMessage()).toBe('async');
    expect(lc.running).toBe(false);
  });

  it('stop() while a returned Deferred is pending fires only when it completes', () => {
    const clock = new Clock();
    const gate = new Deferred<void>();
    const lc = looping(clock, () => gate);
    const o = settle(lc.start(1));
    lc.stop();
    expect(lc.running).toBe(false);
    expect(o.fired).toBe(false);
    gate.callback(undefined);
    expect(o.value).toBe(lc);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it('can be restarted after it stopped, from its own stop callback', () => {
    const clock = new Clock();
    const seen: number[] = [];
    const lc = looping(clock, () => seen.push(clock.seconds()));
    lc.start(1).addCallback(() => {
      lc.start(5, false);
    });
    lc.stop();
    expect(lc.running).toBe(true);
    clock.advance(5);
    expect(seen).toEqual([0, 5]);
    lc.stop();
  });

  it('start() while running throws LoopingCallAlreadyRunning; stop()/reset() when stopped throw LoopingCallNotRunning', () => {
    const lc = looping(new Clock(), () => undefined);
    expect(() => lc.stop()).toThrow(LoopingCallNotRunning);
    expect(() => lc.reset()).toThrow(LoopingCallNotRunning);
    lc.start(1);
    let err: unknown;
    try {
      lc.start(1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoopingCallAlreadyRunning);
    expect((err as LoopingCallAlreadyRunning).code).toBe('ERR_IOREACTOR_LOOPING_CALL_ALREADY_RUNNING');
    lc.stop();
    try {
      lc.stop();
    } catch (e) {
      err = e;
    }
    expect((err as LoopingCallNotRunning).code).toBe('ERR_IOREACTOR_LOOPING_CALL_NOT_RUNNING');
  });

  it('works with any IReactorTime, and the clock can be changed between runs', () => {
    const clock = new Clock();
    const scheduled: number[] = [];
    const lookalike: IReactorTime = {
      seconds: () => clock.seconds(),
      callLater: (delay, f, ...args) => {
        scheduled.push(delay);
        return clock.callLater(delay, f, ...args);
      },
      getDelayedCalls: () => clock.getDelayedCalls(),
    };
    const lc = looping(lookalike, () => undefined);
    lc.start(0.5);
    clock.advance(0.75);
    expect(scheduled).toEqual([0.5, 0.25]);
    lc.stop();
    const other = new Clock();
    lc.clock = other;
    lc.start(1, false);
    expect(other.getDelayedCalls()).toHaveLength(1);
    expect(clock.getDelayedCalls()).toHaveLength(0);
    lc.stop();
  });

  describe('argument checks', () => {
    it('rejects a non-function', () => {
      expect(() => new LoopingCall('f' as never)).toThrow(InvalidArgTypeError);
      expect(() => LoopingCall.withCount(null as never)).toThrow(InvalidArgTypeError);
    });

    it('rejects NaN, infinite and non-number intervals, and a non-boolean now', () => {
      const lc = looping(new Clock(), () => undefined);
      expect(() => lc.start(NaN)).toThrow(InvalidArgValueError);
      expect(() => lc.start(Infinity)).toThrow(InvalidArgValueError);
      expect(() => lc.start('1' as never)).toThrow(InvalidArgTypeError);
      expect(() => lc.start(1, 'yes' as never)).toThrow(InvalidArgTypeError);
      expect(() => {
        lc.interval = -2;
      }).toThrow(InvalidArgValueError);
      expect(lc.running).toBe(false);
    });

    it('rejects a clock that is not an IReactorTime', () => {
      const lc = new LoopingCall(() => undefined);
      for (const bad of [null, 42, {}, { seconds: () => 0, callLater: () => undefined }]) {
        let err: unknown;
        try {
          lc.clock = bad as never;
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(InvalidArgTypeError);
        expect((err as InvalidArgTypeError).code).toBe('ERR_IOREACTOR_INVALID_ARG_TYPE');
      }
      expect(lc.clock).toBeUndefined();
    });
  });
});
