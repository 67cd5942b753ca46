/**
 * The addon's process functions (native/binding_process.cc), typed. Every one returns -errno
 * on failure instead of throwing.
 * Internal to the package.
 */
import { binding } from '../binding';

export interface NativeProcessFunctions {
  /** [pid, exit watcher fd, parent fds (one per triple, -1 for inherited)] or -errno. */
  spawnChild(file: string, argv: string[], envp: string[] | null, cwd: string, fds: Int32Array): [number, number, number[]] | number;
  /** [exitCode (-1 if signalled), signal (0 if exited)] once exited, 0 while running, or -errno. */
  reapChild(pid: number, watcher: number): [number, number] | number;
  signalChild(pid: number, watcher: number, signal: number): number;
  /**
   * Closes a child's exit watcher or pipe (each is closed through this, never closeDescriptor,
   * so that the addon knows it closed: native/child_descriptors.h): 0, or -EBADF for any other
   * descriptor (left open).
   */
  closeChildDescriptor(fd: number): number;
  readPipe(fd: number, into: ArrayBufferView): number;
  writePipe(fd: number, data: ArrayBufferView): number;
}

export const nativeProcess = binding as unknown as NativeProcessFunctions;

/** The fd-map kinds of spawnChild's triples (ChildFdSpec::Kind). */
export const PARENT_READS = 0;
export const PARENT_WRITES = 1;
export const INHERIT = 2;
