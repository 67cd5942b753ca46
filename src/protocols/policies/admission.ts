import { InvalidArgTypeError, InvalidArgValueError } from '../../errors';
import { Deferred, type Settled } from '../../defer/deferred';
import { fail, maybeDeferred } from '../../defer/simple';
import { LinkedQueue, type QueueEntry } from '../../util/linked-queue';
import { assertFunction, describe } from '../../util/validate';
import { AdmissionRefusedError } from './errors';

/** Options of {@link KeyedAdmission}; all three are required, `Infinity` meaning "no bound". */
export interface KeyedAdmissionOptions {
  /** Requests in flight at once over all keys: an integer >= 1, or Infinity. */
  globalLimit: number;
  /** Requests in flight at once for one key: an integer >= 1, or Infinity. */
  perKeyLimit: number;
  /**
   * Requests allowed to wait for one key: an integer >= 0, or Infinity. A request that would be
   * one more is refused with {@link AdmissionRefusedError}; 0 admits only what can start at once.
   */
  maxWaitingPerKey: number;
}

/** What {@link KeyedAdmission.stats} reports: the counters a server would export. */
export interface AdmissionStats {
  /** Slots held now (granted and not released). */
  inFlight: number;
  /** Requests waiting now, over all keys. */
  waiting: number;
  /** Slots granted since construction. */
  admitted: number;
  /** Requests refused since construction (their key's wait queue was full). */
  refused: number;
  /** Waiting requests cancelled since construction (cancels after a grant are not counted). */
  cancelled: number;
  /** Keys with requests in flight or waiting now (the keys whose bookkeeping is kept). */
  keys: number;
}

/** What {@link KeyedAdmission.keyStats} reports for one key. */
export interface AdmissionKeyStats {
  /** Slots this key holds now. */
  inFlight: number;
  /** Requests of this key waiting now. */
  waiting: number;
}

/** @internal The bookkeeping of one key, kept only while it has requests in flight or waiting. */
export class KeyState<K> {
  inFlight = 0;
  /** Waiting requests in arrival order (a cancelled one leaves from wherever it stands). */
  readonly waiters = new LinkedQueue<Deferred<AdmissionTicket<K>>>();
  /** This key's place in the round-robin line, null while it is not in line. */
  place: QueueEntry<KeyState<K>> | null = null;

  constructor(readonly key: K) {}
}

/**
 * One granted slot of a {@link KeyedAdmission}. The holder must call `release()` when its work
 * is done; later calls do nothing, so a `finally` and an error path may both call it.
 */
export class AdmissionTicket<K = string> {
  #owner: KeyedAdmission<K> | null;
  readonly #state: KeyState<K>;

  /** @internal */
  constructor(owner: KeyedAdmission<K>, state: KeyState<K>) {
    this.#owner = owner;
    this.#state = state;
  }

  /** The key this slot was granted for. */
  get key(): K {
    return this.#state.key;
  }

  /** True once `release()` has been called. */
  get released(): boolean {
    return this.#owner === null;
  }

  /** Gives the slot back, granting it to the next waiter in turn. Idempotent. */
  release(): void {
    const owner = this.#owner;
    if (owner === null) return;
    this.#owner = null;
    owner._release(this.#state);
  }
}

/**
 * Keyed admission control: accepts every request but delays its processing while too many
 * requests for the same key (a user, a partition, a tenant) are in flight.
 *
 * - At most `globalLimit` slots are held at once, and at most `perKeyLimit` by one key.
 * - A request that cannot start waits in its key's queue, first come first served within the
 *   key; a key already holding `maxWaitingPerKey` waiters refuses more, with a failed Deferred
 *   ({@link AdmissionRefusedError}, `ERR_IOREACTOR_ADMISSION_REFUSED`) and nothing queued.
 * - Fairness across keys is round-robin: keys that have waiters and are under their per-key
 *   limit stand in one line; a freed slot goes to the key at its head, which then goes to the
 *   back of the line if it still has waiters and room. A key joins at the back when it becomes
 *   able to take a slot (its first waiter arrives, or one of its own slots is released while
 *   it has waiters). So while a key is in line, every other key is granted at most one slot
 *   before it: a hot key with a thousand waiters delays a quiet key by at most one grant.
 * - Cancelling a waiting Deferred withdraws the request: it is never granted, it holds no slot,
 *   and it fails with a CancelledError. Once granted, cancelling does not touch the slot (a
 *   fired Deferred ignores `cancel()`); the ticket's holder still releases it.
 * - Keys are compared as `Map` keys (SameValueZero): strings, numbers, objects by identity.
 *   `undefined` is refused with a coded error, because it is almost always a missing field
 *   (`request.tenant` not set) that would otherwise lump unrelated requests together. A key
 *   with nothing in flight and nothing waiting is forgotten at once, so many distinct keys do
 *   not grow memory; per-key counters therefore cover only the present (see `keyStats`).
 *
 * Grants happen synchronously, inside `admit` or inside the `release` that frees the slot, and
 * without recursion: a grant whose callbacks release at once (a synchronous `run`) lets the
 * grant loop already running serve the next waiter, so a long queue does not deepen the stack.
 *
 * Nothing here touches a reactor, so any protocol (or anything that is not a protocol) can use
 * one. Delaying each request of a line protocol by its tenant:
 *
 * ```ts
 * const admission = new KeyedAdmission({ globalLimit: 64, perKeyLimit: 4, maxWaitingPerKey: 100 });
 *
 * class TenantRequests extends LineReceiver {
 *   readonly pending = new Set<Deferred<unknown>>();
 *   override lineReceived(line: Buffer): void {
 *     const [tenant, query] = line.toString().split(' ', 2);
 *     const d = admission.run(tenant, handleQuery, query); // handleQuery may return a Deferred or a Promise
 *     this.pending.add(d);
 *     d.addCallbacks(
 *       (answer) => this.sendLine(Buffer.from(`OK ${answer}`)),
 *       (f: Failure) => {
 *         if (f.check(AdmissionRefusedError)) this.sendLine(Buffer.from('BUSY'));
 *         else if (!f.check(CancelledError)) this.sendLine(Buffer.from('ERROR'));
 *       },
 *     ).addBoth(() => this.pending.delete(d));
 *   }
 *   override connectionLost(): void {
 *     for (const d of this.pending) d.cancel(); // waiting requests leave their queue
 *   }
 * }
 * ```
 */
export class KeyedAdmission<K = string> {
  /** Most slots held at once over all keys. */
  readonly globalLimit: number;
  /** Most slots held at once by one key. */
  readonly perKeyLimit: number;
  /** Most requests waiting for one key. */
  readonly maxWaitingPerKey: number;

