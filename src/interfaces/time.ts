/**
 * IReactorTime: what timed code needs from a clock. A Reactor implements it on the monotonic
 * clock; task.Clock implements it deterministically for tests. Anything that takes a clock
 * accepts either.
 */
export interface IDelayedCall {
  /** Seconds (on the owning clock) at which the call is scheduled to run. */
  getTime(): number;
  /** Cancels the call. Throws AlreadyCalled / AlreadyCancelled if it is too late. */
  cancel(): void;
  /** Reschedules the call to run `secondsFromNow` seconds from now. */
  reset(secondsFromNow: number): void;
  /** Pushes the call back by `secondsLater` seconds. */
  delay(secondsLater: number): void;
  /** True until the call has run or been cancelled. */
  active(): boolean;
}

export interface IReactorTime {
  /** The current time in seconds on this clock (monotonic for a Reactor). */
  seconds(): number;
  /** Runs `f(...args)` once, `delay` seconds from now. */
  callLater<A extends unknown[]>(delay: number, f: (...args: A) => unknown, ...args: A): IDelayedCall;
  /** Every call scheduled and not yet run or cancelled. */
  getDelayedCalls(): IDelayedCall[];
}
