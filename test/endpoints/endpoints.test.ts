// Every built-in endpoint string form listening and connecting for real, on every backend x
// trigger, over 127.0.0.1, ::1 and UNIX paths in a temporary directory: listen() and connect()
// Deferreds, connectProtocol, connect failures as errbacks, cancellation at each stage, and a
// factory that refuses the connection.
import { afterAll, describe, expect, it } from 'vitest';
import {
  clientFromString,
  ConnectError,
  ConnectingCancelledError,
  connectProtocol,
  ConnectionRefusedError,
  Factory,
  CancelledError,
  NoProtocolError,
  quoteStringArgument,
  ReactorSystemError,
  serverFromString,
  type Failure,
  type IHostnameResolver,
  type IResolutionReceiver,
  type Port,
  type Reactor,
} from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { FAMILIES, Recorder, removeSocketDir, socketPath, TestServerFactory, type FamilyName } from '../support/streams';

afterAll(removeSocketDir);

function serverDescription(family: FamilyName): string {
  if (family === 'TCP4') return 'tcp:0:interface=127.0.0.1';
  if (family === 'TCP6') return 'tcp6:port=0:interface=\\:\\:1';
  return `unix:${quoteStringArgument(socketPath())}:mode=600`;
}

function clientDescription(family: FamilyName, port: Port): string {
  const host = port.getHost();
  if (host.type === 'UNIX') return `unix:path=${quoteStringArgument(host.name!)}:timeout=5`;
  return family === 'TCP6' ? `tcp:host=\\:\\:1:port=${host.port}:timeout=5` : `tcp:127.0.0.1:${host.port}`;
}

/** A server whose protocols echo and keep what they saw. */
function echoServer(): TestServerFactory<Recorder> {
  return new TestServerFactory(() => {
    const p = new Recorder();
    const received = p.dataReceived.bind(p);
    p.dataReceived = (d) => {
      received(d);
      p.transport.write(d);
    };
    return p;
  });
}

/** A client protocol that writes `message` on connection and closes once it is echoed back. */
class EchoClient extends Recorder {
  constructor(private readonly message: string) {
    super();
  }
  override connectionMade(): void {
    super.connectionMade();
    this.transport.write(Buffer.from(this.message));
  }
  override dataReceived(data: Buffer): void {
    super.dataReceived(data);
    if (this.received.toString() === this.message) this.transport.loseConnection();
  }
}

/** A port that was listening and is not any more: connecting to it is refused. */
function closedPort(reactor: Reactor): number {
  const port = reactor.listenTCP(0, new Factory(), { interface: '127.0.0.1' });
  const number = (port.getHost() as { port: number }).port;
  port.stopListening();
  return number;
}

/** A resolver that never answers, and records whether it was cancelled. */
class SilentResolver implements IHostnameResolver {
  cancelled = 0;
  resolveHostName(receiver: IResolutionReceiver, name: string) {
    const resolution = { name, cancel: () => this.cancelled++ };
    receiver.resolutionBegan(resolution);
    return resolution;
  }
}

