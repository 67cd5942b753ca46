/**
 * The glue between Deferreds and the Promise / AbortSignal world: the links that `asPromise`,
 * `cancelWhenAborted` and `fromPromise` put into a chain. Kept apart from the chain machinery in
 * deferred.ts; these functions only use Deferred's internal fields, never construct one.
 */
import type { Deferred } from './deferred';
import type { Failure } from './failure';

/** @internal The `then` of a thenable, called with the thenable as `this`. */
export type ThenFn = (this: unknown, onFulfilled: (v: unknown) => void, onRejected: (e: unknown) => void) => unknown;

/** @internal Callback link of `asPromise`: resolves and passes the value on. */
export function resolveLink(value: unknown, resolve: (v: unknown) => void): unknown {
  resolve(value);
  return value;
}

/** @internal Errback link of `asPromise`: the Failure now counts as handled. */
export function rejectLink(failure: Failure, reject: (e: unknown) => void, d: Deferred<unknown>): Failure {
  d._handled = failure;
  reject(failure.value);
  return failure;
}

/** @internal Link of `cancelWhenAborted`: the signal no longer concerns this Deferred. */
export function removeAbortListener(result: unknown, signal: AbortSignal, onAbort: () => void): unknown {
  signal.removeEventListener('abort', onAbort);
  return result;
}

/**
 * @internal Subscribes `d` to a thenable. Only the first outcome counts, and a `then` that
 * throws after reporting one is ignored, as Promises/A+ requires. Once `d` has fired otherwise
 * (cancelled, say), the outcome is dropped; after a cancel without canceller it is absorbed by
 * the `_suppressAlreadyCalled` rule.
 */
export function subscribe(d: Deferred<any>, thenable: unknown, then: ThenFn): void {
  let settled = false;
  try {
    then.call(
      thenable,
      (value: unknown) => {
        if (settled) return;
        settled = true;
        if (d._called && !d._suppressAlreadyCalled) return;
        d.callback(value);
      },
      (reason: unknown) => {
        if (settled) return;
        settled = true;
        if (d._called && !d._suppressAlreadyCalled) return;
        d.errback(reason);
      },
    );
  } catch (e) {
    if (settled) return;
    settled = true;
    if (d._called && !d._suppressAlreadyCalled) return;
    d.errback(e);
  }
}
