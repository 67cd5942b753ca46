// The basic receivers' errors, as Twisted keeps them in twisted.protocols.basic.
import { defineBrand, InvalidArgValueError, IoReactorError } from '../../errors';

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
  }
}
defineBrand(NetstringParseError, 'NetstringParseError');

/**
 * A string given to `sendString` of an Int8/Int16/Int32StringReceiver does not fit its length
 * prefix: Twisted's `twisted.protocols.basic.StringTooLongError`. Being a bad argument, it is a
 * RangeError (an InvalidArgValueError) rather than Twisted's AssertionError. Not to be
 * confused with AMP's `TooLong` (protocols/amp/errors.ts), which reports a broken AMP key,
 * value or box limit and is an AmpError.
 *
 * Code: `ERR_IOREACTOR_STRING_TOO_LONG`.
 */
export class StringTooLongError extends InvalidArgValueError {
  /** The length of the string that was refused. */
  readonly length: number;
  /** The largest length the prefix can carry. */
  readonly maxLength: number;

  constructor(length: number, maxLength: number, message?: string) {
    super(message ?? `cannot send ${length} bytes: the length prefix holds at most ${maxLength}`, 'ERR_IOREACTOR_STRING_TOO_LONG');
    this.length = length;
    this.maxLength = maxLength;
  }

  override get name(): string {
    return 'StringTooLongError';
  }
}
defineBrand(StringTooLongError, 'StringTooLongError');
