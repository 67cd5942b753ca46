// Runs test/fixtures/reactor-cut-short.js: a worker whose reactor is terminated right after a
// chosen call into the addon returned (or inside the server's buildProtocol), before the
// statement that follows. The test's no-leaks check then sees whether a descriptor was left
// without an owner at that instant.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Variant } from './reactors';

export interface Cut {
  /** What the worker does (a key of the fixture's `scenarios`). */
  scenario: string;
  /** The NativeReactor method or addon function after whose return the worker is cut short, or 'buildProtocol'. */
  call: string;
  /** Which of those calls, counted from the scenario's setup on. */
  nth: number;
}

const FIXTURE = join(__dirname, '..', 'fixtures', 'reactor-cut-short.js');

/**
 * Starts the worker, terminates it at `cut`, and returns its exit code, the errors it raised and
 * the pid of the child its scenario spawned, if any.
 */
export async function cutShort(variant: Variant, cut: Cut, fds: readonly number[] = []): Promise<{ exitCode: number; errors: unknown[]; pid?: number }> {
  const worker = new Worker(FIXTURE, {
    workerData: { variant: { backend: variant.backend, trigger: variant.trigger }, scenario: cut.scenario, cut: { call: cut.call, nth: cut.nth }, fds },
  });
  const errors: unknown[] = [];
  worker.on('error', (err) => errors.push(err));
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  let pid: number | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the worker never reached ${cut.call} #${cut.nth} within 10 s`)), 10_000);
      worker.once('message', (m: { pid?: number }) => {
        clearTimeout(timer);
        pid = m.pid;
        resolve();
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the worker exited (code ${code}) before ${cut.call} #${cut.nth}`));
      });
    });
  } finally {
    await worker.terminate();
  }
  return { exitCode: await exited, errors, pid };
}
