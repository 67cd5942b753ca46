import { brandError, defineBrand } from './brand';
import { AmpError } from './amp-error';

/**
 * `callRemote` was given arguments that do not match the Command: a required one missing, or
 * one the Command does not declare (Twisted's `InvalidSignature`). The call's Deferred fails
 * with it; nothing is sent.
 *
 * Code: `ERR_IOREACTOR_AMP_INVALID_SIGNATURE`.
 */
export class InvalidSignature extends AmpError {
  constructor(message: string) {
    super(message, { code: 'ERR_IOREACTOR_AMP_INVALID_SIGNATURE' });
    brandError(this, 'InvalidSignature');
  }
}
defineBrand(InvalidSignature, 'InvalidSignature');
