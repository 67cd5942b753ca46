import { assertFunction } from '../util/validate';
import type { Deferred, Settled } from './deferred';
import { maybeDeferred } from './simple';

/**
 * What DeferredLock and DeferredSemaphore share (Twisted's `_ConcurrencyPrimitive`): a FIFO of
 * waiting acquirers and `run`, which holds the primitive for the duration of a call.
 */
export abstract class ConcurrencyPrimitive {
  /** @internal Acquirers not served yet, in arrival order. */
  readonly _waiting: Deferred<this>[] = [];

  /** Acquirers still waiting, oldest first (a snapshot). */
  get waiting(): readonly Deferred<this>[] {
    return this._waiting.slice();
  }

  /**
   * Acquires, calls `f(...args)` (which may return a Deferred or a promise), and releases once
   * its outcome is known. Returns a Deferred for that outcome. Cancelling it while still waiting
   * to acquire withdraws the request.
   *
   * @throws InvalidArgTypeError if `f` is not a function.
   */
  run<R, A extends unknown[]>(f: (...args: A) => R, ...args: A): Deferred<Settled<R>> {
    assertFunction(f, 'f');
    return this.acquire().addCallback(() => maybeDeferred(f, ...args).addBoth(releaseAndReturn, this)) as Deferred<Settled<R>>;
  }

  /** A Deferred that fires with this primitive once it has been acquired. */
  abstract acquire(): Deferred<this>;

  /** Gives back what `acquire` granted, serving the oldest waiter if any. */
  abstract release(): void;

  /** @internal The canceller of acquire Deferreds: withdraws a waiting request. */
  _cancelAcquire(d: Deferred<unknown>): void {
    const i = this._waiting.indexOf(d as Deferred<this>);
    if (i >= 0) this._waiting.splice(i, 1);
  }
}

function releaseAndReturn<T>(result: T, primitive: ConcurrencyPrimitive): T {
  primitive.release();
  return result;
}
