/**
 * serve(): one reactor per core. Starts N workers (threads, or child processes), each with its
 * own Reactor, and calls the user module's `setup(reactor, context)` in each; the module
 * typically listens with `reusePort: true` so every worker has its own listening socket on the
 * same port and the kernel spreads connections among them. Nothing is shared between the
 * workers but the port (shared/DESIGN.md, "Every core, then every machine").
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { InvalidArgTypeError, InvalidArgValueError } from '../errors';
import { consoleLogger, reportError, type Logger } from '../log/logger';
import { resolveOptions, type Backend } from '../reactor/options';
import type { Trigger } from '../reactor/descriptor';
import { assertNonNegativeNumber, assertOneOf, describe } from '../util/validate';
import { WorkerCrashed, WorkerRestartsExhausted, WorkerSetupFailed } from './errors';
import { Acceptor } from './acceptor';
import type { LaunchedWorker, WorkerLauncher } from './launcher';
import { deserializeError, type ToParent } from './serve-messages';
import { processLauncher } from './process-launcher';
import { launchThread } from './thread-launcher';

export type ServeMode = 'thread' | 'process';
const MODES: readonly ServeMode[] = ['thread', 'process'];
export type ServeBalance = 'kernel' | 'acceptor';
const BALANCES: readonly ServeBalance[] = ['kernel', 'acceptor'];

export interface ServeOptions {
  /** How many workers (reactors) to run: 1 to 1024, default `os.availableParallelism()`. */
  workers?: number;
  /** `'thread'` (default): worker threads of this process; `'process'`: child processes. */
  mode?: ServeMode;
  /** The backend and trigger of every worker's Reactor. Its logger is `logger`, below. */
  reactor?: { backend?: Backend | 'auto'; trigger?: Trigger };
  /** Passed to every worker's setup as `context.data`: anything structured clone can copy. */
  data?: unknown;
  /** Where worker crashes, failed replacements and the workers' reactors' errors are reported. Defaults to console.error. */
  logger?: Logger;
  /**
   * Who spreads connections over the workers. `'kernel'`: each worker's listenTCP binds its own
   * socket (with `reusePort: true`) and the kernel picks one per connection, as Linux does
   * evenly. `'acceptor'`: the workers' listenTCP calls bind nothing; serve() listens once, in
   * this thread, and hands each connection to the next worker listening there (round-robin),
   * by descriptor number: thread mode only, and listenTCP needs a port number, not 0. Default:
   * `'acceptor'` on macOS in thread mode (its SO_REUSEPORT gives most connections to one
   * socket), `'kernel'` elsewhere.
   */
  balance?: ServeBalance;
  /** Replacements allowed in any minute, over all workers (default: `workers`); past it a crashed worker is not replaced. */
  maxRestarts?: number;
}

export interface ServeStopOptions {
  /** Seconds open connections may take to finish before each worker closes its reactor (default 10). */
  deadline?: number;
}

/** What serve() tells of one worker. */
export interface ServeWorker {
  /** Its index, 0 to workers - 1; a replacement takes the index of the worker it replaces. */
  readonly index: number;
  /** The current worker thread's id (thread mode; undefined while none runs at this index). */
  readonly threadId: number | undefined;
  /** The current child's process id (process mode). */
  readonly pid: number | undefined;
  /** How many times the worker at this index was replaced. */
  readonly restarts: number;
  /** 'starting' (setup running), 'ready', 'stopping', 'exited', or 'failed' (not replaced). */
  readonly state: 'starting' | 'ready' | 'stopping' | 'exited' | 'failed';
}

export interface ServeHandle {
  /** Resolves once every worker's setup has finished and its reactor runs; rejects with WorkerSetupFailed (the other workers are then stopped). */
  readonly ready: Promise<void>;
  /** The workers, a snapshot. */
  readonly workers: readonly ServeWorker[];
  /**
   * Graceful stop: every worker stops listening, lets its open connections finish until the
   * deadline, then closes its reactor. Resolves when every worker has exited (one still running
   * 5 s past the deadline is ended at once). Calling it again returns the same promise.
   */
  stop(options?: ServeStopOptions): Promise<void>;
}

const MAX_WORKERS = 1024;
const RESTART_WINDOW_MS = 60_000;
/** How long past its deadline a stopping worker may take to exit before it is ended. */
const EXIT_GRACE_MS = 5_000;

