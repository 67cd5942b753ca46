import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * A Deferred was cancelled (Twisted's `defer.CancelledError`): the failure an errback sees after
 * `cancel()` when the canceller did not fire the Deferred itself.
 *
 * Code: `ERR_IOREACTOR_CANCELLED`.
 */
export class CancelledError extends IoReactorError {
  constructor(message = 'the Deferred was cancelled', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_CANCELLED', message, options);
    brandError(this, 'CancelledError');
  }

  override get name(): string {
    return 'CancelledError';
  }
}
defineBrand(CancelledError, 'CancelledError');
