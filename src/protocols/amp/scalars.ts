/**
 * AMP's scalar argument types, with Twisted's wire encodings: Integer, BigInteger, AmpString
 * (bytes), Float, AmpBoolean, Unicode and Decimal.
 *
 * `String` and `Boolean` are exported as `AmpString` and `AmpBoolean`: under Twisted's names
 * they would shadow JavaScript's global `String` and `Boolean` wherever they are imported.
 */
import { InvalidArgTypeError, InvalidArgValueError } from '../../errors';
import { MalformedAmpValue } from './errors';
import { describe } from '../../util/validate';
import { Argument } from './argument';
import { isPythonDecimal, parsePythonFloat, parsePythonInt, pythonFloatRepr } from './python-format';

const keyed = (key: string | undefined): string => (key === undefined ? 'value' : `value for ${JSON.stringify(key)}`);

/** Latin1 view of a value for error messages, shortened. */
function shown(data: Buffer): string {
  const text = data.toString('latin1', 0, Math.min(data.length, 40));
  return JSON.stringify(data.length > 40 ? `${text}...` : text);
}

/**
 * An integer, sent as its decimal digits (`123` is `"123"`). Decodes to a `number`: a value
 * outside ±(2^53 - 1) cannot be represented exactly, so it is refused (MalformedAmpValue)
 * rather than rounded; use {@link BigInteger} for integers of any size (same wire format).
 */
export class Integer<O extends boolean = false> extends Argument<number, number, O> {
  toBytes(value: number, key?: string): Buffer {
    if (typeof value !== 'number') throw new InvalidArgTypeError(`${keyed(key)} must be a number, received ${describe(value)}`);
    if (!Number.isSafeInteger(value)) {
      throw new InvalidArgValueError(`${keyed(key)} must be a safe integer (use BigInteger for larger ones), received ${value}`);
    }
    return Buffer.from(String(value), 'latin1');
  }

  fromBytes(data: Buffer, key?: string): number {
    const n = parsePythonInt(data.toString('latin1'));
    if (n === undefined) throw new MalformedAmpValue(`not an integer: ${shown(data)}`, key);
    if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new MalformedAmpValue(`integer outside the safe range (declare the argument as a BigInteger): ${shown(data)}`, key);
    }
    return Number(n);
  }
}

/** An integer of any size as a `bigint` (Twisted's Integer: Python ints are unbounded). */
export class BigInteger<O extends boolean = false> extends Argument<bigint, bigint | number, O> {
  toBytes(value: bigint | number, key?: string): Buffer {
    if (typeof value === 'bigint') return Buffer.from(value.toString(), 'latin1');
    if (typeof value !== 'number') throw new InvalidArgTypeError(`${keyed(key)} must be a bigint, received ${describe(value)}`);
    if (!Number.isInteger(value)) throw new InvalidArgValueError(`${keyed(key)} must be an integer, received ${value}`);
    return Buffer.from(BigInt(value).toString(), 'latin1');
  }

  fromBytes(data: Buffer, key?: string): bigint {
    const n = parsePythonInt(data.toString('latin1'));
    if (n === undefined) throw new MalformedAmpValue(`not an integer: ${shown(data)}`, key);
    return n;
  }
}

/**
 * Bytes, sent as they are (Twisted's `String`). A JavaScript string is refused, as Twisted
 * refuses `str`: say how it should be encoded (use {@link Unicode} for text).
 */
export class AmpString<O extends boolean = false> extends Argument<Buffer, Uint8Array, O> {
  toBytes(value: Uint8Array, key?: string): Buffer {
    if (!(value instanceof Uint8Array)) {
      throw new InvalidArgTypeError(`${keyed(key)} must be bytes (a Buffer or Uint8Array; use Unicode for text), received ${describe(value)}`);
    }
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }

  fromBytes(data: Buffer): Buffer {
    return data;
  }
}

/**
 * A double, sent as Python's `repr` (`1.0`, `1e-05`, `inf`, `nan`), so a Twisted peer reads it
 * with `float()`; decoding accepts everything `float()` does.
 */
export class Float<O extends boolean = false> extends Argument<number, number, O> {
  toBytes(value: number, key?: string): Buffer {
    if (typeof value !== 'number') throw new InvalidArgTypeError(`${keyed(key)} must be a number, received ${describe(value)}`);
    return Buffer.from(pythonFloatRepr(value), 'latin1');
  }

  fromBytes(data: Buffer, key?: string): number {
    const x = parsePythonFloat(data.toString('latin1'));
    if (x === undefined) throw new MalformedAmpValue(`not a float: ${shown(data)}`, key);
    return x;
  }
}

/** A boolean, sent as `True` or `False` (anything else is refused when decoding, as in Twisted). */
export class AmpBoolean<O extends boolean = false> extends Argument<boolean, boolean, O> {
  toBytes(value: boolean, key?: string): Buffer {
    if (typeof value !== 'boolean') throw new InvalidArgTypeError(`${keyed(key)} must be a boolean, received ${describe(value)}`);
    return Buffer.from(value ? 'True' : 'False', 'latin1');
  }

  fromBytes(data: Buffer, key?: string): boolean {
    const text = data.toString('latin1');
    if (text === 'True') return true;
    if (text === 'False') return false;
    throw new MalformedAmpValue(`bad boolean value: ${shown(data)}`, key);
  }
}

// fatal: invalid UTF-8 is an error, as Python's strict decode; ignoreBOM: a leading U+FEFF is
// kept, as Python's 'utf-8' codec keeps it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Text, sent as UTF-8. Invalid UTF-8 is refused when decoding, lone surrogates when encoding. */
export class Unicode<O extends boolean = false> extends Argument<string, string, O> {
  toBytes(value: string, key?: string): Buffer {
    if (typeof value !== 'string') throw new InvalidArgTypeError(`${keyed(key)} must be a string, received ${describe(value)}`);
    // Buffer.from would silently turn a lone surrogate into U+FFFD; Python refuses to encode it.
    if (!(value as unknown as { isWellFormed(): boolean }).isWellFormed()) {
      throw new InvalidArgValueError(`${keyed(key)} is not well-formed Unicode (it has a lone surrogate)`);
    }
    return Buffer.from(value, 'utf8');
  }

  fromBytes(data: Buffer, key?: string): string {
    try {
      return utf8.decode(data);
    } catch (err) {
      throw new MalformedAmpValue('invalid UTF-8', key, { cause: err });
    }
  }
}

/**
 * A decimal number carried as its string (Twisted's `Decimal`, whose values are Python
 * `decimal.Decimal`s): `'1.50'`, `'-1E+2'`, `'Infinity'`, `'NaN'`. JavaScript has no decimal
 * type, so the text is passed through exactly, after checking it is one `Decimal()` accepts.
 */
export class Decimal<O extends boolean = false> extends Argument<string, string, O> {
  toBytes(value: string, key?: string): Buffer {
    if (typeof value !== 'string') throw new InvalidArgTypeError(`${keyed(key)} must be a decimal number as a string, received ${describe(value)}`);
    if (!isPythonDecimal(value)) throw new InvalidArgValueError(`${keyed(key)} is not a decimal number: ${JSON.stringify(value)}`);
    return Buffer.from(value, 'latin1');
  }

  fromBytes(data: Buffer, key?: string): string {
    const text = data.toString('latin1');
    if (!isPythonDecimal(text)) throw new MalformedAmpValue(`not a decimal: ${shown(data)}`, key);
    return text;
  }
}
