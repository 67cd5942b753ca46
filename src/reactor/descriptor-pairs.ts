import { ReactorSystemError } from '../errors/system-error';
import { binding } from './native';

type PairResult = [number, number] | number;
const nativePairs = binding as unknown as { openPipe(): PairResult; openSocketPair(): PairResult };

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
