// ReconnectingClientFactory back-off: the delay arithmetic of Twisted's retry() (growth by
// factor, the maxDelay cap, Gaussian jitter, maxRetries), with a deterministic clock and random
// source. The state-machine cases (stopTrying, resetDelay, validation) are in
// reconnecting-client-factory.test.ts.
import { describe, expect, it } from 'vitest';
import { Failure } from '../../src/defer/failure';
import { ConnectionDone, ConnectionRefusedError } from '../../src/transport/errors';
import type { IConnector } from '../../src/interfaces/transport';
import { normalVariate, ReconnectingClientFactory } from '../../src/protocol/reconnecting-client-factory';
import { Protocol } from '../../src/protocol/protocol';
import { Clock } from '../../src/task/clock';
import { IPv4Address } from '../../src/transport/address';

const J = 0.11962656472;

/** Counts the reconnections the factory makes (Twisted's FakeConnector). */
class FakeConnector implements IConnector {
  connects = 0;
  connect(): void {
    this.connects++;
  }
  stopConnecting(): void {}
  disconnect(): void {}
  getDestination(): IPv4Address {
    return new IPv4Address('127.0.0.1', 4321);
  }
}

/** A seeded uniform source (mulberry32), so the jitter statistics are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random source whose Box–Muller draw is exactly `z` (u2 = 0 makes the cosine 1). */
function drawing(z: number): () => number {
  const u1 = 1 - Math.exp((-z * z) / 2);
  const u2 = z >= 0 ? 0 : 0.5; // cos(pi) = -1 for a negative draw
  let i = 0;
  return () => (i++ % 2 === 0 ? u1 : u2);
}

function factoryWith(clock: Clock, options: ConstructorParameters<typeof ReconnectingClientFactory>[0] = {}): ReconnectingClientFactory {
  const f = new ReconnectingClientFactory({ clock, ...options });
  f.protocol = Protocol;
  return f;
}

/** The delay of the single scheduled reconnection. */
function scheduledDelay(clock: Clock): number {
  const calls = clock.getDelayedCalls();
  expect(calls).toHaveLength(1);
  return calls[0].getTime() - clock.seconds();
}

