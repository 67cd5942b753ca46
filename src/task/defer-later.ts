import type { IDelayedCall, IReactorTime } from '../interfaces/time';
import { Deferred, type Settled } from '../defer/deferred';
import { assertFunction, assertNonNegativeNumber } from '../util/validate';
import { assertReactorTime } from './reactor-time';

/**
 * Returns a Deferred that fires `delay` seconds from now on `clock` with the result of
 * `f(...args)` (or with `undefined` when no function is given): Twisted's `task.deferLater`.
 *
 * The function runs as the first callback of the Deferred, so a throw becomes a failure and a
 * returned Deferred or promise is waited for. Cancelling the Deferred before the delay has
 * elapsed cancels the timer, so `f` never runs, and the Deferred fails with a `CancelledError`.
 *
 * @example
 * ```ts
 * deferLater(reactor, 0.5, (x: number) => x * 2, 21).addCallback((v) => console.log(v)); // 42
 * ```
 *
 * @throws InvalidArgTypeError if `clock` is not an IReactorTime or `f` is given and is not a
 *   function; InvalidArgValueError if `delay` is negative, NaN or infinite.
 */
export function deferLater(clock: IReactorTime, delay: number): Deferred<undefined>;
export function deferLater<R, A extends unknown[]>(clock: IReactorTime, delay: number, f: (...args: A) => R, ...args: A): Deferred<Settled<R>>;
// The implementation is untyped (any): the overloads above carry the types.
export function deferLater(clock: IReactorTime, delay: number, f?: (...args: any[]) => unknown, ...args: unknown[]): Deferred<any> {
  assertReactorTime(clock, 'clock');
  assertNonNegativeNumber(delay, 'delay');
  if (f !== undefined) assertFunction(f, 'f');
  // The canceller runs only while the Deferred has not fired, i.e. while the call is pending.
  let delayedCall: IDelayedCall | undefined;
  const d = new Deferred<undefined>(() => {
    (delayedCall as IDelayedCall).cancel();
  });
  const result = f === undefined ? d : d.addCallback(() => f(...args));
  delayedCall = clock.callLater(delay, () => d.callback(undefined));
  return result;
}
