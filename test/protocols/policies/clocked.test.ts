// Twisted's ThrottlingTests, TimeoutProtocolTests, TimeoutFactoryTests and TimeoutMixinTests
// (twisted/test/test_policies.py), driven by a task.Clock over an in-memory transport.
import { describe, expect, it } from 'vitest';
import {
  Clock,
  ConnectionDone,
  Factory,
  Failure,
  IPv4Address,
  LineReceiver,
  Protocol,
  ThrottlingFactory,
  ThrottlingProtocol,
  TimeoutFactory,
  TimeoutMixin,
  TimeoutProtocol,
  type IPushProducer,
} from '../../../src/index';
import { StringTransport } from '../basic/string-transport';

const ADDR = new IPv4Address('127.0.0.1', 12345);

/** Twisted's EchoProtocol with a `paused` flag: a push producer that echoes. */
class EchoProducer extends Protocol implements IPushProducer {
  paused = false;
  lost = false;
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
  pauseProducing(): void {
    this.paused = true;
  }
  resumeProducing(): void {
    this.paused = false;
  }
  stopProducing(): void {}
  override connectionLost(): void {
    this.lost = true;
  }
}

function connected<P extends Protocol>(p: P | null): { p: P; t: StringTransport } {
  const t = new StringTransport();
  p!.makeConnection(t as never);
  return { p: p!, t };
}

