import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * A Deferred timed out (Twisted's `defer.TimeoutError`): `Deferred.addTimeout` cancelled it and
 * turned the resulting `CancelledError` into this error.
 *
 * Code: `ERR_IOREACTOR_TIMEOUT`.
 */
export class TimeoutError extends IoReactorError {
  /** The timeout, in seconds, that expired (undefined when not known). */
  readonly timeout: number | undefined;

  constructor(timeout?: number, message?: string, options?: { cause?: unknown }) {
    super(
      'ERR_IOREACTOR_TIMEOUT',
      message ?? (timeout === undefined ? 'the Deferred timed out' : `the Deferred timed out after ${timeout} seconds`),
      options,
    );
    this.timeout = timeout;
    brandError(this, 'TimeoutError');
  }

  override get name(): string {
    return 'TimeoutError';
  }
}
defineBrand(TimeoutError, 'TimeoutError');
