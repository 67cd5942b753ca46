import { inspect } from 'node:util';
import { AlreadyCalledError, CancelledError } from './errors';
import { InvalidArgTypeError, InvalidArgValueError } from '../errors';
import { assertFunction, describe } from '../util/validate';
import type { IReactorTime } from '../interfaces/time';
import { captureStack, DebugInfo, debugState } from './debug';
import { Failure } from './failure';
import { CONTINUE, LinkNode, Rare, restOf, type LinkFn } from './links';
import { cancelWhenAborted, rejectLink, resolveLink, subscribe, type ThenFn } from './promise-bridge';
import { addTimeout } from './timeout';
import { unwatchFailure, watchFailure } from './unhandled';

/**
 * The value a callback's return value `R` stands for in the chain: Deferreds and promises are
 * waited for, and a returned Failure moves the chain to the errback path (so it adds no value).
 */
export type Settled<R> = Exclude<Awaited<R>, Failure>;

let nextId = 0;

/**
 * A result that is not available yet: Twisted's `twisted.internet.defer.Deferred`, with the
 * same semantics.
 *
 * - Callbacks run in order, each receiving the previous one's result. A callback that throws
 *   (or returns a {@link Failure}) switches the chain to the errback path; an errback that
 *   returns anything but a Failure switches it back.
 * - A callback added to a Deferred that has already fired runs at once, synchronously.
 * - A callback that returns another Deferred (or a promise) pauses this chain until that one
 *   fires; its result then continues down this chain (and the other Deferred is left with
 *   `undefined`). This runs in a loop, not by recursion, so chains of any length and nesting of
 *   any depth never grow the JavaScript stack.
 * - `callback`/`errback` may be called once; a second call throws {@link AlreadyCalledError}.
 *
 * Types: every `add*` method returns this same Deferred, typed with the result its chain will
 * have after the new link. Keep using the returned reference (`d = d.addCallback(...)`, or
 * chain the calls); the variable you started with keeps its original, now stale, type.
 *
 * Awaiting: a Deferred is a Promises/A+ thenable. `then` observes the current result without
 * consuming it: callbacks added after `then` see the same value. (Twisted's `asFuture` and
 * coroutine `await` consume it instead; a JavaScript thenable may be awaited any number of
 * times, and each `then` must see the same value.) A Failure delivered to a `then` counts as
 * handled: it is not reported as an unhandled error in Deferred, just as Twisted's
 * `Deferred.__await__` clears the pending report while leaving the result in place.
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  /** @internal */ _result: unknown = undefined;
  /** @internal */ _called = false;
  /** @internal */ private _paused = 0;
  /** @internal True while this Deferred's loop is running its callbacks. */
  private _running = false;
  /** @internal First link not run yet (a linked list; see links.ts). */
  _first: LinkNode | null = null;
  /** @internal Last link, where `add*` appends. */
  _last: LinkNode | null = null;
  /** @internal Typed loosely so that Deferred<T> stays covariant in T. */
  _canceller: ((d: any) => void) | undefined;
  /** @internal The Deferred this one waits on (returned by one of its callbacks). */
  _chainedTo: Deferred<unknown> | null = null;
  /** @internal */ private _rare: Rare | null = null;

  /**
   * @param canceller - called with this Deferred by `cancel()` while it has not fired, to stop
   *   the pending operation. If it does not fire the Deferred itself, `cancel()` errbacks it
   *   with a {@link CancelledError}.
   * @throws InvalidArgTypeError if `canceller` is given and is not a function.
   */
  constructor(canceller?: (d: Deferred<T>) => void) {
    if (canceller != null && typeof canceller !== 'function') {
      throw new InvalidArgTypeError(`canceller must be a function, received ${describe(canceller)}`);
    }
    this._canceller = canceller ?? undefined;
    if (debugState.on) {
      const info = (this._rareState().debugInfo = new DebugInfo());
      info.creator = captureStack(1);
    }
  }

  /** True once `callback` or `errback` has been called. */
  get called(): boolean {
    return this._called;
  }

  /** How many `pause()` calls (including internal ones while waiting on a Deferred) are unmatched. */
  get paused(): number {
    return this._paused;
  }

  /**
   * The current result at the end of the chain run so far: undefined before firing, a
   * {@link Failure} on the errback path, the awaited Deferred while waiting on one.
   */
  get result(): unknown {
    return this._result;
  }

  /**
   * Adds a callback and an errback at the same position of the chain. `options.callbackArgs`
   * and `options.errbackArgs` are passed after the result. Without an errback, failures pass
   * through.
   */
  addCallbacks<R1, R2 = Failure>(
    callback: (result: T, ...args: any[]) => R1,
    errback?: ((failure: Failure, ...args: any[]) => R2) | null,
    options?: { callbackArgs?: readonly unknown[]; errbackArgs?: readonly unknown[] },
  ): Deferred<Settled<R1> | Settled<R2>> {
    assertFunction(callback, 'callback');
    if (errback != null) assertFunction(errback, 'errback');
    let cbArgs: unknown[] | undefined;
    let ebArgs: unknown[] | undefined;
    if (options !== undefined) {
      if (options === null || typeof options !== 'object') {
        throw new InvalidArgTypeError(`options must be an object, received ${describe(options)}`);
      }
      cbArgs = argsArray(options.callbackArgs, 'options.callbackArgs');
      ebArgs = argsArray(options.errbackArgs, 'options.errbackArgs');
    }
    return this._push(callback, cbArgs, errback ?? null, errback == null ? undefined : ebArgs);
  }

  /**
   * Adds a callback; `args` are passed to it after the result. Failures pass it by.
   * The callback may return a value, a Deferred or a promise (waited for), or a Failure / throw
   * (the chain continues on the errback path).
   */
  addCallback<R, A extends unknown[] = []>(callback: (result: T, ...args: A) => R, ...args: A): Deferred<Settled<R>>;
  addCallback(callback: (result: any) => unknown): Deferred<unknown> {
    if (typeof callback !== 'function') assertFunction(callback, 'callback');
    // `arguments` rather than a rest parameter: no array is allocated in the usual no-args case.
    return this._push(callback, arguments.length > 1 ? restOf(arguments) : undefined, null, undefined);
  }

  /**
   * Adds an errback; `args` are passed to it after the Failure. Successful results pass it by.
   * Returning anything but a Failure (or throwing) puts the chain back on the callback path.
   */
  addErrback<R, A extends unknown[] = []>(errback: (failure: Failure, ...args: A) => R, ...args: A): Deferred<T | Settled<R>>;
  addErrback(errback: (failure: any) => unknown): Deferred<unknown> {
    if (typeof errback !== 'function') assertFunction(errback, 'errback');
    return this._push(null, undefined, errback, arguments.length > 1 ? restOf(arguments) : undefined);
  }

  /** Adds one function as both callback and errback (like `finally`, but it sees the result). */
  addBoth<R, A extends unknown[] = []>(callback: (result: T | Failure, ...args: A) => R, ...args: A): Deferred<Settled<R>>;
  addBoth(callback: (result: any) => unknown): Deferred<unknown> {
    if (typeof callback !== 'function') assertFunction(callback, 'callback');
    const args = arguments.length > 1 ? restOf(arguments) : undefined;
    return this._push(callback, args, callback, args);
  }

  /** @internal Appends one link and runs the chain if the Deferred has fired. */
  _push(cb: LinkFn | null, cbArgs: unknown[] | undefined, eb: LinkFn | null, ebArgs: unknown[] | undefined): Deferred<any> {
    this._store(new LinkNode(cb, cbArgs, eb, ebArgs));
    if (this._called) this._runCallbacks();
    return this;
  }

  /** @internal Links `link` at the end of the chain, without running anything. */
  private _store(link: LinkNode): void {
    const last = this._last;
    if (last === null) this._first = link;
    else last.next = link;
    this._last = link;
  }

  /**
   * Cancels this Deferred after `seconds` on `clock` unless it fires first (the timer is then
   * cancelled). The timeout covers the callbacks added before this call, not those added after.
   * On timeout the chain sees, instead of the `CancelledError`, what `onTimeoutCancel(result,
   * seconds)` returns; by default a {@link TimeoutError} failure.
   *
   * @throws InvalidArgTypeError / InvalidArgValueError for a bad timeout, clock or function.
   */
  addTimeout<U = never>(seconds: number, clock: IReactorTime, onTimeoutCancel?: (result: T | Failure, seconds: number) => U): Deferred<T | Settled<U>> {
    return addTimeout(this, seconds, clock, onTimeoutCancel as (r: unknown, s: number) => unknown) as Deferred<T | Settled<U>>;
  }

  /**
   * Makes `d` fire with this Deferred's result: shorthand for
   * `this.addCallbacks(r => d.callback(r), f => d.errback(f))`. This chain's result becomes
   * `undefined` afterwards. Unlike returning `d` from a callback, this nests a call per level.
   */
  chainDeferred(d: Deferred<T>): Deferred<undefined> {
    if (!(d instanceof Deferred)) throw new InvalidArgTypeError(`chainDeferred() needs a Deferred, received ${describe(d)}`);
    d._chainedTo = this as Deferred<unknown>;
    return this._push(chainCallback, [d], chainErrback, [d]);
  }

  /**
   * Fires the chain with `result`. Passing a Failure starts on the errback path; passing a
   * Deferred or a promise fires with its outcome once known (as resolving a promise does).
   * @throws AlreadyCalledError if the Deferred has fired already.
   */
  callback(result: T | Failure | PromiseLike<T>): void {
    this._startRunCallbacks(result);
  }

  /**
   * Fires the chain on the errback path. Anything but a Failure is wrapped in one.
   * @throws AlreadyCalledError if the Deferred has fired already.
   */
  errback(fail?: Failure | unknown): void {
    this._startRunCallbacks(fail instanceof Failure ? fail : new Failure(fail));
  }

  /** Stops processing callbacks until a matching `unpause()`. */
  pause(): void {
    this._paused++;
  }

  /** Undoes one `pause()`; at zero, runs the callbacks added meanwhile (if fired). */
  unpause(): void {
    this._paused--;
    if (this._paused !== 0) return;
    if (this._called) this._runCallbacks();
  }

  /**
   * Cancels this Deferred. Before it has fired: aborts the signal from {@link toSignal}, calls
   * the canceller, and if the Deferred still has not fired, errbacks it with a
   * {@link CancelledError}; without a canceller, the one `callback`/`errback` that the original
   * operation will eventually make is silently ignored. After it has fired, while it waits on
   * another Deferred: cancels that one. Otherwise does nothing.
   */
  cancel(): void {
    if (!this._called) {
      const rare = this._rare;
      if (rare !== null && rare.abort !== null) {
        const controller = rare.abort;
        rare.abort = null;
        controller.abort(new CancelledError());
      }
      if (!this._called) {
        const canceller = this._canceller;
        if (canceller !== undefined) canceller(this);
        else this._rareState().suppressAlreadyCalled = true;
      }
      if (!this._called) this.errback(new Failure(new CancelledError()));
    } else if (this._result instanceof Deferred) {
      this._result.cancel();
    }
  }

  /** @internal */
  _rareState(): Rare {
    return this._rare ?? (this._rare = new Rare());
  }

  /**
   * @internal Fires from an outside source (a thenable's outcome). If the Deferred has fired
   * meanwhile, the outcome is dropped; after a cancel without canceller this consumes the
   * `suppressAlreadyCalled` allowance, as a late callback would.
   */
  _settle(value: unknown, failed: boolean): void {
    if (this._called && (this._rare === null || !this._rare.suppressAlreadyCalled)) return;
    if (failed) this.errback(value);
    else this._startRunCallbacks(value);
  }

  /**
   * @internal Fires the chain with `result` (Twisted's `_startRunCallbacks`). Kept small, the
   * rare cases in methods of their own: V8 inlines it into `callback`, and a large body would
   * use up the inlining budget of the caller (measured: the chain then builds its links through
   * non-inlined constructor calls, up to twice as slow).
   */
  private _startRunCallbacks(result: unknown): void {
    if (this._called) {
      this._firedAgain();
      return;
    }
    if (debugState.on) this._recordInvoker();
    this._called = true;
    // The canceller is never called after firing; dropping it breaks reference cycles.
    this._canceller = undefined;
    if (this._rare !== null) this._rare.abort = null;
    this._result = result;
    if (result !== null && typeof result === 'object' && !(result instanceof Failure) && this._follow(result)) return;
    this._runCallbacks();
  }

  /**
   * @internal `callback`/`errback` on a fired Deferred: swallowed once after a cancel without
   * canceller, an AlreadyCalledError otherwise.
   */
  private _firedAgain(): void {
    const rare = this._rare;
    if (rare !== null && rare.suppressAlreadyCalled) {
      rare.suppressAlreadyCalled = false;
      return;
    }
    if (debugState.on) {
      const state = this._rareState();
      const info = state.debugInfo ?? (state.debugInfo = new DebugInfo());
      throw new AlreadyCalledError('the Deferred has already been fired\n' + info.format());
    }
    throw new AlreadyCalledError();
  }

  /** @internal Debug mode: records the stack that fires this Deferred first. */
  private _recordInvoker(): void {
    const rare = this._rareState();
    // Below: this method, _startRunCallbacks, callback/errback.
    (rare.debugInfo ?? (rare.debugInfo = new DebugInfo())).invoker = captureStack(3);
  }

  /**
   * @internal Fired with a Deferred or a thenable: fires with its outcome, waiting for it
   * exactly as if a callback had returned it. True while waiting.
   */
  private _follow(result: object): boolean {
    let inner: unknown = result;
    if (!(result instanceof Deferred)) {
      inner = undefined;
      try {
        const then = (result as { then?: unknown }).then;
        if (typeof then === 'function') inner = adoptThenable(result, then as ThenFn);
      } catch (e) {
        this._result = new Failure(e);
      }
    }
    if (inner instanceof Deferred) {
      if (inner === this) this._result = new Failure(selfWaitError());
      else return this._waitOn(inner);
    }
    return false;
  }

  /**
   * @internal Makes this Deferred continue with `inner`'s result: if `inner` has one now, takes
   * it (`inner` is left with `undefined`, as in Twisted) and returns false; otherwise pauses
   * this Deferred until `inner` fires and returns true.
   */
  private _waitOn(inner: Deferred<unknown>): boolean {
    if (!inner._called || inner._paused !== 0 || inner._result instanceof Deferred) {
      this._result = inner;
      this._paused++;
      this._chainedTo = inner;
      // Stored directly, without running anything: `inner` has no result to give yet.
      inner._store(new LinkNode(CONTINUE, [this], CONTINUE, undefined));
      return true;
    }
    this._result = inner._result;
    inner._result = undefined;
    const rare = inner._rare;
    if (rare !== null && rare.watched !== null) {
      rare.watched = null;
      unwatchFailure(inner);
    }
    return false;
  }

  /**
   * @internal Runs the chain (Twisted's `_runCallbacks`) of this Deferred, and of every
   * Deferred that receives a result along the way.
   *
   * A callback that returns a Deferred without a result pauses its Deferred, which then waits
   * for that one: a {@link CONTINUE} link appended to it hands the result back when it comes.
   * The Deferreds along such a chain are processed here in one loop with an explicit stack,
   * never by recursion, so chains of any length and nesting of any depth never grow the
   * JavaScript stack.
   */
  private _runCallbacks(): void {
    if (this._running) return; // Re-entrant additions run when the running callback returns.
    let current: Deferred<unknown> = this;
    let stack: Deferred<unknown>[] | null = null;
    for (;;) {
      if (current._paused !== 0) return; // Everyone up the stack waits for it.
      let next: Deferred<unknown> | null = null;
      if (current._chainedTo !== null) current._chainedTo = null;
      if (current._first !== null) {
        current._running = true;
        // The result lives in locals during the loop and is stored back after every call, so
        // that a callback looking at this Deferred sees its input, as in Twisted.
        let result = current._result;
        let failed = result instanceof Failure;
        // Walk the list from a local; a callback appending re-entrantly links behind `_last`,
        // which the walk reaches through `next`. `_first` is updated only when the walk stops.
        let link: LinkNode | null = current._first;
        let stopped = false;
        for (; link !== null; link = link.next) {
          const fn = failed ? link.eb : link.cb;
          if (fn === null) continue;
          if (fn === CONTINUE) {
            // Hand our result to the Deferred waiting on us, forget it, and process that one
            // next; we resume after it.
            const target = (link.cbArgs as Deferred<unknown>[])[0];
            target._result = result;
            current._result = undefined;
            const rare = current._rare;
            if (rare !== null && rare.watched !== null) {
              rare.watched = null;
              unwatchFailure(current);
            }
            target._paused--;
            (stack ??= []).push(current);
            next = target;
            stopped = true;
            break;
          }
          try {
            const args = failed ? link.ebArgs : link.cbArgs;
            result = args === undefined ? fn(result) : fn(result, ...args);
          } catch (e) {
            current._result = result = e instanceof Failure ? e : new Failure(e);
            failed = true;
            continue;
          }
          current._result = result;
          failed = false;
          if (typeof result !== 'object' || result === null) continue; // The common case.
          if (result instanceof Failure) {
            failed = true;
            continue;
          }
          let inner: Deferred<unknown>;
          if (result instanceof Deferred) {
            inner = result;
          } else {
            // A promise or other thenable is waited for through a Deferred; `then` is read
            // once, as Promises/A+ asks, and may throw like a callback.
            try {
              const then = (result as { then?: unknown }).then;
              if (typeof then !== 'function') continue;
              inner = adoptThenable(result, then as ThenFn);
            } catch (e) {
              current._result = result = e instanceof Failure ? e : new Failure(e);
              failed = true;
              continue;
            }
            current._result = inner;
          }
          if (inner === current) {
            current._result = result = new Failure(selfWaitError());
            failed = true;
          } else if (current._waitOn(inner)) {
            stopped = true;
            break; // Not ready: wait for it.
          } else {
            result = current._result; // Taken from the fired Deferred.
            failed = result instanceof Failure;
          }
        }
        current._running = false;
        if (stopped) {
          // `link` has run; the rest waits. Links already run are let go.
          const rest = (link as LinkNode).next;
          current._first = rest;
          if (rest === null) current._last = null;
        } else {
          current._first = null;
          current._last = null;
        }
        if (next !== null) {
          current = next;
          continue;
        }
      }
      // Watch a Failure left at the end of the chain for the unhandled-error report, unless a
      // `then` took it; stop watching once the chain no longer ends in one.
      const r = current._result;
      const rare = current._rare;
      if (r instanceof Failure && (rare === null || r !== rare.handled)) {
        const state = rare ?? current._rareState();
        if (r !== state.watched) {
          state.watched = r;
          watchFailure(current, r, state.debugInfo);
        }
      } else if (rare !== null && rare.watched !== null) {
        rare.watched = null;
        unwatchFailure(current);
      }
      if (stack === null || stack.length === 0) return;
      current = stack.pop() as Deferred<unknown>;
    }
  }

  /**
   * Promises/A+ `then`. Returns a native Promise settled with this Deferred's result at the
   * point of the chain where `then` was called (rejected with the Failure's `value` on the
   * errback path). Does not change the chain's result: later callbacks see the same value. A
   * Failure delivered here counts as handled for unhandled-error reporting.
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const p = this.asPromise();
    return (onFulfilled == null && onRejected == null ? p : p.then(onFulfilled, onRejected)) as Promise<R1 | R2>;
  }

  /** `then(undefined, onRejected)`. */
  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onRejected);
  }

  /** Like `Promise.prototype.finally`, on the promise from {@link asPromise}. */
  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.asPromise().finally(onFinally);
  }

  /**
   * A native Promise for the result at this point of the chain (see {@link then}). A promise
   * cannot be cancelled; to cancel the Deferred from promise-land, use an AbortSignal
   * ({@link cancelWhenAborted}).
   */
  asPromise(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this._push(resolveLink, [resolve], rejectLink, [reject, this]);
    });
  }

  /**
   * Cancels this Deferred when `signal` aborts (at once if it already has). The listener is
   * removed when the chain reaches this point.
   * @throws InvalidArgTypeError if `signal` is not an AbortSignal.
   */
  cancelWhenAborted(signal: AbortSignal): this {
    cancelWhenAborted(this as Deferred<unknown>, signal);
    return this;
  }

  /**
   * An AbortSignal that aborts (with a {@link CancelledError} reason) when this Deferred is
   * cancelled before it fires, before the canceller runs. Once the Deferred has fired, the
   * signal never aborts.
   */
  toSignal(): AbortSignal {
    if (this._called) return new AbortController().signal;
    const rare = this._rareState();
    return (rare.abort ?? (rare.abort = new AbortController())).signal;
  }

  /**
   * A Deferred that fires with the outcome of `promise`. Without a `canceller`, cancelling it
   * errbacks at once with a CancelledError and the promise's later outcome is ignored.
   * @throws InvalidArgTypeError if `promise` is not a thenable.
   */
  static fromPromise<T>(promise: PromiseLike<T>, canceller?: (d: Deferred<T>) => void): Deferred<T> {
    const then = promise !== null && (typeof promise === 'object' || typeof promise === 'function') ? promise.then : undefined;
    if (typeof then !== 'function') {
      throw new InvalidArgTypeError(`fromPromise() needs a promise or thenable, received ${describe(promise)}`);
    }
    const d = new Deferred<T>(canceller);
    subscribe(d, promise, then as ThenFn);
    return d;
  }

  /** A new Deferred (with optional `canceller`) that is cancelled when `signal` aborts. */
  static fromSignal<T>(signal: AbortSignal, canceller?: (d: Deferred<T>) => void): Deferred<T> {
    return new Deferred<T>(canceller).cancelWhenAborted(signal);
  }

  /** `<Deferred at 0x1f current result: 42>`, as Twisted's (a counter instead of an address). */
  toString(): string {
    let desc = '';
    if (this._chainedTo !== null) desc = ` waiting on Deferred at 0x${this._chainedTo._ident().toString(16)}`;
    else if (this._called) desc = ` current result: ${describeResult(this._result)}`;
    return `<${this.constructor.name} at 0x${this._ident().toString(16)}${desc}>`;
  }

  /** @internal */
  private _ident(): number {
    const rare = this._rareState();
    return rare.id !== 0 ? rare.id : (rare.id = ++nextId);
  }

  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }
}

function describeResult(result: unknown): string {
  if (result instanceof Failure || result instanceof Deferred) return result.toString();
  return inspect(result, { depth: 1, breakLength: Infinity });
}

function argsArray(value: unknown, what: string): unknown[] | undefined {
  if (value == null) return undefined;
  if (!Array.isArray(value)) throw new InvalidArgTypeError(`${what} must be an array, received ${describe(value)}`);
  return value.length === 0 ? undefined : value.slice();
}

function chainCallback(result: unknown, d: Deferred<unknown>): undefined {
  d.callback(result);
  return undefined;
}

function chainErrback(failure: Failure, d: Deferred<unknown>): undefined {
  d.errback(failure);
  return undefined;
}

function selfWaitError(): InvalidArgValueError {
  return new InvalidArgValueError('a Deferred cannot wait on itself', 'ERR_IOREACTOR_DEFERRED_WAITS_ON_ITSELF');
}

/** A Deferred following a thenable (returned by a callback, or fired with). */
function adoptThenable(value: object, then: ThenFn): Deferred<unknown> {
  const d = new Deferred<unknown>();
  subscribe(d, value, then);
  return d;
}
