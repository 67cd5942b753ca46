/**
 * `Deferred.addTimeout` (Twisted's): cancel a Deferred after a delay on an IReactorTime clock.
 */
import { CancelledError, TimeoutError } from './errors';
import { InvalidArgTypeError } from '../errors';
import { assertFunction, assertNonNegativeNumber, describe } from '../util/validate';
import type { IReactorTime } from '../interfaces/time';
import type { Deferred } from './deferred';
import { Failure } from './failure';

/** @internal The body of `Deferred.addTimeout`. */
export function addTimeout(
  d: Deferred<unknown>,
  seconds: number,
  clock: IReactorTime,
  onTimeoutCancel: ((result: unknown, seconds: number) => unknown) | undefined,
): Deferred<unknown> {
  assertNonNegativeNumber(seconds, 'timeout');
  if (clock === null || typeof clock !== 'object' || typeof (clock as IReactorTime).callLater !== 'function') {
    throw new InvalidArgTypeError(`clock must provide callLater(), received ${describe(clock)}`);
  }
  if (onTimeoutCancel !== undefined && onTimeoutCancel !== null) assertFunction(onTimeoutCancel, 'onTimeoutCancel');
  const state = { timedOut: false };
  const call = clock.callLater(seconds, () => {
    state.timedOut = true;
    d.cancel();
  });
  return d
    .addBoth((result) => {
      // Only a cancellation caused by this timer is translated; others keep their failure.
      if (!state.timedOut) return result;
      return (onTimeoutCancel ?? cancelledToTimedOut)(result, seconds);
    })
    .addBoth((result) => {
      if (call.active()) call.cancel();
      return result;
    });
}

/** Twisted's `_cancelledToTimedOutError`: a CancelledError becomes a TimeoutError. */
function cancelledToTimedOut(result: unknown, seconds: number): unknown {
  if (result instanceof Failure) {
    result.trap(CancelledError);
    throw new TimeoutError(seconds);
  }
  return result;
}
