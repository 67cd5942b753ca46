// LoopingCall scheduling on a deterministic Clock. Cases follow Twisted's twisted/test/test_task.py
// LoopTests (the Twisted test name is in each title).
import { describe, expect, it } from 'vitest';
import { Clock } from '../../src/task/clock';
import { LoopingCall } from '../../src/task/looping-call';
import { Deferred } from '../../src/defer/deferred';
import { InvalidArgTypeError, InvalidArgValueError } from '../../src/errors';
import type { IReactorTime } from '../../src/interfaces/time';
import { settle } from './helpers';

function looping<A extends unknown[]>(clock: IReactorTime, f: (...args: A) => unknown, ...args: A): LoopingCall<A> {
  const lc = new LoopingCall(f, ...args);
  lc.clock = clock;
  return lc;
}

describe('LoopingCall', () => {
  it('test_defaultClock: there is no default clock; start() without one is an argument error', () => {
    const lc = new LoopingCall(() => undefined);
    expect(lc.clock).toBeUndefined();
    expect(() => lc.start(1)).toThrow(InvalidArgTypeError);
    expect(lc.running).toBe(false);
  });

  it('test_callbackTimeSkips: time passing during the call skips the intervals it covered', () => {
    const times: number[] = [];
    const clock = new Clock();
    let callDuration = 2;
    const lc = looping(clock, () => {
      times.push(clock.seconds());
      clock.advance(callDuration);
    });
    lc.start(0.5);
    expect(times).toEqual([0]);
    expect(clock.seconds()).toBe(2);
    clock.advance(0);
    expect(times).toEqual([0]);
    callDuration = 1;
    clock.advance(0.5);
    expect(times).toEqual([0, 2.5]);
    expect(clock.seconds()).toBe(3.5);
    clock.advance(0);
    expect(times).toEqual([0, 2.5]);
    callDuration = 0;
    clock.advance(0.5);
    expect(times).toEqual([0, 2.5, 4]);
    expect(clock.seconds()).toBe(4);
    lc.stop();
  });

  it('test_reactorTimeSkips: a late clock skips to the next interval still in the future', () => {
    const times: number[] = [];
    const clock = new Clock();
    const lc = looping(clock, () => times.push(clock.seconds()));
    lc.start(0.5);
    expect(times).toEqual([0]);
    clock.advance(2);
    expect(times).toEqual([0, 2]);
    clock.advance(1);
    expect(times).toEqual([0, 2, 3]);
    clock.advance(0);
    expect(times).toEqual([0, 2, 3]);
    lc.stop();
  });

  it('test_reactorTimeCountSkips: withCount reports the intervals that elapsed', () => {
    const times: [number, number][] = [];
    const clock = new Clock();
    const lc = LoopingCall.withCount((n) => times.push([clock.seconds(), n]));
    lc.clock = clock;
    const INTERVAL = 0.5;
    const DELAY = 0.01;
    lc.start(INTERVAL);
    expect(times).toEqual([[0, 1]]);
    clock.advance(INTERVAL + DELAY);
    expect(times).toEqual([
      [0, 1],
      [INTERVAL + DELAY, 1],
    ]);
    clock.advance(3 * INTERVAL + DELAY);
    const expected: [number, number][] = [
      [0, 1],
      [INTERVAL + DELAY, 1],
      [4 * INTERVAL + 2 * DELAY, 3],
    ];
    expect(times).toEqual(expected);
    clock.advance(0);
    expect(times).toEqual(expected);
    lc.stop();
  });

  it('test_countLengthyIntervalCounts: a call late by less than an interval still counts 1', () => {
    const times: [number, number][] = [];
    const clock = new Clock();
    const lc = LoopingCall.withCount((n) => times.push([clock.seconds(), n]));
    lc.clock = clock;
    const INTERVAL = 0.5;
    const DELAY = 0.01;
    lc.start(INTERVAL);
    expect(times.pop()).toEqual([0, 1]);
    clock.advance(INTERVAL + DELAY);
    expect(times.pop()).toEqual([INTERVAL + DELAY, 1]);
    clock.advance(INTERVAL * 1.75);
    expect(times.pop()).toEqual([2.75 * INTERVAL + DELAY, 1]);
    clock.advance(INTERVAL * 0.25);
    expect(times.pop()).toEqual([3.0 * INTERVAL + DELAY, 1]);
    lc.stop();
  });

  it('test_withCountFloatingPointBoundary: counts are never 0 and add up to the intervals elapsed', () => {
    const clock = new Clock();
    const accumulator: number[] = [];
    const lc = LoopingCall.withCount((n) => accumulator.push(n));
    lc.clock = clock;
    const count = 10;
    const timespan = 1.0;
    const interval = timespan / count;
    lc.start(interval, false);
    for (let i = 0; i < count; i++) clock.advance(interval);
    const epsilon =
      timespan -
      Array(count)
        .fill(interval)
        .reduce((a: number, b: number) => a + b, 0);
    clock.advance(epsilon);
    expect(Math.abs(epsilon)).toBeGreaterThan(0);
    expect(clock.seconds()).toBeGreaterThanOrEqual(timespan);
    expect(accumulator.reduce((a, b) => a + b, 0)).toBe(count);
    expect(accumulator).not.toContain(0);
    lc.stop();
  });

  it('test_withCountIntervalZero: with interval 0 the count is always 1', () => {
    const clock = new Clock();
    const accumulator: number[] = [];
    const lc = LoopingCall.withCount((n) => {
      accumulator.push(n);
      if (accumulator.length > 4) lc.stop();
    });
    lc.clock = clock;
    const o = settle(lc.start(0, false));
    clock.advance(0);
    expect(o.fired).toBe(true);
    expect(o.value).toBe(lc);
    expect(accumulator).toEqual([1, 1, 1, 1, 1]);
  });

  it('test_withCountIntervalZeroDelay: a pending Deferred blocks the loop; no delay is counted', () => {
    const clock = new Clock();
    const gate = new Deferred<void>();
    const accumulator: number[] = [];
    const lc = LoopingCall.withCount((n) => {
      accumulator.push(n);
      if (accumulator.length === 2) return gate;
      if (accumulator.length > 4) lc.stop();
      return undefined;
    });
    lc.clock = clock;
    lc.start(0, false);
    clock.advance(0);
    expect(accumulator).toEqual([1, 1]);
    clock.advance(2);
    expect(accumulator).toEqual([1, 1]);
    gate.callback(undefined);
    clock.advance(0);
    expect(accumulator).toEqual([1, 1, 1, 1, 1]);
  });

  it('test_withCountIntervalZeroDelayThenNonZeroInterval: a new interval counts from the last call', () => {
    const clock = new Clock();
    const gate = new Deferred<void>();
    const accumulator: number[] = [];
    const lc = LoopingCall.withCount((n) => {
      accumulator.push(n);
      return accumulator.length === 2 ? gate : undefined;
    });
    lc.clock = clock;
    lc.start(0, false);
    clock.advance(10);
    expect(accumulator).toEqual([1, 1]);
    lc.interval = 2;
    gate.callback(undefined);
    clock.advance(7);
    expect(accumulator).toEqual([1, 1, 3]);
    clock.advance(2);
    expect(accumulator).toEqual([1, 1, 3, 1]);
    clock.advance(4);
    expect(accumulator).toEqual([1, 1, 3, 1, 2]);
    lc.stop();
  });

  it('testBasicFunction: calls with the arguments; stop() fires the Deferred with the LoopingCall', () => {
    const clock = new Clock();
    const L: unknown[][] = [];
    const lc = looping(clock, (a: string, b: string) => L.push([a, b]), 'a', 'b');
    const o = settle(lc.start(0.1));
    clock.pump([0.05, 0.1, 0.1]);
    expect(L).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(o.fired).toBe(false);
    lc.stop();
    expect(o.value).toBe(lc);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it('testDelayedStart: now=false waits one interval before the first call', () => {
    const clock = new Clock();
    const L: number[] = [];
    const lc = looping(clock, () => L.push(clock.seconds()));
    const o = settle(lc.start(0.1, false));
    clock.pump([0.05, 0.1, 0.1]);
    expect(L).toHaveLength(2);
    lc.stop();
    expect(o.value).toBe(lc);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it('testBadDelay: a negative interval is rejected', () => {
    const lc = looping(new Clock(), () => undefined);
    expect(() => lc.start(-1)).toThrow(InvalidArgValueError);
    expect(lc.running).toBe(false);
  });

  it.each([0, 10])('testStopAtOnce / testStoppingBeforeDelayedStart (interval %s): stop prevents every call', (interval) => {
    const ran: number[] = [];
    const clock = new Clock();
    const lc = looping(clock, () => ran.push(1));
    lc.start(interval, false);
    lc.stop();
    clock.advance(20);
    expect(ran).toEqual([]);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it('test_reset: reset() restarts the interval from now', () => {
    const ran: number[] = [];
    const c = new Clock();
    const lc = looping(c, () => ran.push(c.seconds()));
    lc.start(2, false);
    c.advance(1);
    lc.reset();
    c.advance(1);
    expect(ran).toEqual([]);
    c.advance(1);
    expect(ran).toEqual([3]);
    lc.stop();
  });

  it('test_reprFunction: toString names the function, interval and arguments', () => {
    function installReactor(_reactor: number, _key: string): void {}
    const lc = new LoopingCall(installReactor, 1, 'key');
    expect(String(lc)).toBe('LoopingCall<undefined>(installReactor, 1, "key")');
    lc.clock = new Clock();
    lc.start(2, false);
    expect(String(lc)).toBe('LoopingCall<2>(installReactor, 1, "key")');
    lc.stop();
  });
});
