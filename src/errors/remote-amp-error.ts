import { brandError, defineBrand } from './brand';
import { AmpError } from './amp-error';

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
    brandError(this, 'RemoteAmpError');
  }
}
defineBrand(RemoteAmpError, 'RemoteAmpError');
