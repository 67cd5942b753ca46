import { brandError, defineBrand } from './brand';
import { TaskFinished } from './task-finished';

/**
 * The operation is not possible because the task's iterator is exhausted.
 *
 * Code: `ERR_IOREACTOR_TASK_DONE`.
 */
export class TaskDone extends TaskFinished {
  constructor(message = 'the task has already completed', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_TASK_DONE', message, options);
    brandError(this, 'TaskDone');
  }

  override get name(): string {
    return 'TaskDone';
  }
}
defineBrand(TaskDone, 'TaskDone');
