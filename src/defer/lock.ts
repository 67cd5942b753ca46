import { NotAcquiredError } from './errors';
import { ConcurrencyPrimitive } from './concurrency-primitive';
import { Deferred } from './deferred';

/**
 * A lock for event-driven code (Twisted's `DeferredLock`): `acquire()` returns a Deferred that
 * fires with the lock when it is free; waiters are served in arrival order.
 */
export class DeferredLock extends ConcurrencyPrimitive {
  /** @internal */ _locked = false;

  /** True while someone holds the lock (useful for a non-blocking check). */
  get locked(): boolean {
    return this._locked;
  }

  /**
   * Returns a Deferred that fires with this lock once acquired: at once if it is free,
   * otherwise when every earlier waiter has released it. Cancelling it while it waits removes
   * it from the queue.
   */
  acquire(): Deferred<this> {
    const d = new Deferred<this>((waiting) => this._cancelAcquire(waiting));
    if (this._locked) {
      this._waiting.push(d);
    } else {
      this._locked = true;
      d.callback(this);
    }
    return d;
  }

  /**
   * Releases the lock, handing it to the oldest waiter if any.
   * @throws NotAcquiredError if the lock is not locked.
   */
  release(): void {
    if (!this._locked) throw new NotAcquiredError('tried to release an unlocked DeferredLock');
    this._locked = false;
    const next = this._waiting.shift();
    if (next !== undefined) {
      this._locked = true;
      next.callback(this);
    }
  }
}