/** The module as a URL import() takes: a file:// URL (string or URL) or a path, relative to the working directory. */
function moduleUrlOf(module: unknown): string {
  let path: string;
  if (module instanceof URL || (typeof module === 'string' && module.startsWith('file:'))) {
    try {
      path = fileURLToPath(module as string | URL);
    } catch (err) {
      throw new InvalidArgValueError(
        `module must be a file: URL or a path, received ${describe(String(module))}: ${(err as Error).message}`,
        'ERR_IOREACTOR_INVALID_MODULE',
      );
    }
  } else if (typeof module === 'string' && module !== '') {
    path = resolvePath(module);
  } else {
    throw new InvalidArgTypeError(`module must be a file: URL or a path, received ${describe(module)}`, 'ERR_IOREACTOR_INVALID_MODULE');
  }
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new InvalidArgValueError(`module ${JSON.stringify(path)} is not a file`, 'ERR_IOREACTOR_INVALID_MODULE');
  }
  return pathToFileURL(path).href;
}

function positiveInteger(value: unknown, what: string, max: number, code: string): number {
  if (typeof value !== 'number') throw new InvalidArgTypeError(`${what} must be a number, received ${describe(value)}`, code);
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new InvalidArgValueError(`${what} must be an integer from 0 to ${max}, received ${value}`, code);
  return value;
}

interface Settings {
  balance: ServeBalance;
  moduleUrl: string;
  workers: number;
  launcher: WorkerLauncher;
  reactor: { backend?: Backend | 'auto'; trigger?: Trigger };
  data: unknown;
  logger: Logger;
  maxRestarts: number;
}

function settingsOf(module: unknown, options: ServeOptions | undefined): Settings {
  const moduleUrl = moduleUrlOf(module);
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw new InvalidArgTypeError(`serve options must be an object, received ${describe(options)}`);
  const workers = options.workers ?? availableParallelism();
  positiveInteger(workers, 'options.workers', MAX_WORKERS, 'ERR_IOREACTOR_INVALID_WORKERS');
  if (workers === 0) throw new InvalidArgValueError('options.workers must be at least 1', 'ERR_IOREACTOR_INVALID_WORKERS');
  const mode = options.mode ?? 'thread';
  assertOneOf(mode, MODES, 'options.mode', 'ERR_IOREACTOR_INVALID_SERVE_MODE');
  const balance = options.balance ?? (process.platform === 'darwin' && mode === 'thread' ? 'acceptor' : 'kernel');
  assertOneOf(balance, BALANCES, 'options.balance', 'ERR_IOREACTOR_INVALID_BALANCE');
  if (balance === 'acceptor' && mode !== 'thread') {
    throw new InvalidArgValueError(
      "balance 'acceptor' hands descriptors over by number, which only threads share: use mode 'thread'",
      'ERR_IOREACTOR_INVALID_BALANCE',
    );
  }
  const reactor = options.reactor ?? {};
  if (reactor === null || typeof reactor !== 'object') throw new InvalidArgTypeError(`options.reactor must be an object, received ${describe(reactor)}`);
  if ('logger' in reactor)
    throw new InvalidArgValueError("options.reactor.logger cannot cross into a worker: use serve's options.logger", 'ERR_IOREACTOR_INVALID_ARG_VALUE');
  // Checked here, with the reactor's own codes, so a bad backend fails serve() and not N workers.
  resolveOptions({ backend: reactor.backend, trigger: reactor.trigger });
  try {
    structuredClone(options.data);
  } catch (err) {
    throw new InvalidArgValueError(`options.data must be structured-cloneable: ${(err as Error).message}`, 'ERR_IOREACTOR_INVALID_SERVE_DATA');
  }
  const logger = options.logger ?? consoleLogger;
  if (logger === null || typeof logger !== 'object' || typeof logger.error !== 'function') {
    throw new InvalidArgTypeError(`options.logger must have an error() method, received ${describe(logger)}`);
  }
  const maxRestarts = positiveInteger(options.maxRestarts ?? workers, 'options.maxRestarts', Number.MAX_SAFE_INTEGER, 'ERR_IOREACTOR_INVALID_MAX_RESTARTS');
  return {
    balance,
    moduleUrl,
    workers,
    launcher: mode === 'thread' ? launchThread : processLauncher(logger),
    reactor: { backend: reactor.backend, trigger: reactor.trigger },
    data: options.data,
    logger,
    maxRestarts,
  };
}