describe('ThrottlingFactory (Twisted ThrottlingTests)', () => {
  it('counts writeSequence on the factory', () => {
    const f = new ThrottlingFactory(Factory.forProtocol(EchoProducer), { clock: new Clock() });
    const { p, t } = connected(f.buildProtocol(ADDR));
    p.writeSequence([Buffer.from('bytes'), Buffer.from('bytes'), Buffer.from('bytes'), Buffer.from('bytes')]);
    expect(t.value().toString()).toBe('bytesbytesbytesbytes');
    expect(f.writtenThisSecond).toBe(20);
  });

  it('pauses the producer after a window over writeLimit, and resumes it', () => {
    const clock = new Clock();
    const f = new ThrottlingFactory(Factory.forProtocol(EchoProducer), { writeLimit: 10, clock });
    const { p, t } = connected(f.buildProtocol(ADDR));
    const echo = p.wrappedProtocol as EchoProducer;
    p.registerProducer(echo, true);
    p.dataReceived(Buffer.from('0123456789'));
    p.dataReceived(Buffer.from('abcdefghij'));
    expect(t.value().toString()).toBe('0123456789abcdefghij');
    expect([f.writtenThisSecond, echo.paused]).toEqual([20, false]);
    clock.advance(1.05);
    expect([f.writtenThisSecond, echo.paused, f.writesThrottled]).toEqual([0, true, true]);
    clock.advance(1.05);
    expect([f.writtenThisSecond, echo.paused, f.writesThrottled]).toEqual([0, false, false]);
  });

  it('pauses reads after a window over readLimit, and resumes them, window after window', () => {
    const clock = new Clock();
    const f = new ThrottlingFactory(Factory.forProtocol(EchoProducer), { readLimit: 10, clock });
    const { p, t } = connected(f.buildProtocol(ADDR));
    for (let round = 0; round < 2; round++) {
      t.clear();
      p.dataReceived(Buffer.from('0123456789'));
      p.dataReceived(Buffer.from('abcdefghij'));
      expect(t.value().toString()).toBe('0123456789abcdefghij');
      expect(f.readThisSecond).toBe(20);
      clock.advance(1.05);
      expect([f.readThisSecond, t.producerState]).toEqual([0, 'paused']);
      clock.advance(1.05);
      expect([f.readThisSecond, t.producerState]).toEqual([0, 'producing']);
    }
  });

  it('keeps reads paused that the wrapped protocol paused itself', () => {
    const clock = new Clock();
    const f = new ThrottlingFactory(Factory.forProtocol(EchoProducer), { readLimit: 10, clock });
    const { p, t } = connected(f.buildProtocol(ADDR));
    p.dataReceived(Buffer.alloc(30));
    clock.advance(1);
    expect(t.producerState).toBe('paused');
    (p.wrappedProtocol.transport as unknown as IPushProducer).pauseProducing();
    clock.advance(2);
    expect(t.producerState).toBe('paused');
    (p.wrappedProtocol.transport as unknown as IPushProducer).resumeProducing();
    expect(t.producerState).toBe('producing');
  });

  it('does not let the transport resume a producer the throttle paused', () => {
    const clock = new Clock();
    const f = new ThrottlingFactory(Factory.forProtocol(EchoProducer), { writeLimit: 10, clock });
    const { p, t } = connected(f.buildProtocol(ADDR));
    const echo = p.wrappedProtocol as EchoProducer;
    p.registerProducer(echo, true);
    const gate = t.producer as IPushProducer;
    p.write(Buffer.alloc(30));
    clock.advance(1);
    expect(echo.paused).toBe(true);
    gate.pauseProducing(); // the transport's buffer filled up
    gate.resumeProducing(); // and drained, while still throttled
    expect(echo.paused).toBe(true);
    gate.pauseProducing();
    clock.advance(2); // throttle over, but the transport still wants a pause
    expect(echo.paused).toBe(true);
    gate.resumeProducing();
    expect(echo.paused).toBe(false);
  });

  it('asks a pull producer for more only once writes are no longer throttled', () => {
    const clock = new Clock();
    const f = new ThrottlingFactory(Factory.forProtocol(EchoProducer), { writeLimit: 10, clock });
    const { p, t } = connected(f.buildProtocol(ADDR));
    let asked = 0;
    p.registerProducer({ resumeProducing: () => void asked++, stopProducing: () => {} }, false);
    const gate = t.producer as IPushProducer;
    p.write(Buffer.alloc(30));
    clock.advance(1);
    gate.resumeProducing();
    expect(asked).toBe(0);
    clock.advance(2);
    expect(asked).toBe(1);
    gate.resumeProducing();
    expect(asked).toBe(2);
  });

  it('starts a connection made while reads are throttled paused', () => {
    const clock = new Clock();
    const f = new ThrottlingFactory(Factory.forProtocol(EchoProducer), { readLimit: 10, clock });
    const first = connected(f.buildProtocol(ADDR));
    first.p.dataReceived(Buffer.alloc(30));
    clock.advance(1);
    const second = connected(f.buildProtocol(ADDR));
    expect(second.t.producerState).toBe('paused');
    clock.advance(2);
    expect([first.t.producerState, second.t.producerState]).toEqual(['producing', 'producing']);
  });

  it('refuses connections beyond maxConnectionCount and stops its windows with the last one', () => {
    const clock = new Clock();
    const f = new ThrottlingFactory(Factory.forProtocol(EchoProducer), { maxConnectionCount: 2, readLimit: 100, writeLimit: 100, clock });
    const a = connected(f.buildProtocol(ADDR));
    const b = connected(f.buildProtocol(ADDR));
    expect(f.buildProtocol(ADDR)).toBeNull();
    expect(clock.getDelayedCalls().length).toBe(2);
    a.p.connectionLost(new Failure(new ConnectionDone()));
    expect(f.connectionCount).toBe(1);
    expect(f.buildProtocol(ADDR)).not.toBeNull();
    b.p.connectionLost(new Failure(new ConnectionDone()));
    expect((a.p.wrappedProtocol as EchoProducer).lost).toBe(true);
  });

  it('validates its options', () => {
    const inner = Factory.forProtocol(EchoProducer);
    expect(() => new ThrottlingFactory(inner, { readLimit: 10 })).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_NO_CLOCK' }));
    expect(() => new ThrottlingFactory(inner, { readLimit: 0, clock: new Clock() })).toThrow(RangeError);
    expect(() => new ThrottlingFactory(inner, { writeLimit: '5' as never, clock: new Clock() })).toThrow(TypeError);
    expect(() => new ThrottlingFactory(inner, { maxConnectionCount: -1 })).toThrow(RangeError);
    expect(() => new ThrottlingFactory({} as never)).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' }));
    expect(() => new ThrottlingFactory(inner, { clock: {} as never })).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_NO_CLOCK' }));
    expect(new ThrottlingFactory(inner).buildProtocol(ADDR)).toBeInstanceOf(ThrottlingProtocol);
  });
});

