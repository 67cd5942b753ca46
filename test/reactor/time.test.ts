// IReactorTime conformance, for every backend x trigger mode (timers share the dispatch loop).
import { describe, expect, it } from 'vitest';
import { AlreadyCalled, AlreadyCancelled, InvalidArgTypeError, InvalidArgValueError } from '../../src/index';
import { expectLogged } from '../support/logged';
import { newReactor, RecordingLogger, runReactor, VARIANTS } from '../support/reactors';

describe.each(VARIANTS)('IReactorTime on $name', (variant) => {
  it('runs calls in deadline order, and equal deadlines in scheduling order', async () => {
    const reactor = newReactor(variant);
    const order: string[] = [];
    await runReactor(reactor, (done) => {
      reactor.callLater(0.03, () => order.push('c'));
      reactor.callLater(0.01, () => order.push('a'));
      reactor.callLater(0.02, () => order.push('b'));
      // Ties: schedule several at the same computed deadline through reset to one time.
      const ties = ['t1', 't2', 't3'].map((name) => reactor.callLater(0.05, () => order.push(name)));
      const time = ties[0].getTime();
      for (const t of ties) t.delay(time - t.getTime());
      reactor.callLater(0.08, done);
    });
    expect(order).toEqual(['a', 'b', 'c', 't1', 't2', 't3']);
  });

  it('passes arguments and reports getTime on the monotonic clock', async () => {
    const reactor = newReactor(variant);
    let seen: unknown[] = [];
    let firedAt = 0;
    let scheduledFor = 0;
    await runReactor(reactor, (done) => {
      const call = reactor.callLater(
        0.02,
        (a: number, b: string) => {
          seen = [a, b];
          firedAt = reactor.seconds();
          done();
        },
        1,
        'two',
      );
      scheduledFor = call.getTime();
    });
    expect(seen).toEqual([1, 'two']);
    expect(firedAt).toBeGreaterThanOrEqual(scheduledFor);
  });

  it('cancel prevents the call; cancelling twice or after the call raises', async () => {
    const reactor = newReactor(variant);
    let ran = false;
    let called!: ReturnType<typeof reactor.callLater>;
    const cancelled = reactor.callLater(0.01, () => {
      ran = true;
    });
    cancelled.cancel();
    expect(cancelled.active()).toBe(false);
    expect(() => cancelled.cancel()).toThrow(AlreadyCancelled);
    expect(() => cancelled.reset(1)).toThrow(AlreadyCancelled);
    await runReactor(reactor, (done) => {
      called = reactor.callLater(0, () => reactor.callLater(0.02, done));
    });
    expect(ran).toBe(false);
    expect(called.active()).toBe(false);
    expect(() => called.cancel()).toThrow(AlreadyCalled);
    expect(() => called.delay(1)).toThrow(AlreadyCalled);
  });

  it('reset moves a call later or earlier; delay pushes it back', async () => {
    const reactor = newReactor(variant);
    const order: string[] = [];
    await runReactor(reactor, (done) => {
      const late = reactor.callLater(0.01, () => order.push('reset-later'));
      const early = reactor.callLater(1, () => order.push('reset-earlier'));
      const delayed = reactor.callLater(0.005, () => order.push('delayed'));
      reactor.callLater(0.02, () => order.push('fixed'));
      late.reset(0.04);
      early.reset(0.03);
      delayed.delay(0.045);
      reactor.callLater(0.09, done);
    });
    expect(order).toEqual(['fixed', 'reset-earlier', 'reset-later', 'delayed']);
  });

  it('getDelayedCalls lists exactly the pending calls', () => {
    const reactor = newReactor(variant);
    const a = reactor.callLater(1, () => {});
    const b = reactor.callLater(2, () => {});
    expect(new Set(reactor.getDelayedCalls())).toEqual(new Set([a, b]));
    a.cancel();
    expect(reactor.getDelayedCalls()).toEqual([b]);
    reactor.close();
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it('runs a call scheduled with delay 0 from a delayed call on a later pass', async () => {
    const reactor = newReactor(variant);
    const order: string[] = [];
    await runReactor(reactor, (done) => {
      reactor.callLater(0.01, () => {
        order.push('first');
        reactor.callLater(0, () => {
          order.push('scheduled-inside');
          done();
        });
        order.push('first-end');
      });
    });
    expect(order).toEqual(['first', 'first-end', 'scheduled-inside']);
  });

  it('logs a delayed call that throws and keeps running the others', async () => {
    const logger = new RecordingLogger();
    const reactor = newReactor(variant, { logger });
    let after = false;
    expectLogged(/^\[RecordingLogger\] Unhandled error in delayed call .*: Error: timer boom$/);
    await runReactor(reactor, (done) => {
      reactor.callLater(0.01, () => {
        throw new Error('timer boom');
      });
      reactor.callLater(0.01, () => {
        after = true;
      });
      reactor.callLater(0.03, done);
    });
    expect(after).toBe(true);
    expect(logger.errors.map((e) => (e.error as Error).message)).toEqual(['timer boom']);
  });

  it('rejects bad delays and callbacks with typed errors and keeps working', async () => {
    const reactor = newReactor(variant);
    expect(() => reactor.callLater(-1, () => {})).toThrow(InvalidArgValueError);
    expect(() => reactor.callLater(Number.NaN, () => {})).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_ARG_VALUE' }));
    expect(() => reactor.callLater(Infinity, () => {})).toThrow(InvalidArgValueError);
    expect(() => reactor.callLater('1' as unknown as number, () => {})).toThrow(InvalidArgTypeError);
    expect(() => reactor.callLater(1, 'f' as unknown as () => void)).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' }));
    const call = reactor.callLater(10, () => {});
    expect(() => call.reset(-2)).toThrow(InvalidArgValueError);
    expect(() => call.delay(Number.NaN)).toThrow(InvalidArgValueError);
    call.cancel();
    await runReactor(reactor, (done) => reactor.callLater(0, done));
  });

  it('holds 100 000 pending timers with one Node timer, firing none early', async () => {
    const reactor = newReactor(variant);
    let fired = 0;
    const timeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    let during = 0;
    await runReactor(reactor, (done) => {
      for (let i = 0; i < 100_000; i++) reactor.callLater(3600 + i, () => fired++);
      // Idle cost is what Node's loop is asked to watch: a single timer for the earliest
      // deadline, never one per pending call.
      during = timeouts();
      reactor.callLater(0.05, done);
    });
    expect(fired).toBe(0);
    expect(during - before).toBeLessThanOrEqual(1);
  });
});
