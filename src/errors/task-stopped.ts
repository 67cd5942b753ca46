import { brandError, defineBrand } from './brand';
import { TaskFinished } from './task-finished';

/**
 * The task was stopped with `CooperativeTask.stop()`: its completion Deferreds fail with it,
 * and a further `pause()` or `stop()` throws it.
 *
 * Code: `ERR_IOREACTOR_TASK_STOPPED`.
 */
export class TaskStopped extends TaskFinished {
  constructor(message = 'the task has been stopped', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_TASK_STOPPED', message, options);
    brandError(this, 'TaskStopped');
  }

  override get name(): string {
    return 'TaskStopped';
  }
}
defineBrand(TaskStopped, 'TaskStopped');
