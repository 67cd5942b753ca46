/**
 * Learns a child's exit status without polling: the addon's exit watcher descriptor (a pidfd on
 * Linux, a kqueue holding EVFILT_PROC elsewhere) is registered with the reactor as a reader and
 * turns readable once the child has exited; the child is then reaped, and only that child.
 * Internal to the package.
 */
import { Failure } from '../defer/failure';
import { ReactorSystemError } from '../errors';
import type { IReadDescriptor } from '../reactor/descriptor';
import { nativeProcess } from './native-process';
import { adoptOrphan, type Orphan } from './orphan-reaper';

/** How a child ended: its exit code, or the signal that killed it. */
export interface ExitStatus {
  readonly exitCode: number | null;
  readonly signal: number | null;
}

export interface ExitOwner {
  removeReader(d: IReadDescriptor): void;
  /** The child has exited and is reaped. */
  exited(status: ExitStatus): void;
  /** Watching stopped before the child exited (the reactor shut down), or reaping failed. */
  unwatched(reason: Failure): void;
}

export class ExitWatcher implements IReadDescriptor, Orphan {
  private fd: number;
  /** True once the orphan reaper has reaped the child (its pid may since name another process). */
  reapedUnwatched = false;
  private orphaned = false;

  constructor(
    private readonly owner: ExitOwner,
    readonly pid: number,
    fd: number,
  ) {
    this.fd = fd;
  }

  fileno(): number {
    return this.fd;
  }

  /** The watcher descriptor, for signals sent through it (-1 once closed). */
  get descriptor(): number {
    return this.fd;
  }

  doRead(): unknown {
    const status = this.reap();
    if (status instanceof Error) return status;
    if (status !== undefined) {
      this.stop();
      this.owner.exited(status);
    }
    return undefined; // a spurious report: still running
  }

  /** Reaps the child if it has exited: its status, undefined while it runs, or the error. */
  reap(): ExitStatus | Error | undefined {
    if (this.fd < 0) return undefined;
    const result = nativeProcess.reapChild(this.pid, this.fd);
    if (typeof result === 'number') return result === 0 ? undefined : new ReactorSystemError(result, 'waitid', `process ${this.pid}`);
    const [code, signal] = result;
    return signal !== 0 ? { exitCode: null, signal } : { exitCode: code, signal: null };
  }

  /** Closes the watcher descriptor. */
  stop(): void {
    if (this.fd < 0) return;
    this.owner.removeReader(this);
    nativeProcess.closeChildDescriptor(this.fd);
    this.fd = -1;
  }

  /**
   * Stops watching for the reactor. A child still running is handed to the orphan reaper with
   * the watcher descriptor (still good for signals), so that it is reaped once it exits. Should
   * this environment end at any point from here on, the native orphan reaper takes the child
   * over (native/child_descriptors.h).
   */
  orphan(): void {
    if (this.fd < 0 || this.orphaned) return;
    this.orphaned = true;
    this.owner.removeReader(this);
    adoptOrphan(this);
  }

  reapIfExited(): boolean {
    if (this.fd < 0) return true;
    if (this.reap() === undefined) return false;
    nativeProcess.closeChildDescriptor(this.fd);
    this.fd = -1;
    this.reapedUnwatched = true;
    return true;
  }

  connectionLost(reason: Failure): void {
    if (this.fd < 0) return;
    // One last look: a child that exited just before the reactor shut down still gets its status.
    const status = this.reap();
    if (status === undefined) this.orphan();
    else this.stop();
    if (status !== undefined && !(status instanceof Error)) this.owner.exited(status);
    else this.owner.unwatched(status instanceof Error ? new Failure(status) : reason);
  }
}
