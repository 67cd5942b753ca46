/**
 * reactor.spawnProcess: the arguments checked, the child started by the addon (posix_spawn),
 * its pipes and exit watcher handed to a ProcessTransport. Twisted's signature and defaults,
 * except where the README's process section says otherwise.
 * Internal to the package.
 */
import { InvalidArgTypeError, InvalidArgValueError, ReactorSystemError } from '../errors';
import { describe } from '../util/validate';
import { INHERIT, nativeProcess, PARENT_READS, PARENT_WRITES } from './native-process';
import type { ProcessProtocol } from './process-protocol';
import { ProcessTransport, type ParentPipe, type ProcessHost } from './process-transport';

/**
 * What the child's descriptor is connected to, from the parent's side as in Twisted: 'r' a pipe
 * the parent reads (the child writes), 'w' a pipe the parent writes (the child reads), a number
 * a descriptor of this process the child inherits under that number.
 */
export type ChildFD = 'r' | 'w' | number;

export interface SpawnProcessOptions {
  /**
   * The child's environment. As Twisted, the default is an empty one (`{}`); `null` passes this
   * process's environment on.
   */
  env?: Record<string, string> | null;
  /** The child's working directory (Twisted's `path`); the default is this process's. */
  path?: string;
  /** The child's descriptors; the default is Twisted's `{ 0: 'w', 1: 'r', 2: 'r' }`. */
  childFDs?: Record<number, ChildFD>;
}

const DEFAULT_CHILD_FDS: Record<number, ChildFD> = { 0: 'w', 1: 'r', 2: 'r' };
/** Child descriptor numbers accepted in childFDs (a bound, so a typo cannot ask for a huge table). */
const MAX_CHILD_FD = 1023;

function assertCString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') throw new InvalidArgTypeError(`${what} must be a string, received ${describe(value)}`);
  if (value.includes('\0')) throw new InvalidArgValueError(`${what} must not contain NUL characters`);
}

function checkArgs(executable: string, args: unknown): string[] {
  if (args === undefined) return [executable];
  if (!Array.isArray(args)) throw new InvalidArgTypeError(`args must be an array of strings, received ${describe(args)}`);
  args.forEach((arg, i) => assertCString(arg, `args[${i}]`));
  return args as string[];
}

function checkEnv(env: unknown): string[] | null {
  if (env === null) return null;
  if (env === undefined) return [];
  if (typeof env !== 'object' || Array.isArray(env))
    throw new InvalidArgTypeError(`options.env must be an object of strings or null, received ${describe(env)}`);
  return Object.entries(env as Record<string, unknown>).map(([name, value]) => {
    assertCString(name, 'an options.env name');
    if (name === '' || name.includes('='))
      throw new InvalidArgValueError(`options.env names must be non-empty and without '=', received ${JSON.stringify(name)}`);
    assertCString(value, `options.env.${name}`);
    return `${name}=${value}`;
  });
}

function checkChildFDs(childFDs: unknown): Array<[number, ChildFD]> {
  if (childFDs === undefined) childFDs = DEFAULT_CHILD_FDS;
  if (childFDs === null || typeof childFDs !== 'object' || Array.isArray(childFDs)) {
    throw new InvalidArgTypeError(`options.childFDs must be an object mapping child descriptors to 'r', 'w' or a descriptor, received ${describe(childFDs)}`);
  }
  return Object.entries(childFDs as Record<string, unknown>).map(([key, kind]) => {
    const childFD = Number(key);
    if (!/^\d+$/.test(key) || childFD > MAX_CHILD_FD) {
      throw new InvalidArgValueError(
        `options.childFDs keys must be descriptor numbers from 0 to ${MAX_CHILD_FD}, received ${JSON.stringify(key)}`,
        'ERR_IOREACTOR_INVALID_CHILD_FD',
      );
    }
    const inherits = typeof kind === 'number' && Number.isInteger(kind) && kind >= 0 && kind <= 0x7fffffff;
    if (kind !== 'r' && kind !== 'w' && !inherits) {
      throw new InvalidArgValueError(
        `options.childFDs[${key}] must be 'r', 'w' or a descriptor of this process, received ${describe(kind)}`,
        'ERR_IOREACTOR_INVALID_CHILD_FD',
      );
    }
    return [childFD, kind as ChildFD];
  });
}

/** @internal */
export function spawnProcess(
  host: ProcessHost,
  protocol: ProcessProtocol,
  executable: string,
  args?: readonly string[],
  options?: SpawnProcessOptions,
): ProcessTransport {
  if (protocol === null || typeof protocol !== 'object' || typeof (protocol as Partial<ProcessProtocol>).makeConnection !== 'function') {
    throw new InvalidArgTypeError(`processProtocol must be a ProcessProtocol, received ${describe(protocol)}`);
  }
  assertCString(executable, 'executable');
  if (executable === '') throw new InvalidArgValueError('executable must not be empty');
  const argv = checkArgs(executable, args);
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidArgTypeError(`options must be an object, received ${describe(options)}`);
  }
  const envp = checkEnv(options?.env);
  const cwd = options?.path;
  if (cwd !== undefined) assertCString(cwd, 'options.path');
  const fds = checkChildFDs(options?.childFDs);

  const triples = new Int32Array(fds.length * 3);
  fds.forEach(([childFD, kind], i) => {
    triples[i * 3] = childFD;
    triples[i * 3 + 1] = kind === 'r' ? PARENT_READS : kind === 'w' ? PARENT_WRITES : INHERIT;
    triples[i * 3 + 2] = typeof kind === 'number' ? kind : -1;
  });
  const result = nativeProcess.spawnChild(executable, argv, envp, cwd ?? '', triples);
  if (typeof result === 'number') throw new ReactorSystemError(result, 'posix_spawn', executable);
  const [pid, watcherFd, parentFds] = result;
  const pipes: ParentPipe[] = [];
  fds.forEach(([childFD, kind], i) => {
    if (typeof kind !== 'number') pipes.push({ childFD, fd: parentFds[i], parentReads: kind === 'r' });
  });
  const process = new ProcessTransport(host, protocol, pid, watcherFd, pipes);
  host.track(process);
  try {
    process.start();
  } catch (err) {
    // The poller refused a descriptor (ENOMEM, ENOSPC...): a child nobody could hear from.
    host.forget(process);
    process.abandon();
    throw err;
  }
  return process;
}
