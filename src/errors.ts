// The base of ioreactor's errors, as Twisted's internet/error.py is for its reactor: the brand
// that makes `instanceof` work across duplicate installs, IoReactorError, the invalid-argument
// errors, ReactorSystemError and NotImplementedError. The errors of each concern live beside the
// code that throws them: defer/errors.ts, task/errors.ts, reactor/errors.ts,
// transport/errors.ts, protocols/amp/errors.ts, protocols/basic/errors.ts,
// protocols/policies/errors.ts. This module imports nothing from them.
import * as util from 'node:util';

/**
 * Error branding that survives duplicate installs.
 *
 * Two copies of ioreactor in one process (a dependency pinned at another version, say) have
 * distinct classes, so a plain `instanceof` check would fail across them. As undici does for
 * its errors (lib/core/errors.js), each branded class has, on its prototype, a getter for its
 * own registry symbol, `Symbol.for('ioreactor.error.<Name>')`, returning true; an instance
 * inherits it, and the brands of every class it extends, through its prototype chain. The
 * class's static `Symbol.hasInstance` tests that symbol, so an instance made by another copy of
 * the module matches. Both are installed once, when the class is defined: constructing or
 * throwing an error costs nothing extra.
 */
function isBranded(this: unknown): true {
  return true;
}

/**
 * Brands `cls` as the ioreactor error class `name`: installs the prototype getter and a
 * brand-aware `instanceof`. Call once, right after the class definition. A subclass that is not
 * branded itself (a user's own subclass, say) gets the ordinary prototype-chain `instanceof`.
 *
 * @internal
 */
export function defineBrand(cls: abstract new (...args: never[]) => object, name: string): void {
  const brand = Symbol.for(`ioreactor.error.${name}`);
  Object.defineProperty(cls.prototype, brand, { get: isBranded, enumerable: false, configurable: true });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      if (this !== cls) {
        // A subclass that did not define its own brand: fall back to the prototype chain.
        return Function.prototype[Symbol.hasInstance].call(this, value);
      }
      if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
      return (value as Record<symbol, unknown>)[brand] === true;
    },
  });
}

/**
 * Base class of ioreactor's own errors (reactor state, timers, Deferreds). Every instance has
 * a stable `code` string of the form `ERR_IOREACTOR_...` that programs may switch on; messages
 * are for people and may change.
 *
 * Argument errors extend the built-in TypeError / RangeError instead (InvalidArgTypeError,
 * InvalidArgValueError below).
 */
export class IoReactorError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }
}
defineBrand(IoReactorError, 'IoReactorError');

/** An argument has the wrong type (a string where a function was expected, say). */
export class InvalidArgTypeError extends TypeError {
  readonly code: string;

  constructor(message: string, code = 'ERR_IOREACTOR_INVALID_ARG_TYPE') {
    super(message);
    this.code = code;
  }

  override get name(): string {
    return 'InvalidArgTypeError';
  }
}
defineBrand(InvalidArgTypeError, 'InvalidArgTypeError');

/** An argument has the right type but an unacceptable value (a negative delay, say). */
export class InvalidArgValueError extends RangeError {
  readonly code: string;

  constructor(message: string, code = 'ERR_IOREACTOR_INVALID_ARG_VALUE') {
    super(message);
    this.code = code;
  }

  override get name(): string {
    return 'InvalidArgValueError';
  }
}
defineBrand(InvalidArgValueError, 'InvalidArgValueError');

/**
 * A system call failed: Node's own shape for such errors. `code` is the errno name (`EBADF`,
 * `EMFILE`, ...), `errno` the negative number, `syscall` the call that failed.
 */
export class ReactorSystemError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;

  constructor(negativeErrno: number, syscall: string, detail?: string) {
    const code = util.getSystemErrorName(negativeErrno);
    const text = util.getSystemErrorMap().get(negativeErrno)?.[1] ?? 'unknown error';
    super(`${syscall} failed: ${code} (${text})${detail ? `: ${detail}` : ''}`);
    this.code = code;
    this.errno = negativeErrno;
    this.syscall = syscall;
  }

  override get name(): string {
    return 'ReactorSystemError';
  }
}
defineBrand(ReactorSystemError, 'ReactorSystemError');

/**
 * A method meant to be overridden was called on a class that does not override it (a
 * LineReceiver without lineReceived, say): Python's `NotImplementedError`, which Twisted raises
 * in the same places.
 *
 * Code: `ERR_IOREACTOR_NOT_IMPLEMENTED`.
 */
export class NotImplementedError extends IoReactorError {
  constructor(message = 'this method must be overridden', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_NOT_IMPLEMENTED', message, options);
  }
}
defineBrand(NotImplementedError, 'NotImplementedError');
