/**
 * inlineCallbacks: sequential-looking Deferred code written as a generator function (Twisted's
 * `defer.inlineCallbacks`, `ensureDeferred` and the cancellation machinery around them).
 */
import { InvalidArgTypeError } from '../errors';
import { assertFunction, describe } from '../util/validate';
import { Deferred, type Settled } from './deferred';
import { Failure } from './failure';
import { LinkNode } from './links';

/** What a generator driven by inlineCallbacks looks like (its `yield` expressions are untyped). */
export type InlineGenerator<R> = Generator<unknown, R, any>;

/** Where an inlineCallbacks run stands: the Deferred to fire at the end, the one awaited now. */
interface Status {
  deferred: Deferred<unknown>;
  waitingOn: Deferred<unknown> | null;
}

/** The failure that marks an inlineCallbacks Deferred's own cancellation; never escapes. */
class InlineCallbacksCancelled {}

/**
 * Wraps a generator function so that calling it returns a Deferred (Twisted's
 * `@inlineCallbacks`). Inside, `yield` a Deferred or a promise to wait for it: the generator
 * resumes with its result, or the error is thrown at the `yield`. Yielding a generator object
 * runs it as a nested inlineCallbacks; yielding anything else resumes at once with that value.
 * `return x` fires the returned Deferred with `x` (a returned Deferred or promise is waited for);
 * an uncaught exception fails it.
 *
 * Cancelling the returned Deferred cancels the Deferred the generator is waiting on; the
 * generator sees that one's outcome (usually a CancelledError thrown at its `yield`) and may
 * catch it and go on, in which case the returned Deferred gets whatever it finally produces.
 *
 * Note that `yield` expressions are typed `any`: annotate what you receive (`const n: number =
 * yield d;`).
 *
 * @throws InvalidArgTypeError if `f` is not a function; the wrapper throws it if `f` does not
 *   return a generator.
 */
export function inlineCallbacks<This, A extends unknown[], R>(
  f: (this: This, ...args: A) => InlineGenerator<R>,
): (this: This, ...args: A) => Deferred<Settled<R>> {
  assertFunction(f, 'f');
  const wrapper = function (this: This, ...args: A): Deferred<Settled<R>> {
    const gen: unknown = f.apply(this, args);
    if (!isGenerator(gen)) {
      throw new InvalidArgTypeError(`inlineCallbacks requires ${describe(f)} to produce a generator; instead got ${describe(gen)}`);
    }
    return cancellableInlineCallbacks(gen) as Deferred<Settled<R>>;
  };
  Object.defineProperty(wrapper, 'name', { value: f.name, configurable: true });
  return wrapper;
}

/**
 * A Deferred for `value`: a Deferred is returned as is, a promise is followed with
 * {@link Deferred.fromPromise}, a generator object (from a generator function written for
 * inlineCallbacks) is run. Twisted's `ensureDeferred`.
 *
 * @throws InvalidArgTypeError for anything else.
 */
export function ensureDeferred<T>(value: Deferred<T> | PromiseLike<T> | InlineGenerator<T>): Deferred<Settled<T>> {
  if (value instanceof Deferred) return value as Deferred<Settled<T>>;
  if (isGenerator(value)) return cancellableInlineCallbacks(value) as Deferred<Settled<T>>;
  if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<T>).then === 'function') {
    return Deferred.fromPromise(value as PromiseLike<Settled<T>>);
  }
  throw new InvalidArgTypeError(`ensureDeferred() needs a Deferred, a promise or a generator, received ${describe(value)}`);
}

function isGenerator(value: unknown): value is InlineGenerator<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Generator).next === 'function' &&
    typeof (value as Generator).throw === 'function' &&
    Object.prototype.toString.call(value) === '[object Generator]'
  );
}

/** @internal Runs `gen` to completion, returning its cancellable Deferred. */
export function cancellableInlineCallbacks(gen: InlineGenerator<unknown>): Deferred<unknown> {
  const status: Status = { deferred: null as unknown as Deferred<unknown>, waitingOn: null };
  const deferred = new Deferred<unknown>((d) => addCancelCallbackToDeferred(d, status));
  status.deferred = deferred;
  runGenerator(undefined, gen, status);
  return deferred;
}

/**
 * The canceller of an inlineCallbacks Deferred: put an errback at the head of its chain and
 * errback it with the internal marker. That errback swaps in a fresh Deferred for the
 * generator to fire, cancels what the generator awaits, and returns the fresh Deferred, so the
 * cancelled one waits for the generator's final outcome (Twisted's `_addCancelCallbackToDeferred`).
 */
function addCancelCallbackToDeferred(d: Deferred<unknown>, status: Status): void {
  const link = new LinkNode(null, undefined, handleCancel, [status]);
  link.next = d._first;
  d._first = link;
  if (d._last === null) d._last = link;
  d.errback(new InlineCallbacksCancelled());
}

function handleCancel(failure: Failure, status: Status): Deferred<unknown> {
  failure.trap(InlineCallbacksCancelled);
  status.deferred = new Deferred<unknown>((d) => addCancelCallbackToDeferred(d, status));
  const awaited = status.waitingOn;
  if (awaited !== null) awaited.cancel();
  return status.deferred;
}

/** Shared between a run of `runGenerator` and the callback it adds to the awaited Deferred. */
interface Waiting {
  /** True while runGenerator has not yet returned after adding its callback. */
  waiting: boolean;
  result: unknown;
}

function gotResult(result: unknown, w: Waiting, gen: InlineGenerator<unknown>, status: Status): undefined {
  if (w.waiting) {
    // The awaited Deferred had a result already: hand it to the loop instead of recursing.
    w.waiting = false;
    w.result = result;
  } else {
    runGenerator(result, gen, status);
  }
  // Like Twisted, the generator takes the result: the awaited chain continues with undefined.
  return undefined;
}

/**
 * Advances the generator with `result` until it waits on a Deferred without a result, returns
 * or throws (Twisted's `_inlineCallbacks`). Already-available results are processed in this
 * loop, so yielding many fired Deferreds in a row does not grow the stack.
 */
function runGenerator(result: unknown, gen: InlineGenerator<unknown>, status: Status): void {
  const w: Waiting = { waiting: true, result: undefined };
  for (;;) {
    let step: IteratorResult<unknown, unknown>;
    try {
      step = result instanceof Failure ? gen.throw(result.value) : gen.next(result);
    } catch (e) {
      status.deferred.errback(e);
      return;
    }
    let value = step.value;
    if (step.done) {
      if (value instanceof Deferred || isThenable(value)) {
        // `return d` means the outcome of d; wait for it, cancellably.
        const inner = value instanceof Deferred ? value : Deferred.fromPromise(value as PromiseLike<unknown>);
        status.waitingOn = inner;
        inner.addBoth(fireStatus, status);
        return;
      }
      status.deferred.callback(value);
      return;
    }
    if (!(value instanceof Deferred)) {
      if (isGenerator(value)) value = cancellableInlineCallbacks(value);
      else if (isThenable(value)) value = Deferred.fromPromise(value as PromiseLike<unknown>);
      else {
        result = value;
        continue;
      }
    }
    const awaited = value as Deferred<unknown>;
    awaited.addBoth(gotResult, w, gen, status);
    if (w.waiting) {
      w.waiting = false;
      status.waitingOn = awaited;
      return;
    }
    result = w.result;
    w.waiting = true;
    w.result = undefined;
  }
}

function fireStatus(result: unknown, status: Status): undefined {
  if (result instanceof Failure) status.deferred.errback(result);
  else status.deferred.callback(result);
  return undefined;
}

function isThenable(value: unknown): boolean {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}
