import { brandError, defineBrand } from './brand';
import { SchedulerError } from './scheduler-error';

/**
 * A `CooperativeTask` can no longer be paused or stopped because it has finished: completed,
 * been stopped, or failed. Never thrown itself; one of its subclasses says which.
 */
export class TaskFinished extends SchedulerError {
  /** For subclasses: each passes its own stable code. */
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    brandError(this, 'TaskFinished');
  }

  override get name(): string {
    return 'TaskFinished';
  }
}
defineBrand(TaskFinished, 'TaskFinished');
