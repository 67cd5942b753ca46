import { brandError, defineBrand } from './brand';
import { ConnectError } from './connect-error';

/** The host name could not be resolved: Twisted's DNSLookupError. Code: `ERR_IOREACTOR_DNS_LOOKUP`. */
export class DNSLookupError extends ConnectError {
  constructor(message = 'DNS lookup failed', options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_DNS_LOOKUP' });
    brandError(this, 'DNSLookupError');
  }
}
defineBrand(DNSLookupError, 'DNSLookupError');
