// Argument checks shared by the basic receivers. Every message names the method and the
// property so that a misconfigured subclass is easy to find.
import { InvalidArgTypeError, InvalidArgValueError } from '../../errors';
import { describe } from '../../util/validate';

/** The code transports use for non-bytes data; receivers use the same one. */
export const INVALID_DATA = 'ERR_IOREACTOR_INVALID_DATA';

/** The largest MAX_LENGTH accepted: a length must stay an exact integer in every computation. */
export const LARGEST_MAX_LENGTH = 2 ** 32;

export const EMPTY: Buffer = Buffer.alloc(0);

/**
 * Returns `value` as a Buffer (a Uint8Array is wrapped without copying), or throws.
 * Strings are refused as the transports refuse them: encode them yourself.
 */
export function toBuffer(value: unknown, what: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new InvalidArgTypeError(`${what} must be bytes (a Buffer or Uint8Array), received ${describe(value)}; encode strings first`, INVALID_DATA);
}

/** A MAX_LENGTH-like setting: an integer in [0, 2**32]. */
export function checkMaxLength(value: unknown, what: string): number {
  if (typeof value !== 'number') {
    throw new InvalidArgTypeError(`${what} must be a number, received ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < 0 || value > LARGEST_MAX_LENGTH) {
    throw new InvalidArgValueError(`${what} must be an integer between 0 and ${LARGEST_MAX_LENGTH}, received ${value}`);
  }
  return value;
}

/** A line delimiter: non-empty bytes. Returned as a private copy so later edits cannot reach it. */
export function checkDelimiter(value: unknown, what: string): Buffer {
  const delimiter = toBuffer(value, what);
  if (delimiter.length === 0) throw new InvalidArgValueError(`${what} must not be empty`);
  return Buffer.from(delimiter);
}
