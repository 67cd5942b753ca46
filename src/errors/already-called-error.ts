import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * `callback` or `errback` was called on a Deferred that had already been fired (Twisted's
 * `defer.AlreadyCalledError`). In debug mode (`setDebugging(true)`) the message includes where
 * the Deferred was created and first fired. Distinct from `AlreadyCalled`, which concerns delayed calls.
 *
 * Code: `ERR_IOREACTOR_DEFERRED_ALREADY_CALLED`.
 */
export class AlreadyCalledError extends IoReactorError {
  constructor(message = 'the Deferred has already been fired', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_DEFERRED_ALREADY_CALLED', message, options);
    brandError(this, 'AlreadyCalledError');
  }

  override get name(): string {
    return 'AlreadyCalledError';
  }
}
defineBrand(AlreadyCalledError, 'AlreadyCalledError');
