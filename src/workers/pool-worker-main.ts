// The loop each pool worker runs. The pool starts workers from this function's source text
// (`eval` workers), not from a file path, so the same code runs whether ioreactor is loaded from
// lib/, from its TypeScript sources under a test runner, or from a bundle. The function must
// therefore be self-contained: it reaches Node's modules through `require` (present in eval
// workers) and receives `import()` from the launcher, because TypeScript compiles an `import()`
// written here into a `require` under CommonJS output, which cannot load ES modules.
import type { TransferListItem } from 'node:worker_threads';
import type { JobReply, JobRequest } from './pool-messages';
import type { RemoteErrorDetails } from './errors';

type ModuleNamespace = Record<string, unknown>;

/** @internal Runs inside a worker thread; see the file comment. */
export function workerMain(importModule: (url: string) => Promise<ModuleNamespace>): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- eval workers have no import statements */
  const { parentPort } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { existsSync } = require('node:fs') as typeof import('node:fs');
  const { fileURLToPath } = require('node:url') as typeof import('node:url');
  const { inspect } = require('node:util') as typeof import('node:util');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const port = parentPort as NonNullable<typeof parentPort>;
  // Must equal TRANSFER_MARK in transfer.ts (this function cannot import it).
  const transferMark = Symbol.for('ioreactor.workers.transfer');
  const modules = new Map<string, ModuleNamespace>();

  function send(reply: JobReply, transferList?: readonly TransferListItem[]): void {
    try {
      port.postMessage(reply, transferList);
    } catch (error) {
      // The value could not be cloned (a function, say): the job fails with that error instead.
      port.postMessage({ id: reply.id, outcome: 'threw', error: describeThrown(error) } satisfies JobReply);
    }
  }

  function describeThrown(thrown: unknown): RemoteErrorDetails {
    if (thrown instanceof Error) {
      const code = (thrown as { code?: unknown }).code;
      return {
        name: thrown.name,
        message: thrown.message,
        stack: thrown.stack,
        code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
        isError: true,
      };
    }
    const details = {
      name: thrown === null ? 'null' : typeof thrown,
      message: `a non-Error was thrown: ${inspect(thrown)}`,
      stack: undefined,
      code: undefined,
      isError: false,
    };
    try {
      return { ...details, value: structuredClone(thrown) };
    } catch {
      return details;
    }
  }

  function settle(id: number, result: unknown): void {
    if (result !== null && typeof result === 'object' && (result as Record<symbol, unknown>)[transferMark] === true) {
      const { value, transferList } = result as { value: unknown; transferList: readonly TransferListItem[] };
      send({ id, outcome: 'value', value }, transferList);
    } else {
      send({ id, outcome: 'value', value: result });
    }
  }

  function run(job: JobRequest, namespace: ModuleNamespace): void {
    let f = namespace[job.name];
    if (typeof f !== 'function' && job.name !== 'default') {
      // A CommonJS module whose export the ES-module lexer did not detect.
      const fallback = namespace.default as ModuleNamespace | undefined;
      if (fallback !== null && typeof fallback === 'object' && typeof fallback[job.name] === 'function') f = fallback[job.name];
    }
    if (typeof f !== 'function') {
      send({ id: job.id, outcome: 'not-a-function', received: f === undefined ? 'no such export' : typeof f });
      return;
    }
    let result: unknown;
    try {
      result = (f as (...args: unknown[]) => unknown)(...job.args);
    } catch (error) {
      send({ id: job.id, outcome: 'threw', error: describeThrown(error) });
      return;
    }
    if (result !== null && (typeof result === 'object' || typeof result === 'function') && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(
        (value) => settle(job.id, value),
        (error: unknown) => send({ id: job.id, outcome: 'threw', error: describeThrown(error) }),
      );
    } else {
      settle(job.id, result);
    }
  }

  function load(job: JobRequest): void {
    if (job.url.startsWith('file:') && !existsSync(fileURLToPath(job.url))) {
      send({ id: job.id, outcome: 'module-not-found' });
      return;
    }
    importModule(job.url).then(
      (namespace) => {
        modules.set(job.url, namespace);
        run(job, namespace);
      },
      (error: unknown) => send({ id: job.id, outcome: 'threw', error: describeThrown(error) }),
    );
  }

  port.on('message', (job: JobRequest) => {
    const namespace = modules.get(job.url);
    if (namespace === undefined) load(job);
    else run(job, namespace);
  });
}
