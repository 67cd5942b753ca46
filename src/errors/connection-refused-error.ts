import { brandError, defineBrand } from './brand';
import { ConnectError } from './connect-error';

/** The peer refused the connection (ECONNREFUSED): Twisted's ConnectionRefusedError. Code: `ERR_IOREACTOR_CONNECTION_REFUSED`. */
export class ConnectionRefusedError extends ConnectError {
  constructor(message = 'connection was refused by the other side', options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_CONNECTION_REFUSED' });
    brandError(this, 'ConnectionRefusedError');
  }
}
defineBrand(ConnectionRefusedError, 'ConnectionRefusedError');
