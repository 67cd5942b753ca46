import type { Failure } from '../defer/failure';
import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * Raised by `trackUnhandledDeferredErrors().assertNone()` when at least one Deferred was
 * collected with an unhandled Failure at the end of its chain. `failures` lists them in the
 * order they were reported.
 *
 * Code: `ERR_IOREACTOR_UNHANDLED_DEFERRED`.
 */
export class UnhandledDeferredError extends IoReactorError {
  /** The unhandled Failures, in report order. */
  readonly failures: readonly Failure[];

  constructor(failures: readonly Failure[], message?: string, options?: { cause?: unknown }) {
    super(
      'ERR_IOREACTOR_UNHANDLED_DEFERRED',
      message ??
        `${failures.length} unhandled error(s) in Deferred: ` + failures.map((f) => f.toString()).join(', '),
      options,
    );
    this.failures = failures;
    brandError(this, 'UnhandledDeferredError');
  }

  override get name(): string {
    return 'UnhandledDeferredError';
  }
}
defineBrand(UnhandledDeferredError, 'UnhandledDeferredError');
