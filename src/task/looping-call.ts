import type { IDelayedCall, IReactorTime } from '../interfaces/time';
import { Deferred } from '../defer/deferred';
import type { Failure } from '../defer/failure';
import { maybeDeferred } from '../defer/simple';
import { InvalidArgTypeError } from '../errors';
import { LoopingCallAlreadyRunning, LoopingCallNotRunning } from './errors';
import { assertFunction, assertNonNegativeNumber, describe } from '../util/validate';
import { assertReactorTime } from './reactor-time';

/**
 * Calls a function repeatedly, every `interval` seconds, on a clock: Twisted's
 * `task.LoopingCall`.
 *
 * - Scheduling does not drift: calls are aimed at `start + k * interval`. When a call (or the
 *   reactor) runs late, the intervals already missed are skipped and the next call is aimed at
 *   the next boundary still in the future; {@link LoopingCall.withCount} tells the function how
 *   many intervals passed.
 * - If the function returns a Deferred (or a promise), the next call is not scheduled until it
 *   has fired; if it fails, the loop stops.
 * - `start()` returns a Deferred that fires with this LoopingCall when `stop()` is called, or
 *   fails with the error when the function throws or its Deferred fails.
 *
 * Unlike Twisted's, a LoopingCall does not pick a reactor by itself, since a program may run
 * several: assign {@link LoopingCall.clock} (the default `reactor`, any Reactor, a task
 * `Clock`, any IReactorTime) before `start()`.
 *
 * @example
 * ```ts
 * const lc = new LoopingCall(() => console.log('tick'));
 * lc.clock = reactor;
 * lc.start(1.0).addCallback(() => console.log('stopped'));
 * // later: lc.stop();
 * ```
 */
export class LoopingCall<A extends unknown[] = unknown[]> {
  /** The function called at every iteration. */
  readonly f: (...args: A) => unknown;
  /** The arguments it is called with. */
  readonly args: A;

  private _clock: IReactorTime | undefined = undefined;
  private _running = false;
  private _interval: number | undefined = undefined;
  private call: IDelayedCall | null = null;
  private deferred: Deferred<LoopingCall<A>> | null = null;
  /** Clock time the loop was started (or last `reset`); the grid the calls are aimed at. */
  private starttime: number | undefined = undefined;
  /** withCount: time of the last call that was given a count. */
  private realLastTime: number | undefined = undefined;
  private runAtStart = false;

  /**
   * @param f - the function to call; it may return a Deferred or a promise to make the loop wait.
   * @param args - arguments passed to `f` at every call.
   * @throws InvalidArgTypeError if `f` is not a function.
   */
  constructor(f: (...args: A) => unknown, ...args: A) {
    assertFunction(f, 'f');
    this.f = f;
    this.args = args;
  }

  /**
   * A LoopingCall that calls `countCallable(count)`, where `count` is the number of intervals
   * that have elapsed since it was last called: normally 1, more when calls were skipped
   * because the clock jumped, the reactor was busy or a returned Deferred took longer than an
   * interval. With an interval of 0, `count` is always 1. The counts add up to the number of
   * intervals elapsed since `start`.
   *
   * @throws InvalidArgTypeError if `countCallable` is not a function.
   */
  static withCount(countCallable: (count: number) => unknown): LoopingCall<[]> {
    assertFunction(countCallable, 'countCallable');
    const self: LoopingCall<[]> = new LoopingCall(() => {
      const now = (self._clock as IReactorTime).seconds();
      const interval = self._interval as number;
      if (interval === 0) {
        self.realLastTime = now;
        return countCallable(1);
      }
      let lastTime = self.realLastTime;
      if (lastTime === undefined) {
        lastTime = self.starttime as number;
        // With now=true the first call stands for the interval that ends at the start.
        if (self.runAtStart) lastTime -= interval;
      }
      const count = self.intervalOf(now) - self.intervalOf(lastTime);
      if (count > 0) {
        self.realLastTime = now;
        return countCallable(count);
      }
      return undefined;
    });
    return self;
  }

  /**
   * The clock the loop schedules on. Set it before `start()`; assigning it while running takes
   * effect at the next scheduling.
   *
   * @throws InvalidArgTypeError on assignment of something that is not an IReactorTime.
   */
  get clock(): IReactorTime | undefined {
    return this._clock;
  }

  set clock(value: IReactorTime | undefined) {
    assertReactorTime(value, 'LoopingCall.clock');
    this._clock = value;
  }

  /**
   * True from `start()` until `stop()` or a failure of the function; false by the time the
   * Deferred returned by `start()` fires.
   */
  get running(): boolean {
    return this._running;
  }

