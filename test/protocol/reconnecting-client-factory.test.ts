// ReconnectingClientFactory: cases follow Twisted's twisted/test/test_factories.py
// ReconnectingFactoryTests (the Twisted test name is in the title where there is one), plus
// stopTrying, resetDelay, the clock and validation, and ioreactor's deviations. The delay
// arithmetic (factor, maxDelay, jitter, maxRetries) is in reconnecting-backoff.test.ts.
import { describe, expect, it } from 'vitest';
import { Failure } from '../../src/defer/failure';
import { ConnectionDone, ConnectionRefusedError, UserAbortedConnect } from '../../src/transport/errors';
import { InvalidArgTypeError, InvalidArgValueError } from '../../src/errors';
import type { IReactorTime } from '../../src/interfaces/time';
import type { IConnector } from '../../src/interfaces/transport';
import { normalVariate, ReconnectingClientFactory } from '../../src/protocol/reconnecting-client-factory';
import { Protocol } from '../../src/protocol/protocol';
import { Clock } from '../../src/task/clock';
import { IPv4Address } from '../../src/transport/address';

const ADDR = new IPv4Address('127.0.0.1', 4321);
const J = 0.11962656472;

/** A connector that records what the factory asks of it (Twisted's FakeConnector, with state). */
class FakeConnector implements IConnector {
  connects = 0;
  stops = 0;
  state: 'connecting' | 'connected' | 'disconnected' = 'disconnected';
  constructor(
    readonly factory?: ReconnectingClientFactory,
    readonly reactor?: IReactorTime,
  ) {}
  connect(): void {
    this.connects++;
    this.state = 'connecting';
    this.factory?.startedConnecting(this);
  }
  /** As a real connector: refused unless connecting, and the failure is reported at once. */
  stopConnecting(): void {
    this.stops++;
    if (this.state !== 'connecting') throw new Error('stopConnecting while not connecting');
    this.state = 'disconnected';
    this.factory?.clientConnectionFailed(this, new Failure(new UserAbortedConnect()));
  }
  disconnect(): void {}
  getDestination(): IPv4Address {
    return ADDR;
  }
  succeed(): Protocol | null {
    this.state = 'connected';
    return this.factory!.buildProtocol(ADDR);
  }
  fail(): void {
    this.state = 'disconnected';
    this.factory!.clientConnectionFailed(this, new Failure(new ConnectionRefusedError()));
  }
  lose(): void {
    this.state = 'disconnected';
    this.factory!.clientConnectionLost(this, new Failure(new ConnectionDone()));
  }
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

describe('ReconnectingClientFactory: defaults and scheduling', () => {
  it("has Twisted's settings and a fresh state", () => {
    const f = new ReconnectingClientFactory();
    expect([f.maxDelay, f.initialDelay, f.factor, f.jitter]).toEqual([3600, 1.0, Math.E, J]);
    expect([f.delay, f.retries, f.continueTrying, f.maxRetries, f.connector, f.clock]).toEqual([1.0, 0, true, undefined, undefined, undefined]);
  });

  it('test_parametrizedClock: a lost connection schedules one call on the given clock', () => {
    const clock = new Clock();
    const f = factoryWith(clock);
    f.clientConnectionLost(new FakeConnector(), new Failure(new ConnectionDone()));
    expect(clock.getDelayedCalls()).toHaveLength(1);
    f.stopTrying();
  });

  it('a failed attempt records the connector and reconnects it when the delay has passed', () => {
    const clock = new Clock();
    const f = factoryWith(clock, { jitter: 0 });
    const c = new FakeConnector(f);
    f.clientConnectionFailed(c, new Failure(new ConnectionRefusedError()));
    expect(f.connector).toBe(c);
    expect(f.retries).toBe(1);
    clock.advance(Math.E - 0.001);
    expect(c.connects).toBe(0);
    clock.advance(0.001);
    expect(c.connects).toBe(1);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it('retry(connector) reconnects the connector given rather than the recorded one', () => {
    const clock = new Clock();
    const f = factoryWith(clock, { jitter: 0 });
    const first = new FakeConnector();
    const second = new FakeConnector();
    f.connector = first;
    f.retry(second);
    clock.advance(10);
    expect([first.connects, second.connects]).toEqual([0, 1]);
  });

  it('full cycle: fail, reconnect, connect (resetDelay in buildProtocol), lose, retry from the initial delay', () => {
    class Resetting extends ReconnectingClientFactory {
      override buildProtocol(addr: IPv4Address): Protocol | null {
        this.resetDelay();
        return super.buildProtocol(addr);
      }
    }
    const clock = new Clock();
    const f = new Resetting({ clock, jitter: 0 });
    f.protocol = Protocol;
    const c = new FakeConnector(f);
    c.connect();
    c.fail();
    clock.advance(Math.E);
    expect(c.connects).toBe(2);
    c.fail();
    expect(scheduledDelay(clock)).toBeCloseTo(Math.E ** 2, 12);
    clock.advance(Math.E ** 2);
    expect(c.succeed()).toBeInstanceOf(Protocol);
    expect([f.retries, f.delay]).toEqual([0, 1]);
    c.lose();
    expect(scheduledDelay(clock)).toBeCloseTo(Math.E, 12);
    f.stopTrying();
  });
});

describe('ReconnectingClientFactory: stopTrying', () => {
  it('cancels the pending reconnection: no call left, connect never runs', () => {
    const clock = new Clock();
    const f = factoryWith(clock);
    const c = new FakeConnector(f);
    c.connect();
    c.fail();
    expect(clock.getDelayedCalls()).toHaveLength(1);
    f.stopTrying();
    expect(f.continueTrying).toBe(false);
    expect(clock.getDelayedCalls()).toEqual([]);
    clock.advance(10_000);
    expect(c.connects).toBe(1);
    // The connector had failed: there was no attempt to stop.
    expect(c.stops).toBe(0);
  });

  it('test_stopTryingDoesNotReconnect: stopping an active connector does not retry', () => {
    const clock = new Clock();
    const f = factoryWith(clock);
    const c = new FakeConnector(f);
    c.state = 'connecting';
    f.connector = c;
    f.stopTrying();
    expect(c.stops).toBe(1);
    expect(c.connects).toBe(0);
    expect(clock.getDelayedCalls()).toEqual([]);
    expect(f.retries).toBe(0);
  });

  it('an attempt in progress (startedConnecting) is stopped; its UserAbortedConnect is not retried', () => {
    const clock = new Clock();
    const seen: Failure[] = [];
    class Watching extends ReconnectingClientFactory {
      override clientConnectionFailed(connector: IConnector, reason: Failure): void {
        seen.push(reason);
        super.clientConnectionFailed(connector, reason);
      }
    }
    const f = new Watching({ clock });
    const c = new FakeConnector(f);
    c.connect();
    expect(f.connector).toBe(c);
    f.stopTrying();
    expect(c.stops).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0].value).toBeInstanceOf(UserAbortedConnect);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it('test_stopTryingWhenConnected: stopTrying while connected neither stops nor later reconnects', () => {
    const clock = new Clock();
    const f = factoryWith(clock);
    const c = new FakeConnector(f);
    c.connect();
    c.succeed();
    f.stopTrying(); // FakeConnector.stopConnecting would throw: it is connected.
    expect(c.stops).toBe(0);
    c.lose();
    expect(f.continueTrying).toBe(false);
    expect(clock.getDelayedCalls()).toEqual([]);
    expect(c.connects).toBe(1);
  });

  it("swallows the connector's NotConnectingError, rethrows anything else", () => {
    const f = factoryWith(new Clock());
    const notConnecting = Object.assign(new Error('not connecting'), { code: 'ERR_IOREACTOR_NOT_CONNECTING' });
    f.connector = {
      stopConnecting: () => {
        throw notConnecting;
      },
    } as unknown as IConnector;
    expect(() => f.stopTrying()).not.toThrow();
    const g = factoryWith(new Clock());
    g.connector = {
      stopConnecting: () => {
        throw new Error('boom');
      },
    } as unknown as IConnector;
    expect(() => g.stopTrying()).toThrow('boom');
    expect(g.continueTrying).toBe(false);
  });

  it('after stopTrying, failures and retry() do nothing, even without a connector', () => {
    const clock = new Clock();
    const f = factoryWith(clock);
    f.stopTrying();
    f.clientConnectionFailed(new FakeConnector(), new Failure(new ConnectionRefusedError()));
    expect(() => f.retry()).not.toThrow();
    expect([f.retries, f.connector, clock.getDelayedCalls().length]).toEqual([0, undefined, 0]);
  });
});

describe('ReconnectingClientFactory: resetDelay and state', () => {
  it('resets delay and retries, so the next retry starts from initialDelay * factor', () => {
    const clock = new Clock();
    const f = factoryWith(clock, { jitter: 0 });
    const c = new FakeConnector();
    for (let i = 0; i < 3; i++) {
      f.retry(c);
      clock.advance(100);
    }
    expect(f.retries).toBe(3);
    expect(f.delay).toBeCloseTo(Math.E ** 3, 12);
    f.resetDelay();
    expect([f.delay, f.retries]).toEqual([1, 0]);
    f.retry(c);
    expect(scheduledDelay(clock)).toBeCloseTo(Math.E, 12);
    f.stopTrying();
  });

  it('resetDelay after stopTrying allows retrying again', () => {
    const clock = new Clock();
    const f = factoryWith(clock);
    f.stopTrying();
    f.resetDelay();
    expect(f.continueTrying).toBe(true);
    f.clientConnectionLost(new FakeConnector(), new Failure(new ConnectionDone()));
    expect(clock.getDelayedCalls()).toHaveLength(1);
    f.stopTrying();
  });

  it('resetDelay with a reconnection pending keeps it cancellable by stopTrying', () => {
    const clock = new Clock();
    const f = factoryWith(clock);
    const c = new FakeConnector();
    f.retry(c);
    f.resetDelay();
    f.stopTrying();
    expect(clock.getDelayedCalls()).toEqual([]);
    clock.advance(100);
    expect(c.connects).toBe(0);
  });

  it('test_deserializationResetsParameters (parity): used then reset, the timing state equals a fresh one', () => {
    const clock = new Clock();
    const used = factoryWith(clock, { maxRetries: 5 });
    const c = new FakeConnector();
    used.clientConnectionFailed(c, new Failure(new ConnectionRefusedError()));
    clock.advance(100);
    used.clientConnectionFailed(c, new Failure(new ConnectionRefusedError()));
    used.stopTrying();
    used.resetDelay();
    const fresh = factoryWith(new Clock(), { maxRetries: 5 });
    const timing = (f: ReconnectingClientFactory) => [f.delay, f.retries, f.continueTrying, f.maxRetries, f.maxDelay, f.initialDelay, f.factor, f.jitter];
    expect(timing(used)).toEqual(timing(fresh));
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it('Factory.forProtocol builds a ReconnectingClientFactory with its defaults', () => {
    const f = ReconnectingClientFactory.forProtocol(Protocol);
    expect(f).toBeInstanceOf(ReconnectingClientFactory);
    expect(f.protocol).toBe(Protocol);
    expect(f.buildProtocol(ADDR)?.factory).toBe(f);
    expect(f.delay).toBe(1);
  });
});

describe('ReconnectingClientFactory: clock and validation', () => {
  it("without a clock, the first retry uses the connector's reactor and keeps it", () => {
    const reactor = new Clock();
    const f = new ReconnectingClientFactory();
    const c = new FakeConnector(undefined, reactor);
    f.clientConnectionFailed(c, new Failure(new ConnectionRefusedError()));
    expect(f.clock).toBe(reactor);
    expect(reactor.getDelayedCalls()).toHaveLength(1);
    f.stopTrying();
  });

  it('without a clock or a reactor on the connector, retry throws ERR_IOREACTOR_NO_CLOCK and changes nothing', () => {
    const f = new ReconnectingClientFactory();
    const err = (() => {
      try {
        f.clientConnectionFailed(new FakeConnector(), new Failure(new ConnectionRefusedError()));
      } catch (e) {
        return e as InvalidArgValueError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InvalidArgValueError);
    expect(err?.code).toBe('ERR_IOREACTOR_NO_CLOCK');
    expect([f.retries, f.delay, f.clock]).toEqual([0, 1, undefined]);
  });

  it('retry() with no connector at all throws ERR_IOREACTOR_NO_CONNECTOR', () => {
    const f = factoryWith(new Clock());
    expect(() => f.retry()).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_NO_CONNECTOR' }));
  });

  it('the constructor rejects bad settings with typed errors', () => {
    const bad: [object, new (...args: never[]) => Error][] = [
      [{ maxDelay: -1 }, InvalidArgValueError],
      [{ initialDelay: Number.NaN }, InvalidArgValueError],
      [{ factor: '2' }, InvalidArgTypeError],
      [{ factor: 0.5 }, InvalidArgValueError],
      [{ factor: Infinity }, InvalidArgValueError],
      [{ jitter: -0.1 }, InvalidArgValueError],
      [{ maxRetries: 1.5 }, InvalidArgValueError],
      [{ maxRetries: -1 }, InvalidArgValueError],
      [{ clock: {} }, InvalidArgTypeError],
      [{ random: 3 }, InvalidArgTypeError],
    ];
    for (const [options, cls] of bad) {
      expect(() => new ReconnectingClientFactory(options as never), JSON.stringify(options)).toThrow(cls);
    }
    expect(() => new ReconnectingClientFactory(5 as never)).toThrow(InvalidArgTypeError);
    expect(() => new ReconnectingClientFactory({ factor: 1, jitter: 0, maxRetries: 0, maxDelay: 0 })).not.toThrow();
  });

  it('a bad setting assigned as a property fails the retry before any state changes', () => {
    const clock = new Clock();
    const f = factoryWith(clock);
    f.initialDelay = -1;
    expect(() => f.retry(new FakeConnector())).toThrow(InvalidArgValueError);
    f.initialDelay = 1;
    (f as { factor: unknown }).factor = 'e';
    expect(() => f.retry(new FakeConnector())).toThrow(InvalidArgTypeError);
    expect([f.retries, clock.getDelayedCalls().length]).toEqual([0, 0]);
    expect(() => {
      f.delay = -3;
    }).toThrow(InvalidArgValueError);
  });

  it('a random source returning a value outside [0, 1) is rejected', () => {
    const clock = new Clock();
    const f = factoryWith(clock, { random: () => 1 });
    expect(() => f.retry(new FakeConnector())).toThrow(InvalidArgValueError);
    expect([f.retries, clock.getDelayedCalls().length]).toEqual([0, 0]);
    expect(() => normalVariate(0, 1, () => -0.1)).toThrow(InvalidArgValueError);
  });
});
