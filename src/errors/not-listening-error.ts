import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/** stopListening on a port that has already stopped. Code: `ERR_IOREACTOR_NOT_LISTENING`. */
export class NotListeningError extends IoReactorError {
  constructor(message = 'the port is not listening', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_NOT_LISTENING', message, options);
    brandError(this, 'NotListeningError');
  }
}
defineBrand(NotListeningError, 'NotListeningError');
