/**
 * The transport of a child process, as Twisted's `Process`: write to its stdin, close its
 * pipes, signal it. Made by `reactor.spawnProcess`.
 */
import * as os from 'node:os';
import { Failure } from '../defer/failure';
import { InvalidArgTypeError, InvalidArgValueError, ReactorSystemError } from '../errors';
import type { Logger } from '../log/logger';
import type { IReadDescriptor, IWriteDescriptor } from '../reactor/descriptor';
import { assertBytes, bytesSequence, describe } from '../util/validate';
import { ProcessDone, ProcessExitedAlready, ProcessTerminated } from './errors';
import { ExitWatcher, type ExitStatus } from './exit-watcher';
import { nativeProcess } from './native-process';
import { PipeReader, PipeWriter, type PipeOwner } from './pipe-descriptors';
import type { ProcessProtocol } from './process-protocol';

const ESRCH = -os.constants.errno.ESRCH;

/** What a process needs from its reactor. @internal */
export interface ProcessHost {
  readonly edge: boolean;
  readonly logger: Logger;
  addReader(d: IReadDescriptor): void;
  removeReader(d: IReadDescriptor): void;
  addWriter(d: IWriteDescriptor): void;
  removeWriter(d: IWriteDescriptor): void;
  callSoon(f: () => void): void;
  /** The process is started: the reactor tracks it until it ends. */
  track(process: ProcessTransport): void;
  /** The process has ended: the reactor stops tracking it. */
  forget(process: ProcessTransport): void;
}

/** The parent's end of one of the child's descriptors. @internal */
export interface ParentPipe {
  readonly childFD: number;
  readonly fd: number;
  readonly parentReads: boolean;
}

/** A signal: a name without the SIG prefix ('TERM', 'KILL', 'INT', 'HUP'...), as Twisted takes it, or a number. */
export type SignalName = 'TERM' | 'KILL' | 'INT' | 'HUP' | 'QUIT' | 'USR1' | 'USR2' | 'STOP' | 'CONT' | (string & {});

function signalNumber(signal: unknown): number {
  if (typeof signal === 'number') {
    if (Number.isInteger(signal) && signal >= 0 && signal <= 64) return signal;
    throw new InvalidArgValueError(`a signal number must be an integer from 0 to 64, received ${signal}`, 'ERR_IOREACTOR_UNKNOWN_SIGNAL');
  }
  if (typeof signal !== 'string') throw new InvalidArgTypeError(`a signal must be a name ('TERM', 'KILL'...) or a number, received ${describe(signal)}`);
  const n = (os.constants.signals as Record<string, number | undefined>)[`SIG${signal}`];
  if (n === undefined)
    throw new InvalidArgValueError(
      `unknown signal ${JSON.stringify(signal)} (names go without SIG: 'TERM', 'KILL', 'INT', 'HUP'...)`,
      'ERR_IOREACTOR_UNKNOWN_SIGNAL',
    );
  return n;
}

function reasonOf(status: ExitStatus): Failure {
  return new Failure(status.exitCode === 0 ? new ProcessDone() : new ProcessTerminated(status.exitCode, status.signal));
}

export class ProcessTransport {
  /** The child's process id; null once it has exited and been reaped (as Twisted's `pid`). */
  pid: number | null;
  /** How the child ended, once known. */
  status: ExitStatus | undefined;

  private readonly readers = new Map<number, PipeReader>();
  private readonly writers = new Map<number, PipeWriter>();
  /** The child descriptors the parent writes to, closed or not. */
  private readonly writable = new Set<number>();
  private readonly watcher: ExitWatcher;
  private exitReason: Failure | undefined;
  private ended = false;

  /** @internal */
  constructor(
    private readonly host: ProcessHost,
    /** The protocol this process reports to. */
    readonly protocol: ProcessProtocol,
    pid: number,
    watcherFd: number,
    pipes: readonly ParentPipe[],
  ) {
    this.pid = pid;
    const owner: PipeOwner = {
      edge: host.edge,
      addReader: (d) => host.addReader(d),
      removeReader: (d) => host.removeReader(d),
      addWriter: (d) => host.addWriter(d),
      removeWriter: (d) => host.removeWriter(d),
      callSoon: (f) => host.callSoon(f),
      childData: (childFD, data) => this.protocol.childDataReceived(childFD, data),
      pipeClosed: (childFD) => this.pipeClosed(childFD),
    };
    for (const p of pipes) {
      if (p.parentReads) this.readers.set(p.childFD, new PipeReader(owner, p.childFD, p.fd));
      else {
        this.writers.set(p.childFD, new PipeWriter(owner, p.childFD, p.fd));
        this.writable.add(p.childFD);
      }
    }
    this.watcher = new ExitWatcher(
      {
        removeReader: (d) => host.removeReader(d),
        exited: (status) => this.exited(status),
        unwatched: () => undefined, // the reactor shut down first: no status, so no processEnded
      },
      pid,
      watcherFd,
    );
  }

