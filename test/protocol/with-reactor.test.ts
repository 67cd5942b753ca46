// ClientCreator and ReconnectingClientFactory on a real Reactor (the default backend and
// trigger): the fakes in the other suites model Twisted's connector; these check that the real
// one agrees with them.
import { afterAll, describe, expect, it } from 'vitest';
import { Failure } from '../../src/defer/failure';
import { CancelledError } from '../../src/defer/errors';
import { ConnectError, UserAbortedConnect } from '../../src/transport/errors';
import type { IConnector } from '../../src/interfaces/transport';
import { ClientCreator } from '../../src/protocol/client-creator';
import { Factory } from '../../src/protocol/factory';
import { Protocol } from '../../src/protocol/protocol';
import { ReconnectingClientFactory } from '../../src/protocol/reconnecting-client-factory';
import { Reactor } from '../../src/reactor/reactor';
import { Clock } from '../../src/task/clock';
import { RecordingLogger, runReactor } from '../support/reactors';
import { removeSocketDir, socketPath } from '../support/streams';

afterAll(removeSocketDir);

class Hello extends Protocol {
  made = 0;
  constructor(readonly greeting: string) {
    super();
  }
  override connectionMade(): void {
    this.made++;
    this.transport.write(Buffer.from(this.greeting));
  }
}

/** A server protocol that hands what it receives to `onData`. */
class Sink extends Protocol {
  static onData: (data: Buffer) => void = () => undefined;
  override dataReceived(data: Buffer): void {
    Sink.onData(data);
  }
}

