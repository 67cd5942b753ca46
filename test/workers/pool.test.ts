// WorkerPool and deferToWorker: results, coded errors, cancellation (waiting and running jobs),
// the bounded queue, transfers both ways, workers that die, closing, idle workers. Every pool a
// test makes is closed in afterEach, and the close is awaited until its threads have exited.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred';
import { CancelledError } from '../../src/defer/errors';
import { InvalidArgTypeError, InvalidArgValueError } from '../../src/errors';
import { deferToWorker, getDefaultWorkerPool } from '../../src/workers/default-pool';
import { PoolClosed, PoolQueueFull, RemoteError, WorkerExited, WorkerExportNotFunction, WorkerModuleNotFound } from '../../src/workers/errors';
import { WorkerPool, type WorkerPoolOptions } from '../../src/workers/pool';
import { runNodeScript, tail } from '../support/child-run';

const fixtures = path.join(__dirname, '..', 'fixtures', 'workers');
const TASKS = pathToFileURL(path.join(fixtures, 'tasks.mjs')).href;
const TRANSFER_TASKS = pathToFileURL(path.join(fixtures, 'transfer-tasks.mjs')).href;

// Slots of the shared array the `block` and `record` jobs use; slot 0 releases blocked jobs.
const RELEASE = 0;
const STARTED = 1;
const FINISHED = 2;
const RECORDED = 3;

const pools: WorkerPool[] = [];
function newPool(options: WorkerPoolOptions): WorkerPool {
  const pool = new WorkerPool(options);
  pools.push(pool);
  return pool;
}

afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
  await getDefaultWorkerPool().close();
});

type Outcome = { value: unknown; error?: undefined } | { value?: undefined; error: unknown };

/** The Deferred's outcome, its failure handled (so it is not reported as unhandled). */
function outcome(d: Deferred<unknown>): Promise<Outcome> {
  return new Promise((resolve) => {
    d.addCallbacks(
      (value: unknown) => resolve({ value }),
      (failure: { value: unknown }) => resolve({ error: failure.value }),
    );
  });
}

