// The task module on a real Reactor: LoopingCall, deferLater and the Cooperator take any
// IReactorTime, and a Reactor is one. Short intervals keep this quick; assertions allow for
// timer jitter but would fail if the reactor's clock were ignored.
import { afterEach, describe, expect, it } from 'vitest';
import { Reactor } from '../../src/reactor/reactor';
import { Cooperator } from '../../src/task/cooperator';
import { deferLater } from '../../src/task/defer-later';
import { LoopingCall } from '../../src/task/looping-call';
import type { Failure } from '../../src/defer/failure';

let reactor: Reactor | undefined;

afterEach(() => {
  reactor?.close();
  reactor = undefined;
});

describe('task module on a Reactor', () => {
  it('LoopingCall, then deferLater, then a Cooperator run in turn on the reactor clock', async () => {
    const r = (reactor = new Reactor());
    const events: string[] = [];
    const times: number[] = [];
    const lc: LoopingCall<[]> = new LoopingCall(() => {
      times.push(r.seconds());
      if (times.length === 3) lc.stop();
    });
    lc.clock = r;
    const coop = new Cooperator({ clock: r });
    let failure: Failure | undefined;
    lc.start(0.01)
      .addCallback((stopped) => {
        events.push(`looping stopped same=${stopped === lc}`);
        return deferLater(r, 0.005, (x: number) => x * 2, 21);
      })
      .addCallback((v: number) => {
        events.push(`deferLater ${v}`);
        return coop.coiterate(
          (function* () {
            for (let i = 0; i < 3; i++) {
              events.push(`step ${i}`);
              yield;
            }
          })(),
        );
      })
      .addCallback(() => {
        events.push('cooperator done');
      })
      .addErrback((f: Failure) => {
        failure = f;
      })
      .addBoth(() => r.stop());
    await r.run();
    expect(failure).toBeUndefined();
    expect(events).toEqual(['looping stopped same=true', 'deferLater 42', 'step 0', 'step 1', 'step 2', 'cooperator done']);
    expect(times).toHaveLength(3);
    // Drift-free: calls aim at start + k * 0.01 s, so the third comes no earlier than 20 ms in.
    expect(times[2] - times[0]).toBeGreaterThanOrEqual(0.02 - 0.001);
    expect(r.getDelayedCalls()).toEqual([]);
  });

  it('cancelling deferLater on a Reactor removes its delayed call', async () => {
    const r = (reactor = new Reactor());
    const d = deferLater(r, 10, () => 'never');
    expect(r.getDelayedCalls()).toHaveLength(1);
    let seen = '';
    d.addErrback((f: Failure) => {
      seen = f.type?.name ?? '';
    });
    d.cancel();
    expect(seen).toBe('CancelledError');
    expect(r.getDelayedCalls()).toEqual([]);
  });
});
