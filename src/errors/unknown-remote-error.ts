import { brandError, defineBrand } from './brand';
import { RemoteAmpError } from './remote-amp-error';

/**
 * The peer answered a call with an error code the Command does not declare (Twisted's
 * `UnknownRemoteError`): typically `UNKNOWN`, which a peer sends when its responder failed
 * with an undeclared error (and then closes the connection).
 *
 * Code: `ERR_IOREACTOR_AMP_UNKNOWN_REMOTE_ERROR`. `errorCode` is always `'UNKNOWN'`, as in
 * Twisted, whatever code the peer sent.
 */
export class UnknownRemoteError extends RemoteAmpError {
  constructor(description: string) {
    super('UNKNOWN', description, false, undefined, { code: 'ERR_IOREACTOR_AMP_UNKNOWN_REMOTE_ERROR' });
    brandError(this, 'UnknownRemoteError');
  }
}
defineBrand(UnknownRemoteError, 'UnknownRemoteError');
