/**
 * The parent's ends of a child's pipes, as raw descriptors of the reactor's descriptor set
 * (Twisted's ProcessReader and ProcessWriter). Pipes are registered with the native poller
 * like any descriptor; they are read and written by the addon's read(2)/write(2) helpers, since
 * the core's stream path uses recv/send, which pipes refuse.
 * Internal to the package.
 */
import * as os from 'node:os';
import { Failure } from '../defer/failure';
import { ReactorSystemError } from '../errors';
import { ConnectionDone, ConnectionLost } from '../transport/errors';
import type { IReadDescriptor, IWriteDescriptor } from '../reactor/descriptor';
import { nativeProcess } from './native-process';

const EAGAIN = -os.constants.errno.EAGAIN;
const EPIPE = -os.constants.errno.EPIPE;
const READ_SIZE = 65536;
/**
 * Reads per readiness report. Level and one-shot are reported again while bytes remain; edge is
 * not, so an edge reader that stops at the budget continues on the next turn instead (a child
 * that writes without pause cannot starve the other descriptors).
 */
const READS_PER_CALL = 16;

/**
 * Reads of at least this many bytes are handed over as a view of the buffer they were read into
 * (no copy; the next read gets a fresh buffer); smaller ones are copied out, so a kept small
 * chunk does not hold a 64 KiB buffer alive, and the buffer is read into again.
 */
const HAND_OVER_AT = 16384;

/** The buffer the next pipe read lands in (one per module instance: per thread). */
let readBuffer = Buffer.allocUnsafeSlow(READ_SIZE);

/** The bytes of a read of `n` into readBuffer, as the protocol may keep them. */
function takeRead(n: number): Buffer {
  if (n < HAND_OVER_AT) return Buffer.from(readBuffer.subarray(0, n));
  const data = readBuffer.subarray(0, n);
  readBuffer = Buffer.allocUnsafeSlow(READ_SIZE);
  return data;
}

/** What a pipe needs from its process. */
export interface PipeOwner {
  readonly edge: boolean;
  addReader(d: IReadDescriptor): void;
  removeReader(d: IReadDescriptor): void;
  addWriter(d: IWriteDescriptor): void;
  removeWriter(d: IWriteDescriptor): void;
  callSoon(f: () => void): void;
  /** Bytes from the child's descriptor; may throw (the descriptor set logs it and closes the pipe). */
  childData(childFD: number, data: Buffer): void;
  /** The pipe is closed (its descriptor too). */
  pipeClosed(childFD: number, reason: Failure): void;
}

function closeFd(fd: number): void {
  nativeProcess.closeChildDescriptor(fd);
}

/** The read end of a pipe from the child's descriptor `childFD` (its stdout, stderr, ...). */
export class PipeReader implements IReadDescriptor {
  private fd: number;
  private continuing = false;

  constructor(
    private readonly owner: PipeOwner,
    readonly childFD: number,
    fd: number,
  ) {
    this.fd = fd;
  }

  fileno(): number {
    return this.fd;
  }

  doRead(): unknown {
    for (let i = 0; i < READS_PER_CALL; i++) {
      if (this.fd < 0) return undefined; // closed by the protocol meanwhile
      const n = nativeProcess.readPipe(this.fd, readBuffer);
      if (n === EAGAIN) return undefined;
      if (n === 0) return new ConnectionDone();
      if (n < 0) return new ConnectionLost('reading from the child failed', { cause: new ReactorSystemError(n, 'read') });
      this.owner.childData(this.childFD, takeRead(n));
    }
    if (this.owner.edge && !this.continuing) {
      this.continuing = true;
      this.owner.callSoon(() => this.continueReading());
    }
    return undefined;
  }

  /** Edge mode's next turn after a full budget: as doRead, finishing the pipe itself. */
  private continueReading(): void {
    this.continuing = false;
    if (this.fd < 0) return;
    let outcome: unknown;
    try {
      outcome = this.doRead();
    } catch (err) {
      outcome = err;
    }
    if (outcome !== undefined) {
      this.owner.removeReader(this);
      this.connectionLost(outcome instanceof Failure ? outcome : new Failure(outcome));
    }
  }

  /** Closes the pipe now (closeChildFD, loseConnection). */
  close(): void {
    if (this.fd < 0) return;
    this.owner.removeReader(this);
    this.connectionLost(new Failure(new ConnectionDone()));
  }

