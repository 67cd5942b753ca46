import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * The connection was lost in a non-clean fashion, or a descriptor was dropped by its reactor
 * (at shutdown, say): Twisted's `twisted.internet.error.ConnectionLost`.
 */
export class ConnectionLost extends IoReactorError {
  constructor(message = 'connection to the other side was lost in a non-clean fashion', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_CONNECTION_LOST', message, options);
    brandError(this, 'ConnectionLost');
  }
}
defineBrand(ConnectionLost, 'ConnectionLost');
