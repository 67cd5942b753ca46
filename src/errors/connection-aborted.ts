import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/** abortConnection() closed the connection: Twisted's ConnectionAborted. Code: `ERR_IOREACTOR_CONNECTION_ABORTED`. */
export class ConnectionAborted extends IoReactorError {
  constructor(message = 'connection was aborted locally using abortConnection', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_CONNECTION_ABORTED', message, options);
    brandError(this, 'ConnectionAborted');
  }
}
defineBrand(ConnectionAborted, 'ConnectionAborted');
