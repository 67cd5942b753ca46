// serve() with balance 'acceptor' hands each connection to a worker by descriptor number: the
// acceptor keeps its copy until the worker's reactor has adopted (duplicated) it. A worker can be
// terminated between any two statements, also while it takes a connection over: before it
// adopts, or after it adopted and before it tells the acceptor. Either way every copy is closed
// (the acceptor's when the worker exits, the reactor's by its environment's cleanup hook), once
// each: the client sees its connection end, and no-leaks.ts sees no descriptor left.
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serve, type ServeHandle } from '../../src/index';
import { RecordingLogger } from '../support/reactors';
import { eventually, serveOnFreePort } from '../support/serving-ports';

const MODULE_URL = pathToFileURL(join(__dirname, '..', 'fixtures', 'serve-cut-short.mjs'));

async function startServing(cut: string, flag: SharedArrayBuffer): Promise<{ handle: ServeHandle; port: number }> {
  const { handle, port, failure } = await serveOnFreePort((port) =>
    serve(MODULE_URL, { workers: 1, mode: 'thread', balance: 'acceptor', logger: new RecordingLogger('serve'), data: { port, cut, flag } }),
  );
  if (failure !== undefined) throw failure;
  return { handle, port };
}

describe.each(['before', 'after'])('a serve worker cut short %s adopting a connection from the acceptor', (cut) => {
  it('closes every copy of the connection', async () => {
    const flag = new SharedArrayBuffer(4);
    const { handle, port } = await startServing(cut, flag);
    let client: Socket | undefined;
    try {
      client = connect({ port, host: '127.0.0.1' });
      client.on('error', () => undefined); // a reset is as good an end as a FIN here
      const ended = new Promise<void>((resolve) => client!.once('close', () => resolve()));
      await eventually(() => Atomics.load(new Int32Array(flag), 0) === 1, 'the worker to reach the cut');
      await handle.stop({ deadline: 0 }); // the stuck worker is terminated once its grace is over
      await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the client connection never ended')), 10_000))]);
      expect(handle.workers.map((w) => w.state)).toEqual(['exited']);
    } finally {
      client?.destroy();
      await handle.stop({ deadline: 0 });
    }
  }, 30_000);
});
