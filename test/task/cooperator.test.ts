// Cooperator. Cases follow Twisted's twisted/test/test_cooperator.py (CooperatorTests and
// AliasTests; the Twisted test name is in each title). The run states of a single task are in
// cooperative-task.test.ts.
import { describe, expect, it } from 'vitest';
import { Clock } from '../../src/task/clock';
import { Cooperator, CooperativeTask, cooperate, coiterate } from '../../src/task/cooperator';
import { Deferred } from '../../src/defer/deferred';
import { InvalidArgTypeError } from '../../src/errors';
import { SchedulerError, SchedulerStopped } from '../../src/task/errors';
import { FakeScheduler, oneUnitPerTick, settle } from './helpers';

describe('Cooperator', () => {
  it('testStoppedRejectsNewTasks: a stopped Cooperator fails new tasks with SchedulerStopped', () => {
    for (const done of [undefined, new Deferred<Iterator<never>>()]) {
      const c = new Cooperator({ scheduler: new FakeScheduler().schedule });
      c.stop();
      const o = settle(c.coiterate([], done));
      expect(o.failure?.value).toBeInstanceOf(SchedulerStopped);
      expect(o.failure?.value).toBeInstanceOf(SchedulerError);
      expect((o.failure?.value as SchedulerStopped).code).toBe('ERR_IOREACTOR_SCHEDULER_STOPPED');
    }
  });

  it('testStopRunning: stop() before the first tick leaves the iterator untouched', () => {
    const s = new FakeScheduler();
    const c = new Cooperator({ scheduler: s.schedule });
    let value = -1;
    function* myiter() {
      for (let i = 0; i < 3; i++) {
        value = i;
        yield i;
      }
    }
    const o = settle(c.coiterate(myiter()));
    c.stop();
    s.pump();
    expect(o.failure?.value).toBeInstanceOf(SchedulerStopped);
    expect(value).toBe(-1);
  });

  it('testStopOutstanding: a task waiting on a Deferred fails when it fires after stop()', () => {
    const s = new FakeScheduler();
    const outstanding = new Deferred<string>();
    function* myiter() {
      yield outstanding;
      throw new Error('must not resume');
    }
    const c = new Cooperator({ scheduler: s.schedule });
    const o = settle(c.coiterate(myiter()));
    s.pump();
    c.stop();
    expect(o.fired).toBe(false);
    outstanding.callback('arglebargle');
    expect(o.failure?.value).toBeInstanceOf(SchedulerStopped);
  });

  it('testUnexpectedError: an exception from the iterator fails coiterate', () => {
    const s = new FakeScheduler();
    const c = new Cooperator({ scheduler: s.schedule });
    // eslint-disable-next-line require-yield
    function* myiter(): Generator<never> {
      throw new RangeError('unexpected');
    }
    const o = settle(c.coiterate(myiter()));
    s.pump();
    expect(o.failure?.value).toBeInstanceOf(RangeError);
  });

  it('testUnexpectedErrorActuallyLater: a yielded Deferred that fails later fails the task', () => {
    const clock = new Clock();
    const c = new Cooperator({ clock });
    function* myiter() {
      const d = new Deferred<void>();
      clock.callLater(0, () => d.errback(new RangeError('later')));
      yield d;
    }
    const o = settle(c.coiterate(myiter()));
    clock.advance(1);
    expect(o.failure?.value).toBeInstanceOf(RangeError);
  });

  it('testUnexpectedErrorNotActuallyLater: a yielded failed Deferred fails the task', () => {
    const s = new FakeScheduler();
    const c = new Cooperator({ scheduler: s.schedule });
    function* myiter() {
      const d = new Deferred<void>();
      d.errback(new RangeError('now'));
      yield d;
    }
    const o = settle(c.coiterate(myiter()));
    s.pump();
    expect(o.failure?.value).toBeInstanceOf(RangeError);
  });

  it('testCooperation: tasks take turns, one step each', () => {
    const L: unknown[] = [];
    function* myiter(things: Iterable<unknown>) {
      for (const th of things) {
        L.push(th);
        yield;
      }
    }
    const groups: unknown[][] = [
      ['a', 'b', 'c'],
      [1, 2, 3],
      ['d', 'e', 'f'],
      [4, 5, 6],
    ];
    const s = new FakeScheduler();
    const c = new Cooperator({ scheduler: s.schedule, terminationPredicateFactory: () => () => false });
    const results = groups.map((g) => settle(c.coiterate(myiter(g))));
    s.pump();
    expect(results.every((r) => r.fired && r.failure === undefined)).toBe(true);
    expect(L).toEqual(['a', 1, 'd', 4, 'b', 2, 'e', 5, 'c', 3, 'f', 6]);
  });

  it('testResourceExhaustion: the termination predicate ends the tick', () => {
    const output: number[] = [];
    const state = { stopped: false };
    function* myiter() {
      for (let i = 0; i < 100; i++) {
        output.push(i);
        if (i === 9) state.stopped = true;
        yield i;
      }
    }
    const s = new FakeScheduler();
    const c = new Cooperator({ scheduler: s.schedule, terminationPredicateFactory: () => () => state.stopped });
    const o = settle(c.coiterate(myiter()));
    s.pump();
    c.stop();
    expect(output).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(o.failure?.value).toBeInstanceOf(SchedulerStopped);
  });

  it('testCallbackReCoiterate: coiterate from a completion callback schedules one tick only', () => {
    const calls: (() => void)[] = [];
    const c = new Cooperator({
      scheduler: (f) => {
        expect(calls).toEqual([]);
        calls.push(f);
        return { cancel: () => undefined };
      },
      terminationPredicateFactory: oneUnitPerTick,
    });
    const done: unknown[] = [];
    c.coiterate([]).addCallback(() => {
      c.coiterate([]).addBoth((r) => {
        done.push(r);
      });
    });
    let work = 0;
    while (done.length === 0) {
      work++;
      while (calls.length > 0) {
        (calls.shift() as () => void)();
        work++;
      }
      expect(work).toBeLessThan(50);
    }
  });

  it('test_removingLastTaskStopsScheduledCall: an idle Cooperator cancels its pending tick', () => {
    const s = new FakeScheduler();
    const coop = new Cooperator({ scheduler: s.schedule });
    const task1 = coop.cooperate([1, 2]);
    const task2 = coop.cooperate([1, 2]);
    expect(s.work).toHaveLength(1);
    task1.stop();
    expect(s.work[0].cancelled).toBe(false);
    task2.stop();
    expect(s.work[0].cancelled).toBe(true);
    coop.cooperate([1, 2]);
    expect(s.work).toHaveLength(2);
    expect(s.work[1].cancelled).toBe(false);
    coop.stop();
  });

  it('test_runningWhenStarted / WhenNotStarted / WhenRunning / WhenStopped', () => {
    const s = new FakeScheduler();
    expect(new Cooperator({ scheduler: s.schedule }).running).toBe(true);
    const c = new Cooperator({ scheduler: s.schedule, started: false });
    expect(c.running).toBe(false);
    c.start();
    expect(c.running).toBe(true);
    c.stop();
    expect(c.running).toBe(false);
  });

  it('started: false queues work until start()', () => {
    const s = new FakeScheduler();
    const c = new Cooperator({ scheduler: s.schedule, started: false });
    const seen: number[] = [];
    c.coiterate(
      (function* () {
        seen.push(1);
        yield;
      })(),
    );
    expect(s.work).toHaveLength(0);
    c.start();
    s.pump();
    expect(seen).toEqual([1]);
    c.stop();
  });

  it('stop() fails every task, not every other one (Twisted skips some)', () => {
    const s = new FakeScheduler();
    const c = new Cooperator({ scheduler: s.schedule });
    const results = [0, 1, 2, 3].map(() => settle(c.coiterate([1, 2])));
    c.stop();
    expect(results.map((r) => r.failure?.value instanceof SchedulerStopped)).toEqual([true, true, true, true]);
    expect(s.work.every((w) => w.cancelled)).toBe(true);
  });

  it('the default scheduler with a clock ticks on the clock, with the default time slice', () => {
    const clock = new Clock();
    const c = new Cooperator({ clock });
    const seen: number[] = [];
    const o = settle(
      c.coiterate(
        (function* () {
          for (let i = 0; i < 5; i++) {
            seen.push(i);
            yield;
          }
        })(),
      ),
    );
    expect(clock.getDelayedCalls()).toHaveLength(1);
    clock.advance(0);
    expect(seen).toEqual([]);
    // Ticks are scheduled 1e-8 s ahead: one turn later, never within the current instant.
    clock.advance(1e-8);
    expect(seen.length).toBeGreaterThan(0);
    // Five tiny steps normally fit in one 10 ms slice; a few more ticks finish even a slow run.
    for (let i = 0; i < 5 && !o.fired; i++) clock.advance(1);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(o.fired).toBe(true);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it('the default time slice ends a tick once about 10 ms of work is done', () => {
    // Asserted on elapsed time rather than on a step count, so that a loaded machine (which
    // may stretch any single step) cannot make it fail.
    const clock = new Clock();
    const c = new Cooperator({ clock });
    const MAX_STEPS = 5000; // 5000 x 0.2 ms: far longer than one slice
    let steps = 0;
    const task = c.cooperate(
      (function* () {
        while (steps < MAX_STEPS) {
          const until = performance.now() + 0.2;
          while (performance.now() < until) {
            /* burn about 0.2 ms */
          }
          steps++;
          yield;
        }
      })(),
    );
    const t0 = performance.now();
    clock.advance(1);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(9.5);
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThan(MAX_STEPS);
    // The next tick is scheduled: the task is not finished, only sliced.
    expect(clock.getDelayedCalls()).toHaveLength(1);
    task.stop();
  });

  it('a yielded promise pauses the task until it settles', async () => {
    const s = new FakeScheduler();
    const c = new Cooperator({ scheduler: s.schedule, terminationPredicateFactory: oneUnitPerTick });
    let release!: (v: string) => void;
    const seen: string[] = [];
    const o = settle(
      c.coiterate(
        (function* () {
          seen.push('before');
          yield new Promise<string>((r) => (release = r));
          seen.push('after');
        })(),
      ),
    );
    s.pump();
    s.pump();
    expect(seen).toEqual(['before']);
    release('v');
    await new Promise<void>((r) => setImmediate(r));
    s.pump();
    s.pump();
    expect(seen).toEqual(['before', 'after']);
    expect(o.fired).toBe(true);
  });

  it('rejects bad options and non-iterators', () => {
    expect(() => new Cooperator({ clock: {} as never })).toThrow(InvalidArgTypeError);
    expect(() => new Cooperator({ scheduler: 1 as never })).toThrow(InvalidArgTypeError);
    expect(() => new Cooperator({ terminationPredicateFactory: 'x' as never })).toThrow(InvalidArgTypeError);
    expect(() => new Cooperator({ started: 'yes' as never })).toThrow(InvalidArgTypeError);
    expect(() => new Cooperator(null as never)).toThrow(InvalidArgTypeError);
    const c = new Cooperator({ scheduler: new FakeScheduler().schedule });
    expect(() => c.cooperate(42 as never)).toThrow(InvalidArgTypeError);
    expect(() => c.coiterate([], {} as never)).toThrow(InvalidArgTypeError);
    expect(() => cooperate(null as never)).toThrow(InvalidArgTypeError);
  });
});

describe('module-level cooperate / coiterate', () => {
  it('AliasTests.test_cooperate: cooperate runs the iterator on the default Cooperator', async () => {
    const d = new Deferred<string>();
    function* doit() {
      yield 1;
      yield 2;
      yield 3;
      d.callback('yay');
    }
    const task = cooperate(doit());
    expect(task).toBeInstanceOf(CooperativeTask);
    await expect(d.asPromise()).resolves.toBe('yay');
  });

  it('coiterate resolves with the iterator', async () => {
    const it = [1, 2, 3][Symbol.iterator]();
    await expect(coiterate(it).asPromise()).resolves.toBe(it);
  });
});
