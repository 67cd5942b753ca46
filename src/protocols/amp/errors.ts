// The AMP errors, as Twisted keeps them in twisted.protocols.amp: AmpError and everything
// that extends it.
import { defineBrand, IoReactorError } from '../../errors';

/**
 * Base class of the AMP errors (Twisted's `twisted.protocols.amp.AmpError`). Its own instances
 * carry the code `ERR_IOREACTOR_AMP` (an AMP connection used before it was connected, say);
 * subclasses carry their own codes.
 */
export class AmpError extends IoReactorError {
  constructor(message = 'AMP error', options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'ERR_IOREACTOR_AMP', message, options);
  }
}
defineBrand(AmpError, 'AmpError');

/**
 * An error that went wrong on the other end of an AMP connection and was sent to us as an
 * `_error` box (Twisted's `RemoteAmpError`). Responders may also throw one directly to answer
 * with any error code.
 *
 * Code: `ERR_IOREACTOR_AMP_REMOTE_ERROR` (the `code` property, stable); the AMP error code on
 * the wire is `errorCode`.
 */
export class RemoteAmpError extends AmpError {
  /** The AMP error code (`_error_code`), as a latin1 string: `'UNKNOWN'`, `'UNHANDLED'`, yours. */
  readonly errorCode: string;
  /** The text sent as `_error_description`. */
  readonly description: string;
  /** True when sending this error closes the connection (a Command's `fatalErrors`). */
  readonly fatal: boolean;
  /** The local error this one was made from, when it was made on this side. */
  readonly local: unknown;

  constructor(errorCode: string, description: string, fatal = false, local?: unknown, options?: { code?: string }) {
    super(`Code<${errorCode}>${local !== undefined ? ' (local)' : ''}: ${description}`, {
      code: options?.code ?? 'ERR_IOREACTOR_AMP_REMOTE_ERROR',
      cause: local,
    });
    this.errorCode = errorCode;
    this.description = description;
    this.fatal = fatal;
    this.local = local;
  }
}
defineBrand(RemoteAmpError, 'RemoteAmpError');

/**
 * The peer answered a call with an error code the Command does not declare (Twisted's
 * `UnknownRemoteError`): typically `UNKNOWN`, which a peer sends when its responder failed
 * with an undeclared error (and then closes the connection).
 *
 * Code: `ERR_IOREACTOR_AMP_UNKNOWN_REMOTE_ERROR`. `errorCode` is always `'UNKNOWN'`, as in
 * Twisted, whatever code the peer sent.
 */
export class UnknownRemoteError extends RemoteAmpError {
  constructor(description: string) {
    super('UNKNOWN', description, false, undefined, { code: 'ERR_IOREACTOR_AMP_UNKNOWN_REMOTE_ERROR' });
  }
}
defineBrand(UnknownRemoteError, 'UnknownRemoteError');

/**
 * The peer has no responder for the command we called (it answered with the `UNHANDLED` error
 * code), as Twisted's `UnhandledCommand`.
 *
 * Code: `ERR_IOREACTOR_AMP_UNHANDLED_COMMAND`.
 */
export class UnhandledCommand extends AmpError {
  /** `'UNHANDLED'`. */
  readonly errorCode: string;
  /** The peer's description, such as `Unhandled Command: b'Sum'`. */
  readonly description: string;

  constructor(errorCode = 'UNHANDLED', description = 'Unhandled Command') {
    super(`Code<${errorCode}>: ${description}`, { code: 'ERR_IOREACTOR_AMP_UNHANDLED_COMMAND' });
    this.errorCode = errorCode;
    this.description = description;
  }
}
defineBrand(UnhandledCommand, 'UnhandledCommand');

/**
 * The peer broke AMP's wire rules: an `_answer` or `_error` for a call we never made, an
 * `_error` box without `_error_code`, trailing bytes in a nested box (Twisted's
 * `MalformedAmpBox`). The connection is closed; outstanding calls fail with this error.
 *
 * Code: `ERR_IOREACTOR_AMP_MALFORMED_BOX`.
 */
export class MalformedAmpBox extends AmpError {
  constructor(message = 'malformed AMP box', options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_AMP_MALFORMED_BOX' });
  }
}
defineBrand(MalformedAmpBox, 'MalformedAmpBox');