describe('on a real Reactor', () => {
  it('ClientCreator.connectTCP fires with the connected instance, whose connectionMade ran', async () => {
    const reactor = new Reactor({ logger: new RecordingLogger() });
    // What the callbacks saw, asserted after the run: the test fails if one never ran.
    let received: string | undefined;
    let fired: { instance: unknown; made: number; connected: boolean } | undefined;
    await runReactor(reactor, (done, fail) => {
      const port = reactor.listenTCP(0, Factory.forProtocol(Sink), { interface: '127.0.0.1' });
      const host = port.getHost();
      if (host.type !== 'TCP') throw new Error('expected a TCP port');
      let pending = 2;
      const oneDone = (): void => {
        if (--pending === 0) port.stopListening().addBoth(() => done());
      };
      Sink.onData = (data) => {
        received = (received ?? '') + data.toString();
        if (received.length >= 'hello server'.length) oneDone();
      };
      new ClientCreator(reactor, Hello, 'hello server').connectTCP('127.0.0.1', host.port, { timeout: 5 }).addCallbacks(
        (p) => {
          fired = { instance: p, made: p.made, connected: p.connected };
          oneDone();
        },
        (f) => fail(f.value),
      );
    });
    expect(received).toBe('hello server');
    expect(fired?.instance).toBeInstanceOf(Hello);
    expect([fired?.made, fired?.connected]).toEqual([1, true]);
  });

  it('ClientCreator.connectUNIX to a path nobody listens on fails with a ConnectError', async () => {
    const reactor = new Reactor({ logger: new RecordingLogger() });
    let failure: Failure | undefined;
    await runReactor(reactor, (done) => {
      new ClientCreator(reactor, Hello, 'x').connectUNIX(socketPath()).addCallbacks(
        (p) => {
          p.transport.abortConnection();
          done();
        },
        (f) => {
          failure = f;
          done();
        },
      );
    });
    expect(failure?.value).toBeInstanceOf(ConnectError);
  });

  it('cancelling ClientCreator while connecting stops the attempt: CancelledError, no connectionMade', async () => {
    const reactor = new Reactor({ logger: new RecordingLogger() });
    let failure: Failure | undefined;
    const built: Hello[] = [];
    class Tracked extends Hello {
      constructor() {
        super('never');
        built.push(this);
      }
    }
    await runReactor(reactor, (done) => {
      const port = reactor.listenTCP(0, Factory.forProtocol(Sink), { interface: '127.0.0.1' });
      const host = port.getHost();
      if (host.type !== 'TCP') throw new Error('expected a TCP port');
      const d = new ClientCreator(reactor, Tracked).connectTCP('127.0.0.1', host.port);
      d.addErrback((f) => {
        failure = f;
      });
      d.cancel();
      // Give a connection that should not exist the chance to show up.
      reactor.callLater(0.05, () => port.stopListening().addBoth(() => done()));
    });
    expect(failure?.value).toBeInstanceOf(CancelledError);
    expect(built.map((p) => p.made)).toEqual([0]);
  });

  it('ReconnectingClientFactory retries a refused connection maxRetries times, then gives up', async () => {
    // Real refusals on the reactor; the retry delays on a Clock the test advances, so the count
    // and the spacing of the attempts do not depend on how busy the machine is.
    const reactor = new Reactor({ logger: new RecordingLogger() });
    const clock = new Clock();
    const attempts: number[] = [];
    const failures: Failure[] = [];
    const pendingAfterFailure: number[] = [];
    let finish = (): void => {};
    class Counting extends ReconnectingClientFactory {
      override startedConnecting(connector: IConnector): void {
        attempts.push(clock.seconds());
        super.startedConnecting(connector);
      }
      override clientConnectionFailed(connector: IConnector, reason: Failure): void {
        failures.push(reason);
        super.clientConnectionFailed(connector, reason);
        const pending = clock.getDelayedCalls();
        pendingAfterFailure.push(pending.length);
        // Out of the connector's callback: run the retry it scheduled, or stop when none is left.
        reactor.callLater(0, () => (pending.length > 0 ? clock.advance(pending[0].getTime() - clock.seconds()) : finish()));
      }
    }
    const f = new Counting({ clock, initialDelay: 0.01, factor: 1, jitter: 0, maxRetries: 2 });
    f.protocol = Protocol;
    await runReactor(reactor, (done) => {
      finish = done;
      reactor.connectUNIX(socketPath(), f);
    });
    expect(failures).toHaveLength(3);
    for (const r of failures) expect(r.value).toBeInstanceOf(ConnectError);
    expect(attempts).toHaveLength(3);
    expect(attempts[0]).toBe(0);
    expect(attempts[1]).toBeCloseTo(0.01, 9);
    expect(attempts[2]).toBeCloseTo(0.02, 9);
    // A retry was scheduled after the first two failures, none after the third.
    expect(pendingAfterFailure).toEqual([1, 1, 0]);
    expect(f.retries).toBe(3);
  });

  it('stopTrying during a real attempt stops it with UserAbortedConnect and never retries', async () => {
    const reactor = new Reactor({ logger: new RecordingLogger() });
    const failures: Failure[] = [];
    class Watching extends ReconnectingClientFactory {
      override clientConnectionFailed(connector: IConnector, reason: Failure): void {
        failures.push(reason);
        super.clientConnectionFailed(connector, reason);
      }
    }
    const clock = new Clock();
    const f = new Watching({ clock, initialDelay: 0.001 });
    f.protocol = Protocol;
    let connector: IConnector | undefined;
    let scheduled: number | undefined;
    await runReactor(reactor, (done) => {
      connector = reactor.connectUNIX(socketPath(), f);
      f.stopTrying();
      // The abort is reported at once; then nothing may be scheduled on the retry clock, and
      // an hour of it later still nothing has been attempted again.
      reactor.callLater(0, () => {
        scheduled = clock.getDelayedCalls().length;
        clock.advance(3600);
        reactor.callLater(0, done);
      });
    });
    expect(scheduled).toBe(0);
    expect(failures.map((r) => r.value)).toEqual([expect.any(UserAbortedConnect)]);
    expect(f.retries).toBe(0);
    expect(f.connector).toBe(connector);
  });
});
