import { FailureGroup } from './errors';
import { InvalidArgTypeError } from '../errors';
import { describe } from '../util/validate';
import { Deferred } from './deferred';
import { toDeferreds, type DeferredLike } from './deferred-list';
import type { Failure } from './failure';

/**
 * The first success among `deferreds` (Twisted's `defer.race`): fires with `[index, result]`
 * of the first to succeed and cancels all the others. If every one fails, it fails with a
 * {@link FailureGroup} holding their Failures in input order. Cancelling the returned Deferred
 * cancels every input.
 *
 * The winner itself is never cancelled, so cancellation cannot reach whoever else uses it.
 */
export function race<T>(deferreds: Iterable<DeferredLike<T>>): Deferred<[index: number, result: T]> {
  if (deferreds === null || deferreds === undefined || typeof (deferreds as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new InvalidArgTypeError(`race() needs an iterable of Deferreds, received ${describe(deferreds)}`);
  }
  const toCancel = toDeferreds(deferreds, 'race()') as Deferred<T>[];
  let winner: Deferred<T> | null = null;
  const failures: [number, Failure][] = [];

  const finalResult = new Deferred<[number, T]>(() => {
    for (const d of toCancel) d.cancel();
  });

  const succeeded = (output: T, index: number): void => {
    // A second success can only come from a canceller that fires its Deferred with a value.
    if (winner !== null) return;
    winner = toCancel[index];
    for (const d of toCancel) if (d !== winner) d.cancel();
    finalResult.callback([index, output]);
  };

  const failed = (failure: Failure, index: number): void => {
    failures.push([index, failure]);
    if (failures.length === toCancel.length) {
      failures.sort((a, b) => a[0] - b[0]);
      finalResult.errback(new FailureGroup(failures.map((entry) => entry[1])));
    }
  };

  toCancel.forEach((d, index) => {
    d.addCallbacks(succeeded, failed, { callbackArgs: [index], errbackArgs: [index] });
  });
  return finalResult;
}
