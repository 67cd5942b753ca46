/**
 * AMP Commands: a named request with typed arguments and response, declared errors and
 * whether it expects an answer (Twisted's `Command`), plus the TypeScript types that a
 * Command's definition implies for callers and responders.
 */
import type { Deferred } from '../../defer/deferred';
import { InvalidArgTypeError, InvalidArgValueError } from '../../errors';
import { describe } from '../../util/validate';
import { assertSchema, decodeValues, encodeValues, type Schema, type ValuesIn, type ValuesOut } from './argument';
import { assertKey, type AmpBox } from './box';
import { registerClassResponder } from './responders';

/**
 * An error class a Command declares. A caller receiving the error's code gets
 * `new ErrorClass(description)`, so the constructor must take the description (the message)
 * as its first argument.
 */
export type ErrorClass = new (description: string) => Error;

/** What {@link Command}'s constructor takes. */
export interface CommandSpec<A extends Schema, R extends Schema, RA extends boolean> {
  /** The command's name on the wire (`_command`): 1-255 latin1 characters. */
  name: string;
  /** The arguments, by name: `{ a: new Integer(), b: new Integer({ optional: true }) }`. */
  arguments?: A;
  /** The response values, by name, as `arguments`. */
  response?: R;
  /**
   * Declared errors, by wire code: `{ ZERO_DIVISION: ZeroDivisionError }`. A responder that
   * throws (or fails with) one of these classes answers with its code and the error's message
   * as description; the caller's Deferred fails with `new ErrorClass(description)`.
   */
  errors?: Readonly<Record<string, ErrorClass>>;
  /** Like `errors`, but sending one also closes the connection. */
  fatalErrors?: Readonly<Record<string, ErrorClass>>;
  /**
   * False: `callRemote` sends no `_ask` tag and returns undefined; the peer's answer is never
   * requested. (A hint to callers only: the responder must still return its response.)
   */
  requiresAnswer?: RA;
}

/** The keys AMP itself uses in a box; a Command cannot use them as argument or response names. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['_ask', '_answer', '_command', '_error', '_error_code', '_error_description']);

/**
 * An AMP command (Twisted's `Command`): `new Command({ name: 'Sum', arguments: { a: new
 * Integer(), b: new Integer() }, response: { total: new Integer() } })`. Its type records the
 * argument and response schemas, so `amp.callRemote(Sum, { a: 1, b: 2 })` is checked and its
 * Deferred is typed `{ total: number }`.
 *
 * Differences from Twisted: commands are values, not classes (no inheritance of `errors`:
 * spread one declaration into another); error maps go from code to class.
 */
export class Command<A extends Schema = {}, R extends Schema = {}, RA extends boolean = true> {
  /** The wire name (`_command`). */
  readonly commandName: string;
  readonly arguments: A;
  readonly response: R;
  /** Declared errors, code to class. */
  readonly errors: ReadonlyMap<string, ErrorClass>;
  /** Fatal declared errors, code to class. */
  readonly fatalErrors: ReadonlyMap<string, ErrorClass>;
  readonly requiresAnswer: RA;

  /**
   * @throws InvalidArgTypeError / InvalidArgValueError for a malformed definition; TooLong for a
   *   name longer than 255 characters.
   */
  constructor(spec: CommandSpec<A, R, RA>) {
    if (spec === null || typeof spec !== 'object') throw new InvalidArgTypeError(`Command needs a definition object, received ${describe(spec)}`);
    assertKey(spec.name, 'Command name');
    this.commandName = spec.name;
    this.arguments = checkSchema(spec.arguments, 'arguments') as A;
    this.response = checkSchema(spec.response, 'response') as R;
    this.errors = errorMap(spec.errors, 'errors');
    this.fatalErrors = errorMap(spec.fatalErrors, 'fatalErrors');
    for (const code of this.errors.keys()) {
      if (this.fatalErrors.has(code)) throw new InvalidArgValueError(`error code ${JSON.stringify(code)} is declared both in errors and fatalErrors`);
    }
    const ra = spec.requiresAnswer ?? true;
    if (typeof ra !== 'boolean') throw new InvalidArgTypeError(`requiresAnswer must be a boolean, received ${describe(ra)}`);
    this.requiresAnswer = ra as RA;
  }

  /**
   * Encodes a call's arguments (Twisted's `makeArguments`).
   *
   * @throws InvalidSignature for a missing or undeclared argument; the argument types' errors.
   */
  makeArguments(values: ValuesIn<A>): AmpBox {
    return encodeValues(this.arguments, values, new Map(), true, this.commandName);
  }

  /** Decodes a received call's arguments. @throws MalformedAmpValue */
  parseArguments(box: AmpBox): ValuesOut<A> {
    return decodeValues(this.arguments, box) as ValuesOut<A>;
  }

