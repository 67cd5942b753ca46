/**
 * DeferredList: one Deferred for the outcomes of several (Twisted's `defer.DeferredList`).
 */
import { FirstError } from './errors';
import { InvalidArgTypeError } from '../errors';
import { describe } from '../util/validate';
import { Deferred } from './deferred';
import { Failure } from './failure';
import { getDeferredLogger } from './unhandled';

/** One entry of a DeferredList's result: `[true, value]` or `[false, failure]`. */
export type DeferredListEntry<T> = [success: true, result: T] | [success: false, failure: Failure];

/** What the Deferreds given to a DeferredList may be: Deferreds, or promises (followed with `Deferred.fromPromise`). */
export type DeferredLike<T> = Deferred<T> | PromiseLike<T>;

/** Options of {@link DeferredList}; all default to false. */
export interface DeferredListOptions {
  /**
   * Fire as soon as one Deferred succeeds, with `[result, index]`. (If none succeeds, the list
   * still fires with every entry once all have failed, unless `fireOnOneErrback` is set.)
   */
  fireOnOneCallback?: boolean;
  /** Fail as soon as one Deferred fails, with a {@link FirstError} naming its index. */
  fireOnOneErrback?: boolean;
  /**
   * After its failure has been recorded, each failing Deferred continues with `undefined`, so
   * its Failure is not reported as unhandled. Does not stop `fireOnOneErrback` from working.
   */
  consumeErrors?: boolean;
}

/** The constructor of {@link DeferredList}, typed by its options. */
export interface DeferredListConstructor {
  new <T>(
    deferreds: Iterable<DeferredLike<T>>,
    options: DeferredListOptions & { fireOnOneCallback: true },
  ): DeferredList<[result: T, index: number] | DeferredListEntry<T>[]>;
  new <T>(deferreds: Iterable<DeferredLike<T>>, options?: DeferredListOptions & { fireOnOneCallback?: false }): DeferredList<DeferredListEntry<T>[]>;
  readonly prototype: DeferredList<unknown>;
}

class DeferredListImpl<R> extends Deferred<R> {
  /** Whether the list fires on the first success. */
  readonly fireOnOneCallback: boolean;
  /** Whether the list fails on the first failure. */
  readonly fireOnOneErrback: boolean;
  /** Whether failures are replaced by `undefined` in the individual Deferreds. */
  readonly consumeErrors: boolean;
  /** How many of the Deferreds have fired. */
  finishedCount = 0;
  /** The entries so far; `undefined` where a Deferred has not fired yet. */
  readonly resultList: (DeferredListEntry<unknown> | undefined)[];
  /** @internal */
  readonly _deferredList: Deferred<unknown>[];

  constructor(deferreds: Iterable<DeferredLike<unknown>>, options: DeferredListOptions = {}) {
    super();
    if (deferreds === null || deferreds === undefined || typeof (deferreds as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new InvalidArgTypeError(`DeferredList needs an iterable of Deferreds, received ${describe(deferreds)}`);
    }
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgTypeError(`options must be an object, received ${describe(options)}`);
    }
    const list = toDeferreds(deferreds, 'DeferredList');
    this._deferredList = list;
    this.resultList = new Array(list.length).fill(undefined);
    // The flags are set before any callback is attached: already-fired Deferreds call back at once.
    this.fireOnOneCallback = flag(options.fireOnOneCallback, 'fireOnOneCallback');
    this.fireOnOneErrback = flag(options.fireOnOneErrback, 'fireOnOneErrback');
    this.consumeErrors = flag(options.consumeErrors, 'consumeErrors');
    if (list.length === 0 && !this.fireOnOneCallback) this.callback([] as R);
    for (let index = 0; index < list.length; index++) {
      list[index]._push(cbDeferred, [this, index, true], cbDeferred, [this, index, false]);
    }
  }

  /**
   * Before the list has fired, cancels every Deferred in it (an exception from one canceller is
   * logged and does not stop the others). After it has fired, does nothing.
   */
  override cancel(): void {
    if (this._called) return;
    for (const d of this._deferredList) {
      try {
        d.cancel();
      } catch (e) {
        getDeferredLogger().error('Exception raised from user supplied canceller', e);
      }
    }
  }
}

function cbDeferred(result: unknown, list: DeferredListImpl<unknown>, index: number, succeeded: boolean): unknown {
  list.resultList[index] = [succeeded, result] as DeferredListEntry<unknown>;
  list.finishedCount++;
  if (!list._called) {
    if (succeeded && list.fireOnOneCallback) {
      list.callback([result, index]);
    } else if (!succeeded && list.fireOnOneErrback) {
      list.errback(new Failure(new FirstError(result as Failure, index)));
    } else if (list.finishedCount === list.resultList.length) {
      list.callback(list.resultList);
    }
  }
  if (!succeeded && list.consumeErrors) return undefined;
  return result;
}

function flag(value: unknown, what: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InvalidArgTypeError(`options.${what} must be a boolean, received ${describe(value)}`);
  return value;
}

/** @internal Copies an iterable of Deferreds or promises into an array of Deferreds. */
export function toDeferreds(items: Iterable<DeferredLike<unknown>>, what: string): Deferred<unknown>[] {
  const out: Deferred<unknown>[] = [];
  for (const item of items) {
    if (item instanceof Deferred) out.push(item);
    else if (item !== null && (typeof item === 'object' || typeof item === 'function') && typeof (item as PromiseLike<unknown>).then === 'function') {
      out.push(Deferred.fromPromise(item));
    } else {
      throw new InvalidArgTypeError(`${what} needs Deferreds or promises, received ${describe(item)}`);
    }
  }
  return out;
}

/**
 * Collects the outcomes of several Deferreds (Twisted's `DeferredList`). By default it fires,
 * once all have fired, with a list of `[success, result]` entries in input order (a Failure
 * as the result of a failed one). See {@link DeferredListOptions} for the early-firing modes.
 *
 * Callbacks added to the individual Deferreds before the list is built change what the list
 * sees; those added after see what the list passed on (`undefined` for failures under
 * `consumeErrors`). Cancelling the list cancels every Deferred in it.
 */
export type DeferredList<R> = DeferredListImpl<R>;
export const DeferredList = DeferredListImpl as unknown as DeferredListConstructor;
// So that toString() and stack traces say DeferredList.
Object.defineProperty(DeferredListImpl, 'name', { value: 'DeferredList' });
