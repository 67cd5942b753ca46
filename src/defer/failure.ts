import { InvalidArgTypeError } from '../errors';
import { describe } from '../util/validate';
import { captureStack, debugState } from './debug';

/** A class (constructor) or a class name that `Failure.check` / `Failure.trap` can match. */
export type ErrorType = abstract new (...args: never[]) => unknown;
/** What `check` and `trap` accept: a constructor, or the `name` of a class in the value's prototype chain. */
export type ErrorTypeSpec = ErrorType | string;

/**
 * A Failure wraps whatever was thrown (or passed to `errback`) while it travels down a
 * Deferred's callback chain: Twisted's `twisted.python.failure.Failure`.
 *
 * JavaScript can throw anything, so `value` may be an Error, a string, `undefined`... Failure
 * is deliberately not an Error subclass: constructing an Error captures a stack, which would
 * make every failing callback pay for a second stack on top of the one the thrown Error already
 * has. The stack of the thrown value is the traceback (see {@link Failure.getTraceback}).
 *
 * A Failure is what errbacks receive; `trap` and `check` select on the wrapped value's class.
 */
export class Failure {
  /** The thrown value (usually an Error). */
  readonly value: unknown;
  /** @internal Stack recorded in debug mode when `value` carries none of its own. */
  _wrapStack: string | undefined;
  /** @internal Frozen traceback text after `cleanFailure`. */
  _traceback: string | undefined;

  /**
   * Wraps `value`. Wrapping a Failure copies it (its value and recorded stack), so a Failure is
   * never nested in another.
   */
  constructor(value: unknown) {
    if (value instanceof Failure) {
      this.value = value.value;
      this._wrapStack = value._wrapStack;
      this._traceback = value._traceback;
      return;
    }
    this.value = value;
    this._wrapStack = undefined;
    this._traceback = undefined;
    if (debugState.on && !(value instanceof Error)) this._wrapStack = captureStack(1);
  }

  /**
   * The class of `value`: its constructor, or for primitives the matching wrapper (`String`,
   * `Number`, ...); `null` when the value is `null` or `undefined` or has no constructor.
   */
  get type(): ErrorType | null {
    const v = this.value;
    if (v === null || v === undefined) return null;
    const proto = Object.getPrototypeOf(Object(v)) as { constructor?: unknown } | null;
    const ctor = proto?.constructor;
    return typeof ctor === 'function' ? (ctor as ErrorType) : null;
  }

  /**
   * Returns the first of `types` that matches `value` (by `instanceof`, or by class name for a
   * string), or `null` when none does.
   *
   * @throws InvalidArgTypeError if an entry is neither a function nor a string.
   */
  check<E extends ErrorTypeSpec>(...types: E[]): E | null {
    const v = this.value;
    for (let i = 0; i < types.length; i++) {
      const t = types[i];
      if (typeof t === 'function') {
        if (v === null || v === undefined) continue;
        const target = typeof v === 'object' || typeof v === 'function' ? v : Object(v);
        if (target instanceof (t as unknown as abstract new () => unknown)) return t;
      } else if (typeof t === 'string') {
        if (classNames(v).includes(t)) return t;
      } else {
        throw new InvalidArgTypeError(`Failure.check() types must be classes or class names, received ${describe(t)}`);
      }
    }
    return null;
  }

  /**
   * Returns the first of `types` that matches, like `check`; when none matches, throws this
   * Failure itself, so that inside an errback the Failure passes on unchanged to the next one.
   */
  trap<E extends ErrorTypeSpec>(...types: E[]): E {
    const matched = this.check(...types);
    if (matched === null) throw this;
    return matched;
  }

  /** A one-line message: the Error's `message`, or the value converted to a string. */
  getErrorMessage(): string {
    const v = this.value;
    if (v instanceof Error) return v.message;
    return safeString(v);
  }

  /**
   * The traceback text: the wrapped Error's `stack` when it has one, otherwise
   * `ClassName: message`, followed in debug mode by the stack where the value was wrapped.
   */
  getTraceback(): string {
    if (this._traceback !== undefined) return this._traceback;
    const v = this.value;
    if (v instanceof Error && typeof v.stack === 'string' && v.stack !== '') return v.stack;
    const type = this.type;
    let text = `${type !== null ? type.name || 'Object' : String(v)}: ${this.getErrorMessage()}`;
    if (this._wrapStack !== undefined) text += '\n' + this._wrapStack;
    return text;
  }

  /** Throws the wrapped value (not the Failure), as Twisted's `raiseException` does. */
  raiseException(): never {
    throw this.value;
  }

  /**
   * Throws the wrapped value into generator `g` and returns what `g.throw` returns (used by
   * `inlineCallbacks`).
   */
  throwExceptionIntoGenerator<Y, R, N>(g: Generator<Y, R, N>): IteratorResult<Y, R> {
    return g.throw(this.value);
  }

  /**
   * Freezes the traceback into a string. V8 keeps the structured call-site frames of an Error
   * (with references to the functions involved) until `stack` is first read; reading it once
   * here lets them go, which is what Twisted's `cleanFailure` achieves by dropping frames.
   */
  cleanFailure(): void {
    this._traceback = this.getTraceback();
  }

  /** `[Failure ClassName: message]`. */
  toString(): string {
    const type = this.type;
    return `[Failure ${type !== null ? type.name || 'Object' : String(this.value)}: ${this.getErrorMessage()}]`;
  }
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** Names of the classes in the prototype chain of `v`, innermost first. */
function classNames(v: unknown): string[] {
  const names: string[] = [];
  if (v === null || v === undefined) return names;
  let proto = Object.getPrototypeOf(Object(v)) as { constructor?: { name?: string } } | null;
  while (proto !== null) {
    const name = proto.constructor?.name;
    if (typeof name === 'string' && name !== '') names.push(name);
    proto = Object.getPrototypeOf(proto) as typeof proto;
  }
  return names;
}

/** @internal Wraps `value` in a Failure unless it already is one. */
export function toFailure(value: unknown): Failure {
  return value instanceof Failure ? value : new Failure(value);
}
