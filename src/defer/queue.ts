import { InvalidArgTypeError, InvalidArgValueError } from '../errors';
import { QueueOverflow, QueueUnderflow } from './errors';
import { describe } from '../util/validate';
import { Deferred } from './deferred';
import { succeed } from './simple';

/**
 * An event-driven queue (Twisted's `DeferredQueue`): `get()` returns a Deferred that fires with
 * the next object, at once if one is pending.
 */
export class DeferredQueue<T> {
  /** Most objects held at once (`null`: unbounded); `put` beyond it throws {@link QueueOverflow}. */
  readonly size: number | null;
  /** Most gets waiting at once (`null`: unbounded); `get` beyond it throws {@link QueueUnderflow}. */
  readonly backlog: number | null;
  /** @internal */ readonly _waiting: Deferred<T>[] = [];
  /** @internal */ readonly _pending: T[] = [];

  /**
   * @param size - capacity for objects nobody waits for yet (integer >= 0, or null).
   * @param backlog - capacity for waiting gets (integer >= 0, or null).
   */
  constructor(size: number | null = null, backlog: number | null = null) {
    this.size = limit(size, 'size');
    this.backlog = limit(backlog, 'backlog');
  }

  /** Objects put and not taken yet, oldest first (a snapshot). */
  get pending(): readonly T[] {
    return this._pending.slice();
  }

  /** Gets waiting for an object, oldest first (a snapshot). */
  get waiting(): readonly Deferred<T>[] {
    return this._waiting.slice();
  }

  /**
   * Gives `obj` to the oldest waiting get, or stores it.
   * @throws QueueOverflow if `size` objects are stored already.
   */
  put(obj: T): void {
    const waiter = this._waiting.shift();
    if (waiter !== undefined) waiter.callback(obj);
    else if (this.size === null || this._pending.length < this.size) this._pending.push(obj);
    else throw new QueueOverflow();
  }

  /**
   * Returns a Deferred for the next object. A waiting get can be cancelled; it then leaves the
   * queue and fails with a CancelledError.
   * @throws QueueUnderflow if `backlog` gets are waiting already.
   */
  get(): Deferred<T> {
    if (this._pending.length > 0) return succeed(this._pending.shift() as T);
    if (this.backlog === null || this._waiting.length < this.backlog) {
      const d = new Deferred<T>((cancelled) => {
        const i = this._waiting.indexOf(cancelled);
        if (i >= 0) this._waiting.splice(i, 1);
      });
      this._waiting.push(d);
      return d;
    }
    throw new QueueUnderflow();
  }
}

function limit(value: unknown, what: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number') throw new InvalidArgTypeError(`${what} must be a number or null, received ${describe(value)}`);
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidArgValueError(`${what} must be an integer >= 0 or null, received ${value}`);
  }
  return value;
}