  /** Registers every descriptor with the reactor, then tells the protocol. @internal */
  start(): void {
    for (const reader of this.readers.values()) this.host.addReader(reader);
    for (const writer of this.writers.values()) writer.start();
    this.host.addReader(this.watcher);
    this.call('makeConnection', () => this.protocol.makeConnection(this));
  }

  /** Writes to the child's standard input. Bytes only; taken during the call. Dropped once stdin is closed. */
  write(data: ArrayBufferView): void {
    this.writeToChild(0, data);
  }

  /** Writes each chunk in order to the child's standard input. */
  writeSequence(data: Iterable<ArrayBufferView>): void {
    const chunks = bytesSequence(data);
    this.writers.get(0)?.write(chunks);
  }

  /** Writes to the child's descriptor `childFD` (one the parent writes to: 0, or a 'w' entry of childFDs). */
  writeToChild(childFD: number, data: ArrayBufferView): void {
    assertBytes(data);
    if (!this.writable.has(childFD)) {
      throw new InvalidArgValueError(`the child has no descriptor ${describe(childFD)} the parent writes to`, 'ERR_IOREACTOR_INVALID_CHILD_FD');
    }
    this.writers.get(childFD)?.write([data]);
  }

  /** Closes the child's standard input once everything written has gone out: the child reads end of file. */
  closeStdin(): void {
    this.closeChildFD(0);
  }

  /** Closes the pipe from the child's standard output. */
  closeStdout(): void {
    this.closeChildFD(1);
  }

  /** Closes the pipe from the child's standard error. */
  closeStderr(): void {
    this.closeChildFD(2);
  }

  /**
   * Closes the parent's end of the child's descriptor `childFD`: a pipe the parent writes to
   * once its queue is written, one it reads from at once. A descriptor already closed is a no-op.
   */
  closeChildFD(childFD: number): void {
    if (typeof childFD !== 'number' || !Number.isInteger(childFD) || childFD < 0) {
      throw new InvalidArgValueError(`childFD must be a non-negative integer, received ${describe(childFD)}`, 'ERR_IOREACTOR_INVALID_CHILD_FD');
    }
    this.writers.get(childFD)?.loseConnection();
    this.readers.get(childFD)?.close();
  }

  /** Closes stdin (after what is queued), stdout and stderr, as Twisted's loseConnection. The child is not signalled. */
  loseConnection(): void {
    this.closeChildFD(0);
    this.closeChildFD(1);
    this.closeChildFD(2);
  }

  /**
   * Sends a signal: a name without SIG ('TERM', 'KILL', 'INT', 'HUP'...) or a number.
   *
   * @throws ProcessExitedAlready once the child's exit has been seen; InvalidArgValueError
   *   (`ERR_IOREACTOR_UNKNOWN_SIGNAL`) for a name or number that is no signal.
   */
  signalProcess(signal: SignalName | number): void {
    const n = signalNumber(signal);
    if (this.status !== undefined || this.pid === null || this.watcher.reapedUnwatched) throw new ProcessExitedAlready();
    const rc = nativeProcess.signalChild(this.pid, this.watcher.descriptor, n);
    if (rc === ESRCH) throw new ProcessExitedAlready();
    if (rc < 0) throw new ReactorSystemError(rc, 'kill', `process ${this.pid}`);
  }

  /** Takes back a child whose descriptors the reactor refused: killed, its descriptors closed. @internal */
  abandon(): void {
    if (this.pid !== null) nativeProcess.signalChild(this.pid, this.watcher.descriptor, os.constants.signals.SIGKILL);
    this.release();
  }

  /** Closes every descriptor without telling the protocol; reaps the child if it has exited. @internal */
  release(): void {
    for (const reader of this.readers.values()) reader.release();
    for (const writer of this.writers.values()) writer.release();
    this.readers.clear();
    this.writers.clear();
    const status = this.status === undefined ? this.watcher.reap() : undefined;
    if (status !== undefined && !(status instanceof Error)) {
      this.status = status;
      this.pid = null;
    }
    // Still running: left running (as Twisted does), and reaped once it exits.
    if (this.status === undefined && status === undefined) this.watcher.orphan();
    else this.watcher.stop();
    this.ended = true;
  }

  private exited(status: ExitStatus): void {
    this.status = status;
    this.pid = null;
    this.exitReason = reasonOf(status);
    this.call('processExited', () => this.protocol.processExited(this.exitReason!));
    this.maybeEnded();
  }

  private pipeClosed(childFD: number): void {
    if (!this.readers.delete(childFD)) this.writers.delete(childFD);
    this.call('childConnectionLost', () => this.protocol.childConnectionLost(childFD));
    this.maybeEnded();
  }

  private maybeEnded(): void {
    if (this.ended || this.exitReason === undefined || this.readers.size > 0 || this.writers.size > 0) return;
    this.ended = true;
    this.host.forget(this);
    this.call('processEnded', () => this.protocol.processEnded(this.exitReason!));
  }

  /** Runs a protocol callback; what it throws goes to the logger and the process carries on. */
  private call(what: string, f: () => void): void {
    try {
      f();
    } catch (err) {
      this.host.logger.error(`Unhandled error in ${what} of ${describe(this.protocol)}:`, err);
    }
  }
}