  readonly #keys = new Map<K, KeyState<K>>();
  /**
   * The round-robin line: exactly the keys that have waiters and are under `perKeyLimit`, in
   * the order they are to be served.
   */
  readonly #line = new LinkedQueue<KeyState<K>>();
  #inFlight = 0;
  #waiting = 0;
  #admitted = 0;
  #refused = 0;
  #cancelled = 0;
  #granting = false;

  /**
   * @throws InvalidArgTypeError if `options` is not an object or a limit is not a number.
   * @throws InvalidArgValueError if a limit is out of range (see {@link KeyedAdmissionOptions}).
   */
  constructor(options: KeyedAdmissionOptions) {
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgTypeError(`KeyedAdmission options must be an object, received ${describe(options)}`);
    }
    this.globalLimit = limit(options.globalLimit, 'options.globalLimit', 1);
    this.perKeyLimit = limit(options.perKeyLimit, 'options.perKeyLimit', 1);
    this.maxWaitingPerKey = limit(options.maxWaitingPerKey, 'options.maxWaitingPerKey', 0);
  }

  /**
   * Asks for a slot for `key`. The Deferred fires with an {@link AdmissionTicket} once the slot
   * is granted (at once when one is free and nobody is ahead), or fails with an
   * {@link AdmissionRefusedError} when `key` already has `maxWaitingPerKey` waiters. Cancelling
   * it while it waits withdraws the request.
   *
   * @throws InvalidArgValueError (`ERR_IOREACTOR_INVALID_ARG_VALUE`) if `key` is undefined.
   */
  admit(key: K): Deferred<AdmissionTicket<K>> {
    assertKey(key);
    const state = this.#keys.get(key) ?? new KeyState(key);
    // Someone in line means a free slot (if any) is theirs first: the grant loop is running.
    if (this.#line.size === 0 && this.#inFlight < this.globalLimit && state.inFlight < this.perKeyLimit) {
      this.#keys.set(key, state);
      const d = new Deferred<AdmissionTicket<K>>();
      d.callback(this.#grant(state));
      return d;
    }
    if (state.waiters.size >= this.maxWaitingPerKey) {
      this.#refused++;
      return fail(new AdmissionRefusedError(key, this.maxWaitingPerKey));
    }
    this.#keys.set(key, state);
    let place: QueueEntry<Deferred<AdmissionTicket<K>>> | undefined;
    const d = new Deferred<AdmissionTicket<K>>(() => this.#withdraw(state, place!));
    place = state.waiters.push(d);
    this.#waiting++;
    if (state.inFlight < this.perKeyLimit) this.#enterLine(state);
    this.#serve();
    return d;
  }

  /**
   * Admits `key`, calls `fn(...args)` once the slot is granted (its result may be a value, a
   * Deferred or a promise; a throw becomes a failure), and releases the slot when that result
   * settles. Returns a Deferred of fn's result; it fails with {@link AdmissionRefusedError}
   * (fn never called) when the key's wait queue is full. Cancelling it while waiting withdraws
   * the request. Cancelling it while fn runs cancels fn's Deferred, and the slot is released when
   * that fails; when fn returned a promise, the Deferred fails at once but the slot is kept until
   * the promise settles, since cancelling cannot stop a promise's work.
   *
   * @throws InvalidArgTypeError if `fn` is not a function.
   * @throws InvalidArgValueError if `key` is undefined.
   */
  run<R, A extends unknown[]>(key: K, fn: (...args: A) => R, ...args: A): Deferred<Settled<R>> {
    assertFunction(fn, 'fn');
    return this.admit(key).addCallback((ticket) => holdWhile(ticket, fn, args)) as Deferred<Settled<R>>;
  }

  /** The counters a server would export; a fresh object each call. */
  stats(): AdmissionStats {
    return {
      inFlight: this.#inFlight,
      waiting: this.#waiting,
      admitted: this.#admitted,
      refused: this.#refused,
      cancelled: this.#cancelled,
      keys: this.#keys.size,
    };
  }

  /** Slots held and requests waiting for `key` now (zeros for a key with neither). */
  keyStats(key: K): AdmissionKeyStats {
    const state = this.#keys.get(key);
    return { inFlight: state?.inFlight ?? 0, waiting: state?.waiters.size ?? 0 };
  }

  /** @internal Called once per ticket, by AdmissionTicket.release. */
  _release(state: KeyState<K>): void {
    state.inFlight--;
    this.#inFlight--;
    if (state.waiters.size > 0) {
      // Joins the back of the line if it was at its limit; a key already in line keeps its place.
      if (state.inFlight < this.perKeyLimit) this.#enterLine(state);
    } else if (state.inFlight === 0) {
      this.#keys.delete(state.key);
    }
    this.#serve();
  }

  #grant(state: KeyState<K>): AdmissionTicket<K> {
    state.inFlight++;
    this.#inFlight++;
    this.#admitted++;
    return new AdmissionTicket(this, state);
  }

  /**
   * Grants free slots to the keys in line, head first. Every count is updated before a waiter's
   * callbacks run, so they may admit, release or cancel; a call made meanwhile returns at once
   * and this loop, which re-reads the state each turn, serves what it would have.
   */
  #serve(): void {
    if (this.#granting) return;
    this.#granting = true;
    try {
      while (this.#inFlight < this.globalLimit) {
        const state = this.#line.peek();
        if (state === undefined) break;
        const waiter = state.waiters.shift() as Deferred<AdmissionTicket<K>>;
        this.#waiting--;
        const ticket = this.#grant(state);
        this.#leaveLine(state);
        if (state.waiters.size > 0 && state.inFlight < this.perKeyLimit) this.#enterLine(state);
        waiter.callback(ticket);
      }
    } finally {
      this.#granting = false;
    }
  }

  /** Puts `state` at the back of the line, unless it is in line already (it keeps its place). */
  #enterLine(state: KeyState<K>): void {
    if (state.place === null) state.place = this.#line.push(state);
  }

