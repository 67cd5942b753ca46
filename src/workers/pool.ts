// WorkerPool: runs a module's exported function in worker threads and hands back a Deferred of
// its result. One shared queue on the caller's thread feeds whichever worker is idle; each
// worker runs one job at a time, so a job waiting in the queue has not started and can be
// cancelled by simply removing it.
import { availableParallelism } from 'node:os';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type TransferListItem } from 'node:worker_threads';
import { Deferred } from '../defer/deferred';
import { fail } from '../defer/simple';
import { InvalidArgTypeError, InvalidArgValueError } from '../errors';
import { describe } from '../util/validate';
import { PoolClosed, PoolQueueFull, RemoteError, WorkerExited, WorkerExportNotFunction, WorkerModuleNotFound } from './errors';
import type { JobReply, JobRequest } from './pool-messages';
import { workerMain } from './pool-worker-main';

// The `import()` is written in this string, not in workerMain, so that TypeScript's CommonJS
// output leaves it a real dynamic import (see pool-worker-main.ts).
const WORKER_SOURCE = `'use strict';\n(${workerMain.toString()})((url) => import(url));\n`;

export interface WorkerPoolOptions {
  /** Most workers alive at once (default: `os.availableParallelism()`). Started on demand. */
  readonly size?: number;
  /** Most jobs waiting for a worker; past it `run` refuses with PoolQueueFull (default 1024). */
  readonly maxQueue?: number;
  /** Seconds a worker may stay idle before it is stopped (default: Infinity, never). */
  readonly idleTimeout?: number;
}

export interface RunOptions {
  /** Objects among the arguments to move to the worker instead of copying them. */
  readonly transferList?: readonly TransferListItem[];
}

/** A snapshot of a pool's occupancy. */
export interface WorkerPoolStats {
  /** Workers started and not stopped (idle or busy). */
  readonly workers: number;
  /** Workers running a job. */
  readonly busy: number;
  /** Jobs waiting for a worker. */
  readonly queued: number;
}

class Job {
  /** The worker running this job; undefined while it waits in the queue or once settled. */
  worker: PoolWorker | undefined = undefined;
  readonly deferred: Deferred<unknown>;

  constructor(
    public request: JobRequest,
    public transferList: readonly TransferListItem[],
    canceller: (job: Job) => void,
  ) {
    this.deferred = new Deferred<unknown>(() => canceller(this));
  }
}

class PoolWorker {
  job: Job | undefined = undefined;
  /** Set by the pool when it terminates the thread: its exit is then expected. */
  retired = false;
  /** The error that made the thread exit, if it reported one before exiting. */
  error: unknown = undefined;
  idleSince = 0;
  idleTimer: NodeJS.Timeout | undefined = undefined;

  constructor(readonly thread: Worker) {}
}

/**
 * A bounded pool of worker threads running exported functions of modules: Twisted's
 * `deferToThread`, for the CPU-heavy work a reactor thread must not do.
 *
 * `run(moduleUrl, exportName, args)` returns a Deferred that fires with what the export returned
 * (awaited, if it returned a promise) or fails with a coded error: RemoteError when it threw,
 * WorkerModuleNotFound, WorkerExportNotFunction, WorkerExited when the worker died during the
 * job (it is replaced), PoolQueueFull, PoolClosed. Arguments and results are structured-cloned;
 * `transferList` moves objects instead, and a job moves objects back by returning `transfer()`.
 *
 * Cancelling a job that waits in the queue removes it: it never runs. Cancelling a running job
 * terminates its worker (JavaScript cannot be interrupted any other way) and starts a new one
 * when work is waiting; the Deferred fails with CancelledError at once.
 *
 * Idle workers never keep the process alive; a busy one does, as pending I/O would.
 */
export class WorkerPool {
  readonly #size: number;
  readonly #maxQueue: number;
  readonly #idleTimeoutMs: number;
  /** Every worker not yet exited, retired ones included (close waits for them). */
  readonly #workers = new Set<PoolWorker>();
  /** Workers not retired: counted against `size`. */
  #active = 0;
  /** Idle workers; the most recently used is reused first, so it is the one kept warm. */
  readonly #idle: PoolWorker[] = [];
  readonly #queue: Job[] = [];
  #queueHead = 0;
  #nextId = 0;
  #closed = false;
  readonly #closeWaiters: Deferred<undefined>[] = [];
  readonly #cancel = (job: Job): void => this.#cancelJob(job);

