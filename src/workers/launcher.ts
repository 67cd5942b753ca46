/**
 * How serve() starts one worker, whatever it runs in. A launcher starts the worker entry and
 * reports what the worker says and when it ends; serve() speaks only to this interface (the
 * child-process launcher runs on a reactor.spawnProcess of its own).
 * Internal to the package.
 */
import type { ToParent, ToWorker } from './serve-messages';

export interface WorkerEvents {
  message(message: ToParent): void;
  /** An error the worker did not catch (thread mode), or a failure to start it. */
  error(err: Error): void;
  /** The worker ended: its exit code, or the signal that ended it (process mode). */
  exit(code: number | null, signal: string | null): void;
}

export interface LaunchedWorker {
  /** The worker thread's id (thread mode). */
  readonly threadId: number | undefined;
  /** The child's process id (process mode). */
  readonly pid: number | undefined;
  send(message: ToWorker): void;
  /** Ends the worker at once (terminate a thread, SIGKILL a process). */
  kill(): void;
}

export type WorkerLauncher = (events: WorkerEvents) => LaunchedWorker;