  /**
   * Encodes a responder's result. `undefined` stands for `{}` (for a response with no
   * required values). Undeclared keys are ignored, as in Twisted.
   */
  makeResponse(values: ValuesIn<R> | undefined): AmpBox {
    return encodeValues(this.response, values ?? {}, new Map(), false, `the response of ${this.commandName}`);
  }

  /** Decodes an answer. @throws MalformedAmpValue */
  parseResponse(box: AmpBox): ValuesOut<R> {
    return decodeValues(this.response, box) as ValuesOut<R>;
  }

  /** The declared code for a thrown `error`, and whether it is fatal; undefined when undeclared. */
  codeFor(error: unknown): { code: string; fatal: boolean } | undefined {
    if (error === null || typeof error !== 'object') return undefined;
    for (const [code, cls] of this.errors) if (error instanceof cls) return { code, fatal: false };
    for (const [code, cls] of this.fatalErrors) if (error instanceof cls) return { code, fatal: true };
    return undefined;
  }

  /** The declared class for a wire error code, if any. */
  classFor(code: string): ErrorClass | undefined {
    return this.errors.get(code) ?? this.fatalErrors.get(code);
  }

  /**
   * Registers `fn` as the responder to this command for every instance of `protocolClass` (an
   * AMP subclass) and its subclasses, which may override it (Twisted's `Command.responder`,
   * without the decorator). `fn` runs with `this` set to the protocol; it gets the decoded
   * arguments and returns the response values, or a Deferred or promise of them.
   *
   * @returns `fn`.
   */
  responder<P extends object, F extends Responder<this, P>>(protocolClass: abstract new (...args: any[]) => P, fn: F): F {
    if (typeof protocolClass !== 'function') throw new InvalidArgTypeError(`responder() needs a protocol class, received ${describe(protocolClass)}`);
    if (typeof fn !== 'function') throw new InvalidArgTypeError(`responder() needs a function, received ${describe(fn)}`);
    registerClassResponder(protocolClass, this as unknown as Command<Schema, Schema, boolean>, fn);
    return fn;
  }

  toString(): string {
    return `Command(${this.commandName})`;
  }
}

function checkSchema(schema: unknown, what: string): Schema {
  if (schema === undefined) return {};
  assertSchema(schema, what);
  for (const key of Object.keys(schema)) {
    assertKey(key, `${what} name`);
    if (RESERVED_KEYS.has(key)) throw new InvalidArgValueError(`${what} name ${JSON.stringify(key)} is reserved by AMP`);
  }
  return schema;
}

function errorMap(errors: unknown, what: string): ReadonlyMap<string, ErrorClass> {
  const map = new Map<string, ErrorClass>();
  if (errors === undefined) return map;
  if (errors === null || typeof errors !== 'object')
    throw new InvalidArgTypeError(`${what} must be an object of codes to error classes, received ${describe(errors)}`);
  for (const code of Object.keys(errors)) {
    assertKey(code, `${what} code`);
    const cls = (errors as Record<string, unknown>)[code];
    if (typeof cls !== 'function') throw new InvalidArgTypeError(`${what}[${JSON.stringify(code)}] must be an error class, received ${describe(cls)}`);
    map.set(code, cls as ErrorClass);
  }
  return map;
}

/** Any Command. */
export type AnyCommand = Command<any, any, boolean>;

/** The argument values `callRemote` takes for command `C`. */
export type ArgumentsOf<C> = C extends Command<infer A, any, any> ? ValuesIn<A> : never;
/** The decoded arguments a responder to `C` receives. */
export type ReceivedArgumentsOf<C> = C extends Command<infer A, any, any> ? ValuesOut<A> : never;
/** The decoded response of `C` (what `callRemote` resolves with). */
export type ResponseOf<C> = C extends Command<any, infer R, any> ? ValuesOut<R> : never;

/** What a responder to `C` may return: the response values (or nothing, when none is required). */
export type ResponderResult<C> = C extends Command<any, infer R, any> ? ValuesIn<R> | ({} extends ValuesIn<R> ? void : never) : never;

/** A responder to command `C` on protocol `P`. */
export type Responder<C, P = unknown> = (
  this: P,
  args: ReceivedArgumentsOf<C>,
) => ResponderResult<C> | PromiseLike<ResponderResult<C>> | Deferred<ResponderResult<C>>;

/** What `callRemote(C, ...)` returns: a Deferred of the response, or undefined when `requiresAnswer` is false. */
export type CallResult<C> = C extends Command<any, infer R, infer RA> ? (RA extends false ? undefined : Deferred<ValuesOut<R>>) : never;