  /**
   * @throws InvalidArgTypeError / InvalidArgValueError for a size that is not an integer >= 1, a
   *   maxQueue that is not an integer >= 0 (or Infinity), an idleTimeout that is not > 0.
   */
  constructor(options: WorkerPoolOptions = {}) {
    if (options === null || typeof options !== 'object') throw new InvalidArgTypeError(`options must be an object, received ${describe(options)}`);
    const { size = availableParallelism(), maxQueue = 1024, idleTimeout = Infinity } = options;
    assertCount(size, 'options.size', 1, false);
    assertCount(maxQueue, 'options.maxQueue', 0, true);
    if (typeof idleTimeout !== 'number') throw new InvalidArgTypeError(`options.idleTimeout must be a number, received ${describe(idleTimeout)}`);
    if (!(idleTimeout > 0)) throw new InvalidArgValueError(`options.idleTimeout must be a number of seconds > 0, received ${idleTimeout}`);
    this.#size = size;
    this.#maxQueue = maxQueue;
    this.#idleTimeoutMs = idleTimeout * 1000;
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  stats(): WorkerPoolStats {
    return { workers: this.#active, busy: this.#active - this.#idle.length, queued: this.#queue.length - this.#queueHead };
  }

  /**
   * Runs `exportName` of the module at `moduleUrl` (a `file:` or `data:` URL, or an absolute
   * path) with `args` in a worker. Objects in `options.transferList` are taken from the caller
   * at once, even when the job has to wait: they are detached on return.
   *
   * @throws InvalidArgTypeError / InvalidArgValueError for a bad moduleUrl, exportName, args or
   *   transferList. Every other problem is a failure of the returned Deferred.
   */
  run<T = unknown>(moduleUrl: string | URL, exportName: string, args: readonly unknown[] = [], options: RunOptions = {}): Deferred<T> {
    const url = normaliseModuleUrl(moduleUrl);
    if (typeof exportName !== 'string') throw new InvalidArgTypeError(`exportName must be a string, received ${describe(exportName)}`);
    if (!Array.isArray(args)) throw new InvalidArgTypeError(`args must be an array, received ${describe(args)}`);
    if (options === null || typeof options !== 'object') throw new InvalidArgTypeError(`options must be an object, received ${describe(options)}`);
    const transferList = options.transferList ?? [];
    if (!Array.isArray(transferList)) throw new InvalidArgTypeError(`options.transferList must be an array, received ${describe(transferList)}`);
    if (this.#closed) return fail<T>(new PoolClosed());

    const worker = this.#idle.pop() ?? (this.#active < this.#size ? this.#spawn() : undefined);
    if (worker === undefined && this.#queue.length - this.#queueHead >= this.#maxQueue) return fail<T>(new PoolQueueFull(this.#maxQueue));
    const job = new Job({ id: this.#nextId++, url, name: exportName, args }, transferList, this.#cancel);
    if (worker !== undefined) {
      this.#start(worker, job);
    } else {
      if (transferList.length > 0) {
        // Take the objects now, as a direct start would: the clone moves their memory, copying
        // nothing, and the caller's originals are detached.
        const [movedArgs, movedList] = structuredClone([args, transferList], { transfer: transferList as TransferListItem[] });
        job.transferList = movedList;
        job.request = { ...job.request, args: movedArgs };
      }
      this.#queue.push(job);
    }
    return job.deferred as Deferred<T>;
  }

  /**
   * Closes the pool: new jobs are refused with PoolClosed, waiting and running jobs fail with
   * PoolClosed, every worker is terminated. The returned Deferred fires (with undefined) once
   * every worker thread has exited. Calling it again returns another such Deferred.
   */
  close(): Deferred<undefined> {
    const done = new Deferred<undefined>();
    this.#closeWaiters.push(done);
    if (!this.#closed) {
      this.#closed = true;
      const failed: Job[] = this.#queue.slice(this.#queueHead);
      this.#queue.length = 0;
      this.#queueHead = 0;
      for (const worker of this.#workers) {
        if (worker.job !== undefined) failed.push(worker.job);
        worker.job = undefined;
        if (!worker.retired) this.#retire(worker);
      }
      for (const job of failed) {
        job.worker = undefined;
        job.deferred.errback(new PoolClosed('the worker pool was closed before the job finished'));
      }
    }
    this.#notifyClosed();
    return done;
  }

  #notifyClosed(): void {
    if (!this.#closed || this.#workers.size !== 0) return;
    for (const waiter of this.#closeWaiters.splice(0)) waiter.callback(undefined);
  }

  #spawn(): PoolWorker {
    const worker = new PoolWorker(new Worker(WORKER_SOURCE, { eval: true }));
    this.#workers.add(worker);
    this.#active++;
    worker.thread.on('message', (reply: JobReply) => this.#onReply(worker, reply));
    worker.thread.on('error', (error: unknown) => {
      worker.error = error;
    });
    worker.thread.on('exit', (exitCode: number) => this.#onExit(worker, exitCode));
    return worker;
  }

  #start(worker: PoolWorker, job: Job): void {
    worker.job = job;
    job.worker = worker;
    if (worker.idleSince !== 0) {
      worker.idleSince = 0;
      worker.thread.ref();
    }
    try {
      worker.thread.postMessage(job.request, job.transferList);
    } catch (error) {
      // The arguments cannot be cloned (a function, say). The worker never saw the job.
      worker.job = undefined;
      job.worker = undefined;
      this.#becomeIdle(worker);
      job.deferred.errback(
        new InvalidArgValueError(`the job's arguments cannot be sent to a worker: ${(error as Error).message}`, 'ERR_IOREACTOR_WORKER_ARGS_NOT_CLONEABLE'),
      );
    }
  }

  #next(): Job | undefined {
    if (this.#queueHead === this.#queue.length) return undefined;
    const job = this.#queue[this.#queueHead++];
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0;
      this.#queueHead = 0;
    } else if (this.#queueHead >= 1024 && this.#queueHead * 2 >= this.#queue.length) {
      this.#queue.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
    return job;
  }

  #becomeIdle(worker: PoolWorker): void {
    const next = this.#next();
    if (next !== undefined) {
      this.#start(worker, next);
      return;
    }
    worker.thread.unref();
    worker.idleSince = performance.now();
    this.#idle.push(worker);
    if (this.#idleTimeoutMs !== Infinity) {
      if (worker.idleTimer === undefined) {
        worker.idleTimer = setTimeout(() => this.#onIdleTimer(worker), this.#idleTimeoutMs);
        worker.idleTimer.unref();
      } else {
        worker.idleTimer.refresh();
      }
    }
  }

  #onIdleTimer(worker: PoolWorker): void {
    // The timer is restarted whenever the worker goes idle, never stopped when it gets busy.
    if (worker.retired || worker.job !== undefined) return;
    const idleFor = performance.now() - worker.idleSince;
    if (idleFor >= this.#idleTimeoutMs) this.#retire(worker);
    else worker.idleTimer?.refresh();
  }

  #onReply(worker: PoolWorker, reply: JobReply): void {
    const job = worker.job;
    if (job === undefined || job.request.id !== reply.id) return;
    worker.job = undefined;
    job.worker = undefined;
    this.#becomeIdle(worker);
    const { url, name } = job.request;
    switch (reply.outcome) {
      case 'value':
        job.deferred.callback(reply.value);
        break;
      case 'threw':
        job.deferred.errback(new RemoteError(reply.error));
        break;
      case 'module-not-found':
        job.deferred.errback(new WorkerModuleNotFound(url));
        break;
      case 'not-a-function':
        job.deferred.errback(new WorkerExportNotFunction(url, name, reply.received));
        break;
    }
  }

  #onExit(worker: PoolWorker, exitCode: number): void {
    this.#workers.delete(worker);
    if (worker.idleTimer !== undefined) clearTimeout(worker.idleTimer);
    const job = worker.job;
    if (!worker.retired) {
      worker.retired = true;
      this.#active--;
      this.#removeIdle(worker);
    }
    worker.job = undefined;
    if (job !== undefined) {
      job.worker = undefined;
      job.deferred.errback(new WorkerExited(exitCode, { cause: worker.error }));
    }
    this.#replenish();
    this.#notifyClosed();
  }

  /** Starts workers for waiting jobs, up to `size` (after a worker was lost or retired). */
  #replenish(): void {
    while (!this.#closed && this.#active < this.#size && this.#queueHead < this.#queue.length) {
      this.#start(this.#spawn(), this.#next() as Job);
    }
  }

  #retire(worker: PoolWorker): void {
    worker.retired = true;
    this.#active--;
    this.#removeIdle(worker);
    if (worker.idleTimer !== undefined) clearTimeout(worker.idleTimer);
    void worker.thread.terminate();
  }

  #removeIdle(worker: PoolWorker): void {
    const at = this.#idle.indexOf(worker);
    if (at !== -1) this.#idle.splice(at, 1);
  }

  #cancelJob(job: Job): void {
    const worker = job.worker;
    if (worker === undefined) {
      const at = this.#queue.indexOf(job, this.#queueHead);
      if (at !== -1) this.#queue.splice(at, 1);
      return;
    }
    // Running: only terminating the thread stops it. The Deferred then fails with CancelledError.
    worker.job = undefined;
    job.worker = undefined;
    this.#retire(worker);
    this.#replenish();
  }
}

function assertCount(value: unknown, what: string, min: number, infinityAllowed: boolean): asserts value is number {
  if (typeof value !== 'number') throw new InvalidArgTypeError(`${what} must be a number, received ${describe(value)}`);
  if (!(Number.isInteger(value) || (infinityAllowed && value === Infinity)) || value < min) {
    throw new InvalidArgValueError(`${what} must be an integer >= ${min}${infinityAllowed ? ' or Infinity' : ''}, received ${value}`);
  }
}

/** A `file:` or `data:` URL for what `run` was given; absolute paths become `file:` URLs. */
function normaliseModuleUrl(moduleUrl: unknown): string {
  if (moduleUrl instanceof URL) moduleUrl = moduleUrl.href;
  if (typeof moduleUrl !== 'string') throw new InvalidArgTypeError(`moduleUrl must be a string or a URL, received ${describe(moduleUrl)}`);
  if (moduleUrl.startsWith('file:') || moduleUrl.startsWith('data:')) return moduleUrl;
  if (isAbsolute(moduleUrl)) return pathToFileURL(moduleUrl).href;
  throw new InvalidArgValueError(`moduleUrl must be a file: or data: URL or an absolute path, received ${describe(moduleUrl)}`);
}
