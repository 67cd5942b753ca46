/**
 * The base of AMP argument types and the schema machinery shared by Commands and AmpList:
 * encoding an object of values into a box and decoding a box back, by a schema of named
 * arguments (Twisted's `Argument`, `_objectsToStrings` and `_stringsToObjects`).
 */
import { InvalidArgTypeError } from '../../errors';
import { InvalidSignature, MalformedAmpValue, TooLong } from './errors';
import { describe } from '../../util/validate';
import { MAX_VALUE_LENGTH, type AmpBox } from './box';

/** Options every argument type takes. */
export interface ArgumentOptions<O extends boolean = false> {
  /** May be left out (sent as no key at all; decoded as a missing property). Default false. */
  optional?: O;
}

/**
 * An AMP argument type: converts between a JavaScript value and the bytes of one box value.
 *
 * `TOut` is what decoding yields (what responders receive and calls resolve with), `TIn` what
 * encoding accepts (a DateTime takes a `Date` too), `O` whether the argument is optional; the
 * Command types are computed from these, so keep them honest in a subclass.
 */
export abstract class Argument<TOut, TIn = TOut, O extends boolean = false> {
  /** Type-level only: the decoded value type. */
  declare readonly __out: TOut;
  /** Type-level only: the accepted value type. */
  declare readonly __in: TIn;
  /**
   * Type-level only: whether the argument is optional. (Kept apart from `optional` so that a
   * schema's contextual type cannot widen `new Integer()` to "maybe optional".)
   */
  declare readonly __optional: O;
  /** True when the argument may be left out. */
  readonly optional: boolean;

  constructor(options?: ArgumentOptions<O>) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new InvalidArgTypeError(`argument options must be an object, received ${describe(options)}`);
    }
    const optional = options?.optional ?? false;
    if (typeof optional !== 'boolean') {
      throw new InvalidArgTypeError(`options.optional must be a boolean, received ${describe(optional)}`);
    }
    this.optional = optional;
  }

  /**
   * Encodes `value` (Twisted's `toString`). `key` names the box key, for error messages.
   *
   * @throws InvalidArgTypeError / InvalidArgValueError when `value` cannot be encoded.
   */
  abstract toBytes(value: TIn, key?: string): Buffer;

  /**
   * Decodes `data` (Twisted's `fromString`).
   *
   * @throws MalformedAmpValue when `data` is not a valid encoding.
   */
  abstract fromBytes(data: Buffer, key?: string): TOut;
}

/**
 * Any argument type, as a schema's values are constrained. Structural and free of the type
 * parameters on purpose: TypeScript infers a constructor's type parameters from the contextual
 * type too, and `Argument<any, any, boolean>` here would make every `new Integer()` in a schema
 * an `Integer<boolean>` (maybe optional).
 */
export interface AnyArgument {
  readonly optional: boolean;
  toBytes(value: any, key?: string): Buffer;
  fromBytes(data: Buffer, key?: string): unknown;
}

/** Named arguments, as a Command's `arguments` or `response` or an AmpList's elements. */
export type Schema = { readonly [key: string]: AnyArgument };

type OutOf<A> = A extends Argument<infer T, any, any> ? T : never;
type InOf<A> = A extends Argument<any, infer T, any> ? T : never;
type OptionalKeys<S> = { [K in keyof S]: S[K] extends { readonly __optional: true } ? K : never }[keyof S];
type RequiredKeys<S> = Exclude<keyof S, OptionalKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The decoded values of schema `S`: optional arguments that were left out are absent. */
export type ValuesOut<S> = Simplify<{ -readonly [K in RequiredKeys<S>]: OutOf<S[K]> } & { -readonly [K in OptionalKeys<S>]?: OutOf<S[K]> }>;

/** The values schema `S` encodes: optional arguments may be left out, undefined or null. */
export type ValuesIn<S> = Simplify<{ [K in RequiredKeys<S>]: InOf<S[K]> } & { [K in OptionalKeys<S>]?: InOf<S[K]> | null }>;

/** Checks that `value` is a schema (a plain object of Argument instances). */
export function assertSchema(value: unknown, what: string): asserts value is Schema {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgTypeError(`${what} must be an object of argument types, received ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    const arg = (value as Record<string, unknown>)[key];
    if (!(arg instanceof Argument)) {
      throw new InvalidArgTypeError(`${what}[${JSON.stringify(key)}] must be an AMP argument type (new Integer(), ...), received ${describe(arg)}`);
    }
  }
}

/**
 * Encodes `values` by `schema` into `box`. Absent (undefined or null) optional values are left
 * out. With `strict`, a key the schema does not declare is an error (as Twisted checks a
 * call's arguments, but not a response's).
 *
 * @throws InvalidSignature for a missing required value (or an undeclared one, with `strict`);
 *   TooLong for a value over 65 535 bytes; the argument type's own errors.
 */
export function encodeValues(schema: Schema, values: unknown, box: AmpBox, strict: boolean, what: string): AmpBox {
  if (values === null || typeof values !== 'object') {
    throw new InvalidArgTypeError(`${what} must be an object, received ${describe(values)}`);
  }
  const v = values as Record<string, unknown>;
  if (strict) {
    for (const key of Object.keys(v)) {
      if (!Object.prototype.hasOwnProperty.call(schema, key)) throw new InvalidSignature(`${key} is not a valid argument of ${what}`);
    }
  }
  const forgotten: string[] = [];
  for (const key of Object.keys(schema)) {
    const arg = schema[key];
    const value = v[key];
    if (value === undefined || value === null) {
      if (!arg.optional) forgotten.push(key);
      continue;
    }
    const bytes = arg.toBytes(value, key);
    if (bytes.length > MAX_VALUE_LENGTH) throw new TooLong('value', true, bytes.length, key);
    box.set(key, bytes);
  }
  if (forgotten.length > 0) throw new InvalidSignature(`forgot ${forgotten.join(', ')} for ${what}`);
  return box;
}

/**
 * Decodes `box` by `schema`. Keys the schema does not declare are ignored (as in Twisted).
 *
 * @throws MalformedAmpValue for a missing required key or a value that does not decode.
 */
export function decodeValues(schema: Schema, box: AmpBox): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(schema)) {
    const data = box.get(key);
    if (data === undefined) {
      if (!schema[key].optional) throw new MalformedAmpValue('required key missing', key);
      continue;
    }
    out[key] = schema[key].fromBytes(data, key);
  }
  return out;
}
