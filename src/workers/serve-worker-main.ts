/**
 * The life of one serve() worker, in a worker thread or a child process alike: build a reactor,
 * load the user's module and call its `setup`, run the reactor, and on request stop gracefully
 * (stop accepting, let open connections finish until the deadline, close).
 * Internal to the package.
 */
import { Reactor } from '../reactor/reactor';
import type { Logger } from '../log/logger';
import { AcceptorPorts } from './acceptor-ports';
import { serializeError, type StartMessage, type ToParent, type ToWorker } from './serve-messages';

/** How the worker talks to serve(): a thread's parentPort or a process's pipes (fds 3 and 4). */
export interface ParentChannel {
  post(message: ToParent): void;
  onMessage(listener: (message: ToWorker) => void): void;
  /** Lets the worker end once its reactor is closed (nothing else keeps it alive). */
  close(): void;
}

/** What `setup` gets besides the reactor. */
export interface WorkerContext {
  /** This worker's index, 0 to workers - 1; a replacement keeps the index of the one it replaces. */
  workerIndex: number;
  /** How many workers serve() runs. */
  workers: number;
  /** `options.data` of serve(), structured-cloned. */
  data: unknown;
}

// tsc's CommonJS output turns import() into require(), which cannot load an ES module: this
// import() is compiled by V8 at run time instead, so the user's module may be ESM or CommonJS.
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;

/** How often a stopping worker looks whether its connections are all closed, in seconds. */
const DRAIN_POLL_SECONDS = 0.01;

export function runWorker(channel: ParentChannel): void {
  let reactor: Reactor | undefined;
  let acceptorPorts: AcceptorPorts | undefined;
  let running: Promise<void> | undefined;
  let stopDeadline: number | undefined;
  let stopping = false;

  const logger: Logger = {
    error(message, error) {
      channel.post({ type: 'log', message, error: error === undefined ? undefined : serializeError(error) });
    },
  };

  const beginStop = (deadline: number): void => {
    if (stopping || reactor === undefined || running === undefined) return;
    stopping = true;
    const r = reactor;
    for (const port of [...r.listeningPorts(), ...(acceptorPorts?.listening() ?? [])]) void port.stopListening();
    const until = r.seconds() + deadline;
    const drain = (): void => {
      if (r.connectionCount === 0 || r.seconds() >= until) r.stop();
      else r.callLater(DRAIN_POLL_SECONDS, drain);
    };
    r.callWhenRunning(drain);
    void running.then(() => {
      const connectionsLeft = r.connectionCount;
      r.close();
      channel.post({ type: 'stopped', connectionsLeft });
      channel.close();
    });
  };

  const start = async (m: StartMessage): Promise<void> => {
    try {
      reactor = new Reactor({ ...m.reactor, logger });
      if (m.balance === 'acceptor') {
        acceptorPorts = new AcceptorPorts(reactor, (message) => channel.post(message));
        acceptorPorts.install();
      }
      const mod = await importModule(m.moduleUrl);
      const setup = typeof mod.setup === 'function' ? mod.setup : (mod.default as Record<string, unknown> | undefined)?.setup;
      if (typeof setup !== 'function') throw new TypeError(`${m.moduleUrl} exports no setup(reactor, context) function`);
      const context: WorkerContext = { workerIndex: m.workerIndex, workers: m.workers, data: m.data };
      await (setup as (reactor: Reactor, context: WorkerContext) => unknown)(reactor, context);
    } catch (err) {
      reactor?.close();
      channel.post({ type: 'setup-failed', error: serializeError(err) });
      channel.close();
      return;
    }
    const r = reactor;
    running = r.run();
    r.callWhenRunning(() => channel.post({ type: 'ready' }));
    if (stopDeadline !== undefined) beginStop(stopDeadline);
  };

  channel.onMessage((m) => {
    if (m.type === 'start') void start(m);
    else if (m.type === 'connection') {
      if (acceptorPorts !== undefined) acceptorPorts.adopt(m.key, m.fd);
      else channel.post({ type: 'adopted', fd: m.fd });
    } else if (m.type === 'stop') {
      // A stop that arrives while setup is still running waits for it.
      stopDeadline = m.deadline;
      beginStop(m.deadline);
    }
  });
}
