import { brandError, defineBrand } from './brand';
import { ConnectError } from './connect-error';

/** The connect timeout given to connectTCP/connectUNIX expired: Twisted's error.TimeoutError (renamed here so it is not confused with the Deferred TimeoutError). Code: `ERR_IOREACTOR_CONNECT_TIMEOUT`. */
export class ConnectTimeoutError extends ConnectError {
  constructor(message = 'user timeout caused connection failure', options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_CONNECT_TIMEOUT' });
    brandError(this, 'ConnectTimeoutError');
  }
}
defineBrand(ConnectTimeoutError, 'ConnectTimeoutError');