class Simple extends Protocol {
  disconnected = false;
  data: Buffer[] = [];
  override dataReceived(data: Buffer): void {
    this.data.push(data);
  }
  override connectionLost(): void {
    this.disconnected = true;
  }
}

/** A StringTransport whose loseConnection ends the connection at once, as Twisted's StringTransportWithDisconnection. */
function connectedWithDisconnection(p: Protocol): StringTransport {
  const t = new StringTransport();
  t.loseConnection = () => {
    if (t.disconnecting) return;
    t.disconnecting = true;
    p.connectionLost(new Failure(new ConnectionDone()));
  };
  p.makeConnection(t as never);
  return t;
}

describe('TimeoutProtocol and TimeoutFactory (Twisted TimeoutProtocolTests, TimeoutFactoryTests)', () => {
  function make(period: number | null): { proto: TimeoutProtocol<Simple>; clock: Clock } {
    const clock = new Clock();
    const factory = new TimeoutFactory(Factory.forProtocol(Simple), { clock, timeoutPeriod: period ?? 0 });
    const proto = factory.buildProtocol(ADDR) as TimeoutProtocol<Simple>;
    if (period === null) proto.cancelTimeout();
    connectedWithDisconnection(proto);
    return { proto, clock };
  }

  it('cancelTimeout stops the ongoing timeout', () => {
    const { proto, clock } = make(null);
    proto.setTimeout(3);
    expect(proto.timeoutCall).not.toBeNull();
    clock.advance(1);
    proto.cancelTimeout();
    expect(proto.timeoutCall).toBeNull();
    clock.advance(3);
    expect(proto.wrappedProtocol.disconnected).toBe(false);
  });

  it('cancelTimeout does nothing without a timeout, or after it ran', () => {
    const { proto, clock } = make(null);
    proto.cancelTimeout();
    proto.setTimeout(3);
    clock.advance(3);
    expect(proto.wrappedProtocol.disconnected).toBe(true);
    proto.cancelTimeout();
    expect(proto.timeoutCall).toBeNull();
  });

  it('times out an idle connection', () => {
    const { proto, clock } = make(3);
    clock.pump([0, 0.5, 1, 1]);
    expect(proto.wrappedProtocol.disconnected).toBe(false);
    clock.pump([0, 0.5]);
    expect(proto.wrappedProtocol.disconnected).toBe(true);
  });

  it('sending and receiving postpone the timeout', () => {
    const { proto, clock } = make(3);
    clock.pump([0, 1, 1]);
    proto.write(Buffer.from('bytes bytes bytes'));
    clock.pump([0, 1, 1]);
    proto.writeSequence([Buffer.from('bytes')]);
    clock.pump([0, 1, 1]);
    proto.dataReceived(Buffer.from('bytes'));
    clock.pump([0, 1, 1]);
    expect(proto.wrappedProtocol.disconnected).toBe(false);
    clock.pump([0, 1]);
    expect(proto.wrappedProtocol.disconnected).toBe(true);
    proto.write(Buffer.from('after')); // no error once timed out
  });

  it('needs a clock', () => {
    expect(() => new TimeoutFactory(Factory.forProtocol(Simple), {} as never)).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_NO_CLOCK' }));
    expect(() => new TimeoutFactory(Factory.forProtocol(Simple), { clock: new Clock(), timeoutPeriod: -1 })).toThrow(RangeError);
  });
});

