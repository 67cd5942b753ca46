import { brandError, defineBrand } from './brand';
import { AmpError } from './amp-error';

/**
 * A responder returned something its Command's `response` schema cannot encode (Twisted's
 * `BadLocalReturn`). It is logged, the caller is answered with `UNKNOWN` and the connection is
 * closed, as in Twisted. `cause` holds the encoding error.
 *
 * Code: `ERR_IOREACTOR_AMP_BAD_LOCAL_RETURN`.
 */
export class BadLocalReturn extends AmpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_AMP_BAD_LOCAL_RETURN' });
    brandError(this, 'BadLocalReturn');
  }
}
defineBrand(BadLocalReturn, 'BadLocalReturn');
