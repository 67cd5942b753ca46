import type { Failure } from '../defer/failure';
import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * The first failure in a `DeferredList` created with `fireOnOneErrback` (and so in
 * `gatherResults`): Twisted's `defer.FirstError`. `subFailure` is the Failure of the Deferred
 * at position `index` in the list.
 *
 * Code: `ERR_IOREACTOR_FIRST_ERROR`.
 */
export class FirstError extends IoReactorError {
  /** The Failure that occurred. */
  readonly subFailure: Failure;
  /** Index, in the list, of the Deferred that failed. */
  readonly index: number;

  constructor(subFailure: Failure, index: number, options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_FIRST_ERROR', `FirstError[#${index}, ${subFailure.toString()}]`, {
      cause: options?.cause ?? subFailure.value,
    });
    this.subFailure = subFailure;
    this.index = index;
    brandError(this, 'FirstError');
  }

  override get name(): string {
    return 'FirstError';
  }
}
defineBrand(FirstError, 'FirstError');
