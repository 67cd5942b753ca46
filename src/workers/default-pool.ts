// The default worker pool and deferToWorker, the one-call way to use it (Twisted's
// threads.deferToThread over the reactor's thread pool).
import type { Deferred } from '../defer/deferred';
import { WorkerPool } from './pool';

let defaultPool: WorkerPool | undefined;

/**
 * The pool `deferToWorker` uses: created on first use with the default options (one worker per
 * core, started on demand; a queue of 1024). Its idle workers do not keep the process alive, so
 * it needs no closing; once closed, the next call creates a new one.
 */
export function getDefaultWorkerPool(): WorkerPool {
  if (defaultPool === undefined || defaultPool.closed) defaultPool = new WorkerPool();
  return defaultPool;
}

/**
 * Runs `exportName` of the module at `moduleUrl` (a `file:` URL or an absolute path, typically
 * `new URL('./tasks.js', import.meta.url)`) with `args` in the default worker pool; see
 * {@link WorkerPool.run} for the outcomes.
 *
 * @example
 * ```ts
 * const sum = await deferToWorker<number>(new URL('./math.mjs', import.meta.url), 'add', 1, 2);
 * ```
 */
export function deferToWorker<T = unknown>(moduleUrl: string | URL, exportName: string, ...args: unknown[]): Deferred<T> {
  return getDefaultWorkerPool().run<T>(moduleUrl, exportName, args);
}