class WorkerSlot implements ServeWorker {
  worker: LaunchedWorker | undefined;
  restarts = 0;
  state: ServeWorker['state'] = 'starting';
  /** The worker reported why it ends (setup failed, or stopped when asked): not a crash. */
  accountedFor = false;
  uncaught: Error | undefined;
  /** balance 'acceptor': the acceptor's listening sockets this worker's setup asked for. */
  listening: Promise<void>[] = [];
  killTimer: NodeJS.Timeout | undefined;

  constructor(readonly index: number) {}

  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  get pid(): number | undefined {
    return this.worker?.pid;
  }
}

class WorkerPool implements ServeHandle {
  readonly ready: Promise<void>;
  private readonly slots: WorkerSlot[];
  private readonly restartTimes: number[] = [];
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;
  private isReady = false;
  private stopping: Promise<void> | undefined;
  private resolveStopped: (() => void) | undefined;
  private readonly acceptor: Acceptor | undefined;
  private acceptorClosed: Promise<void> = Promise.resolve();

  constructor(private readonly settings: Settings) {
    if (settings.balance === 'acceptor') {
      this.acceptor = new Acceptor(
        {
          handOver: (index, key, fd) => {
            const slot = this.slots[index];
            if (slot.worker === undefined || slot.state === 'stopping') return false;
            slot.worker.send({ type: 'connection', key, fd });
            return true;
          },
        },
        settings.logger,
      );
    }
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.slots = Array.from({ length: settings.workers }, (_, i) => new WorkerSlot(i));
    for (const slot of this.slots) this.launch(slot);
  }

  get workers(): readonly ServeWorker[] {
    return this.slots.map((s) => ({ index: s.index, threadId: s.threadId, pid: s.pid, restarts: s.restarts, state: s.state }));
  }