describe.each(VARIANTS)('endpoints on $name', (variant) => {
  it.each(FAMILIES)('%s: serverFromString().listen and clientFromString().connect carry an echo', async (family) => {
    const reactor = newReactor(variant);
    const server = echoServer();
    const client = new EchoClient(`hello over ${family}`);
    let connected: unknown;
    let listening: Port | undefined;
    await runReactor(reactor, (done, fail) => {
      serverFromString(reactor, serverDescription(family))
        .listen(server)
        .addCallback((port) => {
          listening = port;
          client.onLost = () => waitUntilServerLost();
          return clientFromString(reactor, clientDescription(family, port)).connect(new TestServerFactory(() => client));
        })
        .addCallbacks((protocol) => {
          connected = protocol;
        }, fail);
      const waitUntilServerLost = (): void => {
        const check = (): void => {
          if (server.built[0]?.lost !== undefined) listening!.stopListening().addCallbacks(() => done(), fail);
          else reactor.callLater(0.005, check);
        };
        check();
      };
    });
    expect(connected).toBe(client);
    expect(client.made).toBe(true);
    expect(client.received.toString()).toBe(`hello over ${family}`);
    expect(server.built).toHaveLength(1);
    expect(server.built[0].received.toString()).toBe(`hello over ${family}`);
    expect(server.started).toBe(1);
    expect(server.stopped).toBe(1);
  });

  it.each(FAMILIES)('%s: connectProtocol connects the given instance', async (family) => {
    const reactor = newReactor(variant);
    const server = echoServer();
    const client = new EchoClient('instance');
    let connected: unknown;
    await runReactor(reactor, (done, fail) => {
      serverFromString(reactor, serverDescription(family))
        .listen(server)
        .addCallback((port) => {
          client.onLost = () => port.stopListening().addCallbacks(() => done(), fail);
          return connectProtocol(clientFromString(reactor, clientDescription(family, port)), client);
        })
        .addCallbacks((protocol) => {
          connected = protocol;
        }, fail);
    });
    expect(connected).toBe(client);
    expect(client.received.toString()).toBe('instance');
  });

  it('a refused connection fails the Deferred with ConnectionRefusedError; a missing UNIX path with a ConnectError', async () => {
    const reactor = newReactor(variant);
    const reasons: Failure[] = [];
    const built: Recorder[] = [];
    await runReactor(reactor, (done) => {
      const factory = new TestServerFactory(() => {
        const p = new Recorder();
        built.push(p);
        return p;
      });
      clientFromString(reactor, `tcp:127.0.0.1:${closedPort(reactor)}`)
        .connect(factory)
        .addErrback((f: Failure) => {
          reasons.push(f);
          return clientFromString(reactor, `unix:${quoteStringArgument(socketPath())}`).connect(factory);
        })
        .addErrback((f: Failure) => {
          reasons.push(f);
          done();
        });
    });
    expect(reasons).toHaveLength(2);
    expect(reasons[0].value).toBeInstanceOf(ConnectionRefusedError);
    expect(reasons[1].value).toBeInstanceOf(ConnectError);
    expect(built).toHaveLength(0);
  });

  it('a listen that fails (address in use) fails the Deferred with the system error', async () => {
    const reactor = newReactor(variant);
    let reason: Failure | undefined;
    await runReactor(reactor, (done, fail) => {
      serverFromString(reactor, 'tcp:0:interface=127.0.0.1')
        .listen(new Factory())
        .addCallback((port) =>
          serverFromString(reactor, `tcp:${(port.getHost() as { port: number }).port}:interface=127.0.0.1`)
            .listen(new Factory())
            .addCallbacks(
              () => fail(new Error('the second listen succeeded')),
              (f: Failure) => {
                reason = f;
                return port.stopListening();
              },
            ),
        )
        .addCallbacks(() => done(), fail);
    });
    expect(reason?.value).toBeInstanceOf(ReactorSystemError);
    expect(reason?.value).toMatchObject({ code: 'EADDRINUSE' });
  });

  it.each(FAMILIES)('%s: cancelling connect() at once fails it with ConnectingCancelledError and connects nothing', async (family) => {
    const reactor = newReactor(variant);
    const server = echoServer();
    const client = new Recorder();
    let reason: Failure | undefined;
    await runReactor(reactor, (done, fail) => {
      serverFromString(reactor, serverDescription(family))
        .listen(server)
        .addCallback((port) => {
          const d = clientFromString(reactor, clientDescription(family, port)).connect(new TestServerFactory(() => client));
          d.cancel();
          return d.addErrback((f: Failure) => {
            reason = f;
            // Whatever the kernel accepted before the cancel is closed: wait for the server side.
            const check = (): void => {
              if (server.built.every((p) => p.lost !== undefined)) port.stopListening().addCallbacks(() => done(), fail);
              else reactor.callLater(0.005, check);
            };
            check();
          });
        })
        .addErrback(fail);
    });
    expect(reason?.value).toBeInstanceOf(ConnectingCancelledError);
    expect(reason?.value).toBeInstanceOf(CancelledError);
    expect(reason?.value).toMatchObject({ code: 'ERR_IOREACTOR_CONNECTING_CANCELLED' });
    expect(client.made).toBe(false);
  });

  it('cancelling from inside connectionMade (before the Deferred fires) drops the connection', async () => {
    const reactor = newReactor(variant);
    const server = echoServer();
    let reason: Failure | undefined;
    const client = new Recorder();
    await runReactor(reactor, (done, fail) => {
      serverFromString(reactor, 'tcp:0:interface=127.0.0.1')
        .listen(server)
        .addCallback((port) => {
          let d: { cancel(): void } | undefined;
          client.connectionMade = () => {
            client.made = true;
            d!.cancel(); // the Deferred fires right after connectionMade: this is the last moment
          };
          client.onLost = () => port.stopListening().addCallbacks(() => done(), fail);
          const connecting = clientFromString(reactor, clientDescription('TCP4', port)).connect(new TestServerFactory(() => client));
          d = connecting;
          connecting.addErrback((f: Failure) => {
            reason = f;
          });
        })
        .addErrback(fail);
    });
    expect(client.made).toBe(true);
    expect(client.lost).toBeDefined();
    expect(reason?.value).toBeInstanceOf(ConnectingCancelledError);
  });

  it('cancelling while the name is resolving cancels the resolution', async () => {
    const reactor = newReactor(variant);
    const resolver = new SilentResolver();
    reactor.installNameResolver(resolver);
    let reason: Failure | undefined;
    await runReactor(reactor, (done) => {
      const d = clientFromString(reactor, 'tcp:never.test:80').connect(new Factory());
      d.addErrback((f: Failure) => {
        reason = f;
        done();
      });
      reactor.callLater(0.01, () => d.cancel());
    });
    expect(reason?.value).toBeInstanceOf(ConnectingCancelledError);
    expect(resolver.cancelled).toBe(1);
  });

  it('a name that never resolves fails with ConnectTimeoutError after the timeout', async () => {
    const reactor = newReactor(variant);
    const resolver = new SilentResolver();
    reactor.installNameResolver(resolver);
    let reason: Failure | undefined;
    let started = 0;
    await runReactor(reactor, (done) => {
      started = reactor.seconds();
      clientFromString(reactor, 'tcp:never.test:80:timeout=0.05')
        .connect(new Factory())
        .addErrback((f: Failure) => {
          reason = f;
          done();
        });
    });
    expect(reason?.value).toMatchObject({ code: 'ERR_IOREACTOR_CONNECT_TIMEOUT' });
    expect(reactor.seconds() - started).toBeGreaterThanOrEqual(0.04);
    expect(resolver.cancelled).toBe(1);
  });

  it('a factory whose buildProtocol returns null fails the Deferred with NoProtocolError; one that throws, with its error', async () => {
    const reactor = newReactor(variant);
    const server = echoServer();
    const reasons: Failure[] = [];
    const boom = new Error('buildProtocol exploded');
    await runReactor(reactor, (done, fail) => {
      serverFromString(reactor, 'tcp:0:interface=127.0.0.1')
        .listen(server)
        .addCallback((port) => {
          const endpoint = clientFromString(reactor, clientDescription('TCP4', port));
          return endpoint
            .connect(new TestServerFactory(() => null))
            .addErrback((f: Failure) => {
              reasons.push(f);
              return endpoint.connect(
                new TestServerFactory<Recorder>(() => {
                  throw boom;
                }),
              );
            })
            .addErrback((f: Failure) => {
              reasons.push(f);
              const check = (): void => {
                if (server.built.length === 2 && server.built.every((p) => p.lost !== undefined)) port.stopListening().addCallbacks(() => done(), fail);
                else reactor.callLater(0.005, check);
              };
              check();
            });
        })
        .addErrback(fail);
    });
    expect(reasons[0].value).toBeInstanceOf(NoProtocolError);
    expect(reasons[0].value).toMatchObject({ code: 'ERR_IOREACTOR_NO_PROTOCOL' });
    expect(reasons[1].value).toBe(boom);
  });
});
