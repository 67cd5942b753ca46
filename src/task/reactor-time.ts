/**
 * The IReactorTime check shared by the task module (Clock users, LoopingCall, Cooperator,
 * deferLater). The generic argument checks live in src/util/validate.ts.
 *
 * Internal to the package.
 */
import type { IReactorTime } from '../interfaces/time';
import { InvalidArgTypeError } from '../errors';
import { describe } from '../util/validate';

/** True if `value` has the three methods of IReactorTime (a Reactor, a Clock, a look-alike). */
export function isReactorTime(value: unknown): value is IReactorTime {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const v = value as Record<string, unknown>;
  return typeof v.seconds === 'function' && typeof v.callLater === 'function' && typeof v.getDelayedCalls === 'function';
}

/** Throws InvalidArgTypeError unless `value` is an IReactorTime. */
export function assertReactorTime(value: unknown, what: string): asserts value is IReactorTime {
  if (!isReactorTime(value)) {
    throw new InvalidArgTypeError(
      `${what} must be an IReactorTime (a Reactor or a task Clock, with seconds(), callLater() and getDelayedCalls()), received ${describe(value)}`,
    );
  }
}
