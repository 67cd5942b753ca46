// deferLater on a deterministic Clock. Cases follow Twisted's twisted/test/test_task.py
// DeferLaterTests (the Twisted test name is in each title).
import { describe, expect, it } from 'vitest';
import { Clock } from '../../src/task/clock';
import { deferLater } from '../../src/task/defer-later';
import { Deferred } from '../../src/defer/deferred';
import { CancelledError } from '../../src/defer/errors';
import { InvalidArgTypeError, InvalidArgValueError } from '../../src/errors';
import { settle } from './helpers';

class TestException extends Error {}

describe('deferLater', () => {
  it('test_callback: fires after the delay with the result of the function', () => {
    const results: [string, string][] = [];
    const flag = {};
    const clock = new Clock();
    const d = deferLater(
      clock,
      3,
      (foo: string, bar: string) => {
        results.push([foo, bar]);
        return flag;
      },
      'foo',
      'bar',
    );
    const o = settle(d);
    clock.advance(2);
    expect(results).toEqual([]);
    expect(o.fired).toBe(false);
    clock.advance(1);
    expect(results).toEqual([['foo', 'bar']]);
    expect(o.value).toBe(flag);
  });

  it('test_errback: an exception from the function fails the Deferred', () => {
    const clock = new Clock();
    const o = settle(
      deferLater(clock, 1, () => {
        throw new TestException('x');
      }),
    );
    clock.advance(1);
    expect(o.failure?.check(TestException)).toBe(TestException);
  });

  it('test_cancel: cancelling prevents the call, clears the timer and fails with CancelledError', () => {
    const called: unknown[] = [];
    const clock = new Clock();
    const d = deferLater(clock, 1, (x: unknown) => called.push(x), null);
    expect(clock.getDelayedCalls()).toHaveLength(1);
    const o = settle(d);
    d.cancel();
    expect(o.failure?.value).toBeInstanceOf(CancelledError);
    expect(clock.getDelayedCalls()).toEqual([]);
    clock.advance(2);
    expect(called).toEqual([]);
  });

  it('test_noCallback: without a function it fires with undefined', () => {
    const clock = new Clock();
    const o = settle(deferLater(clock, 2.0));
    expect(o.fired).toBe(false);
    clock.advance(2.0);
    expect(o.fired).toBe(true);
    expect(o.value).toBeUndefined();
  });

  it('a Deferred returned by the function is waited for, and cancel reaches it', () => {
    const clock = new Clock();
    const innerCancelled: string[] = [];
    const inner = new Deferred<string>(() => innerCancelled.push('inner'));
    const d = deferLater(clock, 1, () => inner);
    const o = settle(d);
    clock.advance(1);
    expect(o.fired).toBe(false);
    d.cancel();
    expect(innerCancelled).toEqual(['inner']);
    expect(o.failure?.value).toBeInstanceOf(CancelledError);
  });

  it('cancelling after it fired does nothing', () => {
    const clock = new Clock();
    const d = deferLater(clock, 1, () => 'v');
    clock.advance(1);
    d.cancel();
    expect(settle(d).value).toBe('v');
  });

  it('can be awaited', async () => {
    const clock = new Clock();
    const p = deferLater(clock, 5, (a: number) => a * 2, 21).asPromise();
    clock.advance(5);
    await expect(p).resolves.toBe(42);
  });

  it('rejects a bad clock, delay or function', () => {
    const clock = new Clock();
    expect(() => deferLater({} as never, 1)).toThrow(InvalidArgTypeError);
    expect(() => deferLater(clock, -1)).toThrow(InvalidArgValueError);
    expect(() => deferLater(clock, NaN)).toThrow(InvalidArgValueError);
    expect(() => deferLater(clock, '1' as never)).toThrow(InvalidArgTypeError);
    expect(() => deferLater(clock, 1, 'f' as never)).toThrow(InvalidArgTypeError);
    expect(clock.getDelayedCalls()).toEqual([]);
  });
});
