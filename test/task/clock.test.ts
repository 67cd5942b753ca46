// Clock: the deterministic IReactorTime. Cases follow Twisted's twisted/test/test_task.py
// ClockTests (the Twisted test name is in each title), plus ioreactor's argument checks.
import { describe, expect, it } from 'vitest';
import { Clock } from '../../src/task/clock';
import { AlreadyCalled, AlreadyCancelled } from '../../src/task/errors';
import { InvalidArgTypeError, InvalidArgValueError, IoReactorError } from '../../src/errors';

describe('Clock', () => {
  it('testSeconds: starts at 0', () => {
    expect(new Clock().seconds()).toBe(0);
  });

  it('testCallLater: returns a pending delayed call at now + delay', () => {
    const c = new Clock();
    c.advance(0.5);
    const call = c.callLater(1, (a: number, b: number) => a + b, 1, 2);
    expect(call.getTime()).toBe(1.5);
    expect(call.active()).toBe(true);
  });

  it('testCallLaterCancelled: a cancelled call is inactive and never runs', () => {
    const c = new Clock();
    const ran: number[] = [];
    const call = c.callLater(1, () => ran.push(1));
    call.cancel();
    expect(call.active()).toBe(false);
    expect(c.getDelayedCalls()).toEqual([]);
    c.advance(5);
    expect(ran).toEqual([]);
  });

  it('test_callLaterOrdering: every callLater returns a new call', () => {
    const c = new Clock();
    const call1 = c.callLater(10, () => undefined);
    const call2 = c.callLater(1, () => undefined);
    expect(call1).not.toBe(call2);
  });

  it('testAdvance: advancing runs calls that have come due, with their arguments', () => {
    const events: unknown[] = [];
    const c = new Clock();
    const call = c.callLater(2, (a: string, b: number) => events.push([a, b]), 'x', 2);
    c.advance(1);
    expect(events).toEqual([]);
    c.advance(1);
    expect(events).toEqual([['x', 2]]);
    expect(call.active()).toBe(false);
  });

  it('testAdvanceCancel: cancelling a call from inside itself throws AlreadyCalled', () => {
    const c = new Clock();
    let thrown: unknown;
    const call = c.callLater(1, () => {
      try {
        call.cancel();
      } catch (e) {
        thrown = e;
      }
    });
    c.advance(1);
    expect(thrown).toBeInstanceOf(AlreadyCalled);
    expect(thrown).toBeInstanceOf(IoReactorError);
    expect((thrown as AlreadyCalled).code).toBe('ERR_IOREACTOR_ALREADY_CALLED');
  });

  it('testCallLaterDelayed: delay() pushes the call back', () => {
    const events: number[] = [];
    const c = new Clock();
    const call = c.callLater(1, () => events.push(c.seconds()));
    call.delay(1);
    expect(call.getTime()).toBe(2);
    c.advance(1.5);
    expect(events).toEqual([]);
    c.advance(1.0);
    expect(events).toEqual([2.5]);
  });

  it('delay() with a negative offset moves the call earlier', () => {
    const events: number[] = [];
    const c = new Clock();
    const call = c.callLater(3, () => events.push(c.seconds()));
    call.delay(-2);
    expect(call.getTime()).toBe(1);
    c.advance(1);
    expect(events).toEqual([1]);
  });

  it('testCallLaterResetLater: reset() to a later time', () => {
    const events: number[] = [];
    const c = new Clock();
    const call = c.callLater(2, () => events.push(c.seconds()));
    c.advance(1);
    call.reset(3);
    expect(call.getTime()).toBe(4);
    c.advance(2);
    expect(events).toEqual([]);
    c.advance(1);
    expect(events).toEqual([4]);
  });

  it('testCallLaterResetSooner: reset() to an earlier time', () => {
    const events: number[] = [];
    const c = new Clock();
    const call = c.callLater(4, () => events.push(c.seconds()));
    call.reset(3);
    expect(call.getTime()).toBe(3);
    c.advance(3);
    expect(events).toEqual([3]);
  });

  it('test_getDelayedCalls: lists the pending calls', () => {
    const c = new Clock();
    const call = c.callLater(1, () => undefined);
    const call2 = c.callLater(2, () => undefined);
    expect(new Set(c.getDelayedCalls())).toEqual(new Set([call, call2]));
    c.advance(1);
    expect(c.getDelayedCalls()).toEqual([call2]);
  });

  it('test_getDelayedCallsEmpty: a new clock has no calls', () => {
    expect(new Clock().getDelayedCalls()).toEqual([]);
  });

  it('getDelayedCalls returns a copy the caller may modify', () => {
    const c = new Clock();
    c.callLater(1, () => undefined);
    c.getDelayedCalls().pop();
    expect(c.getDelayedCalls()).toHaveLength(1);
  });

  it('test_callLaterKeepsCallsOrdered: a call added after a reset runs in deadline order', () => {
    const result: [string, number][] = [];
    const clock = new Clock();
    const logtime = (n: string) => result.push([n, clock.seconds()]);
    const callA = clock.callLater(1.0, logtime, 'a');
    callA.reset(3.0);
    clock.callLater(2.0, logtime, 'b');
    clock.pump([1, 1, 1]);
    expect(result).toEqual([
      ['b', 2.0],
      ['a', 3.0],
    ]);
  });

  it('test_callLaterResetKeepsCallsOrdered: reset past another call reorders them', () => {
    const result: [string, number][] = [];
    const clock = new Clock();
    const logtime = (n: string) => result.push([n, clock.seconds()]);
    const callA = clock.callLater(1.0, logtime, 'a');
    clock.callLater(2.0, logtime, 'b');
    callA.reset(3.0);
    clock.pump([1, 1, 1]);
    expect(result).toEqual([
      ['b', 2.0],
      ['a', 3.0],
    ]);
  });

  it('test_callLaterResetInsideCallKeepsCallsOrdered: reset from inside a running call', () => {
    const result: [string, number][] = [];
    const clock = new Clock();
    const logtime = (n: string) => result.push([n, clock.seconds()]);
    const callB = clock.callLater(2.0, logtime, 'b');
    clock.callLater(1.0, () => callB.reset(3.0));
    clock.callLater(3.0, logtime, 'c');
    clock.pump(Array(10).fill(0.5));
    expect(result).toEqual([
      ['c', 3.0],
      ['b', 4.0],
    ]);
  });

  it('calls due at the same time run in scheduling order', () => {
    const c = new Clock();
    const order: string[] = [];
    for (const n of ['a', 'b', 'c', 'd']) c.callLater(1, () => order.push(n));
    c.callLater(0.5, () => order.push('early'));
    c.advance(1);
    expect(order).toEqual(['early', 'a', 'b', 'c', 'd']);
  });

  it('a call scheduled by a running call runs in the same advance if it is due', () => {
    const c = new Clock();
    const order: string[] = [];
    c.callLater(1, () => {
      order.push('outer');
      c.callLater(0, () => order.push('inner'));
      c.callLater(1, () => order.push('later'));
    });
    c.advance(1.5);
    expect(order).toEqual(['outer', 'inner']);
    expect(c.getDelayedCalls()).toHaveLength(1);
  });

  it('seconds() inside a call reports the advanced time, not the deadline', () => {
    const c = new Clock();
    const seen: number[] = [];
    c.callLater(1, () => seen.push(c.seconds()));
    c.advance(3);
    expect(seen).toEqual([3]);
  });

  it('an exception from a call propagates out of advance and leaves later calls queued', () => {
    const c = new Clock();
    const ran: string[] = [];
    const bad = c.callLater(1, () => {
      throw new Error('boom');
    });
    c.callLater(1, () => ran.push('next'));
    expect(() => c.advance(1)).toThrow('boom');
    expect(bad.active()).toBe(false);
    expect(ran).toEqual([]);
    c.advance(0);
    expect(ran).toEqual(['next']);
  });

  it('cancel/reset/delay of a called call throw AlreadyCalled', () => {
    const c = new Clock();
    const call = c.callLater(1, () => undefined);
    c.advance(1);
    expect(() => call.cancel()).toThrow(AlreadyCalled);
    expect(() => call.reset(1)).toThrow(AlreadyCalled);
    expect(() => call.delay(1)).toThrow(AlreadyCalled);
  });

  it('cancel/reset/delay of a cancelled call throw AlreadyCancelled', () => {
    const c = new Clock();
    const call = c.callLater(1, () => undefined);
    call.cancel();
    let err: unknown;
    try {
      call.cancel();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AlreadyCancelled);
    expect((err as AlreadyCancelled).code).toBe('ERR_IOREACTOR_ALREADY_CANCELLED');
    expect((err as Error).name).toBe('AlreadyCancelled');
    expect(() => call.reset(1)).toThrow(AlreadyCancelled);
    expect(() => call.delay(1)).toThrow(AlreadyCancelled);
  });

  it('pump advances step by step, running calls between steps', () => {
    const c = new Clock();
    const seen: number[] = [];
    c.callLater(0.5, () => seen.push(c.seconds()));
    c.callLater(1.5, () => seen.push(c.seconds()));
    c.pump([1, 1]);
    expect(seen).toEqual([1, 2]);
    expect(c.seconds()).toBe(2);
  });

  describe('argument checks', () => {
    it('callLater rejects a non-function with InvalidArgTypeError', () => {
      const c = new Clock();
      expect(() => c.callLater(1, 'nope' as never)).toThrow(InvalidArgTypeError);
      let thrown: unknown;
      try {
        c.callLater(1, 42 as never);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(InvalidArgTypeError);
      expect((thrown as InvalidArgTypeError).code).toBe('ERR_IOREACTOR_INVALID_ARG_TYPE');
      expect(c.getDelayedCalls()).toEqual([]);
    });

    it('callLater rejects negative, NaN and infinite delays with InvalidArgValueError', () => {
      const c = new Clock();
      for (const bad of [-1, NaN, Infinity]) {
        expect(() => c.callLater(bad, () => undefined)).toThrow(InvalidArgValueError);
      }
      expect(() => c.callLater('1' as never, () => undefined)).toThrow(InvalidArgTypeError);
      expect(c.getDelayedCalls()).toEqual([]);
    });

    it('advance rejects a negative amount and leaves time unchanged', () => {
      const c = new Clock();
      c.advance(2);
      expect(() => c.advance(-1)).toThrow(InvalidArgValueError);
      expect(() => c.advance(NaN)).toThrow(InvalidArgValueError);
      expect(c.seconds()).toBe(2);
    });

    it('reset and delay reject bad values', () => {
      const c = new Clock();
      const call = c.callLater(1, () => undefined);
      expect(() => call.reset(-1)).toThrow(InvalidArgValueError);
      expect(() => call.delay(NaN)).toThrow(InvalidArgValueError);
      expect(() => call.delay('2' as never)).toThrow(InvalidArgTypeError);
      expect(call.getTime()).toBe(1);
    });

    it('pump rejects a non-iterable', () => {
      expect(() => new Clock().pump(3 as never)).toThrow(InvalidArgTypeError);
    });
  });
});