/**
 * A value received in an AMP box cannot be decoded as its declared argument type (`'12x'` for
 * an Integer, invalid UTF-8 for a Unicode, a required key missing...). Where Twisted raises a
 * bare `ValueError`/`KeyError`, ioreactor raises this. A responder's arguments that do not
 * decode are answered with `UNKNOWN` (and the connection closed, as in Twisted); a response that
 * does not decode fails the call.
 *
 * Code: `ERR_IOREACTOR_AMP_MALFORMED_VALUE`.
 */
export class MalformedAmpValue extends AmpError {
  /** The key whose value failed to decode, when known. */
  readonly keyName: string | undefined;

  constructor(message: string, keyName?: string, options?: { cause?: unknown }) {
    super(keyName === undefined ? message : `${message} (key ${JSON.stringify(keyName)})`, {
      ...options,
      code: 'ERR_IOREACTOR_AMP_MALFORMED_VALUE',
    });
    this.keyName = keyName;
  }
}
defineBrand(MalformedAmpValue, 'MalformedAmpValue');

/**
 * A box arrived with none of `_ask`/`_command`, `_answer` or `_error` (an empty box, say), as
 * Twisted's `NoEmptyBoxes`. The connection is closed; outstanding calls fail with this error.
 *
 * Code: `ERR_IOREACTOR_AMP_NO_EMPTY_BOXES`.
 */
export class NoEmptyBoxes extends AmpError {
  constructor(message = 'AMP box with no _command, _answer or _error key') {
    super(message, { code: 'ERR_IOREACTOR_AMP_NO_EMPTY_BOXES' });
  }
}
defineBrand(NoEmptyBoxes, 'NoEmptyBoxes');

/**
 * One of AMP's length limits was broken (Twisted's `TooLong`): a key over 255 bytes or a value
 * over 65 535 bytes that we tried to send (`isLocal`), a key length prefix over 255 from the
 * peer, or (ioreactor's own limit) a box from the peer larger than the protocol's `maxBoxBytes`.
 * Received from the peer, it closes the connection and fails outstanding calls. Not to be
 * confused with `StringTooLongError` (protocols/basic/errors.ts), the RangeError an
 * Int8/16/32StringReceiver's `sendString` throws: an AmpError is not a StringTooLongError, nor
 * the reverse.
 *
 * Code: `ERR_IOREACTOR_AMP_TOO_LONG`.
 */
export class TooLong extends AmpError {
  /** What was too long. Twisted has `isKey` only; `'box'` is ioreactor's per-box limit. */
  readonly kind: 'key' | 'value' | 'box';
  /** True when the string was being encoded here, false when it came from the peer. */
  readonly isLocal: boolean;
  /** The offending length (for a box: the bytes accumulated when the limit was crossed). */
  readonly length: number;
  /** For a value, the key it was encoded for. */
  readonly keyName: string | undefined;

  constructor(kind: 'key' | 'value' | 'box', isLocal: boolean, length: number, keyName?: string) {
    const where = kind === 'value' && keyName !== undefined ? `value ${JSON.stringify(keyName)}` : kind;
    super(`${isLocal ? 'local' : 'remote'} ${where} too long: ${length}`, { code: 'ERR_IOREACTOR_AMP_TOO_LONG' });
    this.kind = kind;
    this.isLocal = isLocal;
    this.length = length;
    this.keyName = keyName;
  }

  /** Twisted's flag: true when a key was too long. */
  get isKey(): boolean {
    return this.kind === 'key';
  }
}
defineBrand(TooLong, 'TooLong');

/**
 * `callRemote` was given arguments that do not match the Command: a required one missing, or
 * one the Command does not declare (Twisted's `InvalidSignature`). The call's Deferred fails
 * with it; nothing is sent.
 *
 * Code: `ERR_IOREACTOR_AMP_INVALID_SIGNATURE`.
 */
export class InvalidSignature extends AmpError {
  constructor(message: string) {
    super(message, { code: 'ERR_IOREACTOR_AMP_INVALID_SIGNATURE' });
  }
}
defineBrand(InvalidSignature, 'InvalidSignature');

/**
 * A responder returned something its Command's `response` schema cannot encode (Twisted's
 * `BadLocalReturn`). It is logged, the caller is answered with `UNKNOWN` and the connection is
 * closed, as in Twisted. `cause` holds the encoding error.
 *
 * Code: `ERR_IOREACTOR_AMP_BAD_LOCAL_RETURN`.
 */
export class BadLocalReturn extends AmpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_AMP_BAD_LOCAL_RETURN' });
  }
}
defineBrand(BadLocalReturn, 'BadLocalReturn');
