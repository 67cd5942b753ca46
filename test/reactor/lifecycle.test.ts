// IReactorCore: run / stop, system event phases, and the lifecycle errors, on every variant.
import { describe, expect, it } from 'vitest';
import { Deferred, InvalidArgValueError, Reactor, ReactorAlreadyRunning, ReactorClosed, ReactorNotRestartable, ReactorNotRunning } from '../../src/index';
import { expectLogged } from '../support/logged';
import { newReactor, RecordingLogger, runReactor, VARIANTS } from '../support/reactors';

describe.each(VARIANTS)('IReactorCore on $name', (variant) => {
  it('runs callWhenRunning callbacks at startup and settles run() after shutdown', async () => {
    const reactor = newReactor(variant);
    const log: string[] = [];
    reactor.callWhenRunning((x: string) => log.push(`running ${x} ${reactor.running}`), 'arg');
    reactor.addSystemEventTrigger('after', 'shutdown', () => log.push(`after shutdown ${reactor.running}`));
    expect(reactor.running).toBe(false);
    const stopped = reactor.run();
    expect(log).toEqual(['running arg true']);
    // Already running: called at once.
    reactor.callWhenRunning(() => log.push('immediately'));
    expect(log).toEqual(['running arg true', 'immediately']);
    reactor.stop();
    expect(reactor.running).toBe(true); // stopping happens on the next turn
    await stopped;
    expect(reactor.running).toBe(false);
    expect(log).toEqual(['running arg true', 'immediately', 'after shutdown false']);
    reactor.close();
  });

  it('fires before, during and after in order, and a before Deferred delays during', async () => {
    const reactor = newReactor(variant);
    const log: string[] = [];
    await runReactor(reactor, (done) => {
      reactor.addSystemEventTrigger('after', 'custom', () => log.push('after'));
      reactor.addSystemEventTrigger('during', 'custom', () => log.push('during'));
      reactor.addSystemEventTrigger('before', 'custom', () => {
        log.push('before-1');
        const d = new Deferred<void>();
        reactor.callLater(0.03, () => {
          log.push('before-1 fired');
          d.callback(undefined);
        });
        return d;
      });
      reactor.addSystemEventTrigger('before', 'custom', () => {
        log.push('before-2');
        return Promise.resolve();
      });
      reactor.fireSystemEvent('custom');
      expect(log).toEqual(['before-1', 'before-2']);
      reactor.callLater(0.06, done);
    });
    expect(log).toEqual(['before-1', 'before-2', 'before-1 fired', 'during', 'after']);
  });

  it('a before-shutdown Deferred delays the stop, and the reactor keeps serving meanwhile', async () => {
    const reactor = newReactor(variant);
    const log: string[] = [];
    reactor.addSystemEventTrigger('before', 'shutdown', () => {
      const d = new Deferred<void>();
      reactor.callLater(0.02, () => {
        log.push('cleanup done');
        d.callback(undefined);
      });
      return d;
    });
    reactor.addSystemEventTrigger('during', 'shutdown', () => log.push('during shutdown'));
    reactor.callWhenRunning(() => reactor.stop());
    await reactor.run();
    expect(log).toEqual(['cleanup done', 'during shutdown']);
    reactor.close();
  });

  it('removes triggers by ID and rejects unknown IDs with a typed error', async () => {
    const reactor = newReactor(variant);
    const log: string[] = [];
    const id = reactor.addSystemEventTrigger('during', 'custom', () => log.push('removed one'));
    reactor.addSystemEventTrigger('during', 'custom', () => log.push('kept'));
    reactor.removeSystemEventTrigger(id);
    expect(() => reactor.removeSystemEventTrigger(id)).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_TRIGGER_ID' }));
    expect(() => reactor.removeSystemEventTrigger({})).toThrow(InvalidArgValueError);
    reactor.fireSystemEvent('custom');
    expect(log).toEqual(['kept']);
    expect(() => reactor.addSystemEventTrigger('sometime' as 'before', 'x', () => {})).toThrow(
      expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_PHASE' }),
    );
    reactor.close();
  });

  it('logs a trigger that throws and carries on with the event', () => {
    const logger = new RecordingLogger();
    const reactor = newReactor(variant, { logger });
    const log: string[] = [];
    const logged = expectLogged(/^\[RecordingLogger\] Unhandled error in a 'before custom' system event trigger: Error: trigger boom$/);
    reactor.addSystemEventTrigger('before', 'custom', () => {
      throw new Error('trigger boom');
    });
    reactor.addSystemEventTrigger('during', 'custom', () => log.push('during'));
    reactor.fireSystemEvent('custom');
    expect(log).toEqual(['during']);
    expect(logger.errors).toHaveLength(1);
    expect(logged.entries).toHaveLength(1);
    reactor.close();
  });

  it('raises Twisted errors for stop when not running, run twice, and restart', async () => {
    const reactor = newReactor(variant);
    expect(() => reactor.stop()).toThrow(ReactorNotRunning);
    const stopped = reactor.run();
    expect(() => reactor.run()).toThrow(ReactorAlreadyRunning);
    reactor.stop();
    expect(() => reactor.stop()).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_NOT_RUNNING' }));
    await stopped;
    expect(() => reactor.run()).toThrow(ReactorNotRestartable);
    reactor.close();
    expect(() => reactor.callLater(1, () => {})).toThrow(ReactorClosed);
    expect(() => reactor.run()).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_CLOSED' }));
    reactor.close(); // idempotent
  });

  it('close() halts a running reactor at once and settles run()', async () => {
    const reactor = newReactor(variant);
    let fired = false;
    reactor.callLater(0.05, () => {
      fired = true;
    });
    const stopped = reactor.run();
    reactor.close();
    await stopped;
    await new Promise((r) => setTimeout(r, 80));
    expect(fired).toBe(false);
  });

  it('runs several reactors in one thread independently', async () => {
    const a = newReactor(variant);
    const b = new Reactor({ backend: 'poll' });
    const log: string[] = [];
    const runA = runReactor(a, (done) => a.callLater(0.03, () => (log.push('a'), done())));
    const runB = runReactor(b, (done) => b.callLater(0.01, () => (log.push('b'), done())));
    await Promise.all([runA, runB]);
    expect(log).toEqual(['b', 'a']);
    // And a new one after those are closed.
    const c = newReactor(variant);
    await runReactor(c, (done) => c.callLater(0, done));
  });
});
