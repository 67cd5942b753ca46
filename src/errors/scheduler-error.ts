import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * Base class of the errors a task `Cooperator` and its `CooperativeTask`s raise when the
 * cooperator or a task is in a state that does not allow the operation (Twisted's
 * `task.SchedulerError`). Never thrown itself: catch it to handle every such case at once.
 */
export class SchedulerError extends IoReactorError {
  /** For subclasses: each passes its own stable code. */
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    brandError(this, 'SchedulerError');
  }

  override get name(): string {
    return 'SchedulerError';
  }
}
defineBrand(SchedulerError, 'SchedulerError');
