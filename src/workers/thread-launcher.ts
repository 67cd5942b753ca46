/**
 * Starts a serve() worker in a worker thread of this process.
 * Internal to the package.
 */
import { Worker } from 'node:worker_threads';
import { workerEntryPath } from './entry-path';
import type { WorkerLauncher } from './launcher';
import type { ToParent } from './serve-messages';

export const launchThread: WorkerLauncher = (events) => {
  const worker = new Worker(workerEntryPath('thread-entry'));
  worker.on('message', (m: ToParent) => events.message(m));
  worker.on('error', (err) => events.error(err));
  worker.on('exit', (code) => events.exit(code, null));
  return {
    threadId: worker.threadId,
    pid: undefined,
    send: (message) => worker.postMessage(message),
    kill: () => void worker.terminate(),
  };
};
