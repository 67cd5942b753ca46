/**
 * Small constructors of already-fired Deferreds and adapters for plain functions (Twisted's
 * `succeed`, `fail`, `execute` and `maybeDeferred`).
 */
import { assertFunction } from '../util/validate';
import { Deferred, type Settled } from './deferred';
import { Failure } from './failure';

/**
 * A Deferred that has already fired with `result`: for code that must return a Deferred but
 * has its answer at hand. Callbacks added to it run at once. As with `callback`, a Failure
 * makes it a failed Deferred and a Deferred or promise makes it follow that one.
 */
export function succeed(): Deferred<undefined>;
export function succeed<T>(result: T): Deferred<Settled<T>>;
export function succeed<T>(result?: T): Deferred<Settled<T> | undefined> {
  const d = new Deferred<Settled<T> | undefined>();
  if (result !== null && typeof result === 'object') {
    // A Failure, Deferred or promise needs the full treatment of callback().
    d.callback(result as Settled<T>);
    return d;
  }
  // Setting the fields directly skips an empty run of the chain, as Twisted's succeed does.
  d._result = result;
  d._called = true;
  return d;
}

/**
 * A Deferred that has already failed with `reason` (wrapped in a Failure unless it is one).
 * Add an errback, or it is reported as an unhandled error when collected.
 */
export function fail<T = never>(reason?: unknown): Deferred<T> {
  const d = new Deferred<T>();
  d.errback(reason);
  return d;
}

/**
 * Calls `f(...args)` now and returns a Deferred fired with its return value (through
 * {@link succeed}), or failed with what it threw (Twisted's `execute`).
 *
 * @throws InvalidArgTypeError if `f` is not a function.
 */
export function execute<R, A extends unknown[]>(f: (...args: A) => R, ...args: A): Deferred<Settled<R>> {
  assertFunction(f, 'f');
  let result: R;
  try {
    result = f(...args);
  } catch (e) {
    return fail(e);
  }
  return succeed(result);
}

/**
 * Calls `f(...args)` now and returns a Deferred for its outcome, whatever shape it takes: a
 * Deferred is returned as is; a Failure becomes a failed Deferred; a promise (an async
 * function's result, say) is followed with {@link Deferred.fromPromise}; anything else is wrapped
 * with {@link succeed}; an exception becomes a failed Deferred.
 *
 * @throws InvalidArgTypeError if `f` is not a function.
 */
export function maybeDeferred<R, A extends unknown[]>(f: (...args: A) => R, ...args: A): Deferred<Settled<R>> {
  assertFunction(f, 'f');
  let result: unknown;
  try {
    result = f(...args);
    if (result instanceof Deferred) return result as Deferred<Settled<R>>;
    if (result instanceof Failure) return fail(result);
    if (result !== null && (typeof result === 'object' || typeof result === 'function')) {
      const then = (result as { then?: unknown }).then;
      if (typeof then === 'function') return Deferred.fromPromise(result as PromiseLike<Settled<R>>);
    }
  } catch (e) {
    return fail(e);
  }
  return succeed(result as Settled<R>) as Deferred<Settled<R>>;
}
