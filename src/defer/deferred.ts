import { inspect } from 'node:util';
import { AlreadyCalledError } from '../errors/already-called-error';
import { CancelledError } from '../errors/cancelled-error';
import { InvalidArgTypeError, InvalidArgValueError } from '../errors/invalid-argument';
import { TimeoutError } from '../errors/timeout-error';
import { assertFunction, assertNonNegativeNumber, describe } from '../errors/validate';
import type { IReactorTime } from '../interfaces/time';
import { captureStack, DebugInfo, debugState } from './debug';
import { Failure } from './failure';
import { rejectLink, removeAbortListener, resolveLink, subscribe, type ThenFn } from './promise-bridge';
import { unwatchFailure, watchFailure } from './unhandled';

/**
 * The value a callback's return value `R` stands for in the chain: Deferreds and promises are
 * waited for, and a returned Failure moves the chain to the errback path (so it adds no value).
 */
export type Settled<R> = Exclude<Awaited<R>, Failure>;

/** A callback, errback or marker stored in the chain; `null` passes the result through. */
type Link = ((result: any, ...args: any[]) => unknown) | null;

/** Marks a chain entry that hands the result to the waiting Deferred stored as its argument. */
function CONTINUE(): void {
  /* never called; compared by identity */
}

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
 *   fires; its result then continues down this chain. This runs in a loop, not by recursion,
 *   so chains of any length and nesting of any depth never grow the JavaScript stack.
 * - `callback`/`errback` may be called once; a second call throws {@link AlreadyCalledError}.
 *
 * Types: every `add*` method returns this same Deferred, typed with the result its chain will
 * have after the new link. Keep using the returned reference (`d = d.addCallback(...)`, or
 * chain the calls); the variable you started with keeps its original, now stale, type.
 *
 * Awaiting: a Deferred is a Promises/A+ thenable. `then` observes the current result without
 * consuming it: callbacks added after `then` see the same value. A Failure delivered to a
 * `then` counts as handled (it will not be reported as an unhandled error in Deferred), as
 * Twisted's `Deferred.__await__` clears the pending report while leaving the result in place.
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  /** @internal */ _result: unknown = undefined;
  /** @internal */ _called = false;
  /** @internal */ _paused = 0;
  /** @internal Flat array: [callback, callbackArgs, errback, errbackArgs] per link. */
  _chain: unknown[] | null = null;
  /** @internal Index of the next unprocessed link in `_chain`. */
  _head = 0;
  /** @internal Typed loosely so that Deferred<T> stays covariant in T. */
  _canceller: ((d: any) => void) | undefined;
  /** @internal The Deferred this one waits on (returned by one of its callbacks). */
  _chainedTo: Deferred<unknown> | null = null;
  /** @internal True while one of this Deferred's callbacks is running. */
  _running = false;
  /** @internal Cancelled without a canceller: swallow the one late callback/errback. */
  _suppressAlreadyCalled = false;
  /** @internal */ _debugInfo: DebugInfo | null = null;
  /** @internal The Failure currently watched for an unhandled-error report. */
  _watched: Failure | null = null;
  /** @internal The Failure delivered to a `then`, which therefore counts as handled. */
  _handled: Failure | null = null;
  /** @internal Signal controller created by `toSignal`, aborted on cancellation. */
  _abort: AbortController | null = null;
  /** @internal */ _id = 0;

  /**
   * @param canceller - called with this Deferred by `cancel()` while it has not fired, to stop
   *   the pending operation. If it does not fire the Deferred itself, `cancel()` errbacks it
   *   with a {@link CancelledError}.
   * @throws InvalidArgTypeError if `canceller` is given and is not a function.
   */
  constructor(canceller?: (d: Deferred<T>) => void) {
    if (canceller !== undefined && canceller !== null && typeof canceller !== 'function') {
      throw new InvalidArgTypeError(`canceller must be a function, received ${describe(canceller)}`);
    }
    this._canceller = canceller ?? undefined;
    if (debugState.on) {
      const info = (this._debugInfo = new DebugInfo());
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
   * {@link Failure} on the errback path, a Deferred while waiting on one.
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
  ): Deferred<Settled<R1> | Settled<R2>>;
  addCallbacks(callback: unknown, errback?: unknown, options?: { callbackArgs?: readonly unknown[]; errbackArgs?: readonly unknown[] }): Deferred<unknown> {
    assertFunction(callback, 'callback');
    if (errback !== undefined && errback !== null) assertFunction(errback, 'errback');
    let cbArgs: unknown[] | undefined;
    let ebArgs: unknown[] | undefined;
    if (options !== undefined) {
      if (options === null || typeof options !== 'object') {
        throw new InvalidArgTypeError(`options must be an object, received ${describe(options)}`);
      }
      cbArgs = argsArray(options.callbackArgs, 'options.callbackArgs');
      ebArgs = argsArray(options.errbackArgs, 'options.errbackArgs');
    }
    return this._add(callback as Link, cbArgs, (errback ?? null) as Link, ebArgs);
  }

  /**
   * Adds a callback; `args` are passed to it after the result. Failures pass it by.
   * The callback may return a value, a Deferred or a promise (waited for), or a Failure / throw
   * (the chain continues on the errback path).
   */
  addCallback<R, A extends unknown[] = []>(callback: (result: T, ...args: A) => R, ...args: A): Deferred<Settled<R>>;
  addCallback(callback: unknown): Deferred<unknown> {
    if (typeof callback !== 'function') assertFunction(callback, 'callback');
    // `arguments` instead of a rest parameter: no array is allocated for the usual no-args case.
    const n = arguments.length;
    return this._add(callback as Link, n > 1 ? restOf(arguments) : undefined, null, undefined);
  }

  /**
   * Adds an errback; `args` are passed to it after the Failure. Successful results pass it by.
   * Returning anything but a Failure (or throwing) puts the chain back on the callback path.
   */
  addErrback<R, A extends unknown[] = []>(errback: (failure: Failure, ...args: A) => R, ...args: A): Deferred<T | Settled<R>>;
  addErrback(errback: unknown): Deferred<unknown> {
    if (typeof errback !== 'function') assertFunction(errback, 'errback');
    const n = arguments.length;
    return this._add(null, undefined, errback as Link, n > 1 ? restOf(arguments) : undefined);
  }

  /** Adds one function as both callback and errback (like `finally`, but it sees the result). */
  addBoth<R, A extends unknown[] = []>(callback: (result: T | Failure, ...args: A) => R, ...args: A): Deferred<Settled<R>>;
  addBoth(callback: unknown): Deferred<unknown> {
    if (typeof callback !== 'function') assertFunction(callback, 'callback');
    const n = arguments.length;
    const args = n > 1 ? restOf(arguments) : undefined;
    return this._add(callback as Link, args, callback as Link, args);
  }

  /** @internal Appends one link and runs the chain if the Deferred has fired. */
  _add(cb: Link, cbArgs: unknown[] | undefined, eb: Link, ebArgs: unknown[] | undefined): Deferred<any> {
    const chain = this._chain;
    if (chain === null) this._chain = [cb, cbArgs, eb, ebArgs];
    else chain.push(cb, cbArgs, eb, ebArgs);
    if (this._called) this._runCallbacks();
    return this;
  }

  /**
   * Cancels this Deferred after `seconds` on `clock` unless it fires first (the timer is then
   * cancelled). The timeout covers the callbacks added before this call, not those added after.
   * On timeout the chain sees, instead of the `CancelledError`, what `onTimeoutCancel(result,
   * seconds)` returns; by default a {@link TimeoutError}.
   *
   * @throws InvalidArgTypeError / InvalidArgValueError for a bad timeout, clock or function.
   */
  addTimeout<U = never>(
    seconds: number,
    clock: IReactorTime,
    onTimeoutCancel?: (result: T | Failure, seconds: number) => U,
  ): Deferred<T | Settled<U>> {
    assertNonNegativeNumber(seconds, 'timeout');
    if (clock === null || typeof clock !== 'object' || typeof (clock as IReactorTime).callLater !== 'function') {
      throw new InvalidArgTypeError(`clock must provide callLater(), received ${describe(clock)}`);
    }
    if (onTimeoutCancel !== undefined && onTimeoutCancel !== null) assertFunction(onTimeoutCancel, 'onTimeoutCancel');
    const state = { timedOut: false };
    const call = clock.callLater(seconds, () => {
      state.timedOut = true;
      this.cancel();
    });
    const convert = (result: T | Failure): unknown => {
      if (!state.timedOut) return result;
      return (onTimeoutCancel ?? cancelledToTimedOut)(result, seconds);
    };
    return this.addBoth(convert).addBoth((result) => {
      if (call.active()) call.cancel();
      return result;
    }) as Deferred<T | Settled<U>>;
  }

  /**
   * Makes `d` fire with this Deferred's result: shorthand for
   * `this.addCallbacks(r => d.callback(r), f => d.errback(f))`. This chain's result becomes
   * `undefined` afterwards. Unlike returning `d` from a callback, this nests a call per level.
   */
  chainDeferred(d: Deferred<T>): Deferred<undefined> {
    if (!(d instanceof Deferred)) {
      throw new InvalidArgTypeError(`chainDeferred() needs a Deferred, received ${describe(d)}`);
    }
    d._chainedTo = this as Deferred<unknown>;
    return this._add(chainCallback, [d], chainErrback, [d]);
  }

  /**
   * Fires the chain with `result`. (Passing a Failure starts on the errback path.)
   * @throws AlreadyCalledError if the Deferred has fired already.
   */
  callback(result: T): void {
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
      const controller = this._abort;
      if (controller !== null) {
        this._abort = null;
        controller.abort(new CancelledError());
      }
      if (!this._called) {
        const canceller = this._canceller;
        if (canceller !== undefined) canceller(this);
        else this._suppressAlreadyCalled = true;
      }
      if (!this._called) this.errback(new Failure(new CancelledError()));
    } else if (this._result instanceof Deferred) {
      this._result.cancel();
    }
  }

  /** @internal */
  _startRunCallbacks(result: unknown): void {
    if (this._called) {
      if (this._suppressAlreadyCalled) {
        this._suppressAlreadyCalled = false;
        return;
      }
      if (debugState.on) {
        const info = this._debugInfo ?? (this._debugInfo = new DebugInfo());
        throw new AlreadyCalledError('the Deferred has already been fired\n' + info.format());
      }
      throw new AlreadyCalledError();
    }
    if (debugState.on) {
      const info = this._debugInfo ?? (this._debugInfo = new DebugInfo());
      info.invoker = captureStack(2);
    }
    this._called = true;
    // The canceller is never called after firing; dropping it breaks reference cycles.
    this._canceller = undefined;
    this._abort = null;
    this._result = result;
    if (result !== null && typeof result === 'object' && !(result instanceof Failure)) {
      // Firing with a Deferred or a promise means firing with its outcome (as resolving a
      // promise with a thenable does): wait for it exactly as if a callback had returned it.
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
        else if (this._waitOn(inner)) return;
      }
    }
    this._runCallbacks();
  }

  /**
   * @internal Makes this Deferred continue with `inner`'s result: if `inner` has one now, takes
   * it (Twisted moves it; `inner` is left with `undefined`) and returns false; otherwise pauses
   * until `inner` fires and returns true.
   */
  _waitOn(inner: Deferred<unknown>): boolean {
    if (!inner._called || inner._paused !== 0 || inner._result instanceof Deferred) {
      this._result = inner;
      this._paused++;
      this._chainedTo = inner;
      const innerChain = inner._chain;
      if (innerChain === null) inner._chain = [CONTINUE, this, CONTINUE, this];
      else innerChain.push(CONTINUE, this, CONTINUE, this);
      return true;
    }
    this._result = inner._result;
    inner._result = undefined;
    if (inner._watched !== null) {
      inner._watched = null;
      unwatchFailure(inner);
    }
    return false;
  }

  /**
   * @internal Runs the chain (Twisted's `_runCallbacks`). Deferreds that receive a result from
   * a Deferred they waited on are processed on an explicit stack, never by recursion.
   */
  _runCallbacks(): void {
    if (this._running) return; // Re-entrant additions run when the running callback returns.
    let current: Deferred<unknown> = this as Deferred<unknown>;
    let stack: Deferred<unknown>[] | null = null;
    for (;;) {
      if (current._paused !== 0) return; // Everyone up the stack waits for it.
      let finished = true;
      current._chainedTo = null;
      const chain = current._chain;
      if (chain !== null) {
        while (current._head < chain.length) {
          const i = current._head;
          current._head = i + 4;
          let result = current._result;
          const failed = result instanceof Failure;
          const fn = (failed ? chain[i + 2] : chain[i]) as Link;
          const args = (failed ? chain[i + 3] : chain[i + 1]) as unknown[] | undefined;
          chain[i] = chain[i + 1] = chain[i + 2] = chain[i + 3] = undefined;
          if (fn === null) continue;
          if (fn === CONTINUE) {
            // Hand our result to the Deferred waiting on us, and forget it ourselves.
            const chainee = args as unknown as Deferred<unknown>;
            chainee._result = result;
            current._result = undefined;
            if (current._watched !== null) {
              current._watched = null;
              unwatchFailure(current);
            }
            chainee._paused--;
            (stack ??= []).push(current);
            current = chainee;
            finished = false;
            break;
          }
          current._running = true;
          try {
            result = args === undefined ? fn(result) : fn(result, ...args);
            if (result !== null && typeof result === 'object' && !(result instanceof Deferred) && !(result instanceof Failure)) {
              // A promise (or other thenable) is waited for through a Deferred; `then` is read
              // once, as Promises/A+ asks, and may throw like the callback itself.
              const then = (result as { then?: unknown }).then;
              if (typeof then === 'function') result = adoptThenable(result, then as ThenFn);
            }
          } catch (e) {
            result = e instanceof Failure ? e : new Failure(e);
          }
          current._running = false;
          current._result = result;
          if (result instanceof Deferred) {
            if (result === current) current._result = new Failure(selfWaitError());
            else if (current._waitOn(result)) break; // Not ready: wait for it.
          }
        }
      }
      if (finished) {
        if (chain !== null && current._head >= chain.length) {
          chain.length = 0;
          current._head = 0;
        }
        const r = current._result;
        if (r instanceof Failure && r !== current._handled) {
          if (current._watched !== r) {
            current._watched = r;
            watchFailure(current, r, current._debugInfo);
          }
        } else if (current._watched !== null) {
          current._watched = null;
          unwatchFailure(current);
        }
        if (stack === null || stack.length === 0) return;
        current = stack.pop() as Deferred<unknown>;
      }
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
   * A native Promise for the result at this point of the chain (see {@link then}). Cancelling
   * a promise is impossible; to cancel the Deferred from promise-land, use an AbortSignal
   * ({@link cancelWhenAborted}).
   */
  asPromise(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this._add(resolveLink, [resolve], rejectLink, [reject, this]);
    });
  }

  /**
   * Cancels this Deferred when `signal` aborts (at once if it already has). The listener is
   * removed when the chain reaches this point.
   */
  cancelWhenAborted(signal: AbortSignal): this {
    if (signal === null || typeof signal !== 'object' || typeof signal.addEventListener !== 'function' || typeof signal.aborted !== 'boolean') {
      throw new InvalidArgTypeError(`signal must be an AbortSignal, received ${describe(signal)}`);
    }
    if (signal.aborted) {
      this.cancel();
      return this;
    }
    const onAbort = (): void => this.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    this._add(removeAbortListener, [signal, onAbort], removeAbortListener, [signal, onAbort]);
    return this;
  }

  /**
   * An AbortSignal that aborts (with a {@link CancelledError} reason) when this Deferred is
   * cancelled before it fires. Once the Deferred has fired, the signal never aborts.
   */
  toSignal(): AbortSignal {
    if (this._called) return new AbortController().signal;
    const controller = this._abort ?? (this._abort = new AbortController());
    return controller.signal;
  }

  /**
   * A Deferred that fires with the outcome of `promise`. Without a `canceller`, cancelling it
   * errbacks at once with a CancelledError and the promise's later outcome is ignored.
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

  /** `<Deferred at 0x1f current result: 42>`, as Twisted (with a counter instead of an address). */
  toString(): string {
    let desc = '';
    if (this._chainedTo !== null) desc = ` waiting on Deferred at 0x${this._chainedTo._ident().toString(16)}`;
    else if (this._called) desc = ` current result: ${describeResult(this._result)}`;
    return `<${this.constructor.name} at 0x${this._ident().toString(16)}${desc}>`;
  }

  /** @internal */
  _ident(): number {
    return this._id !== 0 ? this._id : (this._id = ++nextId);
  }

  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }
}

function selfWaitError(): InvalidArgValueError {
  return new InvalidArgValueError('a Deferred cannot wait on itself', 'ERR_IOREACTOR_DEFERRED_WAITS_ON_ITSELF');
}

function describeResult(result: unknown): string {
  if (result instanceof Failure || result instanceof Deferred) return result.toString();
  return inspect(result, { depth: 1, breakLength: Infinity });
}

function restOf(args: IArguments): unknown[] {
  const out = new Array<unknown>(args.length - 1);
  for (let i = 1; i < args.length; i++) out[i - 1] = args[i];
  return out;
}

function argsArray(value: unknown, what: string): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
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

function cancelledToTimedOut(result: unknown, seconds: number): unknown {
  if (result instanceof Failure) {
    result.trap(CancelledError);
    throw new TimeoutError(seconds);
  }
  return result;
}

/** A Deferred following the thenable a callback returned. */
function adoptThenable(value: object, then: ThenFn): Deferred<unknown> {
  const d = new Deferred<unknown>();
  subscribe(d, value, then);
  return d;
}
