// A producer's life on a stream transport: registration rules, the connection lost under a
// paused producer, loseConnection waiting for unregisterProducer, and writeSequence order.
// Every backend x trigger over TCP4, TCP6 and UNIX; cases after Twisted's test_tcp.py
// (ProducerTests, AbortConnectionMixin, WriteSequenceTestsMixin.testWriteSequence).
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionAborted, ConnectionDone, ConnectionLost, InvalidArgTypeError, IoReactorError, type IPushProducer } from '../../src/index';
import { pattern, SendingProducer, st, whenStalled } from '../support/producers';
import { newReactor, runReactor, VARIANTS, waitUntil } from '../support/reactors';
import { connect, FAMILIES, listen, Recorder, removeSocketDir, TestClientFactory, TestServerFactory } from '../support/streams';

afterAll(removeSocketDir);

const cases = VARIANTS.flatMap((v) => FAMILIES.map((family) => ({ ...v, family, label: `${v.name} ${family}` })));

/** A push producer that produces nothing by itself and counts what it is told. */
class CountingProducer implements IPushProducer {
  pauses = 0;
  resumes = 0;
  stops = 0;
  pauseProducing(): void {
    this.pauses++;
  }
  resumeProducing(): void {
    this.resumes++;
  }
  stopProducing(): void {
    this.stops++;
  }
}

