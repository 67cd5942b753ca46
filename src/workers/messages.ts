/**
 * The messages between serve() and a worker, the same over a worker thread's port and a child
 * process's IPC channel (both structured-clone them). Errors travel as plain records: a class
 * does not survive the crossing, its name, message, stack and code do. @internal
 */
import type { Backend } from '../reactor/options';
import type { Trigger } from '../reactor/descriptor';

export interface SerializedError {
  name: string;
  message: string;
  stack: string | undefined;
  code: unknown;
}

/** Sent once, first: what the worker needs to build its reactor and call setup. */
export interface StartMessage {
  type: 'start';
  moduleUrl: string;
  workerIndex: number;
  workers: number;
  data: unknown;
  reactor: { backend?: Backend | 'auto'; trigger?: Trigger };
}

/** Stop accepting, let open connections finish for `deadline` seconds, then close and exit. */
export interface StopMessage {
  type: 'stop';
  deadline: number;
}

export type ToWorker = StartMessage | StopMessage;

export type ToParent =
  | { type: 'ready' }
  | { type: 'setup-failed'; error: SerializedError }
  | { type: 'log'; message: string; error: SerializedError | undefined }
  | { type: 'stopped'; connectionsLeft: number };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    return { name: err.name, message: err.message, stack: err.stack, code: (err as { code?: unknown }).code };
  }
  return { name: 'Error', message: String(err), stack: undefined, code: undefined };
}

/** An Error rebuilt from its record, keeping the worker's stack and code. */
export function deserializeError(record: SerializedError): Error {
  const err = new Error(record.message) as Error & { code?: unknown };
  Object.defineProperty(err, 'name', { value: record.name, configurable: true, writable: true });
  if (record.stack !== undefined) err.stack = record.stack;
  if (record.code !== undefined) err.code = record.code;
  return err;
}
