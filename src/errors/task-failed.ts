import { brandError, defineBrand } from './brand';
import { TaskFinished } from './task-finished';

/**
 * The operation is not possible because the task's iterator threw (or a Deferred it yielded
 * failed); the completion Deferreds carry that original error.
 *
 * Code: `ERR_IOREACTOR_TASK_FAILED`.
 */
export class TaskFailed extends TaskFinished {
  constructor(message = 'the task has failed', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_TASK_FAILED', message, options);
    brandError(this, 'TaskFailed');
  }

  override get name(): string {
    return 'TaskFailed';
  }
}
defineBrand(TaskFailed, 'TaskFailed');
