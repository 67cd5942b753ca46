// serve(): N reactors in N workers (threads or child processes) on one port with reusePort.
// The user module is test/fixtures/serve-echo.mjs (greets, then answers `<workerIndex>:<chunk>`).
import { connect as netConnect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { ProcessProtocol, Reactor, serve, WorkerSetupFailed, type ServeHandle, type ServeMode, type ServeOptions } from '../../src/index';
import { openFds } from '../fixtures/open-descriptors.js';
import { expectLogged } from '../support/logged';
import { addressInUse, eventually, serveOnFreePort } from '../support/serving-ports';
import { RecordingLogger } from '../support/reactors';

const MODULE_PATH = join(__dirname, '..', 'fixtures', 'serve-echo.mjs');
const MODULE_URL = pathToFileURL(MODULE_PATH);
const WORKERS = 2;

/** Holds a port on 127.0.0.1 (node:net, no reusePort) until close() is called. */
async function takenPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

interface Exchange {
  /** The worker index of the greeting, if the connection was accepted by a reactor. */
  greetedBy: number | undefined;
  /** What came after the greeting. */
  reply: string;
  error: Error | undefined;
}

/** One connection: wait for the greeting, send `payload`, read until the server closes (10 s bound). */
function exchange(port: number, payload: string): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = netConnect({ port, host: '127.0.0.1' });
    let received = '';
    let greetedBy: number | undefined;
    let error: Error | undefined;
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (d) => {
      received += d.toString();
      const greeting = /^hello (\d+)\n/.exec(received);
      if (greetedBy === undefined && greeting !== null) {
        greetedBy = Number(greeting[1]);
        received = received.slice(greeting[0].length);
        socket.write(payload);
      }
    });
    socket.on('error', (err) => (error = err));
    socket.on('close', () => resolve({ greetedBy, reply: received, error }));
  });
}

/**
 * serve() on a free port (serveOnFreePort), once its workers are ready or have failed: the
 * caller asserts which. `beforeAttempt` runs before each serve() call.
 */
async function start(
  mode: ServeMode,
  data: Record<string, unknown>,
  options: ServeOptions = {},
  beforeAttempt: () => void = () => {},
): Promise<{ handle: ServeHandle; port: number; logger: RecordingLogger }> {
  let logger = new RecordingLogger('serve');
  const { handle, port } = await serveOnFreePort((port) => {
    logger = new RecordingLogger('serve');
    beforeAttempt();
    // Process mode takes the module as a path, thread mode as a URL: both forms are accepted.
    return serve(mode === 'thread' ? MODULE_URL : MODULE_PATH, { workers: WORKERS, mode, logger, data: { port, replyDelay: 0, ...data }, ...options });
  });
  return { handle, port, logger };
}

// balance 'acceptor' is macOS's default; forced here, it runs on Linux too.
const CONFIGS: { label: string; mode: ServeMode; options: ServeOptions }[] = [
  { label: 'thread mode', mode: 'thread', options: { balance: 'kernel' } },
  { label: 'process mode', mode: 'process', options: {} },
  { label: "thread mode with balance 'acceptor'", mode: 'thread', options: { balance: 'acceptor' } },
];