function thrown(f: () => void): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe.each(cases)('producer lifecycle, $label', (variant) => {
  const { family } = variant;

  it.each([
    ['a producer paused by a full buffer', false],
    ['a producer paused by a full buffer, reading paused too', true],
  ])('the peer aborting under %s: stopProducing, then connectionLost', async (_what, pauseReading) => {
    const reactor = newReactor(variant);
    const log: string[] = [];
    let producer: SendingProducer | undefined;
    let client!: Recorder;
    let bufferedAtAbort = 0;
    let oneLost = (): void => {};
    const server = new TestServerFactory(() => {
      const p = new Recorder();
      p.connectionMade = () => {
        if (pauseReading) st(p).pauseProducing();
        producer = new SendingProducer(st(p), pattern(16 * 1024 * 1024), 64 * 1024, () => {}, log);
        st(p).registerProducer(producer, true);
        producer.produce();
      };
      p.onLost = () => {
        log.push('connectionLost');
        oneLost();
      };
      return p;
    });
    await runReactor(
      reactor,
      (done) => {
        const port = listen(reactor, family, server);
        let lost = 0;
        oneLost = () => {
          if (++lost === 2) {
            port.stopListening();
            reactor.callLater(0.02, done);
          }
        };
        connect(
          reactor,
          family,
          port,
          new TestClientFactory(() => {
            client = new Recorder();
            client.connectionMade = () => st(client).pauseProducing();
            client.onLost = oneLost;
            return client;
          }),
        );
        whenStalled(
          reactor,
          () => producer && { paused: producer.paused, buffered: st(server.built[0]).bufferedAmount },
          () => {
            bufferedAtAbort = st(server.built[0]).bufferedAmount;
            client.transport.abortConnection();
          },
          3,
        );
      },
      20,
    );
    expect(bufferedAtAbort).toBeGreaterThan(0);
    expect(log).toEqual(['stopProducing', 'connectionLost']);
    expect(producer!.kinds().filter((k) => k === 'stop')).toEqual(['stop']);
    expect(producer!.kinds().at(-1)).toBe('stop');
    expect(client.lost?.value).toBeInstanceOf(ConnectionAborted);
    const reason = server.built[0].lost?.value;
    expect(reason).toSatisfy((v: unknown) => v instanceof ConnectionLost || v instanceof ConnectionDone);
    expect(st(server.built[0]).connected).toBe(false);
  });

  it('refuses a second producer with ERR_IOREACTOR_PRODUCER_REGISTERED; a closed transport stops a producer at once', async () => {
    const reactor = newReactor(variant);
    const first = new CountingProducer();
    const second = new CountingProducer();
    const late = new CountingProducer();
    const later = new CountingProducer();
    const errors: unknown[] = [];
    let stopsRightAfterRegister: number[] = [];
    const server = new TestServerFactory(() => {
      const p = new Recorder();
      p.connectionMade = () => {
        const t = st(p);
        t.registerProducer(first, true);
        errors.push(thrown(() => t.registerProducer(second, true)));
        errors.push(thrown(() => t.registerProducer(second, false)));
        t.unregisterProducer();
        errors.push(thrown(() => t.registerProducer(second, false)));
        t.unregisterProducer();
        errors.push(thrown(() => t.registerProducer(null as never, true)));
        errors.push(thrown(() => t.registerProducer({} as never, false)));
        errors.push(thrown(() => t.registerProducer({ resumeProducing() {}, stopProducing() {} } as never, true)));
        t.loseConnection();
      };
      p.onLost = () => {
        st(p).registerProducer(late, true);
        st(p).registerProducer(later, false); // nothing stays registered on a closed transport
        stopsRightAfterRegister = [late.stops, later.stops];
      };
      return p;
    });
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          const client = new Recorder();
          client.onLost = () => {
            port.stopListening();
            reactor.callLater(0.05, done);
          };
          return client;
        }),
      );
    });
    expect(errors[0]).toBeInstanceOf(IoReactorError);
    expect(errors[0]).toMatchObject({ code: 'ERR_IOREACTOR_PRODUCER_REGISTERED' });
    expect(errors[1]).toMatchObject({ code: 'ERR_IOREACTOR_PRODUCER_REGISTERED' });
    expect(errors[2]).toBeUndefined(); // after unregisterProducer, registering works again
    for (const e of errors.slice(3)) {
      expect(e).toBeInstanceOf(InvalidArgTypeError);
      expect(e).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' });
    }
    expect(stopsRightAfterRegister).toEqual([1, 1]);
    expect([late.pauses, late.resumes, later.resumes]).toEqual([0, 0, 0]);
    // Unregistered producers hear nothing when the connection closes.
    expect([first.stops, second.stops, first.pauses, second.resumes]).toEqual([0, 0, 0, 0]);
    expect(server.built[0].lost?.value).toBeInstanceOf(ConnectionDone);
  });

  it('loseConnection with a producer registered waits for unregisterProducer, then flushes and closes', async () => {
    const reactor = newReactor(variant);
    const part1 = pattern(1024 * 1024, 11);
    const part2 = pattern(1024 * 1024, 22);
    const producer = new CountingProducer();
    let client!: Recorder;
    let before: { received: number; clientLost: boolean; serverLost: boolean; connected: boolean; disconnecting: boolean } | undefined;
    const server = new TestServerFactory(() => {
      const p = new Recorder();
      p.connectionMade = () => {
        const t = st(p);
        t.registerProducer(producer, true);
        t.write(part1);
        t.loseConnection();
        // The client has all of part1 (a slow machine takes a while for 1 MiB), and 0.2 s later
        // the connection is still open, waiting for the producer.
        const snapshot = (): void => {
          before = {
            received: client.receivedLength,
            clientLost: client.lost !== undefined,
            serverLost: p.lost !== undefined,
            connected: t.connected,
            disconnecting: t.disconnecting,
          };
          t.write(part2); // the producer may still write until it is unregistered
          t.unregisterProducer();
        };
        waitUntil(
          reactor,
          () => client?.receivedLength === part1.length,
          () => reactor.callLater(0.2, snapshot),
        );
      };
      return p;
    });
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          client = new Recorder();
          client.onLost = () => {
            port.stopListening();
            reactor.callLater(0.02, done);
          };
          return client;
        }),
      );
    });
    expect(before).toEqual({ received: part1.length, clientLost: false, serverLost: false, connected: true, disconnecting: true });
    expect(client.received.equals(Buffer.concat([part1, part2]))).toBe(true);
    expect(client.lost?.value).toBeInstanceOf(ConnectionDone);
    expect(server.built[0].lost?.value).toBeInstanceOf(ConnectionDone);
    expect(producer.stops).toBe(0);
  });

  it('abortConnection with a producer registered does not wait for it: stopProducing, then ConnectionAborted', async () => {
    const reactor = newReactor(variant);
    const producer = new CountingProducer();
    const order: string[] = [];
    let client!: Recorder;
    const server = new TestServerFactory(() => {
      const p = new Recorder();
      p.connectionMade = () => {
        st(p).registerProducer(producer, true);
        p.transport.write(pattern(16 * 1024 * 1024)); // more than the kernel takes at once
        p.transport.abortConnection(); // drops what is still buffered here
        order.push(`aborted, ${producer.stops} stops`);
      };
      p.onLost = () => order.push(`connectionLost, ${producer.stops} stops`);
      return p;
    });
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          client = new Recorder();
          client.onLost = () => {
            port.stopListening();
            reactor.callLater(0.02, done);
          };
          return client;
        }),
      );
    });
    expect(order).toEqual(['aborted, 0 stops', 'connectionLost, 1 stops']);
    expect(server.built[0].lost?.value).toBeInstanceOf(ConnectionAborted);
    expect([producer.resumes, producer.stops]).toEqual([0, 1]);
    expect(client.receivedLength).toBeLessThan(16 * 1024 * 1024);
  });

  it('writeSequence of many chunks, in and out of dispatch, arrives in order', async () => {
    const reactor = newReactor(variant);
    const source = pattern(4 * 1024 * 1024, 33);
    const inDispatch: Buffer[] = [];
    const outside: Buffer[] = [];
    let at = 0;
    const take = (n: number, into: Buffer[]): void => {
      into.push(source.subarray(at, at + n));
      at += n;
    };
    for (let i = 0; i < 5000; i++) take((i * 37) % 301, inDispatch); // includes empty chunks
    take(1024 * 1024, inDispatch); // a large write after queued small ones
    for (let i = 0; i < 5000; i++) take((i * 53) % 257, outside);
    take(1024 * 1024, outside);
    take(100, outside);
    const expected = source.subarray(0, at);
    const server = new TestServerFactory(() => new Recorder());
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          const client = new Recorder();
          client.connectionMade = () => {
            client.transport.writeSequence(inDispatch);
            reactor.callLater(0, () => {
              client.transport.writeSequence(
                (function* () {
                  yield* outside;
                })(),
              );
              client.transport.writeSequence([]);
              client.transport.loseConnection();
            });
          };
          return client;
        }),
      );
      const poll = (): void => {
        if (server.built[0]?.lost !== undefined) {
          port.stopListening();
          done();
        } else reactor.callLater(0.01, poll);
      };
      poll();
    });
    expect(server.built[0].receivedLength).toBe(expected.length);
    expect(server.built[0].received.equals(expected)).toBe(true);
    expect(server.built[0].lost?.value).toBeInstanceOf(ConnectionDone);
  });
});
