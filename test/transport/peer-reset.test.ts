// A peer that resets the connection in the middle of a large transfer, every backend x trigger
// over TCP4, TCP6 and UNIX. The reader closes with unread data in its receive queue, so the
// kernel answers the writer with a reset (TCP RST; ECONNRESET on a UNIX stream): the writer's
// protocol hears ConnectionLost, nothing crashes, no SIGPIPE is raised, and the reactor goes on
// serving.
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionAborted, ConnectionDone, ConnectionLost, type Failure, type Port, type Reactor } from '../../src/index';
import { pattern, SendingProducer, st } from '../support/producers';
import { newReactor, runReactor, VARIANTS, waitUntil } from '../support/reactors';
import { connect, FAMILIES, listen, Recorder, removeSocketDir, TestClientFactory, TestServerFactory, type FamilyName } from '../support/streams';

afterAll(removeSocketDir);

const cases = VARIANTS.flatMap((v) => FAMILIES.map((family) => ({ ...v, family, label: `${v.name} ${family}` })));

const BIG = pattern(32 * 1024 * 1024, 0x5eed);

/**
 * How a reset surfaces on the writer's side. Linux: a TCP RST fails the next send or receive
 * with ECONNRESET; a UNIX stream whose peer closed with unread data fails the send with EPIPE
 * (the read side would report ECONNRESET). Elsewhere either may come first.
 */
function resetCodes(family: FamilyName): string[] {
  if (process.platform !== 'linux') return ['ECONNRESET', 'EPIPE'];
  return family === 'UNIX' ? ['EPIPE'] : ['ECONNRESET'];
}

/** Counts SIGPIPEs while `body` runs (Node ignores the signal; a listener makes it visible). */
async function countingSigpipe(body: () => Promise<void>): Promise<number> {
  let signals = 0;
  const onPipe = (): void => {
    signals++;
  };
  process.on('SIGPIPE', onPipe);
  try {
    await body();
    await new Promise((r) => setTimeout(r, 10)); // a signal's listener runs on a later turn
  } finally {
    process.off('SIGPIPE', onPipe);
  }
  return signals;
}

/** Connects a fresh client to `port`, checks it is echoed, and calls `then`. */
function proveEcho(reactor: Reactor, family: FamilyName, port: Port, then: (echoed: string) => void): void {
  connect(
    reactor,
    family,
    port,
    new TestClientFactory(() => {
      const c = new Recorder();
      c.connectionMade = () => c.transport.write(Buffer.from('still serving'));
      c.dataReceived = (d) => {
        c.chunks.push(d);
        if (c.receivedLength >= 13) c.transport.loseConnection();
      };
      c.onLost = () => then(c.received.toString());
      return c;
    }),
  );
}

/** The first connection gets `first`; every later one is an echo. */
function serverFactory(first: (p: Recorder) => void): TestServerFactory<Recorder> {
  const server: TestServerFactory<Recorder> = new TestServerFactory(() => {
    const p = new Recorder();
    if (server.built.length === 0) first(p);
    else p.dataReceived = (d) => p.transport.write(d);
    return p;
  });
  return server;
}

function expectReset(reason: Failure | undefined, family: FamilyName): void {
  // ConnectionDone would do for a kernel that reported a clean end; what each family gives is
  // pinned: a reset is not a clean close, on TCP or on UNIX streams, so ConnectionLost whose
  // cause is the system error.
  expect(reason?.value).toSatisfy((v: unknown) => v instanceof ConnectionLost || v instanceof ConnectionDone);
  expect(reason?.value).toBeInstanceOf(ConnectionLost);
  expect(resetCodes(family)).toContain((reason?.value as Error & { cause?: { code?: string } }).cause?.code);
}

