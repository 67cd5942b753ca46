// The errors of the worker area: what happens to jobs on a worker pool (deferToWorker,
// WorkerPool), and to the reactors serve() runs in workers. Argument errors (bad options) are the
// shared InvalidArgTypeError / InvalidArgValueError with codes of this area.
import { defineBrand, IoReactorError } from '../errors';

/** What a worker reports about a value its job threw (an Error or anything else). */
export interface RemoteErrorDetails {
  /** The thrown Error's `name`, or `typeof` the value when a non-Error was thrown. */
  readonly name: string;
  /** The thrown Error's `message`, or a description of the non-Error value. */
  readonly message: string;
  /** The thrown Error's stack as the worker formatted it (undefined for a non-Error). */
  readonly stack: string | undefined;
  /** The thrown Error's `code` when it had a string or number one. */
  readonly code: string | number | undefined;
  /** False when the job threw something that is not an Error (a string, a plain object...). */
  readonly isError: boolean;
  /** A non-Error thrown value, when it could be copied out of the worker. */
  readonly value?: unknown;
}

/**
 * A job threw (or its promise rejected) inside its worker: the Failure's value is this error,
 * carrying what the worker could send back. `remoteStack` is the stack inside the worker, whose
 * frames name the worker module; this error's own `stack` says where the failure was delivered.
 *
 * Code: `ERR_IOREACTOR_REMOTE_ERROR`.
 */
export class RemoteError extends IoReactorError {
  /** The remote error's class name (`TypeError`, a user class...), or `typeof` a non-Error. */
  readonly remoteName: string;
  /** The remote error's message. */
  readonly remoteMessage: string;
  /** The remote error's stack, as formatted in the worker. */
  readonly remoteStack: string | undefined;
  /** The remote error's `code`, when it had one. */
  readonly remoteCode: string | number | undefined;
  /** False when a non-Error value was thrown. */
  readonly remoteIsError: boolean;
  /** The non-Error value thrown, when it could be copied (undefined otherwise). */
  readonly remoteValue: unknown;

  constructor(details: RemoteErrorDetails, options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_REMOTE_ERROR', `${details.name}: ${details.message}`, options);
    this.remoteName = details.name;
    this.remoteMessage = details.message;
    this.remoteStack = details.stack;
    this.remoteCode = details.code;
    this.remoteIsError = details.isError;
    this.remoteValue = details.value;
  }

  override get name(): string {
    return 'RemoteError';
  }
}
defineBrand(RemoteError, 'RemoteError');

/**
 * The module a job names does not exist (a `file:` URL or absolute path with no file).
 *
 * Code: `ERR_IOREACTOR_WORKER_MODULE_NOT_FOUND`.
 */
export class WorkerModuleNotFound extends IoReactorError {
  readonly moduleUrl: string;

  constructor(moduleUrl: string, options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_WORKER_MODULE_NOT_FOUND', `worker module not found: ${moduleUrl}`, options);
    this.moduleUrl = moduleUrl;
  }

  override get name(): string {
    return 'WorkerModuleNotFound';
  }
}
defineBrand(WorkerModuleNotFound, 'WorkerModuleNotFound');

/**
 * The module a job names loaded, but its export `exportName` is missing or not a function.
 *
 * Code: `ERR_IOREACTOR_WORKER_EXPORT_NOT_FUNCTION`.
 */
export class WorkerExportNotFunction extends IoReactorError {
  readonly moduleUrl: string;
  readonly exportName: string;

  constructor(moduleUrl: string, exportName: string, received: string, options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_WORKER_EXPORT_NOT_FUNCTION', `export ${JSON.stringify(exportName)} of ${moduleUrl} is not a function (${received})`, options);
    this.moduleUrl = moduleUrl;
    this.exportName = exportName;
  }

  override get name(): string {
    return 'WorkerExportNotFunction';
  }
}
defineBrand(WorkerExportNotFunction, 'WorkerExportNotFunction');

/**
 * The worker running the job exited before answering: the job called `process.exit`, or an
 * error escaped outside the job (an uncaught exception in a timer, an unhandled rejection).
 * `cause` is that error when the worker reported one. The pool replaces the worker.
 *
 * Code: `ERR_IOREACTOR_WORKER_EXITED`.
 */
export class WorkerExited extends IoReactorError {
  /** The worker thread's exit code. */
  readonly exitCode: number;

  constructor(exitCode: number, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.name}: ${options.cause.message}` : '';
    super('ERR_IOREACTOR_WORKER_EXITED', `the worker running the job exited with code ${exitCode}${reason}`, options);
    this.exitCode = exitCode;
  }

  override get name(): string {
    return 'WorkerExited';
  }
}
defineBrand(WorkerExited, 'WorkerExited');

/**
 * `run` was called while `maxQueue` jobs were already waiting for a worker: the job was refused
 * and never runs. Back off, or make the pool's queue longer.
 *
 * Code: `ERR_IOREACTOR_POOL_QUEUE_FULL`.
 */
export class PoolQueueFull extends IoReactorError {
  readonly maxQueue: number;

  constructor(maxQueue: number, options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_POOL_QUEUE_FULL', `the worker pool's queue is full (${maxQueue} jobs waiting)`, options);
    this.maxQueue = maxQueue;
  }

  override get name(): string {
    return 'PoolQueueFull';
  }
}
defineBrand(PoolQueueFull, 'PoolQueueFull');

/**
 * The pool was closed: `run` after `close()` fails with it, and so does every job that was
 * waiting or running when `close()` was called.
 *
 * Code: `ERR_IOREACTOR_POOL_CLOSED`.
 */
export class PoolClosed extends IoReactorError {
  constructor(message = 'the worker pool is closed', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_POOL_CLOSED', message, options);
  }

  override get name(): string {
    return 'PoolClosed';
  }
}
defineBrand(PoolClosed, 'PoolClosed');

// ---- serve() ----

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
