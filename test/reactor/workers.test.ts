// Reactors in worker threads: per-environment state, concurrent loops, and teardown of a
// worker whose reactor is still running.
import { closeSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { openSocketPair } from '../../src/index';
import { recordLogged } from '../support/logged';
import { VARIANTS } from '../support/reactors';

const script = path.join(__dirname, '..', 'fixtures', 'reactor-worker.js');

function runWorker(workerData: object): { worker: Worker; result: Promise<Record<string, unknown>>; exit: Promise<number> } {
  // The worker's reactor logs to console.error: its stderr goes into the shared record
  // (test/support/logged.ts), where anything it reports fails the test.
  const worker = new Worker(script, { workerData, stderr: true });
  worker.stderr.on('data', (d: Buffer) => recordLogged('worker', d.toString().trimEnd()));
  const stderrEnded = new Promise<void>((resolve) => worker.stderr.once('end', resolve));
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const exit = Promise.all([exited, stderrEnded]).then(([code]) => code);
  const result = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker timed out')), 20_000);
    worker.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as Record<string, unknown>);
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  return { worker, result, exit };
}

describe('reactors in worker threads', () => {
  it.each(VARIANTS)('two $name reactors run concurrently in two workers', async (variant) => {
    const rounds = 200;
    const one = runWorker({ ...variant, rounds });
    const two = runWorker({ ...variant, rounds });
    const [r1, r2] = await Promise.all([one.result, two.result]);
    expect(r1).toMatchObject({ count: rounds, backend: variant.backend });
    expect(r2).toMatchObject({ count: rounds, backend: variant.backend });
    expect(await Promise.all([one.exit, two.exit])).toEqual([0, 0]);
  });

  it.each(VARIANTS)('terminating a worker with a running $name reactor tears it down cleanly', async (variant) => {
    const fds = openSocketPair();
    try {
      const { worker, result, exit } = runWorker({ ...variant, hang: true, fds });
      expect(await result).toEqual({ running: true });
      await worker.terminate();
      expect(await exit).toBe(1);
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  });
});
