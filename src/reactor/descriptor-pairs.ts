import { ReactorSystemError } from '../errors';
import { assertDescriptorNumber } from '../util/validate';
import { binding } from '../binding';

type PairResult = [number, number] | number;
const nativePairs = binding as unknown as { openPipe(): PairResult; openSocketPair(): PairResult; closeDescriptor(fd: number): number };

function pairOrThrow(result: PairResult, syscall: string): [number, number] {
  if (typeof result === 'number') throw new ReactorSystemError(result, syscall);
  return result;
}

/**
 * Opens a pipe: `[readEnd, writeEnd]`, both non-blocking and close-on-exec. For the raw
 * descriptor API (a self-pipe to wake a reactor, say). Close both ends with `fs.closeSync`.
 */
export function openPipe(): [number, number] {
  return pairOrThrow(nativePairs.openPipe(), 'pipe');
}

/** Opens a connected pair of UNIX stream sockets, both non-blocking and close-on-exec. */
export function openSocketPair(): [number, number] {
  return pairOrThrow(nativePairs.openSocketPair(), 'socketpair');
}

/**
 * Closes a descriptor opened by {@link openPipe} or {@link openSocketPair}. Same as
 * `fs.closeSync`, except that inside a worker thread it does not warn about descriptors the
 * thread's fs module did not open. Remove the descriptor from every reactor first.
 *
 * @throws InvalidArgValueError for a negative or non-integer fd; ReactorSystemError (EBADF...)
 */
export function closeDescriptor(fd: number): void {
  assertDescriptorNumber(fd);
  const rc = nativePairs.closeDescriptor(fd);
  if (rc < 0) throw new ReactorSystemError(rc, 'close', `descriptor ${fd}`);
}
