import { brandError, defineBrand } from './brand';
import { SchedulerError } from './scheduler-error';

/**
 * `CooperativeTask.resume()` was called more times than `pause()`.
 *
 * Code: `ERR_IOREACTOR_NOT_PAUSED`.
 */
export class NotPaused extends SchedulerError {
  constructor(message = 'the task is not paused', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_NOT_PAUSED', message, options);
    brandError(this, 'NotPaused');
  }

  override get name(): string {
    return 'NotPaused';
  }
}
defineBrand(NotPaused, 'NotPaused');
