/**
 * The script a serve() worker process runs, spawned by serve()'s reactor (process-launcher.ts)
 * with a message channel of two pipes: it reads the parent's frames on fd 3 and writes its own
 * on fd 4 (frames.ts).
 * Internal to the package.
 */
import { Socket } from 'node:net';
import { encodeFrame, FrameDecoder } from './frames';
import { runWorker } from './serve-worker-main';
import type { ToWorker } from './serve-messages';

const FROM_PARENT = 3;
const TO_PARENT = 4;

let fromParent: Socket;
let toParent: Socket;
try {
  fromParent = new Socket({ fd: FROM_PARENT, readable: true, writable: false });
  toParent = new Socket({ fd: TO_PARENT, readable: false, writable: true });
} catch (err) {
  throw new Error('process-entry runs only as a child process started by serve(), with pipes on fds 3 and 4', { cause: err });
}
let closing = false;
// The parent went away without stopping us (killed, or it exited): nobody can stop this worker
// any more, so it must not outlive its parent with a port open.
const parentGone = (): void => {
  if (!closing) process.exit(1);
};
fromParent.on('end', parentGone);
fromParent.on('error', parentGone);
toParent.on('error', parentGone);
const listeners: ((message: ToWorker) => void)[] = [];
const decoder = new FrameDecoder();
fromParent.on('data', (chunk: Buffer) => {
  for (const message of decoder.push(chunk)) for (const listener of listeners) listener(message as ToWorker);
});
runWorker({
  post: (message) => {
    if (!toParent.writable) return;
    toParent.write(encodeFrame(message));
  },
  onMessage: (listener) => void listeners.push(listener),
  close: () => {
    // What is queued (the last message is 'stopped') is written before the pipe closes.
    closing = true;
    toParent.end();
    fromParent.destroy();
  },
});
