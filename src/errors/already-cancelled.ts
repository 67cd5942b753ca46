import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * A delayed call (from `callLater` on a Reactor or a task `Clock`) was cancelled, reset or
 * delayed after it had already been cancelled. The name follows Twisted's
 * `twisted.internet.error.AlreadyCancelled`.
 *
 * Code: `ERR_IOREACTOR_ALREADY_CANCELLED`.
 */
export class AlreadyCancelled extends IoReactorError {
  constructor(message = 'the delayed call has already been cancelled', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_ALREADY_CANCELLED', message, options);
    brandError(this, 'AlreadyCancelled');
  }

  override get name(): string {
    return 'AlreadyCancelled';
  }
}
defineBrand(AlreadyCancelled, 'AlreadyCancelled');