/** Waits (at most 10 s, polling every 2 ms) until `ready()` holds. */
async function waitFor(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function sharedSlots(): { shared: SharedArrayBuffer; slots: Int32Array } {
  const shared = new SharedArrayBuffer(16 * 4);
  return { shared, slots: new Int32Array(shared) };
}

function release(slots: Int32Array): void {
  Atomics.store(slots, RELEASE, 1);
  Atomics.notify(slots, RELEASE);
}

describe('WorkerPool results', () => {
  it('runs a sync export and an async one, from a file: URL, a URL object or an absolute path', async () => {
    const pool = newPool({ size: 2 });
    expect(await pool.run(TASKS, 'add', [1, 2])).toBe(3);
    expect(await pool.run(new URL(TASKS), 'addLater', [20, 22])).toBe(42);
    expect(await pool.run(path.join(fixtures, 'tasks.mjs'), 'add', ['a', 'b'])).toBe('ab');
  });

  it('runs jobs on several workers at once, up to size', async () => {
    const pool = newPool({ size: 2 });
    const { shared, slots } = sharedSlots();
    const first = outcome(pool.run(TASKS, 'block', [shared, STARTED, FINISHED]));
    const second = outcome(pool.run(TASKS, 'block', [shared, RECORDED, RECORDED + 1]));
    await waitFor(() => Atomics.load(slots, STARTED) === 1 && Atomics.load(slots, RECORDED) === 1, 'both jobs to start');
    expect(pool.stats()).toEqual({ workers: 2, busy: 2, queued: 0 });
    release(slots);
    expect(await first).toEqual({ value: 'released' });
    expect(await second).toEqual({ value: 'released' });
    expect(pool.stats()).toEqual({ workers: 2, busy: 0, queued: 0 });
  });

  it('deferToWorker runs on the default pool, created on first use', async () => {
    const d = deferToWorker<number>(TASKS, 'add', 40, 2);
    expect(d).toBeInstanceOf(Deferred);
    expect(await d).toBe(42);
    expect(getDefaultWorkerPool().stats().workers).toBe(1);
  });
});

describe('WorkerPool errors', () => {
  it('a thrown Error arrives as a RemoteError with its name, message, stack and code', async () => {
    const pool = newPool({ size: 1 });
    const { error } = await outcome(pool.run(TASKS, 'throwCoded', ['bad input']));
    expect(error).toBeInstanceOf(RemoteError);
    const remote = error as RemoteError;
    expect(remote.code).toBe('ERR_IOREACTOR_REMOTE_ERROR');
    expect(remote.remoteName).toBe('TypeError');
    expect(remote.remoteMessage).toBe('bad input');
    expect(remote.remoteCode).toBe('E_TASK');
    expect(remote.remoteIsError).toBe(true);
    expect(remote.remoteStack).toMatch(/throwCoded .*tasks\.mjs/);
    expect(remote.message).toBe('TypeError: bad input');
  });

  it('a rejected promise arrives as a RemoteError', async () => {
    const pool = newPool({ size: 1 });
    const { error } = await outcome(pool.run(TASKS, 'rejectWith', ['no']));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).remoteName).toBe('RangeError');
    expect((error as RemoteError).remoteCode).toBeUndefined();
  });

  it('a thrown non-Error arrives as a RemoteError carrying the value', async () => {
    const pool = newPool({ size: 1 });
    const thrownString = (await outcome(pool.run(TASKS, 'throwString', ['boom']))).error as RemoteError;
    expect(thrownString).toBeInstanceOf(RemoteError);
    expect(thrownString.remoteIsError).toBe(false);
    expect(thrownString.remoteName).toBe('string');
    expect(thrownString.remoteValue).toBe('boom');
    expect(thrownString.remoteMessage).toContain("'boom'");
    const thrownObject = (await outcome(pool.run(TASKS, 'throwObject', [{ reason: 7 }]))).error as RemoteError;
    expect(thrownObject.remoteName).toBe('object');
    expect(thrownObject.remoteValue).toEqual({ reason: 7 });
    const thrownNull = (await outcome(pool.run(TASKS, 'throwObject', [null]))).error as RemoteError;
    expect(thrownNull.remoteName).toBe('null');
  });

  it('a result that cannot be cloned fails the job with a RemoteError (DataCloneError); the worker stays', async () => {
    const pool = newPool({ size: 1 });
    const { error } = await outcome(pool.run(TASKS, 'returnFunction'));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).remoteName).toBe('DataCloneError');
    expect(await pool.run(TASKS, 'add', [1, 1])).toBe(2);
  });

  it('arguments that cannot be cloned fail the job with ERR_IOREACTOR_WORKER_ARGS_NOT_CLONEABLE', async () => {
    const pool = newPool({ size: 1 });
    const { error } = await outcome(pool.run(TASKS, 'add', [() => 1, 2]));
    expect(error).toBeInstanceOf(InvalidArgValueError);
    expect((error as InvalidArgValueError).code).toBe('ERR_IOREACTOR_WORKER_ARGS_NOT_CLONEABLE');
    expect(await pool.run(TASKS, 'add', [1, 1])).toBe(2);
  });

  it('a missing module fails with WorkerModuleNotFound', async () => {
    const pool = newPool({ size: 1 });
    const missing = pathToFileURL(path.join(fixtures, 'no-such-module.mjs')).href;
    const { error } = await outcome(pool.run(missing, 'add', [1, 2]));
    expect(error).toBeInstanceOf(WorkerModuleNotFound);
    expect((error as WorkerModuleNotFound).code).toBe('ERR_IOREACTOR_WORKER_MODULE_NOT_FOUND');
    expect((error as WorkerModuleNotFound).moduleUrl).toBe(missing);
  });

  it('an export that is missing or not a function fails with WorkerExportNotFunction', async () => {
    const pool = newPool({ size: 1 });
    const notFunction = (await outcome(pool.run(TASKS, 'notAFunction'))).error as WorkerExportNotFunction;
    expect(notFunction).toBeInstanceOf(WorkerExportNotFunction);
    expect(notFunction.code).toBe('ERR_IOREACTOR_WORKER_EXPORT_NOT_FUNCTION');
    expect(notFunction.message).toContain('number');
    const missing = (await outcome(pool.run(TASKS, 'noSuchExport'))).error as WorkerExportNotFunction;
    expect(missing).toBeInstanceOf(WorkerExportNotFunction);
    expect(missing.exportName).toBe('noSuchExport');
  });

  it('a module that fails to load fails the job with a RemoteError', async () => {
    const pool = newPool({ size: 1 });
    const broken = `data:text/javascript,${encodeURIComponent('export const x = ;')}`;
    const { error } = await outcome(pool.run(broken, 'x'));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).remoteName).toBe('SyntaxError');
  });

  it('rejects bad arguments with coded errors, synchronously', () => {
    const pool = newPool({ size: 1 });
    const cases: [() => unknown, abstract new (...args: never[]) => Error, string][] = [
      [() => pool.run('relative/tasks.mjs', 'add'), InvalidArgValueError, 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
      [() => pool.run(42 as unknown as string, 'add'), InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
      [() => pool.run(TASKS, 7 as unknown as string), InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
      [() => pool.run(TASKS, 'add', 'x' as unknown as unknown[]), InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
      [() => pool.run(TASKS, 'add', [], { transferList: 'x' as unknown as [] }), InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
      [() => new WorkerPool({ size: 0 }), InvalidArgValueError, 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
      [() => new WorkerPool({ size: 1.5 }), InvalidArgValueError, 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
      [() => new WorkerPool({ maxQueue: -1 }), InvalidArgValueError, 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
      [() => new WorkerPool({ idleTimeout: 0 }), InvalidArgValueError, 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
      [() => new WorkerPool({ size: '2' as unknown as number }), InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
    ];
    for (const [call, type, code] of cases) {
      let thrown: unknown;
      try {
        call();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, String(call)).toBeInstanceOf(type);
      expect((thrown as { code: string }).code, String(call)).toBe(code);
    }
    expect(pool.stats()).toEqual({ workers: 0, busy: 0, queued: 0 });
  });
});

describe('WorkerPool cancellation', () => {
  it('a cancelled job that was waiting in the queue never runs', async () => {
    const pool = newPool({ size: 1 });
    const { shared, slots } = sharedSlots();
    const blocker = outcome(pool.run(TASKS, 'block', [shared, STARTED, FINISHED]));
    const waiting = pool.run(TASKS, 'record', [shared, RECORDED]);
    expect(pool.stats().queued).toBe(1);
    const cancelled = outcome(waiting);
    waiting.cancel();
    expect((await cancelled).error).toBeInstanceOf(CancelledError);
    expect(pool.stats().queued).toBe(0);
    release(slots);
    expect(await blocker).toEqual({ value: 'released' });
    // The worker runs jobs in order: had the cancelled one been sent, it would have run by now.
    expect(await pool.run(TASKS, 'record', [shared, RECORDED + 1])).toBe(RECORDED + 1);
    expect(Atomics.load(slots, RECORDED)).toBe(0);
    expect(Atomics.load(slots, RECORDED + 1)).toBe(1);
  });

  it('cancelling a running job fails it with CancelledError at once, terminates its worker and replaces it', async () => {
    const pool = newPool({ size: 1 });
    const { shared, slots } = sharedSlots();
    const running = pool.run(TASKS, 'block', [shared, STARTED, FINISHED]);
    const next = outcome(pool.run(TASKS, 'add', [2, 3]));
    const cancelled = outcome(running);
    await waitFor(() => Atomics.load(slots, STARTED) === 1, 'the job to start');
    running.cancel();
    expect(running.called).toBe(true);
    expect((await cancelled).error).toBeInstanceOf(CancelledError);
    // The waiting job runs on the replacement worker.
    expect(await next).toEqual({ value: 5 });
    release(slots);
    await pool.close();
    // The cancelled job's thread was terminated while blocked: it never reached its end.
    expect(Atomics.load(slots, FINISHED)).toBe(0);
  });
});

describe('WorkerPool queue bound', () => {
  it('refuses a job with PoolQueueFull when maxQueue jobs wait; the refused job never runs', async () => {
    const pool = newPool({ size: 1, maxQueue: 1 });
    const { shared, slots } = sharedSlots();
    const blocker = outcome(pool.run(TASKS, 'block', [shared, STARTED, FINISHED]));
    const queued = outcome(pool.run(TASKS, 'record', [shared, RECORDED]));
    const refused = pool.run(TASKS, 'record', [shared, RECORDED + 1]);
    expect(refused.called).toBe(true);
    const { error } = await outcome(refused);
    expect(error).toBeInstanceOf(PoolQueueFull);
    expect((error as PoolQueueFull).code).toBe('ERR_IOREACTOR_POOL_QUEUE_FULL');
    expect((error as PoolQueueFull).maxQueue).toBe(1);
    release(slots);
    expect(await blocker).toEqual({ value: 'released' });
    expect(await queued).toEqual({ value: RECORDED });
    expect(Atomics.load(slots, RECORDED + 1)).toBe(0);
  });

  it('maxQueue 0 never queues: a job runs only if a worker can take it', async () => {
    const pool = newPool({ size: 1, maxQueue: 0 });
    const { shared, slots } = sharedSlots();
    const blocker = outcome(pool.run(TASKS, 'block', [shared, STARTED, FINISHED]));
    expect((await outcome(pool.run(TASKS, 'add', [1, 2]))).error).toBeInstanceOf(PoolQueueFull);
    release(slots);
    await blocker;
    expect(await pool.run(TASKS, 'add', [1, 2])).toBe(3);
  });
});

describe('WorkerPool transfers', () => {
  it('a transferred ArrayBuffer is detached in the caller and its bytes reach the worker', async () => {
    const pool = newPool({ size: 1 });
    const buffer = new Uint8Array([1, 2, 3, 4]).buffer;
    const d = pool.run(TASKS, 'sumBytes', [buffer], { transferList: [buffer] });
    expect(buffer.byteLength).toBe(0);
    expect(await d).toBe(10);
  });

  it('a transferred ArrayBuffer is taken at once even when the job has to wait', async () => {
    const pool = newPool({ size: 1 });
    const { shared, slots } = sharedSlots();
    const blocker = outcome(pool.run(TASKS, 'block', [shared, STARTED, FINISHED]));
    const buffer = new Uint8Array([5, 6, 7]).buffer;
    const d = outcome(pool.run(TASKS, 'sumBytes', [buffer], { transferList: [buffer] }));
    expect(pool.stats().queued).toBe(1);
    expect(buffer.byteLength).toBe(0);
    release(slots);
    await blocker;
    expect(await d).toEqual({ value: 18 });
  });

  it('a job returning transfer(value, list) moves its buffers back instead of copying them', async () => {
    const pool = newPool({ size: 1 });
    const bytes = await pool.run<Uint8Array>(TRANSFER_TASKS, 'filled', [8, 7]);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...bytes]).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
    expect(await pool.run(TRANSFER_TASKS, 'wasLastDetached')).toBe(true);
  });
});

describe('WorkerPool workers that die', () => {
  it('a job calling process.exit fails with WorkerExited (its exit code) and the worker is replaced', async () => {
    const pool = newPool({ size: 1 });
    const { error } = await outcome(pool.run(TASKS, 'exitNow', [3]));
    expect(error).toBeInstanceOf(WorkerExited);
    expect((error as WorkerExited).code).toBe('ERR_IOREACTOR_WORKER_EXITED');
    expect((error as WorkerExited).exitCode).toBe(3);
    expect(await pool.run(TASKS, 'add', [1, 2])).toBe(3);
    expect(pool.stats().workers).toBe(1);
  });

  it('an error escaping outside the job fails it with WorkerExited caused by that error', async () => {
    const pool = newPool({ size: 1 });
    const after = outcome(pool.run(TASKS, 'add', [4, 4]));
    const { error } = await outcome(pool.run(TASKS, 'crashOutside', ['escaped']));
    expect(error).toBeInstanceOf(WorkerExited);
    expect((error as WorkerExited).cause).toBeInstanceOf(Error);
    expect(((error as WorkerExited).cause as Error).message).toBe('escaped');
    expect((error as WorkerExited).message).toContain('escaped');
    // The job queued behind it runs on a new worker.
    expect(await after).toEqual({ value: 8 });
  });
});

describe('WorkerPool close and lifetime', () => {
  it('close fails waiting and running jobs with PoolClosed, fires once the threads exited, and refuses new jobs', async () => {
    const pool = newPool({ size: 1 });
    const { shared, slots } = sharedSlots();
    const running = outcome(pool.run(TASKS, 'block', [shared, STARTED, FINISHED]));
    const waiting = outcome(pool.run(TASKS, 'add', [1, 2]));
    await waitFor(() => Atomics.load(slots, STARTED) === 1, 'the job to start');
    const closed = pool.close();
    expect(pool.closed).toBe(true);
    expect((await running).error).toBeInstanceOf(PoolClosed);
    expect((await waiting).error).toBeInstanceOf(PoolClosed);
    expect(await closed).toBeUndefined();
    expect(pool.stats()).toEqual({ workers: 0, busy: 0, queued: 0 });
    const { error } = await outcome(pool.run(TASKS, 'add', [1, 2]));
    expect(error).toBeInstanceOf(PoolClosed);
    expect((error as PoolClosed).code).toBe('ERR_IOREACTOR_POOL_CLOSED');
    expect(await pool.close()).toBeUndefined();
    release(slots);
  });

  it('idle workers are stopped after idleTimeout seconds and started again on demand', async () => {
    const pool = newPool({ size: 2, idleTimeout: 0.05 });
    expect(await pool.run(TASKS, 'add', [1, 2])).toBe(3);
    expect(pool.stats().workers).toBe(1);
    await waitFor(() => pool.stats().workers === 0, 'the idle worker to stop');
    expect(await pool.run(TASKS, 'add', [2, 2])).toBe(4);
  });

  it('idle workers do not keep the process alive', async () => {
    const child = await runNodeScript(path.join(fixtures, 'keeps-alive.js'), { timeoutMs: 20_000 });
    expect(child.code, tail(child.stderr)).toBe(0);
    expect(child.result).toEqual({ value: 42, workers: 1 });
  });

  it('the default pool is replaced after it is closed', async () => {
    const first = getDefaultWorkerPool();
    await first.close();
    expect(getDefaultWorkerPool()).not.toBe(first);
    expect(await deferToWorker(TASKS, 'add', 1, 1)).toBe(2);
  });
});
