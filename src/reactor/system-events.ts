/**
 * System event triggers with Twisted's three phases (`_ThreePhaseEvent` in
 * twisted/internet/base.py). Firing an event runs its `before` triggers, waits for every
 * Deferred (or promise) they returned, then runs `during` and `after`. Triggers are consumed
 * as they run. An exception in a trigger is logged and the event goes on.
 * Internal to the package.
 */
import type { Logger } from '../log/logger';

export type Phase = 'before' | 'during' | 'after';
export const PHASES: readonly Phase[] = ['before', 'during', 'after'];

interface Trigger {
  readonly phase: Phase;
  readonly eventType: string;
  readonly f: (...args: never[]) => unknown;
  readonly args: unknown[];
}

/** Opaque handle returned by addSystemEventTrigger, for removeSystemEventTrigger. */
export type SystemEventTriggerID = object;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

class ThreePhaseEvent {
  readonly triggers: Record<Phase, Trigger[]> = { before: [], during: [], after: [] };
  private firing: 'idle' | 'before' = 'idle';
  private finishedBefore = new Set<Trigger>();

  constructor(private readonly logger: Logger) {}

  remove(trigger: Trigger): boolean {
    // A 'before' trigger that already ran during this firing is gone: nothing to remove.
    if (this.firing === 'before' && this.finishedBefore.has(trigger)) return true;
    const list = this.triggers[trigger.phase];
    const i = list.indexOf(trigger);
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  /** Runs the event; `done` is called when the `after` phase has run. */
  fire(done?: () => void): void {
    this.firing = 'before';
    this.finishedBefore = new Set();
    const pending: PromiseLike<unknown>[] = [];
    const before = this.triggers.before;
    while (before.length > 0) {
      const t = before.shift()!;
      this.finishedBefore.add(t);
      const result = this.run(t);
      if (isThenable(result)) pending.push(result);
    }
    if (pending.length === 0) {
      this.continueFiring(done);
      return;
    }
    let remaining = pending.length;
    const settle = (): void => {
      if (--remaining === 0) this.continueFiring(done);
    };
    for (const p of pending) p.then(settle, settle);
  }

  private continueFiring(done?: () => void): void {
    this.firing = 'idle';
    this.finishedBefore = new Set();
    for (const phase of ['during', 'after'] as const) {
      const list = this.triggers[phase];
      while (list.length > 0) this.run(list.shift()!);
    }
    done?.();
  }

  private run(t: Trigger): unknown {
    try {
      return (t.f as (...a: unknown[]) => unknown)(...t.args);
    } catch (err) {
      this.logger.error(`Unhandled error in a '${t.phase} ${t.eventType}' system event trigger:`, err);
      return undefined;
    }
  }
}

export class SystemEvents {
  private readonly events = new Map<string, ThreePhaseEvent>();

  constructor(private readonly logger: Logger) {}

  add(phase: Phase, eventType: string, f: (...args: never[]) => unknown, args: unknown[]): SystemEventTriggerID {
    let event = this.events.get(eventType);
    if (event === undefined) {
      event = new ThreePhaseEvent(this.logger);
      this.events.set(eventType, event);
    }
    const trigger: Trigger = { phase, eventType, f, args };
    event.triggers[phase].push(trigger);
    return trigger;
  }

  /** Removes a trigger; false when the handle is unknown or already consumed. */
  remove(id: SystemEventTriggerID): boolean {
    if (id === null || typeof id !== 'object') return false;
    const t = id as Partial<Trigger>;
    if (typeof t.eventType !== 'string') return false;
    return this.events.get(t.eventType)?.remove(id as Trigger) ?? false;
  }

  fire(eventType: string, done?: () => void): void {
    const event = this.events.get(eventType);
    if (event === undefined) done?.();
    else event.fire(done);
  }
}
