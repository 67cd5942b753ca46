import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * A delayed call (from `callLater` on a Reactor or a task `Clock`) was cancelled, reset or
 * delayed after it had already run. The name follows Twisted's
 * `twisted.internet.error.AlreadyCalled`; it is distinct from the Deferred error raised when a
 * Deferred is fired twice.
 *
 * Code: `ERR_IOREACTOR_ALREADY_CALLED`.
 */
export class AlreadyCalled extends IoReactorError {
  constructor(message = 'the delayed call has already been called', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_ALREADY_CALLED', message, options);
    brandError(this, 'AlreadyCalled');
  }

  override get name(): string {
    return 'AlreadyCalled';
  }
}
defineBrand(AlreadyCalled, 'AlreadyCalled');
