import { brandError, defineBrand } from './brand';
import { InvalidArgValueError } from './invalid-argument';

/**
 * A string given to `sendString` of an Int8/Int16/Int32StringReceiver does not fit its length
 * prefix: Twisted's `twisted.protocols.basic.StringTooLongError`. Being a bad argument, it is a
 * RangeError (an InvalidArgValueError) rather than Twisted's AssertionError.
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
    brandError(this, 'StringTooLongError');
  }

  override get name(): string {
    return 'StringTooLongError';
  }
}
defineBrand(StringTooLongError, 'StringTooLongError');
