/**
 * The reactor's IReactorTime: pending delayed calls in a heap, and one Node timer pointed at
 * the earliest deadline while the reactor runs.
 * Internal to the package.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log/logger';
import { DelayedCall, type DelayedCallOwner } from './delayed-call';
import { TimerQueue } from './timer-queue';

const MAX_TIMER_MS = 2 ** 31 - 1;

export class TimerLoop implements DelayedCallOwner {
  private readonly timers = new TimerQueue<DelayedCall>();
  private nodeTimer: NodeJS.Timeout | undefined;
  private nodeTimerDeadline = Infinity;
  private active = false;

  constructor(private readonly logger: Logger) {}

  /** Seconds on a monotonic clock (unaffected by changes to the wall clock). */
  seconds(): number {
    return performance.now() / 1000;
  }

  /** Schedules a call; arguments are validated by the caller. */
  schedule(delay: number, f: (...args: never[]) => unknown, args: unknown[]): DelayedCall {
    const call = new DelayedCall(this.seconds() + delay, f, args, this);
    this.timers.push(call);
    if (call.time < this.nodeTimerDeadline) this.arm();
    return call;
  }

  pending(): DelayedCall[] {
    return this.timers.entries();
  }

  /** DelayedCallOwner: a call was cancelled or moved. */
  timerChanged(call: DelayedCall, cancelled: boolean): void {
    if (cancelled) this.timers.remove(call);
    else this.timers.reschedule(call);
    if (!cancelled && call.time < this.nodeTimerDeadline) this.arm();
  }

  /** Calls start firing (the reactor runs). */
  start(): void {
    this.active = true;
    this.arm();
  }

  /** Calls stop firing; pending ones stay pending. */
  halt(): void {
    this.active = false;
    this.disarm();
  }

  /** Drops every pending call (the reactor closes). */
  clear(): void {
    this.halt();
    this.timers.clear();
  }

  private disarm(): void {
    if (this.nodeTimer !== undefined) clearTimeout(this.nodeTimer);
    this.nodeTimer = undefined;
    this.nodeTimerDeadline = Infinity;
  }

  /** Points the one Node timer at the earliest deadline (only while active). */
  private arm(): void {
    if (!this.active) return;
    this.disarm();
    const next = this.timers.peek();
    if (next === undefined) return;
    // Node's timers take at most 2^31-1 ms (about 24.8 days) and fire at once beyond it; a
    // later deadline is approached in steps of that size (runDueCalls finds nothing due).
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil((next.time - this.seconds()) * 1000)));
    // Unreferenced: while the reactor runs, its native watcher keeps the process alive.
    this.nodeTimer = setTimeout(this.runDueCalls, ms).unref();
    this.nodeTimerDeadline = next.time;
  }

  /** Runs every call due now; calls scheduled while this runs wait for the next pass. */
  private readonly runDueCalls = (): void => {
    this.nodeTimer = undefined;
    this.nodeTimerDeadline = Infinity;
    const now = this.seconds();
    const newer = this.timers.sequence;
    for (;;) {
      const call = this.timers.peek();
      if (call === undefined || call.time > now || call.seq >= newer) break;
      this.timers.pop();
      call.called = true;
      try {
        (call.func as (...a: unknown[]) => unknown)(...call.args);
      } catch (err) {
        this.logger.error(`Unhandled error in delayed call ${call.func.name || '(anonymous)'}:`, err);
      }
      if (!this.active) return; // halted or closed by the call
    }
    this.arm();
  };
}
