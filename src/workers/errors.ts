// The errors of serve() and its workers. Argument errors (bad options) are the shared
// InvalidArgTypeError / InvalidArgValueError with codes of this area; these are what happens to
// the workers themselves.
import { defineBrand, IoReactorError } from '../errors';

/**
 * A worker's `setup` threw or rejected, or its module could not be loaded or has no `setup`
 * export. The first time round it rejects `ready` (and the other workers are stopped); for a
 * replacement worker it is reported through the logger. `cause` is the worker's error.
 * Code: `ERR_IOREACTOR_WORKER_SETUP_FAILED`.
 */
export class WorkerSetupFailed extends IoReactorError {
  constructor(
    message: string,
    readonly workerIndex: number,
    options?: { cause?: unknown },
  ) {
    super('ERR_IOREACTOR_WORKER_SETUP_FAILED', message, options);
  }
}
defineBrand(WorkerSetupFailed, 'WorkerSetupFailed');

/**
 * A worker ended without being asked to (an uncaught error, process.exit, a signal). Reported
 * through the logger; the worker is replaced at the same index. `cause` is the uncaught error
 * when the worker reported one. Code: `ERR_IOREACTOR_WORKER_CRASHED`.
 */
export class WorkerCrashed extends IoReactorError {
  constructor(
    message: string,
    readonly workerIndex: number,
    options?: { cause?: unknown },
  ) {
    super('ERR_IOREACTOR_WORKER_CRASHED', message, options);
  }
}
defineBrand(WorkerCrashed, 'WorkerCrashed');

/**
 * Workers crashed more often than `maxRestarts` a minute: the crashed worker is not replaced
 * and its index stays empty until stop(). Reported through the logger.
 * Code: `ERR_IOREACTOR_WORKER_RESTARTS_EXHAUSTED`.
 */
export class WorkerRestartsExhausted extends IoReactorError {
  constructor(
    message: string,
    readonly workerIndex: number,
  ) {
    super('ERR_IOREACTOR_WORKER_RESTARTS_EXHAUSTED', message);
  }
}
defineBrand(WorkerRestartsExhausted, 'WorkerRestartsExhausted');