class TimeoutTester extends TimeoutMixin(Protocol) {
  timedOut = false;
  override timeOut: number | null = 3;
  override connectionMade(): void {
    this.setTimeout(this.timeOut);
  }
  override dataReceived(data: Buffer): void {
    this.resetTimeout();
    super.dataReceived(data);
  }
  override timeoutConnection(): void {
    this.timedOut = true;
  }
}

describe('TimeoutMixin (Twisted TimeoutMixinTests)', () => {
  function make(): { proto: TimeoutTester; clock: Clock } {
    const clock = new Clock();
    const proto = new TimeoutTester();
    proto.clock = clock;
    proto.makeConnection(new StringTransport() as never);
    return { proto, clock };
  }

  it('schedules on the given clock', () => {
    const { clock } = make();
    expect(clock.getDelayedCalls().length).toBe(1);
  });

  it('times out after the period', () => {
    const { proto, clock } = make();
    clock.pump([0, 0.5, 1, 1]);
    expect(proto.timedOut).toBe(false);
    clock.pump([0, 1]);
    expect(proto.timedOut).toBe(true);
  });

  it('does not time out with setTimeout(null)', () => {
    const { proto, clock } = make();
    proto.setTimeout(null);
    clock.pump([0, 5, 5, 5]);
    expect(proto.timedOut).toBe(false);
  });

  it('resetTimeout postpones it', () => {
    const { proto, clock } = make();
    proto.dataReceived(Buffer.from('hello there'));
    clock.pump([0, 1, 1]);
    expect(proto.timedOut).toBe(false);
    proto.dataReceived(Buffer.from('hello there'));
    clock.pump([0, 1, 1]);
    expect(proto.timedOut).toBe(false);
    clock.pump([0, 1]);
    expect(proto.timedOut).toBe(true);
  });

  it('setTimeout changes the period and returns the previous one', () => {
    const { proto, clock } = make();
    proto.setTimeout(10);
    clock.pump([0, 5, 4]);
    expect(proto.timedOut).toBe(false);
    clock.pump([0, 1]);
    expect(proto.timedOut).toBe(true);
    const fresh = make().proto;
    expect(fresh.setTimeout(5)).toBe(3);
    expect(fresh.setTimeout(null)).toBe(5);
    expect(fresh.timeOut).toBeNull();
  });

  it('setTimeout(null) after the timeout ran is harmless', () => {
    const { proto, clock } = make();
    clock.advance(3);
    expect(proto.timedOut).toBe(true);
    expect(proto.setTimeout(null)).toBe(3);
  });

  it('cancels the pending timeout when the connection is lost', () => {
    const { proto, clock } = make();
    proto.connectionLost(new Failure(new ConnectionDone()));
    expect(clock.getDelayedCalls().length).toBe(0);
  });

  it('falls back to the factory clock, and needs one', () => {
    const clock = new Clock();
    const factory = Object.assign(Factory.forProtocol(TimeoutTester), { clock });
    const proto = factory.buildProtocol(ADDR)!;
    proto.makeConnection(new StringTransport() as never);
    expect(clock.getDelayedCalls().length).toBe(1);
    const orphan = new TimeoutTester();
    expect(() => orphan.makeConnection(new StringTransport() as never)).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_NO_CLOCK' }));
    expect(() => proto.setTimeout(-1)).toThrow(RangeError);
  });

  it('mixes into a LineReceiver and closes on timeout by default', () => {
    class IdleLines extends TimeoutMixin(LineReceiver) {
      lines: string[] = [];
      override lineReceived(line: Buffer): void {
        this.resetTimeout();
        this.lines.push(line.toString());
      }
    }
    const clock = new Clock();
    const p = new IdleLines();
    p.clock = clock;
    const t = new StringTransport();
    p.makeConnection(t as never);
    p.setTimeout(2);
    clock.advance(1.5);
    p.dataReceived(Buffer.from('a\r\n'));
    clock.advance(1.5);
    expect(t.disconnecting).toBe(false);
    clock.advance(0.5);
    expect([t.disconnecting, p.lines]).toEqual([true, ['a']]);
  });
});