describe.each(CONFIGS)('serve in $label', ({ mode, options }) => {
  it('runs N reactors on one port, every connection answered and spread across workers', async () => {
    const { handle, port } = await start(mode, {}, options);
    try {
      await handle.ready;
      const workers = handle.workers;
      expect(workers.map((w) => [w.index, w.state, w.restarts])).toEqual([
        [0, 'ready', 0],
        [1, 'ready', 0],
      ]);
      for (const w of workers) expect(mode === 'thread' ? w.threadId : w.pid).toBeGreaterThan(0);
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => exchange(port, `ping-${i}`)));
      results.forEach((r, i) => {
        expect(r.error).toBeUndefined();
        expect(r.reply).toBe(`${r.greetedBy}:ping-${i}`);
      });
      // Two sockets in the reuseport group: all 30 connections hashed onto one is a 2^-29 chance
      // (the acceptor alternates).
      expect(new Set(results.map((r) => r.greetedBy))).toEqual(new Set([0, 1]));
    } finally {
      await handle.stop({ deadline: 5 });
    }
    expect(handle.workers.map((w) => w.state)).toEqual(['exited', 'exited']);
  });

  it('stops gracefully under load: every accepted connection gets its reply', async () => {
    const { handle, port } = await start(mode, { replyDelay: 0.2 }, options);
    await handle.ready;
    const clients: Promise<Exchange>[] = [];
    let greeted = 0;
    let stopped: Promise<void> | undefined;
    for (let i = 0; i < 60; i++) {
      clients.push(
        exchange(port, `load-${i}`).then((r) => {
          if (r.greetedBy !== undefined) greeted++;
          return r;
        }),
      );
      await new Promise((r) => setTimeout(r, 5));
      if (stopped === undefined && i === 20) stopped = handle.stop({ deadline: 5 });
    }
    await stopped;
    const results = await Promise.all(clients);
    const accepted = results.map((r, i) => ({ ...r, i })).filter((r) => r.greetedBy !== undefined);
    expect(accepted.length).toBeGreaterThanOrEqual(10);
    expect(greeted).toBe(accepted.length);
    for (const r of accepted) expect(r.reply).toBe(`${r.greetedBy}:load-${r.i}`);
    // Connections made after stop were refused or reset before any reactor accepted them.
    for (const r of results) if (r.greetedBy === undefined) expect(r.error).toBeDefined();
  });
});

describe("serve with balance 'acceptor'", () => {
  it('hands connections to the workers in turn (the workers bind nothing themselves)', async () => {
    const { handle, port } = await start('thread', {}, { balance: 'acceptor' });
    try {
      await handle.ready;
      const order: (number | undefined)[] = [];
      for (let i = 0; i < 8; i++) order.push((await exchange(port, `turn-${i}`)).greetedBy);
      // The kernel's hash would alternate 8 times running by a 1-in-128 chance.
      expect(order.every((w, i) => w === order[i % 2])).toBe(true);
      expect(order[0]).not.toBe(order[1]);
    } finally {
      await handle.stop({ deadline: 5 });
    }
  });
});

describe.each(CONFIGS.filter((c) => c.mode === 'thread'))('serve workers that crash, $label', ({ options }) => {
  it('replaces a worker that exits mid-traffic, and the descriptors return to their baseline', async () => {
    const { handle, port } = await start('thread', {}, options);
    try {
      await handle.ready;
      await Promise.all(Array.from({ length: 6 }, (_, i) => exchange(port, `warm-${i}`)));
      const baseline = openFds().length;
      const crash = expectLogged(/\[serve\] worker \d exited unexpectedly: WorkerCrashed: worker \d exited with code 3/);
      const traffic = Promise.all(Array.from({ length: 10 }, (_, i) => exchange(port, `during-${i}`)));
      const victim = await exchange(port, 'exit');
      expect(victim.greetedBy).toBeDefined();
      await eventually(() => handle.workers.some((w) => w.restarts === 1 && w.state === 'ready'), 'the replacement to be ready');
      expect((crash.errors[0] as { workerIndex: number }).workerIndex).toBe(victim.greetedBy);
      expect(handle.workers.find((w) => w.index === victim.greetedBy)?.restarts).toBe(1);
      await traffic; // connections of the crashed worker end without a reply; the others are answered
      const after = await Promise.all(Array.from({ length: 20 }, (_, i) => exchange(port, `after-${i}`)));
      for (const [i, r] of after.entries()) expect(r.reply).toBe(`${r.greetedBy}:after-${i}`);
      await eventually(() => openFds().length <= baseline, `descriptors back to ${baseline}`);
    } finally {
      await handle.stop({ deadline: 5 });
    }
  });
});

