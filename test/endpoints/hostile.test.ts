// Endpoints used the wrong way: connect() cancelled twice (before and after it fired), listen()
// and connect() on a closed reactor. Every failure arrives once, through the Deferred, as a
// coded error; nothing throws from the call and nothing is left open.
import { afterAll, describe, expect, it } from 'vitest';
import { clientFromString, ConnectingCancelledError, ReactorClosed, serverFromString, type Failure, type Protocol } from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { Recorder, removeSocketDir, socketPath, TestServerFactory } from '../support/streams';

afterAll(removeSocketDir);

describe.each(VARIANTS)('hostile endpoint calls on $name', (variant) => {
  it('connect() cancelled twice fails once with ConnectingCancelledError; cancelled twice after it fired changes nothing', async () => {
    const reactor = newReactor(variant);
    const failures: Failure[] = [];
    let connected: Recorder | undefined;
    await runReactor(reactor, (done, fail) => {
      serverFromString(reactor, 'tcp:0:interface=127.0.0.1')
        .listen(new TestServerFactory(() => new Recorder()))
        .addCallback((port) => {
          const where = `tcp:127.0.0.1:${(port.getHost() as { port: number }).port}`;
          const cancelled = clientFromString(reactor, where).connect(new TestServerFactory(() => new Recorder()));
          cancelled.addErrback((f: Failure) => void failures.push(f));
          cancelled.cancel();
          cancelled.cancel();
          const fired = clientFromString(reactor, where).connect(new TestServerFactory(() => new Recorder()));
          fired.addCallbacks(
            (protocol: Protocol) => {
              connected = protocol as Recorder;
              fired.cancel();
              fired.cancel();
              connected.onLost = () => void port.stopListening().addCallbacks(() => done(), fail);
              connected.transport.loseConnection();
            },
            (f: Failure) => void failures.push(f),
          );
        })
        .addErrback(fail);
    });
    expect(failures.map((f) => f.value)).toEqual([expect.any(ConnectingCancelledError)]);
    expect(connected?.made).toBe(true);
    expect(connected?.lost).toBeDefined();
  });
});

describe('endpoints on a closed reactor', () => {
  it('listen() and connect() fail their Deferreds with ReactorClosed instead of throwing', () => {
    const reactor = newReactor(VARIANTS[0]!);
    reactor.close();
    const factory = new TestServerFactory(() => new Recorder());
    const outcomes: Record<string, unknown> = {};
    const descriptions: [string, string][] = [
      ['listen tcp', 'tcp:0:interface=127.0.0.1'],
      ['listen unix', `unix:${socketPath()}`],
    ];
    for (const [what, description] of descriptions) {
      serverFromString(reactor, description)
        .listen(factory)
        .addCallbacks(
          () => (outcomes[what] = 'listening'),
          (f: Failure) => (outcomes[what] = f.value),
        );
    }
    const clients: [string, string][] = [
      ['connect tcp (a hostname endpoint)', 'tcp:127.0.0.1:9:timeout=5'],
      ['connect tcp without timeout', 'tcp:127.0.0.1:9:timeout=0'],
      ['connect unix', `unix:${socketPath()}`],
    ];
    for (const [what, description] of clients) {
      let thrown: unknown;
      try {
        clientFromString(reactor, description)
          .connect(factory)
          .addCallbacks(
            () => (outcomes[what] = 'connected'),
            (f: Failure) => (outcomes[what] = f.value),
          );
      } catch (err) {
        thrown = err;
      }
      if (thrown !== undefined) outcomes[what] = `threw ${String(thrown)}`;
    }
    for (const what of [...descriptions, ...clients].map(([w]) => w)) {
      expect(outcomes[what], what).toBeInstanceOf(ReactorClosed);
    }
  });
});