describe('ReconnectingClientFactory: back-off', () => {
  it('without jitter the delay grows by factor per retry: e, e^2, e^3', () => {
    const clock = new Clock();
    const f = factoryWith(clock, { jitter: 0 });
    const c = new FakeConnector();
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      f.clientConnectionFailed(c, new Failure(new ConnectionRefusedError()));
      delays.push(scheduledDelay(clock));
      clock.advance(delays[i]);
    }
    expect(delays[0]).toBeCloseTo(Math.E, 12);
    expect(delays[1]).toBeCloseTo(Math.E ** 2, 12);
    expect(delays[2]).toBeCloseTo(Math.E ** 3, 12);
    expect(c.connects).toBe(3);
  });

  it('the delay is capped at maxDelay', () => {
    const clock = new Clock();
    const f = factoryWith(clock, { jitter: 0, maxDelay: 10 });
    const c = new FakeConnector();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      f.retry(c);
      // f.delay is exact; the clock's deadline minus now may be off by rounding.
      expect(scheduledDelay(clock)).toBeCloseTo(f.delay, 9);
      delays.push(f.delay);
      clock.advance(delays[i]);
    }
    expect(delays.slice(2)).toEqual([10, 10, 10]);
    expect(delays[1]).toBeCloseTo(Math.E ** 2, 12);
  });

  it('the default cap of 3600 s is reached after 9 retries (e^9 > 3600)', () => {
    const clock = new Clock();
    const f = factoryWith(clock, { jitter: 0 });
    const c = new FakeConnector();
    for (let i = 0; i < 8; i++) {
      f.retry(c);
      expect(scheduledDelay(clock)).toBeLessThan(3600);
      clock.advance(3600);
    }
    f.retry(c);
    expect(f.delay).toBe(3600);
    expect(scheduledDelay(clock)).toBeCloseTo(3600, 6);
    f.stopTrying();
  });

  it('jitter: a draw of +1 sigma gives delay * (1 + jitter)', () => {
    const clock = new Clock();
    const f = factoryWith(clock, { random: drawing(1) });
    f.retry(new FakeConnector());
    expect(scheduledDelay(clock)).toBeCloseTo(Math.E * (1 + J), 12);
    expect(f.delay).toBeCloseTo(Math.E * (1 + J), 12);
    f.stopTrying();
  });

  it('jitter: a draw of -2 sigma gives delay * (1 - 2 jitter)', () => {
    const clock = new Clock();
    const f = factoryWith(clock, { random: drawing(-2) });
    f.retry(new FakeConnector());
    expect(scheduledDelay(clock)).toBeCloseTo(Math.E * (1 - 2 * J), 12);
    f.stopTrying();
  });

  it('the jittered delay is kept and compounds, as in Twisted', () => {
    const clock = new Clock();
    const f = factoryWith(clock, { random: drawing(1) });
    const c = new FakeConnector();
    f.retry(c);
    clock.advance(100);
    f.retry(c);
    expect(scheduledDelay(clock)).toBeCloseTo((Math.E * (1 + J)) ** 2, 10);
    f.stopTrying();
  });

  it('jitter bounds: 2000 seeded first retries stay within 9 sigma, with mean e and sd e*jitter', () => {
    const clock = new Clock();
    const f = factoryWith(clock, { random: seeded(42) });
    const c = new FakeConnector();
    const delays: number[] = [];
    for (let i = 0; i < 2000; i++) {
      f.resetDelay();
      f.retry(c);
      delays.push(scheduledDelay(clock));
    }
    f.stopTrying();
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    const sd = Math.sqrt(delays.reduce((a, b) => a + (b - mean) ** 2, 0) / (delays.length - 1));
    for (const d of delays) {
      expect(d).toBeGreaterThan(Math.E * (1 - 9 * J));
      expect(d).toBeLessThan(Math.E * (1 + 9 * J));
    }
    expect(Math.abs(mean - Math.E)).toBeLessThan(0.02);
    expect(sd / (Math.E * J)).toBeGreaterThan(0.9);
    expect(sd / (Math.E * J)).toBeLessThan(1.1);
    expect(new Set(delays).size).toBeGreaterThan(1900);
  });

  it('a negative draw (only possible with a huge jitter) is clamped to 0, which the clock accepts', () => {
    const clock = new Clock();
    const c = new FakeConnector();
    const f = factoryWith(clock, { jitter: 2, random: drawing(-3) });
    f.retry(c);
    expect(scheduledDelay(clock)).toBe(0);
    clock.advance(0);
    expect(c.connects).toBe(1);
  });

  it('a second failure with a reconnection pending replaces it: one call, one connect', () => {
    const clock = new Clock();
    const f = factoryWith(clock, { jitter: 0 });
    const c = new FakeConnector();
    f.clientConnectionFailed(c, new Failure(new ConnectionRefusedError()));
    f.clientConnectionFailed(c, new Failure(new ConnectionRefusedError()));
    expect(scheduledDelay(clock)).toBeCloseTo(Math.E ** 2, 12);
    clock.advance(100);
    expect(c.connects).toBe(1);
  });

  it('a subclass field overriding initialDelay takes effect from the first retry', () => {
    class Quick extends ReconnectingClientFactory {
      override initialDelay = 0.5;
      override jitter = 0;
    }
    const clock = new Clock();
    const f = new Quick({ clock });
    expect(f.delay).toBe(0.5);
    f.retry(new FakeConnector());
    expect(scheduledDelay(clock)).toBeCloseTo(0.5 * Math.E, 12);
    f.stopTrying();
  });

  it('normalVariate: seeded samples have the requested mean and standard deviation', () => {
    const random = seeded(7);
    const xs = Array.from({ length: 20000 }, () => normalVariate(10, 2, random));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    expect(mean).toBeGreaterThan(9.95);
    expect(mean).toBeLessThan(10.05);
    expect(sd).toBeGreaterThan(1.95);
    expect(sd).toBeLessThan(2.05);
    // About 68% within one sigma.
    const within = xs.filter((x) => Math.abs(x - 10) < 2).length / xs.length;
    expect(within).toBeGreaterThan(0.66);
    expect(within).toBeLessThan(0.7);
  });
});

describe('ReconnectingClientFactory: maxRetries', () => {
  it('stops scheduling after maxRetries consecutive retries', () => {
    const clock = new Clock();
    const f = factoryWith(clock, { maxRetries: 2, jitter: 0 });
    const c = new FakeConnector();
    for (let i = 0; i < 2; i++) {
      f.clientConnectionFailed(c, new Failure(new ConnectionRefusedError()));
      expect(clock.getDelayedCalls()).toHaveLength(1);
      clock.advance(100);
    }
    f.clientConnectionFailed(c, new Failure(new ConnectionRefusedError()));
    expect(clock.getDelayedCalls()).toEqual([]);
    expect(f.retries).toBe(3);
    expect(c.connects).toBe(2);
  });

  it('maxRetries 0 never retries; resetDelay gives the retries back', () => {
    const clock = new Clock();
    const f = factoryWith(clock, { maxRetries: 0 });
    const c = new FakeConnector();
    f.clientConnectionLost(c, new Failure(new ConnectionDone()));
    expect(clock.getDelayedCalls()).toEqual([]);
    f.maxRetries = 1;
    f.resetDelay();
    f.clientConnectionLost(c, new Failure(new ConnectionDone()));
    expect(clock.getDelayedCalls()).toHaveLength(1);
    f.stopTrying();
  });
});
