/**
 * Starts serve() workers in child processes with reactor.spawnProcess, on a reactor private to
 * one serve() call: node running the process entry, its stdout and stderr this process's, and a
 * channel of two pipes (the parent writes the child's fd 3 and reads its fd 4) carrying
 * length-prefixed v8.serialize frames (frames.ts), the structured clone an IPC channel's
 * 'advanced' serialization would use. The reactor runs while a child lives and is closed when
 * the last one has ended (as after serve()'s stop), so it neither keeps this process alive nor
 * leaves a descriptor open; a later launch (a replacement) makes a new one.
 * Internal to the package.
 */
import { constants } from 'node:os';
import type { Failure } from '../defer/failure';
import type { Logger } from '../log/logger';
import { ProcessExitedAlready } from '../process/errors';
import type { DelayedCall } from '../reactor/delayed-call';
import { ProcessProtocol } from '../process/process-protocol';
import type { ProcessTransport } from '../process/process-transport';
import { Reactor } from '../reactor/reactor';
import { workerEntryPath } from './entry-path';
import { encodeFrame, FrameDecoder } from './frames';
import type { WorkerEvents, WorkerLauncher } from './launcher';
import type { ToParent } from './serve-messages';

/** The child's descriptors: the parent writes messages to TO_CHILD and reads them from FROM_CHILD. */
const TO_CHILD = 3;
const FROM_CHILD = 4;
/**
 * How long after the child's exit its message pipe may stay open (a grandchild that inherited
 * it) before it is closed, in seconds: what the child wrote before exiting is read by then.
 */
const PIPE_LINGER_SECONDS = 1;

function signalName(signal: number | null): string | null {
  if (signal === null) return null;
  const entry = Object.entries(constants.signals).find(([, n]) => n === signal);
  return entry?.[0] ?? String(signal);
}

/** One child, as serve()'s launcher hears it. */
class WorkerProcess extends ProcessProtocol {
  private readonly decoder = new FrameDecoder();
  private lingering: DelayedCall | undefined;

  constructor(
    private readonly events: WorkerEvents,
    private readonly reactor: Reactor,
    private readonly ended: () => void,
  ) {
    super();
  }

  override childDataReceived(childFD: number, data: Buffer): void {
    if (childFD !== FROM_CHILD) return;
    for (const message of this.decoder.push(data)) this.events.message(message as ToParent);
  }

  override processExited(): void {
    // Nothing more to say to it; its messages are read until end of file (or the linger).
    this.transport.closeChildFD(TO_CHILD);
    this.lingering = this.reactor.callLater(PIPE_LINGER_SECONDS, () => this.transport.closeChildFD(FROM_CHILD));
  }

  override processEnded(reason: Failure): void {
    if (this.lingering?.active()) this.lingering.cancel();
    const { exitCode, signal } = reason.value as { exitCode: number | null; signal: number | null };
    try {
      this.events.exit(exitCode, signalName(signal));
    } finally {
      this.ended();
    }
  }
}

/** A launcher for one serve() call: its children share one private reactor. */
export function processLauncher(logger: Logger): WorkerLauncher {
  let reactor: Reactor | undefined;
  let live = 0;
  const release = (): void => {
    if (--live > 0 || reactor === undefined) return;
    reactor.close();
    reactor = undefined;
  };
  return (events) => {
    if (reactor === undefined) {
      reactor = new Reactor({ logger });
      void reactor.run();
    }
    live++;
    let transport: ProcessTransport;
    try {
      transport = reactor.spawnProcess(new WorkerProcess(events, reactor, release), process.execPath, [process.execPath, workerEntryPath('process-entry')], {
        env: null,
        childFDs: { 1: 1, 2: 2, [TO_CHILD]: 'w', [FROM_CHILD]: 'r' },
      });
    } catch (err) {
      // A child that never started: report it, and its exit, once serve() holds the worker.
      release();
      setImmediate(() => {
        events.error(err as Error);
        events.exit(null, null);
      });
      return { threadId: undefined, pid: undefined, send: () => undefined, kill: () => undefined };
    }
    const pid = transport.pid ?? undefined;
    return {
      threadId: undefined,
      pid,
      send: (message) => transport.writeToChild(TO_CHILD, encodeFrame(message)),
      kill: () => {
        try {
          transport.signalProcess('KILL');
        } catch (err) {
          if (!(err instanceof ProcessExitedAlready)) throw err;
        }
      },
    };
  };
}
