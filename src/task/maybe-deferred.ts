/**
 * @internal
 * Calls a user function and always hands back a Deferred for its outcome (Twisted's
 * `maybeDeferred`, as LoopingCall uses it): a returned Deferred is used as is, a promise or
 * other thenable is waited for, a returned Failure or a throw becomes a failed Deferred, and
 * any other value a fired one.
 */
import { Deferred } from '../defer/deferred';
import { Failure } from '../defer/failure';

export function callMaybeDeferred<A extends unknown[]>(f: (...args: A) => unknown, args: A): Deferred<unknown> {
  let result: unknown;
  try {
    result = f(...args);
  } catch (e) {
    const d = new Deferred<unknown>();
    d.errback(e);
    return d;
  }
  if (result instanceof Deferred) return result as Deferred<unknown>;
  if (result instanceof Failure) {
    const d = new Deferred<unknown>();
    d.errback(result);
    return d;
  }
  if (result !== null && (typeof result === 'object' || typeof result === 'function')) {
    let then: unknown;
    try {
      then = (result as { then?: unknown }).then;
    } catch (e) {
      const d = new Deferred<unknown>();
      d.errback(e);
      return d;
    }
    if (typeof then === 'function') return Deferred.fromPromise(result as PromiseLike<unknown>);
  }
  const d = new Deferred<unknown>();
  d.callback(result);
  return d;
}