describe.each(cases)('peer reset, $label', (variant) => {
  const { family } = variant;

  it('a reset in the middle of a 32 MiB write: ConnectionLost, no SIGPIPE, and the reactor keeps serving', async () => {
    const reactor = newReactor(variant);
    let client!: Recorder;
    let bufferedAtReset = -1;
    let echoed = '';
    const server = serverFactory((p) => {
      p.connectionMade = () => p.transport.write(BIG);
    });
    const signals = await countingSigpipe(() =>
      runReactor(
        reactor,
        (done) => {
          const port = listen(reactor, family, server);
          connect(
            reactor,
            family,
            port,
            new TestClientFactory(() => {
              client = new Recorder();
              client.dataReceived = (d) => {
                client.chunks.push(d);
                if (client.receivedLength >= 4096 && client.lost === undefined && !st(client).disconnecting) {
                  bufferedAtReset = st(server.built[0]).bufferedAmount;
                  client.transport.abortConnection(); // unread data queued: the kernel resets
                }
              };
              return client;
            }),
          );
          const waitForServer = (): void => {
            if (server.built[0]?.lost === undefined) {
              reactor.callLater(0.01, waitForServer);
              return;
            }
            proveEcho(reactor, family, port, (text) => {
              echoed = text;
              port.stopListening();
              reactor.callLater(0.02, done);
            });
          };
          waitForServer();
        },
        20,
      ),
    );
    expect(signals).toBe(0);
    expect(bufferedAtReset).toBeGreaterThan(0);
    expect(client.receivedLength).toBeGreaterThanOrEqual(4096);
    expect(client.receivedLength).toBeLessThan(BIG.length);
    expect(client.received.equals(BIG.subarray(0, client.receivedLength))).toBe(true);
    expect(client.lost?.value).toBeInstanceOf(ConnectionAborted);
    expectReset(server.built[0].lost, family);
    expect(echoed).toBe('still serving');
  }, 30_000);

  it('a reset under a streaming producer: stopProducing, ConnectionLost, and the reactor keeps serving', async () => {
    const reactor = newReactor(variant);
    let producer!: SendingProducer;
    let client!: Recorder;
    let echoed = '';
    const server = serverFactory((p) => {
      p.connectionMade = () => {
        producer = new SendingProducer(st(p), BIG, 256 * 1024);
        st(p).registerProducer(producer, true);
        producer.produce();
      };
    });
    const signals = await countingSigpipe(() =>
      runReactor(
        reactor,
        (done) => {
          const port = listen(reactor, family, server);
          connect(
            reactor,
            family,
            port,
            new TestClientFactory(() => {
              client = new Recorder();
              client.dataReceived = (d) => {
                client.chunks.push(d);
                if (client.receivedLength >= 8192 && !st(client).disconnecting) client.transport.abortConnection();
              };
              return client;
            }),
          );
          const waitForServer = (): void => {
            if (server.built[0]?.lost === undefined) {
              reactor.callLater(0.01, waitForServer);
              return;
            }
            proveEcho(reactor, family, port, (text) => {
              echoed = text;
              port.stopListening();
              reactor.callLater(0.02, done);
            });
          };
          waitForServer();
        },
        20,
      ),
    );
    expect(signals).toBe(0);
    expect(producer.sent).toBeLessThan(BIG.length);
    expect(producer.kinds().filter((k) => k === 'stop')).toEqual(['stop']);
    expect(producer.kinds().at(-1)).toBe('stop');
    expect(client.received.equals(BIG.subarray(0, client.receivedLength))).toBe(true);
    expectReset(server.built[0].lost, family);
    expect(echoed).toBe('still serving');
  }, 30_000);

  it('writes into a connection the peer has just reset are harmless: no SIGPIPE, then ConnectionLost', async () => {
    const reactor = newReactor(variant);
    let client!: Recorder;
    let threw: unknown;
    let echoed = '';
    const server = serverFactory((p) => {
      p.connectionMade = () => p.transport.write(Buffer.alloc(64 * 1024, 0x41));
    });
    const signals = await countingSigpipe(() =>
      runReactor(reactor, (done) => {
        const port = listen(reactor, family, server);
        connect(
          reactor,
          family,
          port,
          new TestClientFactory(() => {
            client = new Recorder();
            client.connectionMade = () => st(client).pauseProducing(); // leaves the 64 KiB unread
            return client;
          }),
        );
        // Both ends connected (the server's 64 KiB written), then the client resets.
        waitUntil(
          reactor,
          () => client?.transport !== undefined && server.built[0]?.transport !== undefined,
          () => {
            const t = server.built[0].transport;
            client.transport.abortConnection();
            // The server has not heard of the reset yet: these sends meet a dead socket now.
            try {
              for (let i = 0; i < 4; i++) t.write(Buffer.alloc(16 * 1024, 0x42));
              t.writeSequence([Buffer.from('a'), Buffer.from('b')]);
            } catch (err) {
              threw = err;
            }
            waitForServer();
          },
        );
        const waitForServer = (): void => {
          if (server.built[0]?.lost === undefined) {
            reactor.callLater(0.01, waitForServer);
            return;
          }
          proveEcho(reactor, family, port, (text) => {
            echoed = text;
            port.stopListening();
            reactor.callLater(0.02, done);
          });
        };
      }),
    );
    expect(signals).toBe(0);
    expect(threw).toBeUndefined();
    expect(client.receivedLength).toBe(0);
    expectReset(server.built[0].lost, family);
    expect(echoed).toBe('still serving');
  });
});
