// The Deferred errors, as Twisted keeps them in defer.py: firing twice, cancellation,
// timeouts, the collection failures (DeferredList, race), the lock and queue errors, and the
// unhandled-error report.
import { defineBrand, IoReactorError } from '../errors';
import type { Failure } from './failure';

/**
 * `callback` or `errback` was called on a Deferred that had already been fired (Twisted's
 * `defer.AlreadyCalledError`). In debug mode (`setDebugging(true)`) the message includes where
 * the Deferred was created and first fired. Not to be confused with `AlreadyCalled`
 * (task/errors.ts, Twisted's `internet.error.AlreadyCalled`), raised when a delayed call is
 * cancelled or reset after it ran: the two are unrelated classes with different codes.
 *
 * Code: `ERR_IOREACTOR_DEFERRED_ALREADY_CALLED`.
 */
export class AlreadyCalledError extends IoReactorError {
  constructor(message = 'the Deferred has already been fired', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_DEFERRED_ALREADY_CALLED', message, options);
  }

  override get name(): string {
    return 'AlreadyCalledError';
  }
}
defineBrand(AlreadyCalledError, 'AlreadyCalledError');

/**
 * A Deferred was cancelled (Twisted's `defer.CancelledError`): the failure an errback sees after
 * `cancel()` when the canceller did not fire the Deferred itself.
 *
 * Code: `ERR_IOREACTOR_CANCELLED`.
 */
export class CancelledError extends IoReactorError {
  constructor(message = 'the Deferred was cancelled', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_CANCELLED', message, options);
  }

  override get name(): string {
    return 'CancelledError';
  }
}
defineBrand(CancelledError, 'CancelledError');

/**
 * A Deferred timed out (Twisted's `defer.TimeoutError`): `Deferred.addTimeout` cancelled it and
 * turned the resulting `CancelledError` into this error.
 *
 * Code: `ERR_IOREACTOR_TIMEOUT`.
 */
export class TimeoutError extends IoReactorError {
  /** The timeout, in seconds, that expired (undefined when not known). */
  readonly timeout: number | undefined;

  constructor(timeout?: number, message?: string, options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_TIMEOUT', message ?? (timeout === undefined ? 'the Deferred timed out' : `the Deferred timed out after ${timeout} seconds`), options);
    this.timeout = timeout;
  }

  override get name(): string {
    return 'TimeoutError';
  }
}
defineBrand(TimeoutError, 'TimeoutError');

/**
 * The first failure in a `DeferredList` created with `fireOnOneErrback` (and so in
 * `gatherResults`): Twisted's `defer.FirstError`. `subFailure` is the Failure of the Deferred
 * at position `index` in the list.
 *
 * Code: `ERR_IOREACTOR_FIRST_ERROR`.
 */
export class FirstError extends IoReactorError {
  /** The Failure that occurred. */
  readonly subFailure: Failure;
  /** Index, in the list, of the Deferred that failed. */
  readonly index: number;

  constructor(subFailure: Failure, index: number, options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_FIRST_ERROR', `FirstError[#${index}, ${subFailure.toString()}]`, {
      cause: options?.cause ?? subFailure.value,
    });
    this.subFailure = subFailure;
    this.index = index;
  }

  override get name(): string {
    return 'FirstError';
  }
}
defineBrand(FirstError, 'FirstError');

/**
 * More than one failure occurred: `race` fails with this when every one of its Deferreds
 * failed (Twisted's `defer.FailureGroup`). `failures` is in the order of the input list.
 *
 * Code: `ERR_IOREACTOR_FAILURE_GROUP`.
 */
export class FailureGroup extends IoReactorError {
  /** The Failures, one per input Deferred, in input order. */
  readonly failures: readonly Failure[];

  constructor(failures: readonly Failure[], message?: string, options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_FAILURE_GROUP', message ?? `all ${failures.length} Deferreds failed`, options);
    this.failures = failures;
  }

  override get name(): string {
    return 'FailureGroup';
  }
}
defineBrand(FailureGroup, 'FailureGroup');

/**
 * `release()` was called on a `DeferredLock` that is not locked, or on a `DeferredSemaphore`
 * more times than it was acquired (Twisted asserts in these cases).
 *
 * Code: `ERR_IOREACTOR_NOT_ACQUIRED`.
 */
export class NotAcquiredError extends IoReactorError {
  constructor(message = 'released more times than acquired', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_NOT_ACQUIRED', message, options);
  }

  override get name(): string {
    return 'NotAcquiredError';
  }
}
defineBrand(NotAcquiredError, 'NotAcquiredError');

/**
 * `DeferredQueue.put` was called on a queue already holding `size` objects with nobody waiting
 * (Twisted's `defer.QueueOverflow`).
 *
 * Code: `ERR_IOREACTOR_QUEUE_OVERFLOW`.
 */
export class QueueOverflow extends IoReactorError {
  constructor(message = 'the queue is full', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_QUEUE_OVERFLOW', message, options);
  }

  override get name(): string {
    return 'QueueOverflow';
  }
}
defineBrand(QueueOverflow, 'QueueOverflow');

/**
 * `DeferredQueue.get` was called on an empty queue that already has `backlog` pending gets
 * (Twisted's `defer.QueueUnderflow`).
 *
 * Code: `ERR_IOREACTOR_QUEUE_UNDERFLOW`.
 */
export class QueueUnderflow extends IoReactorError {
  constructor(message = 'too many pending gets on the queue', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_QUEUE_UNDERFLOW', message, options);
  }

  override get name(): string {
    return 'QueueUnderflow';
  }
}
defineBrand(QueueUnderflow, 'QueueUnderflow');

/**
 * Raised by `trackUnhandledDeferredErrors().assertNone()` when at least one Deferred was
 * collected with an unhandled Failure at the end of its chain. `failures` lists them in the
 * order they were reported.
 *
 * Code: `ERR_IOREACTOR_UNHANDLED_DEFERRED`.
 */
export class UnhandledDeferredError extends IoReactorError {
  /** The unhandled Failures, in report order. */
  readonly failures: readonly Failure[];

  constructor(failures: readonly Failure[], message?: string, options?: { cause?: unknown }) {
    super(
      'ERR_IOREACTOR_UNHANDLED_DEFERRED',
      message ?? `${failures.length} unhandled error(s) in Deferred: ` + failures.map((f) => f.toString()).join(', '),
      options,
    );
    this.failures = failures;
  }

  override get name(): string {
    return 'UnhandledDeferredError';
  }
}
defineBrand(UnhandledDeferredError, 'UnhandledDeferredError');
