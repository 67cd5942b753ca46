// Bad input to every public entry point of the Deferred machinery is rejected at once with
// InvalidArgTypeError / InvalidArgValueError and a stable code.
import { describe, expect, it } from 'vitest';
import { InvalidArgTypeError, InvalidArgValueError } from '../../src/errors';
import { Deferred } from '../../src/defer/deferred';
import { DeferredList } from '../../src/defer/deferred-list';
import { gatherResults } from '../../src/defer/gather';
import { ensureDeferred, inlineCallbacks } from '../../src/defer/inline-callbacks';
import { race } from '../../src/defer/race';
import { DeferredLock } from '../../src/defer/lock';
import { DeferredSemaphore } from '../../src/defer/semaphore';
import { execute, maybeDeferred } from '../../src/defer/simple';
import { setDeferredLogger, trackUnhandledDeferredErrors } from '../../src/defer/unhandled';
import { Clock } from '../../src/task/clock';
import { thrownBy } from './helpers';

const TYPE = 'ERR_IOREACTOR_INVALID_ARG_TYPE';
const VALUE = 'ERR_IOREACTOR_INVALID_ARG_VALUE';

function expectTypeError(f: () => unknown): void {
  const e = thrownBy(f);
  expect(e).toBeInstanceOf(InvalidArgTypeError);
  expect(e).toBeInstanceOf(TypeError);
  expect((e as InvalidArgTypeError).code).toBe(TYPE);
}

function expectValueError(f: () => unknown): void {
  const e = thrownBy(f);
  expect(e).toBeInstanceOf(InvalidArgValueError);
  expect(e).toBeInstanceOf(RangeError);
  expect((e as InvalidArgValueError).code).toBe(VALUE);
}

const any = (v: unknown): any => v;

describe('argument validation', () => {
  it('Deferred constructor: canceller must be a function', () => {
    expectTypeError(() => new Deferred(any('cancel')));
    expectTypeError(() => new Deferred(any(1)));
    expect(() => new Deferred(undefined)).not.toThrow();
  });

  it('addCallback / addErrback / addBoth need functions', () => {
    const d = new Deferred();
    for (const bad of [undefined, null, 1, 'f', {}]) {
      expectTypeError(() => d.addCallback(any(bad)));
      expectTypeError(() => d.addErrback(any(bad)));
      expectTypeError(() => d.addBoth(any(bad)));
    }
    // Nothing was added by the rejected calls.
    expect(d._first).toBeNull();
  });

  it('addCallbacks checks callback, errback and options', () => {
    const d = new Deferred();
    expectTypeError(() => d.addCallbacks(any(null)));
    expectTypeError(() => d.addCallbacks(() => 1, any('eb')));
    expectTypeError(() => d.addCallbacks(() => 1, null, any(5)));
    expectTypeError(() => d.addCallbacks(() => 1, null, { callbackArgs: any('a') }));
    expectTypeError(() => d.addCallbacks(() => 1, null, { errbackArgs: any({}) }));
  });

  it('addTimeout checks the timeout, the clock and the function', () => {
    const clock = new Clock();
    const d = new Deferred();
    expectValueError(() => d.addTimeout(-1, clock));
    expectValueError(() => d.addTimeout(Number.NaN, clock));
    expectValueError(() => d.addTimeout(Number.POSITIVE_INFINITY, clock));
    expectTypeError(() => d.addTimeout(any('5'), clock));
    expectTypeError(() => d.addTimeout(5, any(null)));
    expectTypeError(() => d.addTimeout(5, any({})));
    expectTypeError(() => d.addTimeout(5, clock, any('f')));
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it('chainDeferred needs a Deferred', () => {
    expectTypeError(() => new Deferred().chainDeferred(any({ callback() {} })));
  });

  it('fromPromise needs a thenable', () => {
    expectTypeError(() => Deferred.fromPromise(any(5)));
    expectTypeError(() => Deferred.fromPromise(any(null)));
    expectTypeError(() => Deferred.fromPromise(any({ then: 1 })));
  });

  it('cancelWhenAborted / fromSignal need an AbortSignal', () => {
    expectTypeError(() => new Deferred().cancelWhenAborted(any({})));
    expectTypeError(() => Deferred.fromSignal(any(null)));
  });

  it('DeferredList checks its list, elements and options', () => {
    expectTypeError(() => new DeferredList(any(5)));
    expectTypeError(() => new DeferredList(any([1])));
    expectTypeError(() => new DeferredList([], any('opts')));
    expectTypeError(() => new DeferredList([], any({ consumeErrors: 'yes' })));
  });

  it('gatherResults and race check their input', () => {
    expectTypeError(() => gatherResults(any(null)));
    expectTypeError(() => gatherResults([], any(1)));
    expectTypeError(() => race(any(undefined)));
    expectTypeError(() => race(any(['x'])));
  });

  it('maybeDeferred, execute and run need functions', () => {
    expectTypeError(() => maybeDeferred(any(1)));
    expectTypeError(() => execute(any('f')));
    expectTypeError(() => new DeferredLock().run(any(null)));
    expectTypeError(() => new DeferredSemaphore(1).run(any(null)));
  });

  it('inlineCallbacks and ensureDeferred check their input', () => {
    expectTypeError(() => inlineCallbacks(any(3)));
    expectTypeError(() => inlineCallbacks(any(() => 1))());
    expectTypeError(() => ensureDeferred(any(42)));
    expectTypeError(() => ensureDeferred(any({ next() {}, throw() {} })));
  });

  it('setDeferredLogger and trackUnhandledDeferredErrors check their input', () => {
    expectTypeError(() => setDeferredLogger(any({})));
    expectTypeError(() => setDeferredLogger(any(null)));
    expectTypeError(() => trackUnhandledDeferredErrors(any(5)));
    expectTypeError(() => trackUnhandledDeferredErrors(any({ log: 'yes' })));
  });
});
