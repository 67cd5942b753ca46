import { brandError, defineBrand } from './brand';
import { AmpError } from './amp-error';

/**
 * A value received in an AMP box cannot be decoded as its declared argument type (`'12x'` for
 * an Integer, invalid UTF-8 for a Unicode, a required key missing...). Where Twisted raises a
 * bare `ValueError`/`KeyError`, ioreactor raises this. A responder's arguments that do not
 * decode are answered with `UNKNOWN` (and the connection closed, as in Twisted); a response that
 * does not decode fails the call.
 *
 * Code: `ERR_IOREACTOR_AMP_MALFORMED_VALUE`.
 */
export class MalformedAmpValue extends AmpError {
  /** The key whose value failed to decode, when known. */
  readonly keyName: string | undefined;

  constructor(message: string, keyName?: string, options?: { cause?: unknown }) {
    super(keyName === undefined ? message : `${message} (key ${JSON.stringify(keyName)})`, {
      ...options,
      code: 'ERR_IOREACTOR_AMP_MALFORMED_VALUE',
    });
    this.keyName = keyName;
    brandError(this, 'MalformedAmpValue');
  }
}
defineBrand(MalformedAmpValue, 'MalformedAmpValue');
