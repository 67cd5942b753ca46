/**
 * The script a serve() worker process runs (spawned with an IPC channel).
 * Internal to the package.
 */
import { runWorker } from './serve-worker-main';
import type { ToWorker } from './serve-messages';

if (process.send === undefined) throw new Error('process-entry runs only as a child process started by serve(), with an IPC channel');
let unsent = 0;
let closeWhenSent = false;
const disconnect = (): void => {
  if (process.connected) process.disconnect();
};
// The parent went away without stopping us (killed, or it exited): nobody can stop this worker
// any more, so it must not outlive its parent with a port open.
process.on('disconnect', () => {
  if (!closeWhenSent) process.exit(1);
});
runWorker({
  post: (message) => {
    if (!process.connected) return;
    unsent++;
    process.send?.(message, undefined, undefined, () => {
      // Disconnecting with a message still queued would drop it (the last one is 'stopped').
      if (--unsent === 0 && closeWhenSent) disconnect();
    });
  },
  onMessage: (listener) => process.on('message', (m: ToWorker) => listener(m)),
  close: () => {
    closeWhenSent = true;
    if (unsent === 0) disconnect();
  },
});