describe('serve in process mode', () => {
  it("runs its children with the parent's reactor.spawnProcess, replaces a crashed one, and leaves no descriptor after stop", async () => {
    const spawned = vi.spyOn(Reactor.prototype, 'spawnProcess');
    const baseline = openFds().length;
    const { handle, port } = await start('process', {}, {}, () => spawned.mockClear());
    try {
      await handle.ready;
      expect(spawned).toHaveBeenCalledTimes(WORKERS);
      for (const [protocol, executable] of spawned.mock.calls) {
        expect(protocol).toBeInstanceOf(ProcessProtocol);
        expect(executable).toBe(process.execPath);
      }
      expect(handle.workers.map((w) => w.pid)).toEqual(spawned.mock.results.map((r) => (r.value as { pid: number }).pid));
      const crash = expectLogged(/\[serve\] worker \d exited unexpectedly: WorkerCrashed: worker \d exited with code 3/);
      const victim = await exchange(port, 'exit');
      await eventually(() => handle.workers.some((w) => w.restarts === 1 && w.state === 'ready'), 'the replacement to be ready');
      expect((crash.errors[0] as { workerIndex: number }).workerIndex).toBe(victim.greetedBy);
      expect(spawned).toHaveBeenCalledTimes(WORKERS + 1);
      const r = await exchange(port, 'after');
      expect(r.reply).toBe(`${r.greetedBy}:after`);
    } finally {
      await handle.stop({ deadline: 5 });
      spawned.mockRestore();
    }
    expect(handle.workers.map((w) => w.state)).toEqual(['exited', 'exited']);
    // The private reactor and every pipe are closed by the time stop() resolves.
    expect(openFds().length).toBe(baseline);
  });
});

describe('serve workers that crash', () => {
  it('reports the uncaught error of a crashed thread as the cause', async () => {
    const { handle, port } = await start('thread', {});
    try {
      await handle.ready;
      const crash = expectLogged(/\[serve\] worker \d exited unexpectedly: WorkerCrashed: worker \d exited with code 1/);
      await exchange(port, 'throw');
      await eventually(() => handle.workers.some((w) => w.restarts === 1 && w.state === 'ready'), 'the replacement to be ready');
      expect(String((crash.errors[0] as Error).cause)).toMatch(/crash requested in worker \d/);
    } finally {
      await handle.stop({ deadline: 5 });
    }
  });

  it('gives up replacing past maxRestarts and reports it', async () => {
    const { handle, port } = await start('thread', {}, { maxRestarts: 0 });
    try {
      await handle.ready;
      expectLogged(/exited unexpectedly: WorkerCrashed/);
      const exhausted = expectLogged(/not replaced: WorkerRestartsExhausted/);
      const victim = await exchange(port, 'exit');
      await eventually(() => handle.workers.some((w) => w.state === 'failed'), 'the worker to be given up');
      expect((exhausted.errors[0] as { code: string }).code).toBe('ERR_IOREACTOR_WORKER_RESTARTS_EXHAUSTED');
      expect(handle.workers[victim.greetedBy!].state).toBe('failed');
      // The other worker serves on.
      const r = await exchange(port, 'still');
      expect(r.reply).toBe(`${r.greetedBy}:still`);
    } finally {
      await handle.stop({ deadline: 5 });
    }
  });

  it('rejects ready with WorkerSetupFailed when setup throws, and stops every worker', async () => {
    const { handle } = await start('thread', { failSetup: true });
    let thrown: unknown;
    try {
      await handle.ready;
    } catch (err) {
      thrown = err;
    }
    await handle.stop();
    expect(thrown).toBeInstanceOf(WorkerSetupFailed);
    expect((thrown as WorkerSetupFailed).code).toBe('ERR_IOREACTOR_WORKER_SETUP_FAILED');
    expect(String((thrown as Error).cause)).toMatch(/setup refused in worker \d/);
    expect(handle.workers.map((w) => w.state)).toEqual(['exited', 'exited']);
  });
});

