import { AlreadyCalled, AlreadyCancelled } from '../task/errors';
import { assertFiniteNumber, assertNonNegativeNumber } from '../util/validate';
import type { IDelayedCall } from '../interfaces/time';

/** What a DelayedCall needs from the reactor that scheduled it. @internal */
export interface DelayedCallOwner {
  seconds(): number;
  /** The call's time changed (reset / delay) or it was cancelled: requeue or drop it. */
  timerChanged(call: DelayedCall, cancelled: boolean): void;
}

/**
 * A call scheduled by `Reactor.callLater`: Twisted's `DelayedCall`, on the reactor's
 * monotonic clock.
 */
export class DelayedCall implements IDelayedCall {
  /** @internal */ time: number;
  /** @internal */ seq = 0;
  /** @internal */ heapIndex = -1;
  /** True once the call has run. */
  called = false;
  /** True once the call has been cancelled. */
  cancelled = false;

  /** @internal */
  constructor(
    time: number,
    /** @internal */ readonly func: (...args: never[]) => unknown,
    /** @internal */ readonly args: unknown[],
    private readonly owner: DelayedCallOwner,
  ) {
    this.time = time;
  }

  getTime(): number {
    return this.time;
  }

  active(): boolean {
    return !(this.called || this.cancelled);
  }

  cancel(): void {
    this.assertActive();
    this.cancelled = true;
    this.owner.timerChanged(this, true);
  }

  reset(secondsFromNow: number): void {
    assertNonNegativeNumber(secondsFromNow, 'secondsFromNow');
    this.assertActive();
    this.time = this.owner.seconds() + secondsFromNow;
    this.owner.timerChanged(this, false);
  }

  delay(secondsLater: number): void {
    // Twisted accepts negative delays (bringing the call forward); only non-finite ones are bad.
    assertFiniteNumber(secondsLater, 'secondsLater');
    this.assertActive();
    this.time += secondsLater;
    this.owner.timerChanged(this, false);
  }

  toString(): string {
    const state = this.called ? 'called' : this.cancelled ? 'cancelled' : `at ${this.time.toFixed(3)}s`;
    return `<DelayedCall ${this.func.name || '(anonymous)'} ${state}>`;
  }

  private assertActive(): void {
    if (this.cancelled) throw new AlreadyCancelled();
    if (this.called) throw new AlreadyCalled();
  }
}
