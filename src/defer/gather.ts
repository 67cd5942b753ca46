import { InvalidArgTypeError } from '../errors';
import { describe } from '../util/validate';
import type { Deferred } from './deferred';
import { DeferredList, type DeferredLike, type DeferredListEntry } from './deferred-list';

/** Options of {@link gatherResults}. */
export interface GatherOptions {
  /** Replace each failure by `undefined` in its own Deferred once recorded (see DeferredList). */
  consumeErrors?: boolean;
}

/**
 * A Deferred for the list of the results of `deferreds`, in input order (Twisted's
 * `gatherResults`). It fails with a {@link FirstError} (carrying the index and the Failure) as
 * soon as one fails. Cancelling it cancels them all.
 */
export function gatherResults<const D extends readonly DeferredLike<unknown>[]>(
  deferreds: D,
  options?: GatherOptions,
): Deferred<{ -readonly [K in keyof D]: Awaited<D[K]> }>;
export function gatherResults<T>(deferreds: Iterable<DeferredLike<T>>, options?: GatherOptions): Deferred<T[]>;
export function gatherResults(deferreds: Iterable<DeferredLike<unknown>>, options: GatherOptions = {}): Deferred<unknown[]> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgTypeError(`options must be an object, received ${describe(options)}`);
  }
  return new DeferredList(deferreds, { fireOnOneErrback: true, consumeErrors: options.consumeErrors }).addCallback(parseResults);
}

function parseResults(entries: DeferredListEntry<unknown>[]): unknown[] {
  const out = new Array<unknown>(entries.length);
  for (let i = 0; i < entries.length; i++) out[i] = entries[i][1];
  return out;
}
