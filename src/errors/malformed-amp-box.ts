import { brandError, defineBrand } from './brand';
import { AmpError } from './amp-error';

/**
 * The peer broke AMP's wire rules: an `_answer` or `_error` for a call we never made, an
 * `_error` box without `_error_code`, trailing bytes in a nested box (Twisted's
 * `MalformedAmpBox`). The connection is closed; outstanding calls fail with this error.
 *
 * Code: `ERR_IOREACTOR_AMP_MALFORMED_BOX`.
 */
export class MalformedAmpBox extends AmpError {
  constructor(message = 'malformed AMP box', options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_AMP_MALFORMED_BOX' });
    brandError(this, 'MalformedAmpBox');
  }
}
defineBrand(MalformedAmpBox, 'MalformedAmpBox');
