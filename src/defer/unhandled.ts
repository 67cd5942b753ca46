/**
 * Reports of Deferreds that were garbage-collected while the end of their callback chain held
 * an unhandled Failure (Twisted's "Unhandled error in Deferred:" from `DebugInfo.__del__`).
 *
 * A FinalizationRegistry watches each Deferred whose chain currently ends in a Failure. The
 * registry's held value is only the Failure and the Deferred's debugging record (stack strings),
 * never the Deferred, so watching does not keep anything alive. When the chain moves on (an
 * errback handles the Failure, the result is passed to another Deferred, `then` delivers it to a
 * promise), the watch is removed.
 *
 * Collection is up to the garbage collector: a report can come late or, if the process exits
 * first, never. For deterministic tests, run node with `--expose-gc` (or let
 * {@link forceGarbageCollection} enable it) and use {@link trackUnhandledDeferredErrors}.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { InvalidArgTypeError } from '../errors';
import { UnhandledDeferredError } from './errors';
import { describe } from '../util/validate';
import { consoleLogger, type Logger } from '../log/logger';
import type { DebugInfo } from './debug';
import type { Failure } from './failure';

/** One "Unhandled error in Deferred" report. */
export interface UnhandledErrorReport {
  /** The full message as logged (includes the debug stacks in debug mode). */
  readonly message: string;
  /** The Failure left at the end of the collected Deferred's chain. */
  readonly failure: Failure;
  /** Where the Deferred was created, when debugging was on at its creation. */
  readonly creationStack: string | undefined;
}

interface Held {
  readonly failure: Failure;
  readonly debug: DebugInfo | null;
}

let logger: Logger = consoleLogger;
const trackers = new Set<Tracker>();

/**
 * Routes "Unhandled error in Deferred" reports to `newLogger` (default: {@link consoleLogger}).
 * Returns the logger it replaces, so a test can restore it.
 *
 * @throws InvalidArgTypeError if `newLogger` has no `error` method.
 */
export function setDeferredLogger(newLogger: Logger): Logger {
  if (newLogger === null || typeof newLogger !== 'object' || typeof newLogger.error !== 'function') {
    throw new InvalidArgTypeError(`logger must be an object with an error() method, received ${describe(newLogger)}`);
  }
  const previous = logger;
  logger = newLogger;
  return previous;
}

/** The logger that currently receives "Unhandled error in Deferred" reports. */
export function getDeferredLogger(): Logger {
  return logger;
}

function report(held: Held): void {
  const info = held.debug !== null ? held.debug.format() : '';
  const failure = held.failure;
  let message = 'Unhandled error in Deferred:';
  if (!(failure.value instanceof Error)) message += '\n' + failure.getTraceback();
  if (info !== '') message += '\n(debug: ' + info + ')';
  const entry: UnhandledErrorReport = {
    message,
    failure,
    creationStack: held.debug !== null ? held.debug.creator : undefined,
  };
  let log = true;
  for (const t of trackers) {
    t._record(entry);
    if (!t._log) log = false;
  }
  if (log) {
    try {
      logger.error(message, failure.value);
    } catch {
      // A broken logger must not turn a report into an uncaught exception inside the GC callback.
    }
  }
}

const registry = new FinalizationRegistry<Held>(report);

/** @internal Watches `deferred`, whose chain now ends in `failure`. */
export function watchFailure(deferred: object, failure: Failure, debug: DebugInfo | null): void {
  // Until its `stack` is first read, a V8 Error keeps the call sites of its stack, receivers
  // included, and a callback's receiver is often the very Deferred being watched: held by the
  // registry, it would never be collected. Formatting the stack now lets those go.
  failure.cleanFailure();
  registry.unregister(deferred);
  registry.register(deferred, { failure, debug }, deferred);
}

/** @internal Stops watching `deferred` (its chain no longer ends in an unhandled Failure). */
export function unwatchFailure(deferred: object): void {
  registry.unregister(deferred);
}

let gcFunction: (() => void) | null = null;

/**
 * Runs a full garbage collection now. Uses `global.gc` when node runs with `--expose-gc`;
 * otherwise it turns the flag on at run time and takes `gc` from a fresh V8 context (works on
 * current node versions, but `--expose-gc` is the documented way). Returns false if neither
 * works.
 */
export function forceGarbageCollection(): boolean {
  if (gcFunction === null) {
    const exposed = (globalThis as { gc?: unknown }).gc;
    if (typeof exposed === 'function') {
      gcFunction = exposed as () => void;
    } else {
      try {
        setFlagsFromString('--expose-gc');
        const fn: unknown = runInNewContext('gc');
        if (typeof fn === 'function') gcFunction = fn as () => void;
      } catch {
        return false;
      }
    }
  }
  if (gcFunction === null) return false;
  gcFunction();
  return true;
}

/** A handle returned by {@link trackUnhandledDeferredErrors}. */
export interface UnhandledErrorTracker {
  /** Reports received since tracking started (or since the last {@link UnhandledErrorTracker.clear}). */
  readonly reports: readonly UnhandledErrorReport[];
  /**
   * Forces garbage collection and waits for pending finalization callbacks, so that every
   * unreachable Deferred with an unhandled Failure has been reported when the promise resolves.
   */
  collect(): Promise<void>;
  /** Throws {@link UnhandledDeferredError} if any report was received. */
  assertNone(): void;
  /** `collect()`, then `assertNone()`. */
  verify(): Promise<void>;
  /** Forgets the reports received so far. */
  clear(): void;
  /** Stops tracking; the logger receives reports again if this tracker silenced it. */
  stop(): void;
}

class Tracker implements UnhandledErrorTracker {
  readonly reports: UnhandledErrorReport[] = [];
  constructor(readonly _log: boolean) {}

  _record(entry: UnhandledErrorReport): void {
    this.reports.push(entry);
  }

  async collect(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      forceGarbageCollection();
      // FinalizationRegistry callbacks run in tasks of their own after the collection.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
  }

  assertNone(): void {
    if (this.reports.length > 0) {
      throw new UnhandledDeferredError(this.reports.map((r) => r.failure));
    }
  }

  async verify(): Promise<void> {
    await this.collect();
    this.assertNone();
  }

  clear(): void {
    this.reports.length = 0;
  }

  stop(): void {
    trackers.delete(this);
  }
}

/**
 * Strict mode for tests: starts recording "Unhandled error in Deferred" reports and returns a
 * handle whose `assertNone()` throws if any happened. Call `await handle.verify()` at the end of
 * a test to collect garbage first (see {@link forceGarbageCollection}).
 *
 * @param options.log - also pass reports to the logger (default false: the tracker takes them).
 */
export function trackUnhandledDeferredErrors(options: { log?: boolean } = {}): UnhandledErrorTracker {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgTypeError(`options must be an object, received ${describe(options)}`);
  }
  if (options.log !== undefined && typeof options.log !== 'boolean') {
    throw new InvalidArgTypeError(`options.log must be a boolean, received ${describe(options.log)}`);
  }
  const tracker = new Tracker(options.log ?? false);
  trackers.add(tracker);
  return tracker;
}