  #leaveLine(state: KeyState<K>): void {
    if (state.place === null) return;
    this.#line.remove(state.place);
    state.place = null;
  }

  /** The canceller of a waiting request's Deferred. */
  #withdraw(state: KeyState<K>, place: QueueEntry<Deferred<AdmissionTicket<K>>>): void {
    if (!state.waiters.remove(place)) return;
    this.#waiting--;
    this.#cancelled++;
    if (state.waiters.size === 0) {
      this.#leaveLine(state);
      if (state.inFlight === 0) this.#keys.delete(state.key);
    }
  }
}

/** Calls `fn(...args)` holding `ticket`, and releases it once fn's work is over. */
function holdWhile<R, A extends unknown[]>(ticket: AdmissionTicket<unknown>, fn: (...args: A) => R, args: A): Deferred<Settled<R>> {
  let result: R;
  try {
    result = fn(...args);
  } catch (e) {
    ticket.release();
    return fail(e);
  }
  if (!(result instanceof Deferred) && isThenable(result)) {
    // Released when the promise settles, not when the Deferred standing for it does: that one
    // fails at once if cancelled while the promise's work goes on.
    const promise = Promise.resolve(result);
    const release = (): void => ticket.release();
    promise.then(release, release);
    return Deferred.fromPromise(promise) as Deferred<Settled<R>>;
  }
  return maybeDeferred(() => result).addBoth(releaseAndPass, ticket);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

function releaseAndPass<T>(result: T, ticket: AdmissionTicket<unknown>): T {
  ticket.release();
  return result;
}

function assertKey(key: unknown): void {
  if (key === undefined) throw new InvalidArgValueError('KeyedAdmission key must not be undefined (a missing field?)');
}

function limit(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number') throw new InvalidArgTypeError(`${what} must be a number, received ${describe(value)}`);
  if (value !== Infinity && (!Number.isInteger(value) || value < min)) {
    throw new InvalidArgValueError(`${what} must be an integer >= ${min} or Infinity, received ${value}`);
  }
  return value;
}
