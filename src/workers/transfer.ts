// How a worker job hands back transferable objects (ArrayBuffers, MessagePorts...) instead of
// having them copied: it returns `transfer(value, list)`. The mark is a registry symbol, so a
// worker module may import `transfer` from any copy of ioreactor.
import type { TransferListItem } from 'node:worker_threads';

/** @internal The registry key the worker's loop looks for on a job's result. */
export const TRANSFER_MARK = 'ioreactor.workers.transfer';

/** A job result whose `transferList` moves to the caller's thread instead of being copied. */
export interface TransferredResult<T> {
  readonly value: T;
  readonly transferList: readonly TransferListItem[];
}

/**
 * For worker modules: return `transfer(value, [value.buffer])` from a job and the caller's
 * Deferred fires with `value`, its listed ArrayBuffers (or ports) moved rather than copied.
 * Without it, a job's result is structured-cloned.
 *
 * @example
 * ```js
 * import { transfer } from 'ioreactor';
 * export function fill(size) {
 *   const bytes = new Uint8Array(size).fill(7);
 *   return transfer(bytes, [bytes.buffer]);
 * }
 * ```
 */
export function transfer<T>(value: T, transferList: readonly TransferListItem[]): TransferredResult<T> {
  const result = { value, transferList };
  Object.defineProperty(result, Symbol.for(TRANSFER_MARK), { value: true, enumerable: false });
  return result;
}