  stop(options?: ServeStopOptions): Promise<void> {
    if (this.stopping !== undefined) return this.stopping;
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new InvalidArgTypeError(`stop options must be an object, received ${describe(options)}`);
    }
    const deadline = options?.deadline ?? 10;
    assertNonNegativeNumber(deadline, 'options.deadline', 'ERR_IOREACTOR_INVALID_DEADLINE');
    // Stop accepting first: nothing new is handed to a worker that is draining.
    if (this.acceptor !== undefined) this.acceptorClosed = this.acceptor.close();
    const exited = new Promise<void>((resolve) => {
      this.resolveStopped = resolve;
    });
    this.stopping = Promise.all([exited, this.acceptorClosed]).then(() => undefined);
    for (const slot of this.slots) {
      const worker = slot.worker;
      if (worker === undefined) continue;
      slot.state = 'stopping';
      worker.send({ type: 'stop', deadline });
      slot.killTimer = setTimeout(() => worker.kill(), deadline * 1000 + EXIT_GRACE_MS);
    }
    this.checkStopped();
    return this.stopping;
  }

  private launch(slot: WorkerSlot): void {
    slot.state = 'starting';
    slot.accountedFor = false;
    slot.uncaught = undefined;
    slot.listening = [];
    const worker = this.settings.launcher({
      message: (m) => this.onMessage(slot, worker, m),
      error: (err) => {
        if (slot.worker === worker) slot.uncaught = err;
      },
      exit: (code, signal) => this.onExit(slot, worker, code, signal),
    });
    slot.worker = worker;
    worker.send({
      type: 'start',
      moduleUrl: this.settings.moduleUrl,
      workerIndex: slot.index,
      workers: this.settings.workers,
      data: this.settings.data,
      reactor: this.settings.reactor,
      balance: this.settings.balance,
    });
  }

  private onMessage(slot: WorkerSlot, worker: LaunchedWorker, m: ToParent): void {
    if (slot.worker !== worker) return;
    switch (m.type) {
      case 'ready':
        // With an acceptor, a worker is ready once the acceptor listens where it asked.
        Promise.all(slot.listening).then(
          () => this.workerReady(slot, worker),
          (err: unknown) => this.setupFailed(slot, err instanceof Error ? err : new Error(String(err))),
        );
        break;
      case 'listen':
        if (this.acceptor !== undefined) slot.listening.push(this.acceptor.listen(slot.index, m.key, m.host, m.port, m.backlog));
        break;
      case 'unlisten':
        this.acceptor?.unlisten(slot.index, m.key);
        break;
      case 'adopted':
        this.acceptor?.adopted(m.fd);
        break;
      case 'setup-failed':
        slot.accountedFor = true;
        this.setupFailed(slot, deserializeError(m.error));
        break;
      case 'log':
        reportError(this.settings.logger, `[serve worker ${slot.index}] ${m.message}`, m.error === undefined ? undefined : deserializeError(m.error));
        break;
      case 'stopped':
        slot.accountedFor = true;
        break;
    }
  }

  private workerReady(slot: WorkerSlot, worker: LaunchedWorker): void {
    if (slot.worker !== worker || slot.state !== 'starting') return;
    slot.state = 'ready';
    if (!this.isReady && this.slots.every((s) => s.state === 'ready')) {
      this.isReady = true;
      this.resolveReady();
    }
  }

  private setupFailed(slot: WorkerSlot, cause: Error): void {
    const err = new WorkerSetupFailed(`worker ${slot.index}: setup failed: ${cause.message}`, slot.index, { cause });
    if (!this.isReady && this.stopping === undefined) {
      // The first generation cannot start: nothing would serve as asked. Stop the others.
      this.rejectReady(err);
      void this.stop({ deadline: 0 });
    } else if (this.stopping === undefined) {
      reportError(this.settings.logger, `[serve] worker ${slot.index} replacement failed:`, err);
      // Its exit is then handled as a crash, within the restart budget; a worker that is still
      // running (the acceptor could not listen for it) is ended to get there.
      slot.accountedFor = false;
      slot.worker?.kill();
    }
  }

  private onExit(slot: WorkerSlot, worker: LaunchedWorker, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    this.acceptor?.unlisten(slot.index);
    clearTimeout(slot.killTimer);
    slot.killTimer = undefined;
    if (this.stopping !== undefined || slot.accountedFor) {
      slot.state = 'exited';
      this.checkStopped();
      return;
    }
    const how = signal !== null ? `signal ${signal}` : `code ${code}`;
    const cause = slot.uncaught;
    reportError(
      this.settings.logger,
      `[serve] worker ${slot.index} exited unexpectedly:`,
      new WorkerCrashed(`worker ${slot.index} exited with ${how}`, slot.index, { cause }),
    );
    const now = performance.now();
    while (this.restartTimes.length > 0 && now - this.restartTimes[0] > RESTART_WINDOW_MS) this.restartTimes.shift();
    if (this.restartTimes.length >= this.settings.maxRestarts) {
      slot.state = 'failed';
      reportError(
        this.settings.logger,
        `[serve] worker ${slot.index} not replaced:`,
        new WorkerRestartsExhausted(
          `${this.restartTimes.length} workers were replaced in the last minute (maxRestarts ${this.settings.maxRestarts})`,
          slot.index,
        ),
      );
      return;
    }
    this.restartTimes.push(now);
    slot.restarts++;
    this.launch(slot);
  }

  private checkStopped(): void {
    if (this.resolveStopped === undefined) return;
    if (this.slots.some((s) => s.worker !== undefined)) return;
    this.resolveStopped();
    this.resolveStopped = undefined;
  }
}

/**
 * Runs `module`'s `setup(reactor, { workerIndex, workers, data })` in each of `options.workers`
 * workers, each with its own Reactor, which the worker runs after setup. The module is a file:
 * URL or a path (ES module or CommonJS) exporting `setup`, or a default export that has it.
 *
 * ```ts
 * // echo-server.mjs
 * export function setup(reactor, { workerIndex }) {
 *   reactor.listenTCP(8000, Factory.forProtocol(Echo), { reusePort: true });
 * }
 * // main
 * const server = serve(new URL('./echo-server.mjs', import.meta.url), { workers: 4 });
 * await server.ready;
 * process.on('SIGTERM', () => server.stop({ deadline: 30 }));
 * ```
 *
 * A worker that ends unasked is reported through `options.logger` (WorkerCrashed) and replaced
 * at its index, at most `maxRestarts` times a minute over all workers, never while stopping.
 *
 * @throws InvalidArgTypeError / InvalidArgValueError with codes `ERR_IOREACTOR_INVALID_MODULE`,
 *   `ERR_IOREACTOR_INVALID_WORKERS`, `ERR_IOREACTOR_INVALID_SERVE_MODE`,
 *   `ERR_IOREACTOR_INVALID_SERVE_DATA`, `ERR_IOREACTOR_INVALID_MAX_RESTARTS`,
 *   `ERR_IOREACTOR_INVALID_BALANCE`, and the
 *   Reactor's own for `options.reactor`.
 */
export function serve(module: string | URL, options?: ServeOptions): ServeHandle {
  return new WorkerPool(settingsOf(module, options));
}
