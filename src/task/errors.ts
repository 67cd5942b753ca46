// The task errors, as Twisted keeps them in task.py: the Cooperator's SchedulerError family
// and the LoopingCall misuse errors; and the delayed-call errors (Twisted's
// internet.error.AlreadyCalled / AlreadyCancelled), raised by Clock and, above it, by the
// reactor's DelayedCall.
import { defineBrand, IoReactorError } from '../errors';

/**
 * A delayed call (from `callLater` on a Reactor or a task `Clock`) was cancelled, reset or
 * delayed after it had already run. The name follows Twisted's
 * `twisted.internet.error.AlreadyCalled`. Not to be confused with `AlreadyCalledError`
 * (defer/errors.ts, Twisted's `defer.AlreadyCalledError`), raised when a Deferred is fired twice:
 * the two are unrelated classes with different codes.
 *
 * Code: `ERR_IOREACTOR_ALREADY_CALLED`.
 */
export class AlreadyCalled extends IoReactorError {
  constructor(message = 'the delayed call has already been called', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_ALREADY_CALLED', message, options);
  }

  override get name(): string {
    return 'AlreadyCalled';
  }
}
defineBrand(AlreadyCalled, 'AlreadyCalled');

/**
 * A delayed call (from `callLater` on a Reactor or a task `Clock`) was cancelled, reset or
 * delayed after it had already been cancelled. The name follows Twisted's
 * `twisted.internet.error.AlreadyCancelled`.
 *
 * Code: `ERR_IOREACTOR_ALREADY_CANCELLED`.
 */
export class AlreadyCancelled extends IoReactorError {
  constructor(message = 'the delayed call has already been cancelled', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_ALREADY_CANCELLED', message, options);
  }

  override get name(): string {
    return 'AlreadyCancelled';
  }
}
defineBrand(AlreadyCancelled, 'AlreadyCancelled');

/**
 * Base class of the errors a task `Cooperator` and its `CooperativeTask`s raise when the
 * cooperator or a task is in a state that does not allow the operation (Twisted's
 * `task.SchedulerError`). Never thrown itself: catch it to handle every such case at once.
 */
export class SchedulerError extends IoReactorError {
  /** For subclasses: each passes its own stable code. */
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }

  override get name(): string {
    return 'SchedulerError';
  }
}
defineBrand(SchedulerError, 'SchedulerError');

/**
 * The `Cooperator` was stopped while the task was running, or before it was added. The
 * task's completion Deferreds fail with it.
 *
 * Code: `ERR_IOREACTOR_SCHEDULER_STOPPED`.
 */
export class SchedulerStopped extends SchedulerError {
  constructor(message = 'the cooperator has been stopped', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_SCHEDULER_STOPPED', message, options);
  }

  override get name(): string {
    return 'SchedulerStopped';
  }
}
defineBrand(SchedulerStopped, 'SchedulerStopped');

/**
 * A `CooperativeTask` can no longer be paused or stopped because it has finished: completed,
 * been stopped, or failed. Never thrown itself; one of its subclasses says which.
 */
export class TaskFinished extends SchedulerError {
  /** For subclasses: each passes its own stable code. */
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }

  override get name(): string {
    return 'TaskFinished';
  }
}
defineBrand(TaskFinished, 'TaskFinished');

/**
 * The operation is not possible because the task's iterator is exhausted.
 *
 * Code: `ERR_IOREACTOR_TASK_DONE`.
 */
export class TaskDone extends TaskFinished {
  constructor(message = 'the task has already completed', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_TASK_DONE', message, options);
  }

  override get name(): string {
    return 'TaskDone';
  }
}
defineBrand(TaskDone, 'TaskDone');

/**
 * The task was stopped with `CooperativeTask.stop()`: its completion Deferreds fail with it,
 * and a further `pause()` or `stop()` throws it.
 *
 * Code: `ERR_IOREACTOR_TASK_STOPPED`.
 */
export class TaskStopped extends TaskFinished {
  constructor(message = 'the task has been stopped', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_TASK_STOPPED', message, options);
  }

  override get name(): string {
    return 'TaskStopped';
  }
}
defineBrand(TaskStopped, 'TaskStopped');

/**
 * The operation is not possible because the task's iterator threw (or a Deferred it yielded
 * failed); the completion Deferreds carry that original error.
 *
 * Code: `ERR_IOREACTOR_TASK_FAILED`.
 */
export class TaskFailed extends TaskFinished {
  constructor(message = 'the task has failed', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_TASK_FAILED', message, options);
  }

  override get name(): string {
    return 'TaskFailed';
  }
}
defineBrand(TaskFailed, 'TaskFailed');

/**
 * `CooperativeTask.resume()` was called more times than `pause()`.
 *
 * Code: `ERR_IOREACTOR_NOT_PAUSED`.
 */
export class NotPaused extends SchedulerError {
  constructor(message = 'the task is not paused', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_NOT_PAUSED', message, options);
  }

  override get name(): string {
    return 'NotPaused';
  }
}
defineBrand(NotPaused, 'NotPaused');

/**
 * `LoopingCall.start()` was called on a LoopingCall that is running; stop it first.
 *
 * Code: `ERR_IOREACTOR_LOOPING_CALL_ALREADY_RUNNING`.
 */
export class LoopingCallAlreadyRunning extends IoReactorError {
  constructor(message = 'the LoopingCall is already running', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_LOOPING_CALL_ALREADY_RUNNING', message, options);
  }

  override get name(): string {
    return 'LoopingCallAlreadyRunning';
  }
}
defineBrand(LoopingCallAlreadyRunning, 'LoopingCallAlreadyRunning');

/**
 * `LoopingCall.stop()` or `reset()` was called on a LoopingCall that is not running (never
 * started, already stopped, or stopped by a failure of its function).
 *
 * Code: `ERR_IOREACTOR_LOOPING_CALL_NOT_RUNNING`.
 */
export class LoopingCallNotRunning extends IoReactorError {
  constructor(message = 'the LoopingCall is not running', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_LOOPING_CALL_NOT_RUNNING', message, options);
  }

  override get name(): string {
    return 'LoopingCallNotRunning';
  }
}
defineBrand(LoopingCallNotRunning, 'LoopingCallNotRunning');
