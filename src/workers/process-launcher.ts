/**
 * Starts a serve() worker in a child process: node running the process entry with an IPC
 * channel. The advanced (structured clone) serialization carries `data` as a thread's
 * postMessage would. Output goes to this process's stdout and stderr.
 * Internal to the package.
 */
import { spawn } from 'node:child_process';
import { workerEntryPath } from './entry-path';
import type { WorkerLauncher } from './launcher';
import type { ToParent } from './serve-messages';

export const launchProcess: WorkerLauncher = (events) => {
  const child = spawn(process.execPath, [workerEntryPath('process-entry')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  let exited = false;
  child.on('message', (m: ToParent) => events.message(m));
  child.on('exit', (code, signal) => {
    exited = true;
    events.exit(code, signal);
  });
  child.on('error', (err) => {
    // A child that never started (no pid) will not report an exit: report one for it.
    events.error(err);
    if (child.pid === undefined && !exited) {
      exited = true;
      events.exit(null, null);
    }
  });
  return {
    threadId: undefined,
    pid: child.pid,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    kill: () => void child.kill('SIGKILL'),
  };
};
