// CooperativeTask: pause, resume, stop, exhaustion and their interactions. Cases follow
// Twisted's twisted/test/test_cooperator.py RunStateTests (the Twisted test name is in each title).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cooperator, CooperativeTask } from '../../src/task/cooperator';
import { Deferred } from '../../src/defer/deferred';
import { NotPaused, TaskDone, TaskFailed, TaskFinished, TaskStopped } from '../../src/task/errors';
import { FakeScheduler, oneUnitPerTick, settle } from './helpers';

describe('CooperativeTask run states (RunStateTests)', () => {
  let scheduler: FakeScheduler;
  let cooperator: Cooperator;
  let task: CooperativeTask<unknown>;
  let work: unknown[];
  let next: 'defer' | 'stop' | 'die' | null;

  function* worker(): Generator<unknown> {
    let i = 0;
    for (;;) {
      i++;
      if (next === 'defer') {
        next = null;
        const d = new Deferred<unknown>();
        work.push(d);
        yield d;
      } else if (next === 'stop') {
        return;
      } else if (next === 'die') {
        throw new RangeError('UnhandledException');
      } else {
        work.push(i);
        yield i;
      }
    }
  }

  let iterator: Generator<unknown>;

  beforeEach(() => {
    next = null;
    work = [];
    scheduler = new FakeScheduler();
    cooperator = new Cooperator({ scheduler: scheduler.schedule, terminationPredicateFactory: oneUnitPerTick });
    iterator = worker();
    task = cooperator.cooperate(iterator);
    cooperator.start();
  });

  afterEach(() => {
    cooperator.stop();
  });

  it('test_pauseResume: a paused task does no work; resume itself does none either', () => {
    scheduler.pump();
    expect(work).toEqual([1]);
    scheduler.pump();
    expect(work).toEqual([1, 2]);
    task.pause();
    scheduler.pump();
    expect(work).toEqual([1, 2]);
    task.resume();
    expect(work).toEqual([1, 2]);
    scheduler.pump();
    expect(work).toEqual([1, 2, 3]);
  });

  it('test_resumeNotPaused: resume without pause throws NotPaused', () => {
    expect(() => task.resume()).toThrow(NotPaused);
    task.pause();
    task.resume();
    let err: unknown;
    try {
      task.resume();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NotPaused);
    expect((err as NotPaused).code).toBe('ERR_IOREACTOR_NOT_PAUSED');
  });

  it('test_pauseTwice: pauses nest', () => {
    task.pause();
    scheduler.pump();
    expect(work).toEqual([]);
    task.pause();
    scheduler.pump();
    task.resume();
    scheduler.pump();
    expect(work).toEqual([]);
    task.resume();
    scheduler.pump();
    expect(work).toEqual([1]);
  });

  it('test_pauseWhileDeferred: needs both the Deferred fired and resume()', () => {
    next = 'defer';
    scheduler.pump();
    expect(work).toHaveLength(1);
    expect(work[0]).toBeInstanceOf(Deferred);
    scheduler.pump();
    expect(work).toHaveLength(1);
    task.pause();
    scheduler.pump();
    task.resume();
    scheduler.pump();
    expect(work).toHaveLength(1);
    (work[0] as Deferred<unknown>).callback('STUFF!');
    scheduler.pump();
    expect(work).toHaveLength(2);
    expect(work[1]).toBe(2);
  });

  it('test_whenDone: each whenDone Deferred fires with the iterator, independently', () => {
    const d1 = task.whenDone();
    const d2 = task.whenDone();
    const results1: unknown[] = [];
    const results2: unknown[] = [];
    const final1: unknown[] = [];
    const final2: unknown[] = [];
    d1.addCallback((r) => {
      results1.push(r);
      return 1;
    }).addCallback((r) => {
      final1.push(r);
    });
    d2.addCallback((r) => {
      results2.push(r);
      return 2;
    }).addCallback((r) => {
      final2.push(r);
    });
    next = 'stop';
    scheduler.pump();
    expect(results1).toEqual([iterator]);
    expect(results2[0]).toBe(iterator);
    expect(final1).toEqual([1]);
    expect(final2).toEqual([2]);
  });

  it('test_whenDoneError: whenDone fails with the error thrown by the iterator', () => {
    const o = settle(task.whenDone());
    next = 'die';
    scheduler.pump();
    expect(o.failure?.check(RangeError)).toBe(RangeError);
  });

  it('test_whenDoneStop: whenDone fails with TaskStopped after stop()', () => {
    const o = settle(task.whenDone());
    task.stop();
    expect(o.failure?.check(TaskStopped)).toBe(TaskStopped);
    expect((o.failure?.value as TaskStopped).code).toBe('ERR_IOREACTOR_TASK_STOPPED');
  });

  it('test_whenDoneAlreadyDone: whenDone after completion fires at once', () => {
    next = 'stop';
    scheduler.pump();
    expect(settle(task.whenDone()).value).toBe(iterator);
  });

  it('test_stopStops: a stopped task does no work; stop/pause throw TaskStopped', () => {
    task.stop();
    scheduler.pump();
    expect(work).toEqual([]);
    expect(() => task.stop()).toThrow(TaskStopped);
    expect(() => task.pause()).toThrow(TaskFinished);
    scheduler.pump();
    expect(work).toEqual([]);
  });

  it('test_pauseStopResume: resuming a paused, stopped task is a no-op', () => {
    task.pause();
    task.stop();
    task.resume();
    scheduler.pump();
    expect(work).toEqual([]);
  });

  it('test_stopDeferred: a task stopped while waiting is not resumed; the yielded result is consumed', () => {
    next = 'defer';
    scheduler.pump();
    const d = work.pop() as Deferred<unknown>;
    const results: unknown[] = [];
    d.addBoth((r) => {
      results.push(r);
    });
    scheduler.pump();
    task.stop();
    scheduler.pump();
    d.callback(7);
    scheduler.pump();
    expect(results).toEqual([undefined]);
    expect(work).toEqual([]);
  });

  it('test_stopExhausted: stop() after completion throws TaskDone', () => {
    next = 'stop';
    scheduler.pump();
    let err: unknown;
    try {
      task.stop();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TaskDone);
    expect((err as TaskDone).code).toBe('ERR_IOREACTOR_TASK_DONE');
  });

  it('test_stopErrored: stop() after the iterator failed throws TaskFailed', () => {
    const o = settle(task.whenDone());
    next = 'die';
    scheduler.pump();
    expect(o.fired).toBe(true);
    expect(() => task.stop()).toThrow(TaskFailed);
  });

  it('test_stopCooperatorReentrancy: Cooperator.stop() from a whenDone callback', () => {
    const phases: unknown[] = [];
    task.whenDone().addCallback((r) => {
      phases.push(r);
      cooperator.stop();
      phases.push('done');
    });
    next = 'stop';
    scheduler.pump();
    expect(phases).toEqual([iterator, 'done']);
  });
});
