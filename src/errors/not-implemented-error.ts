import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * A method meant to be overridden was called on a class that does not override it (a
 * LineReceiver without lineReceived, say): Python's `NotImplementedError`, which Twisted raises
 * in the same places.
 *
 * Code: `ERR_IOREACTOR_NOT_IMPLEMENTED`.
 */
export class NotImplementedError extends IoReactorError {
  constructor(message = 'this method must be overridden', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_NOT_IMPLEMENTED', message, options);
    brandError(this, 'NotImplementedError');
  }
}
defineBrand(NotImplementedError, 'NotImplementedError');
