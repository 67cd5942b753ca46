import { brandError, defineBrand } from './brand';
import { SchedulerError } from './scheduler-error';

/**
 * The `Cooperator` was stopped while the task was running, or before it was added. The
 * task's completion Deferreds fail with it.
 *
 * Code: `ERR_IOREACTOR_SCHEDULER_STOPPED`.
 */
export class SchedulerStopped extends SchedulerError {
  constructor(message = 'the cooperator has been stopped', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_SCHEDULER_STOPPED', message, options);
    brandError(this, 'SchedulerStopped');
  }

  override get name(): string {
    return 'SchedulerStopped';
  }
}
defineBrand(SchedulerStopped, 'SchedulerStopped');
