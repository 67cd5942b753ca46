/**
 * The messages between serve() and a worker, the same over a worker thread's port and a child
 * process's pipes (both structured-clone them: v8.serialize frames, frames.ts). Errors travel as plain records: a class
 * does not survive the crossing, its name, message, stack and code do.
 * Internal to the package.
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
  /** 'acceptor': listenTCP registers with serve()'s acceptor, which hands connections over. */
  balance: 'kernel' | 'acceptor';
}

/** Stop accepting, let open connections finish for `deadline` seconds, then close and exit. */
export interface StopMessage {
  type: 'stop';
  deadline: number;
}

/** balance 'acceptor': a connection accepted for the port `key`, by descriptor number. */
export interface ConnectionMessage {
  type: 'connection';
  key: string;
  fd: number;
}

export type ToWorker = StartMessage | StopMessage | ConnectionMessage;

export type ToParent =
  | { type: 'ready' }
  | { type: 'setup-failed'; error: SerializedError }
  | { type: 'log'; message: string; error: SerializedError | undefined }
  | { type: 'stopped'; connectionsLeft: number }
  | { type: 'listen'; key: string; host: string; port: number; backlog: number }
  | { type: 'unlisten'; key: string }
  | { type: 'adopted'; fd: number };

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
