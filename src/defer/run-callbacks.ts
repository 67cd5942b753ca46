/**
 * The callback loop of a Deferred (Twisted's `_startRunCallbacks` / `_runCallbacks`), kept apart
 * from the Deferred class so each file stays readable.
 *
 * A callback that returns a Deferred without a result pauses its Deferred, which then waits for
 * that one: a {@link CONTINUE} link appended to it hands the result back when it comes. The
 * Deferreds along such a chain are processed in one loop with an explicit stack, never by
 * recursion, so chains of any length and nesting of any depth never grow the JavaScript stack.
 */
import { AlreadyCalledError } from './errors';
import { InvalidArgValueError } from '../errors';
import { captureStack, DebugInfo, debugState } from './debug';
import type { Deferred } from './deferred';
import { Failure } from './failure';
import { CONTINUE, LinkNode } from './links';
import { subscribe, type ThenFn } from './promise-bridge';
import { unwatchFailure, watchFailure } from './unhandled';

/**
 * The Deferred class, registered by deferred.ts when it loads (importing it here would make the
 * two modules import each other).
 */
let DeferredClass: typeof Deferred;

/** @internal Called once by deferred.ts. */
export function registerDeferredClass(cls: typeof Deferred): void {
  DeferredClass = cls;
}

/** @internal Fires `d` with `result` and runs its chain. */
export function startRunCallbacks(d: Deferred<unknown>, result: unknown): void {
  if (d._called) {
    const rare = d._rare;
    if (rare !== null && rare.suppressAlreadyCalled) {
      rare.suppressAlreadyCalled = false;
      return;
    }
    if (debugState.on) {
      const info = d._rareState().debugInfo ?? (d._rareState().debugInfo = new DebugInfo());
      throw new AlreadyCalledError('the Deferred has already been fired\n' + info.format());
    }
    throw new AlreadyCalledError();
  }
  if (debugState.on) {
    const rare = d._rareState();
    (rare.debugInfo ?? (rare.debugInfo = new DebugInfo())).invoker = captureStack(3); // Below: this, _startRunCallbacks, callback/errback.
  }
  d._called = true;
  // The canceller is never called after firing; dropping it breaks reference cycles.
  d._canceller = undefined;
  if (d._rare !== null) d._rare.abort = null;
  d._result = result;
  if (result !== null && typeof result === 'object' && !(result instanceof Failure)) {
    // Firing with a Deferred or a thenable means firing with its outcome: wait for it exactly
    // as if a callback had returned it.
    let inner: unknown = result;
    if (!(result instanceof DeferredClass)) {
      inner = undefined;
      try {
        const then = (result as { then?: unknown }).then;
        if (typeof then === 'function') inner = adoptThenable(result, then as ThenFn);
      } catch (e) {
        d._result = new Failure(e);
      }
    }
    if (inner instanceof DeferredClass) {
      if (inner === d) d._result = new Failure(selfWaitError());
      else if (waitOn(d, inner)) return;
    }
  }
  runCallbacks(d);
}

/**
 * @internal Makes `d` continue with `inner`'s result: if `inner` has one now, takes it (`inner`
 * is left with `undefined`, as in Twisted) and returns false; otherwise pauses `d` until
 * `inner` fires and returns true.
 */
export function waitOn(d: Deferred<unknown>, inner: Deferred<unknown>): boolean {
  if (!inner._called || inner._paused !== 0 || inner._result instanceof DeferredClass) {
    d._result = inner;
    d._paused++;
    d._chainedTo = inner;
    // Stored directly, without running anything: `inner` has no result to give yet.
    inner._store(new LinkNode(CONTINUE, [d], CONTINUE, undefined));
    return true;
  }
  d._result = inner._result;
  inner._result = undefined;
  const rare = inner._rare;
  if (rare !== null && rare.watched !== null) {
    rare.watched = null;
    unwatchFailure(inner);
  }
  return false;
}

/**
 * @internal Runs the chain of `d`, and of every Deferred that receives a result along the way.
 */
export function runCallbacks(d: Deferred<unknown>): void {
  if (d._running) return; // Re-entrant additions run when the running callback returns.
  let current: Deferred<unknown> = d;
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
        if (result instanceof DeferredClass) {
          inner = result;
        } else {
          // A promise or other thenable is waited for through a Deferred; `then` is read once,
          // as Promises/A+ asks, and may throw like a callback.
          try {
            const then = (result as { then?: unknown }).then;
            if (typeof then !== 'function') continue;
            inner = adoptThenable(result, then as ThenFn);
          } catch (e) {
            current._result = result = e instanceof Failure ? e : new Failure(e);
            failed = true;
            continue;
          }
          current._result = result = inner;
        }
        if (inner === current) {
          current._result = result = new Failure(selfWaitError());
          failed = true;
        } else if (waitOn(current, inner)) {
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

function selfWaitError(): InvalidArgValueError {
  return new InvalidArgValueError('a Deferred cannot wait on itself', 'ERR_IOREACTOR_DEFERRED_WAITS_ON_ITSELF');
}

/** @internal A Deferred following a thenable (returned by a callback, or fired with). */
export function adoptThenable(value: object, then: ThenFn): Deferred<unknown> {
  const d = new DeferredClass<unknown>();
  subscribe(d, value, then);
  return d;
}
