import { brandError, defineBrand } from './brand';
import { ConnectError } from './connect-error';

/** stopConnecting() or disconnect() ended a connection attempt: Twisted's error.UserError. Code: `ERR_IOREACTOR_USER_ABORTED_CONNECT`. */
export class UserAbortedConnect extends ConnectError {
  constructor(message = 'user aborted connection', options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_USER_ABORTED_CONNECT' });
    brandError(this, 'UserAbortedConnect');
  }
}
defineBrand(UserAbortedConnect, 'UserAbortedConnect');
