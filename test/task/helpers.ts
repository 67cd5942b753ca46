// Helpers shared by the task tests.
import type { CancellableCall } from '../../src/task/cooperator';
import type { Deferred } from '../../src/defer/deferred';
import type { Failure } from '../../src/defer/failure';

/** What a Deferred produced, recorded without leaving a failure unhandled. */
export interface Settlement<T> {
  fired: boolean;
  value?: T;
  failure?: Failure;
}

/** Adds a callback/errback pair recording the outcome of `d`. */
export function settle<T>(d: Deferred<T>): Settlement<T> {
  const o: Settlement<T> = { fired: false };
  d.addCallbacks(
    (v: T) => {
      o.fired = true;
      o.value = v;
    },
    (f: Failure) => {
      o.fired = true;
      o.failure = f;
    },
  );
  return o;
}

/** Twisted's FakeScheduler (test_cooperator.py): collects ticks and runs them on pump(). */
export class FakeScheduler {
  work: { func: () => void; cancelled: boolean }[] = [];
  readonly schedule = (func: () => void): CancellableCall => {
    const unit = { func, cancelled: false, cancel: () => void (unit.cancelled = true) };
    this.work.push(unit);
    return unit;
  };
  pump(): void {
    const work = this.work;
    this.work = [];
    for (const unit of work) if (!unit.cancelled) unit.func();
  }
}

/** A termination predicate factory allowing one unit of work per tick. */
export const oneUnitPerTick = () => () => true;
