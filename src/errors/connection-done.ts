import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * The connection was closed cleanly (the peer finished, or we closed it):
 * Twisted's `twisted.internet.error.ConnectionDone`.
 */
export class ConnectionDone extends IoReactorError {
  constructor(message = 'connection was closed cleanly', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_CONNECTION_DONE', message, options);
    brandError(this, 'ConnectionDone');
  }
}
defineBrand(ConnectionDone, 'ConnectionDone');
