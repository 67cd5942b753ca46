import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * Base class of the AMP errors (Twisted's `twisted.protocols.amp.AmpError`). Its own instances
 * carry the code `ERR_IOREACTOR_AMP` (an AMP connection used before it was connected, say);
 * subclasses carry their own codes.
 */
export class AmpError extends IoReactorError {
  constructor(message = 'AMP error', options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'ERR_IOREACTOR_AMP', message, options);
    brandError(this, 'AmpError');
  }
}
defineBrand(AmpError, 'AmpError');
