import { InvalidArgTypeError, InvalidArgValueError } from '../errors';
import { NotAcquiredError } from './errors';
import { describe } from '../util/validate';
import { ConcurrencyPrimitive } from './concurrency-primitive';
import { Deferred } from './deferred';

/**
 * A semaphore for event-driven code (Twisted's `DeferredSemaphore`): at most `limit` holders at
 * once; further acquirers wait in arrival order.
 */
export class DeferredSemaphore extends ConcurrencyPrimitive {
  /** How many holders are allowed at once. */
  readonly limit: number;
  /** @internal */ _tokens: number;

  /**
   * @param tokens - the limit, an integer >= 1.
   * @throws InvalidArgTypeError / InvalidArgValueError otherwise.
   */
  constructor(tokens: number) {
    super();
    if (typeof tokens !== 'number') throw new InvalidArgTypeError(`tokens must be a number, received ${describe(tokens)}`);
    if (!Number.isInteger(tokens) || tokens < 1) {
      throw new InvalidArgValueError(`DeferredSemaphore requires an integer tokens >= 1, received ${tokens}`);
    }
    this.limit = tokens;
    this._tokens = tokens;
  }

  /** `limit` minus the current number of holders. */
  get tokens(): number {
    return this._tokens;
  }

  /** Returns a Deferred that fires with this semaphore once a token is available. */
  acquire(): Deferred<this> {
    const d = new Deferred<this>((waiting) => this._cancelAcquire(waiting));
    if (this._tokens === 0) {
      this._waiting.push(d);
    } else {
      this._tokens--;
      d.callback(this);
    }
    return d;
  }

  /**
   * Returns a token, handing it to the oldest waiter if any.
   * @throws NotAcquiredError if released more times than acquired.
   */
  release(): void {
    if (this._tokens >= this.limit) throw new NotAcquiredError('DeferredSemaphore released more times than acquired');
    this._tokens++;
    const next = this._waiting.shift();
    if (next !== undefined) {
      this._tokens--;
      next.callback(this);
    }
  }
}
