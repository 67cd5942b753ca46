import type { IDelayedCall, IReactorTime } from '../interfaces/time';
import { AlreadyCalled, AlreadyCancelled } from './errors';
import { InvalidArgTypeError } from '../errors';
import { assertFunction, assertNonNegativeNumber, describe } from '../util/validate';
import { assertFiniteNumber } from '../util/validate';

/**
 * A call scheduled on a {@link Clock}. It follows the delayed call of a Reactor exactly:
 * `reset` to an earlier time moves the call, `reset` or `delay` to a later time records an
 * offset that is applied when the clock next looks at its queue.
 */
class ClockDelayedCall implements IDelayedCall {
  /** The scheduled time before any later `reset`/`delay` offset is applied. */
  private time: number;
  /** Extra seconds added by `reset` to a later time or by `delay`. */
  private delayedTime = 0;
  private _called = false;
  private _cancelled = false;
  private func: ((...args: never[]) => unknown) | undefined;
  private args: unknown[] | undefined;

  /** @internal */
  constructor(
    time: number,
    func: (...args: never[]) => unknown,
    args: unknown[],
    private readonly owner: Clock,
  ) {
    this.time = time;
    this.func = func;
    this.args = args;
  }

  /** True once the call has run (it is marked just before it runs). */
  get called(): boolean {
    return this._called;
  }

  /** True once the call has been cancelled. */
  get cancelled(): boolean {
    return this._cancelled;
  }

  /** Seconds on the owning clock at which the call will run. */
  getTime(): number {
    return this.time + this.delayedTime;
  }

  /**
   * Unschedules the call.
   *
   * @throws AlreadyCancelled if it was cancelled before; AlreadyCalled if it has run.
   */
  cancel(): void {
    this.checkPending();
    this.owner._remove(this);
    this._cancelled = true;
    // Drop the references so a cancelled call does not keep its arguments alive.
    this.func = undefined;
    this.args = undefined;
  }

  /**
   * Reschedules the call for `secondsFromNow` seconds after the clock's current time.
   *
   * @throws AlreadyCancelled / AlreadyCalled if the call is no longer pending.
   */
  reset(secondsFromNow: number): void {
    assertNonNegativeNumber(secondsFromNow, 'secondsFromNow');
    this.checkPending();
    const newTime = this.owner.seconds() + secondsFromNow;
    if (newTime < this.time) {
      this.delayedTime = 0;
      this.time = newTime;
    } else {
      this.delayedTime = newTime - this.time;
    }
  }

  /**
   * Moves the call `secondsLater` seconds after its current time (a negative value moves it
   * earlier).
   *
   * @throws AlreadyCancelled / AlreadyCalled if the call is no longer pending.
   */
  delay(secondsLater: number): void {
    assertFiniteNumber(secondsLater, 'secondsLater');
    this.checkPending();
    this.delayedTime += secondsLater;
    if (this.delayedTime < 0) {
      this.time += this.delayedTime;
      this.delayedTime = 0;
    }
  }

  /** True until the call has run or been cancelled. */
  active(): boolean {
    return !(this._called || this._cancelled);
  }

  /** @internal Marks the call as made and runs it; the clock has already dequeued it. */
  _run(): void {
    this._called = true;
    const func = this.func as (...args: unknown[]) => unknown;
    const args = this.args as unknown[];
    this.func = undefined;
    this.args = undefined;
    func(...args);
  }

  toString(): string {
    const state = this._called ? 'called' : this._cancelled ? 'cancelled' : 'pending';
    const name = this.func?.name || '(anonymous)';
    return `<DelayedCall at ${this.getTime()}s ${state}${this.func ? ` ${name}` : ''}>`;
  }

  private checkPending(): void {
    // Cancelled is checked first, as Twisted does: a call cannot be both, but the order fixes
    // which error a caller sees should that ever change.
    if (this._cancelled) throw new AlreadyCancelled();
    if (this._called) throw new AlreadyCalled();
  }
}

/**
 * A deterministic IReactorTime for tests: time stands still until {@link Clock.advance} moves
 * it, and then every call that has come due runs, in deadline order.
 *
 * Calls with the same deadline run in the order they were scheduled. The queue is kept with a
 * stable sort after every `callLater` and before every step of `advance`, exactly as Twisted's
 * `task.Clock` does, so a call moved by `reset` keeps its place among calls due at the same
 * instant and a scenario replays the same way in both.
 *
 * @example
 * ```ts
 * const clock = new Clock();
 * const seen: number[] = [];
 * clock.callLater(2, () => seen.push(clock.seconds()));
 * clock.advance(1); // nothing yet
 * clock.advance(1); // seen = [2]
 * ```
 */
export class Clock implements IReactorTime {
  private rightNow = 0;
  private readonly calls: ClockDelayedCall[] = [];

  /** The clock's current time in seconds; starts at 0 and moves only by `advance`/`pump`. */
  seconds(): number {
    return this.rightNow;
  }

  /**
   * Schedules `f(...args)` to run `delay` seconds from the clock's current time.
   *
   * @throws InvalidArgTypeError if `f` is not a function or `delay` not a number;
   *   InvalidArgValueError if `delay` is negative, NaN or infinite.
   */
  callLater<A extends unknown[]>(delay: number, f: (...args: A) => unknown, ...args: A): IDelayedCall {
    assertNonNegativeNumber(delay, 'delay');
    assertFunction(f, 'f');
    const call = new ClockDelayedCall(this.rightNow + delay, f as (...args: never[]) => unknown, args, this);
    this.calls.push(call);
    this.sortCalls();
    return call;
  }

  /** The calls that have neither run nor been cancelled (a copy; soonest first as of the last sort). */
  getDelayedCalls(): IDelayedCall[] {
    return this.calls.slice();
  }

  /**
   * Moves time forward by `amount` seconds and runs every call that has come due, including
   * calls scheduled by those calls if they fall due too.
   *
   * An exception thrown by a call propagates out of `advance`; that call counts as made and
   * the others stay queued for the next `advance`.
   *
   * @throws InvalidArgValueError if `amount` is negative (this clock never goes backwards).
   */
  advance(amount: number): void {
    assertNonNegativeNumber(amount, 'amount');
    this.rightNow += amount;
    this.sortCalls();
    while (this.calls.length > 0 && this.calls[0].getTime() <= this.rightNow) {
      const call = this.calls.shift() as ClockDelayedCall;
      call._run();
      this.sortCalls();
    }
  }

  /** Advances by each of `timings` in turn, as separate steps. */
  pump(timings: Iterable<number>): void {
    if (timings === null || typeof (timings as Partial<Iterable<number>> | undefined)?.[Symbol.iterator] !== 'function') {
      throw new InvalidArgTypeError(`timings must be an iterable of numbers, received ${describe(timings)}`);
    }
    for (const amount of timings) this.advance(amount);
  }

  /** @internal Removes a cancelled call from the queue. */
  _remove(call: ClockDelayedCall): void {
    const i = this.calls.indexOf(call);
    if (i >= 0) this.calls.splice(i, 1);
  }

  private sortCalls(): void {
    // Array.prototype.sort is stable (ES2019), which the tie rule above relies on.
    this.calls.sort((a, b) => a.getTime() - b.getTime());
  }
}
