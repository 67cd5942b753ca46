import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * `release()` was called on a `DeferredLock` that is not locked, or on a `DeferredSemaphore`
 * more times than it was acquired (Twisted asserts in these cases).
 *
 * Code: `ERR_IOREACTOR_NOT_ACQUIRED`.
 */
export class NotAcquiredError extends IoReactorError {
  constructor(message = 'released more times than acquired', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_NOT_ACQUIRED', message, options);
    brandError(this, 'NotAcquiredError');
  }

  override get name(): string {
    return 'NotAcquiredError';
  }
}
defineBrand(NotAcquiredError, 'NotAcquiredError');
