/**
 * AMP's compound argument types: ListOf (a list of one element type) and AmpList (a list of
 * objects, each sent as a nested box), with Twisted's wire encodings.
 */
import { InvalidArgTypeError } from '../../errors';
import { MalformedAmpValue, TooLong } from './errors';
import { describe } from '../../util/validate';
import {
  Argument,
  assertSchema,
  decodeValues,
  encodeValues,
  type AnyArgument,
  type ArgumentOptions,
  type Schema,
  type ValuesIn,
  type ValuesOut,
} from './argument';
import { MAX_VALUE_LENGTH, parseBoxes, serializeBox } from './box';

type OutOf<A> = A extends Argument<infer T, any, any> ? T : never;
type InOf<A> = A extends Argument<any, infer T, any> ? T : never;

const keyed = (key: string | undefined): string => (key === undefined ? 'value' : `value for ${JSON.stringify(key)}`);

/**
 * A list of values of one argument type: `new ListOf(new Integer())` carries `[3, 7, 9]`. Each
 * element is its type's encoding prefixed with a 2-byte big-endian length; the whole list must
 * fit in one value (65 535 bytes), as in Twisted.
 *
 * Decoding refuses a list whose last element is cut short (Twisted drops it silently).
 */
export class ListOf<E extends AnyArgument, O extends boolean = false> extends Argument<OutOf<E>[], readonly InOf<E>[], O> {
  readonly elementType: E;

  constructor(elementType: E, options?: ArgumentOptions<O>) {
    super(options);
    if (!(elementType instanceof Argument)) {
      throw new InvalidArgTypeError(`ListOf needs an argument type (new ListOf(new Integer())), received ${describe(elementType)}`);
    }
    this.elementType = elementType;
  }

  toBytes(value: readonly InOf<E>[], key?: string): Buffer {
    if (!Array.isArray(value)) throw new InvalidArgTypeError(`${keyed(key)} must be an array, received ${describe(value)}`);
    const parts: Buffer[] = [];
    let size = 0;
    for (const element of value) {
      const bytes = this.elementType.toBytes(element, key);
      if (bytes.length > MAX_VALUE_LENGTH) throw new TooLong('value', true, bytes.length, key);
      const prefix = Buffer.allocUnsafe(2);
      prefix.writeUInt16BE(bytes.length, 0);
      parts.push(prefix, bytes);
      size += 2 + bytes.length;
    }
    return Buffer.concat(parts, size);
  }

  fromBytes(data: Buffer, key?: string): OutOf<E>[] {
    const out: OutOf<E>[] = [];
    let off = 0;
    while (off < data.length) {
      if (data.length - off < 2) throw new MalformedAmpValue('ListOf data ends inside a length prefix', key);
      const len = data.readUInt16BE(off);
      if (data.length - off - 2 < len) throw new MalformedAmpValue('ListOf data ends inside an element', key);
      out.push(this.elementType.fromBytes(data.subarray(off + 2, off + 2 + len), key) as OutOf<E>);
      off += 2 + len;
    }
    return out;
  }
}

/**
 * A list of objects, each encoded by `schema` as a nested box (keys sorted, ended by an empty
 * key) and the boxes concatenated: `new AmpList({ a: new Integer(), b: new Unicode() })`
 * carries `[{ a: 7, b: 'hello' }, { a: 9, b: 'goodbye' }]`.
 */
export class AmpList<S extends Schema, O extends boolean = false> extends Argument<ValuesOut<S>[], readonly ValuesIn<S>[], O> {
  readonly schema: S;

  constructor(schema: S, options?: ArgumentOptions<O>) {
    super(options);
    assertSchema(schema, 'AmpList schema');
    this.schema = schema;
  }

  toBytes(value: readonly ValuesIn<S>[], key?: string): Buffer {
    if (!Array.isArray(value)) throw new InvalidArgTypeError(`${keyed(key)} must be an array, received ${describe(value)}`);
    const what = `an element of ${keyed(key)}`;
    return Buffer.concat(value.map((element) => serializeBox(encodeValues(this.schema, element, new Map(), false, what))));
  }

  fromBytes(data: Buffer, key?: string): ValuesOut<S>[] {
    let boxes;
    try {
      boxes = parseBoxes(data);
    } catch (err) {
      throw new MalformedAmpValue(`AmpList data is not a sequence of boxes: ${(err as Error).message}`, key, { cause: err });
    }
    return boxes.map((box) => decodeValues(this.schema, box) as ValuesOut<S>);
  }
}