describe.each(CONFIGS)('serve in $label on a port in use', ({ mode, options }) => {
  it('rejects ready with WorkerSetupFailed caused by EADDRINUSE, logs nothing, and stops every worker', async () => {
    const taken = await takenPort();
    const logger = new RecordingLogger('serve');
    const handle = serve(mode === 'thread' ? MODULE_URL : MODULE_PATH, {
      workers: WORKERS,
      mode,
      logger,
      data: { port: taken.port, replyDelay: 0 },
      ...options,
    });
    let thrown: unknown;
    try {
      await handle.ready;
    } catch (err) {
      thrown = err;
    } finally {
      await handle.stop();
      await taken.close();
    }
    expect(thrown).toBeInstanceOf(WorkerSetupFailed);
    expect(((thrown as Error).cause as { code?: string }).code).toBe('EADDRINUSE');
    expect(addressInUse(thrown)).toBe(true);
    expect(handle.workers.map((w) => w.state)).toEqual(['exited', 'exited']);
  });
});

describe('serve options', () => {
  const cases: [string, () => unknown, string][] = [
    ['no module', () => serve(undefined as never), 'ERR_IOREACTOR_INVALID_MODULE'],
    ['a missing file', () => serve('/nonexistent/ioreactor-serve.mjs'), 'ERR_IOREACTOR_INVALID_MODULE'],
    ['a file URL naming another host', () => serve('file://remote-host/x.mjs'), 'ERR_IOREACTOR_INVALID_MODULE'],
    ['0 workers', () => serve(MODULE_URL, { workers: 0 }), 'ERR_IOREACTOR_INVALID_WORKERS'],
    ['1.5 workers', () => serve(MODULE_URL, { workers: 1.5 }), 'ERR_IOREACTOR_INVALID_WORKERS'],
    ['workers as a string', () => serve(MODULE_URL, { workers: '2' as never }), 'ERR_IOREACTOR_INVALID_WORKERS'],
    ['an unknown mode', () => serve(MODULE_URL, { mode: 'fork' as never }), 'ERR_IOREACTOR_INVALID_SERVE_MODE'],
    ['an unknown backend', () => serve(MODULE_URL, { reactor: { backend: 'select' as never } }), 'ERR_IOREACTOR_INVALID_BACKEND'],
    ['a reactor logger', () => serve(MODULE_URL, { reactor: { logger: console } as never }), 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
    ['uncloneable data', () => serve(MODULE_URL, { data: { f: () => 1 } }), 'ERR_IOREACTOR_INVALID_SERVE_DATA'],
    ['an unknown balance', () => serve(MODULE_URL, { balance: 'random' as never }), 'ERR_IOREACTOR_INVALID_BALANCE'],
    ['an acceptor for processes', () => serve(MODULE_URL, { mode: 'process', balance: 'acceptor' }), 'ERR_IOREACTOR_INVALID_BALANCE'],
    ['negative maxRestarts', () => serve(MODULE_URL, { maxRestarts: -1 }), 'ERR_IOREACTOR_INVALID_MAX_RESTARTS'],
    ['a logger without error()', () => serve(MODULE_URL, { logger: {} as never }), 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
  ];
  it.each(cases)('rejects %s', (_name, call, code) => {
    let thrown: unknown;
    try {
      call();
    } catch (err) {
      thrown = err;
    }
    expect((thrown as { code?: string } | undefined)?.code).toBe(code);
  });

  it('rejects a negative stop deadline, then stops', async () => {
    const { handle } = await start('thread', {}, { workers: 1 });
    await handle.ready;
    let thrown: unknown;
    try {
      void handle.stop({ deadline: -1 });
    } catch (err) {
      thrown = err;
    }
    await handle.stop({ deadline: 1 });
    expect((thrown as { code?: string }).code).toBe('ERR_IOREACTOR_INVALID_DEADLINE');
  });
});
