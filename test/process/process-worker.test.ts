// spawnProcess inside worker threads: each thread's reactor drives its own children.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = join(__dirname, '..', '..', 'lib');

// Runs one child on a reactor of its own and posts what the child printed and how it ended.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Reactor, ProcessProtocol } = require(workerData.lib);
const reactor = new Reactor();
const out = [];
class Child extends ProcessProtocol {
  outReceived(data) { out.push(data); }
  processEnded(reason) {
    parentPort.postMessage({ text: Buffer.concat(out).toString(), code: reason.value.code });
    reactor.stop();
  }
}
reactor.spawnProcess(new Child(), '/bin/sh', ['sh', '-c', 'echo from-' + workerData.n]);
reactor.run().then(() => reactor.close());
`;

function runWorker(n: number): Promise<{ text: string; code: string }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { lib: LIB, n } });
    let message: { text: string; code: string } | undefined;
    worker.on('message', (m: { text: string; code: string }) => (message = m));
    worker.on('error', reject);
    worker.on('exit', (code) => (message !== undefined && code === 0 ? resolve(message) : reject(new Error(`worker exited with ${code}`))));
  });
}

describe('spawnProcess in worker threads', () => {
  it('runs a child on each of four worker threads at once (needs lib/: npm run build:ts)', async () => {
    const results = await Promise.all([0, 1, 2, 3].map(runWorker));
    expect(results).toEqual([0, 1, 2, 3].map((n) => ({ text: `from-${n}\n`, code: 'ERR_IOREACTOR_PROCESS_DONE' })));
  });
});
