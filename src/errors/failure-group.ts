import type { Failure } from '../defer/failure';
import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * More than one failure occurred: `race` fails with this when every one of its Deferreds
 * failed (Twisted's `defer.FailureGroup`). `failures` is in the order of the input list.
 *
 * Code: `ERR_IOREACTOR_FAILURE_GROUP`.
 */
export class FailureGroup extends IoReactorError {
  /** The Failures, one per input Deferred, in input order. */
  readonly failures: readonly Failure[];

  constructor(failures: readonly Failure[], message?: string, options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_FAILURE_GROUP', message ?? `all ${failures.length} Deferreds failed`, options);
    this.failures = failures;
    brandError(this, 'FailureGroup');
  }

  override get name(): string {
    return 'FailureGroup';
  }
}
defineBrand(FailureGroup, 'FailureGroup');
