/**
 * The script a serve() worker thread runs.
 * Internal to the package.
 */
import { parentPort } from 'node:worker_threads';
import { runWorker } from './serve-worker-main';
import type { ToWorker } from './serve-messages';

if (parentPort === null) throw new Error('thread-entry runs only as a worker thread started by serve()');
const port = parentPort;
runWorker({
  post: (message) => port.postMessage(message),
  onMessage: (listener) => port.on('message', (m: ToWorker) => listener(m)),
  close: () => port.close(),
});