  /** Closes the descriptor without telling anyone (the reactor is closing). */
  release(): void {
    if (this.fd < 0) return;
    this.owner.removeReader(this);
    closeFd(this.fd);
    this.fd = -1;
  }

  connectionLost(reason: Failure): void {
    if (this.fd < 0) return;
    closeFd(this.fd);
    this.fd = -1;
    this.owner.pipeClosed(this.childFD, reason);
  }
}

/**
 * The write end of a pipe to the child's descriptor `childFD` (its stdin, ...). Writes go out at
 * once; what the pipe cannot take yet is copied and queued, and write interest is held only
 * while the queue is non-empty. The end is also registered for reading, as Twisted's
 * ProcessWriter does: a write end never turns readable, but the poller reports an error on it
 * once the child closes its end, so the loss is noticed without a write.
 */
export class PipeWriter implements IReadDescriptor, IWriteDescriptor {
  private fd: number;
  private readonly queue: Buffer[] = [];
  private closing = false;

  constructor(
    private readonly owner: PipeOwner,
    readonly childFD: number,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Starts watching for the child closing its end. */
  start(): void {
    this.owner.addReader(this);
  }

  fileno(): number {
    return this.fd;
  }

  get open(): boolean {
    return this.fd >= 0 && !this.closing;
  }

  write(chunks: readonly ArrayBufferView[]): void {
    if (!this.open) return;
    for (const chunk of chunks) {
      if (chunk.byteLength === 0) continue;
      if (this.queue.length > 0) {
        this.queue.push(copyOf(chunk, 0));
        continue;
      }
      const n = nativeProcess.writePipe(this.fd, chunk);
      if (n === chunk.byteLength) continue;
      if (n < 0 && n !== EAGAIN) {
        this.fail(n);
        return;
      }
      // The bytes are taken during the call (the transport write contract): copy the rest.
      this.queue.push(copyOf(chunk, Math.max(n, 0)));
      this.owner.addWriter(this);
    }
  }

  /** Closes once everything queued has been written (closeStdin). */
  loseConnection(): void {
    if (!this.open) return;
    this.closing = true;
    if (this.queue.length === 0) this.close(new ConnectionDone());
  }

  doRead(): unknown {
    // Readiness on a write end means the child closed its end (see the class comment).
    return new ConnectionDone('the child closed its end of the pipe');
  }

  doWrite(): unknown {
    while (this.queue.length > 0 && this.fd >= 0) {
      const head = this.queue[0];
      const n = nativeProcess.writePipe(this.fd, head);
      if (n === EAGAIN) return undefined;
      if (n < 0)
        return n === EPIPE
          ? new ConnectionDone('the child closed its end of the pipe')
          : new ConnectionLost('writing to the child failed', { cause: new ReactorSystemError(n, 'write') });
      if (n < head.byteLength) {
        this.queue[0] = head.subarray(n);
        return undefined;
      }
      this.queue.shift();
    }
    this.owner.removeWriter(this);
    if (this.closing) this.close(new ConnectionDone());
    return undefined;
  }

  /** Closes the descriptor without telling anyone (the reactor is closing). */
  release(): void {
    if (this.fd < 0) return;
    this.owner.removeReader(this);
    this.owner.removeWriter(this);
    closeFd(this.fd);
    this.fd = -1;
    this.queue.length = 0;
  }

  connectionLost(reason: Failure): void {
    if (this.fd < 0) return;
    closeFd(this.fd);
    this.fd = -1;
    this.queue.length = 0;
    this.owner.pipeClosed(this.childFD, reason);
  }

  private close(why: Error): void {
    this.owner.removeReader(this);
    this.owner.removeWriter(this);
    this.connectionLost(new Failure(why));
  }

  private fail(negativeErrno: number): void {
    this.close(
      negativeErrno === EPIPE
        ? new ConnectionDone('the child closed its end of the pipe')
        : new ConnectionLost('writing to the child failed', { cause: new ReactorSystemError(negativeErrno, 'write') }),
    );
  }
}

/** A copy of `view`'s bytes from `offset` on. */
function copyOf(view: ArrayBufferView, offset: number): Buffer {
  return Buffer.from(new Uint8Array(view.buffer, view.byteOffset + offset, view.byteLength - offset));
}
