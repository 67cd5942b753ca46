import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/** What was wrong with a netstring (see {@link NetstringParseError.reason}). */
export type NetstringParseReason = 'missing-length' | 'too-long' | 'missing-comma';

/**
 * The bytes a NetstringReceiver received are not a valid netstring: Twisted's
 * `twisted.protocols.basic.NetstringParseError`. The receiver hands it to
 * `handleParseError`, whose default closes the connection.
 *
 * Code: `ERR_IOREACTOR_NETSTRING_PARSE`.
 */
export class NetstringParseError extends IoReactorError {
  /** Which rule the input broke: no valid length prefix, a length above MAX_LENGTH, or no trailing comma. */
  readonly reason: NetstringParseReason;

  constructor(reason: NetstringParseReason, message: string, options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_NETSTRING_PARSE', message, options);
    this.reason = reason;
    brandError(this, 'NetstringParseError');
  }
}
defineBrand(NetstringParseError, 'NetstringParseError');
