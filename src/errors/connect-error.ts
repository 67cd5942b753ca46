import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * An outgoing connection could not be made: Twisted's `twisted.internet.error.ConnectError`,
 * the base of the specific reasons (refused, timed out, unresolvable, stopped by the user).
 * `cause` holds the underlying system error when there is one.
 */
export class ConnectError extends IoReactorError {
  constructor(message = 'an error occurred while connecting', options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'ERR_IOREACTOR_CONNECT_FAILED', message, options);
    brandError(this, 'ConnectError');
  }
}
defineBrand(ConnectError, 'ConnectError');