  /**
   * Seconds between calls; undefined before the first `start()`. Assigning a new interval
   * takes effect when the next call is scheduled.
   *
   * @throws InvalidArgTypeError / InvalidArgValueError on assignment of a bad value.
   */
  get interval(): number | undefined {
    return this._interval;
  }

  set interval(value: number | undefined) {
    assertNonNegativeNumber(value, 'interval');
    this._interval = value;
  }

  /**
   * Starts calling the function every `interval` seconds.
   *
   * @param interval - seconds between calls, >= 0 (0: as often as the clock allows).
   * @param now - call the function right away (default) rather than after one interval.
   * @returns a Deferred that fires with this LoopingCall when `stop()` is called, or fails
   *   with the error the function threw or its Deferred failed with.
   * @throws LoopingCallAlreadyRunning if running; InvalidArgTypeError / InvalidArgValueError
   *   for a bad interval or `now`, or when no clock has been assigned.
   */
  start(interval: number, now = true): Deferred<LoopingCall<A>> {
    if (this._running) throw new LoopingCallAlreadyRunning();
    assertNonNegativeNumber(interval, 'interval');
    if (typeof now !== 'boolean') {
      throw new InvalidArgTypeError(`now must be a boolean, received ${describe(now)}`);
    }
    if (this._clock === undefined) {
      throw new InvalidArgTypeError('LoopingCall.clock must be set to an IReactorTime (a Reactor or a task Clock) before start(), received undefined');
    }
    this._running = true;
    // A failure of the very first call clears this.deferred before we return; keep a local.
    const deferred = (this.deferred = new Deferred<LoopingCall<A>>());
    this.starttime = this._clock.seconds();
    this._interval = interval;
    this.runAtStart = now;
    this.realLastTime = undefined;
    if (now) this.tick();
    else this.scheduleFrom(this.starttime);
    return deferred;
  }

  /**
   * Stops the loop. If no call is in progress, the Deferred from `start()` fires at once;
   * otherwise (the function's Deferred is pending) it fires when that call completes.
   *
   * @throws LoopingCallNotRunning if not running.
   */
  stop(): void {
    if (!this._running) throw new LoopingCallNotRunning();
    this._running = false;
    if (this.call !== null) {
      this.call.cancel();
      this.call = null;
      this.fireDeferred();
    }
  }

  /**
   * Skips the pending call and restarts the interval from now: the next call comes one full
   * interval from the clock's current time. No effect while a returned Deferred is pending.
   *
   * @throws LoopingCallNotRunning if not running.
   */
  reset(): void {
    if (!this._running) throw new LoopingCallNotRunning();
    if (this.call !== null) {
      this.call.cancel();
      this.call = null;
      this.starttime = (this._clock as IReactorTime).seconds();
      this.scheduleFrom(this.starttime);
    }
  }

  /** `LoopingCall<interval>(name, args...)`. */
  toString(): string {
    const args = this.args.map((a) => (typeof a === 'string' ? JSON.stringify(a) : String(a)));
    return `LoopingCall<${this._interval}>(${[this.f.name || '(anonymous)', ...args].join(', ')})`;
  }

  /** One iteration: runs the function and schedules the next one when it is done. */
  private tick(): void {
    this.call = null;
    const d = maybeDeferred(this.f, ...this.args);
    d.addCallback(() => {
      if (this._running) this.scheduleFrom((this._clock as IReactorTime).seconds());
      else this.fireDeferred();
    });
    d.addErrback((failure: Failure) => {
      this._running = false;
      const deferred = this.deferred as Deferred<LoopingCall<A>>;
      this.deferred = null;
      deferred.errback(failure);
    });
  }

  private fireDeferred(): void {
    const deferred = this.deferred as Deferred<LoopingCall<A>>;
    this.deferred = null;
    deferred.callback(this);
  }

  /** Number of whole intervals between the start and time `t`. */
  private intervalOf(t: number): number {
    return Math.trunc((t - (this.starttime as number)) / (this._interval as number));
  }

  /** Schedules the next iteration at the next interval boundary after `when`. */
  private scheduleFrom(when: number): void {
    this.call = (this._clock as IReactorTime).callLater(this.howLong(when), this.boundTick);
  }

  private readonly boundTick = (): void => this.tick();

  private howLong(when: number): number {
    const interval = this._interval as number;
    if (interval === 0) return 0;
    const runningFor = when - (this.starttime as number);
    const untilNextInterval = interval - floorMod(runningFor, interval);
    // Added to a large `when`, a tiny remainder can vanish entirely; then the boundary is
    // effectively now, and the call goes to the following one.
    if (when === when + untilNextInterval) return interval;
    return untilNextInterval;
  }
}

/** Floating-point modulo with the sign of the divisor (as Python's `%`, which Twisted uses). */
function floorMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}
