/**
 * The glue between Deferreds and the Promise / AbortSignal world: the links that `asPromise`
 * and `cancelWhenAborted` put into a chain, and the subscription of a Deferred to a thenable.
 * These functions only use Deferred's internal methods, never construct one, so deferred.ts can
 * import them without an import cycle mattering.
 */
import { InvalidArgTypeError } from '../errors';
import { describe } from '../util/validate';
import type { Deferred } from './deferred';
import type { Failure } from './failure';

/** @internal The `then` of a thenable, called with the thenable as `this`. */
export type ThenFn = (this: unknown, onFulfilled: (v: unknown) => void, onRejected: (e: unknown) => void) => unknown;

/** @internal Callback link of `asPromise`: resolves and passes the value on unchanged. */
export function resolveLink(value: unknown, resolve: (v: unknown) => void): unknown {
  resolve(value);
  return value;
}

/** @internal Errback link of `asPromise`: rejects; the Failure now counts as handled. */
export function rejectLink(failure: Failure, reject: (e: unknown) => void, d: Deferred<unknown>): Failure {
  d._rareState().handled = failure;
  reject(failure.value);
  return failure;
}

/**
 * @internal Subscribes `d` to a thenable. Only the first outcome counts, and a `then` that
 * throws after reporting one is ignored, as Promises/A+ requires. See `Deferred._settle` for
 * what happens when `d` was fired meanwhile (cancelled, say).
 */
export function subscribe(d: Deferred<any>, thenable: unknown, then: ThenFn): void {
  let settled = false;
  try {
    then.call(
      thenable,
      (value: unknown) => {
        if (settled) return;
        settled = true;
        d._settle(value, false);
      },
      (reason: unknown) => {
        if (settled) return;
        settled = true;
        d._settle(reason, true);
      },
    );
  } catch (e) {
    if (settled) return;
    settled = true;
    d._settle(e, true);
  }
}

/** @internal The body of `Deferred.cancelWhenAborted`. */
export function cancelWhenAborted(d: Deferred<unknown>, signal: AbortSignal): void {
  if (signal === null || typeof signal !== 'object' || typeof signal.addEventListener !== 'function' || typeof signal.aborted !== 'boolean') {
    throw new InvalidArgTypeError(`signal must be an AbortSignal, received ${describe(signal)}`);
  }
  if (signal.aborted) {
    d.cancel();
    return;
  }
  const onAbort = (): void => d.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  const args = [signal, onAbort];
  d._push(removeAbortListener, args, removeAbortListener, args);
}

/** Link of `cancelWhenAborted`: once the chain gets here, the signal no longer concerns it. */
function removeAbortListener(result: unknown, signal: AbortSignal, onAbort: () => void): unknown {
  signal.removeEventListener('abort', onAbort);
  return result;
}
