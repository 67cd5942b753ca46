// Stream transport conformance: every backend x trigger mode, over TCP4, TCP6 and UNIX.
// The cases follow Twisted's reactor tests (test_tcp.py, test_unix.py, internet/test/test_tcp.py).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  ConnectTimeoutError,
  Factory,
  IPv6Address,
  openSocketPair,
  Protocol,
  UserAbortedConnect,
  type Port,
  type StreamTransport,
  type IHalfCloseableProtocol,
  type Connector,
} from '../../src/index';
import { expectLogged } from '../support/logged';
import { closeAll, newReactor, RecordingLogger, runReactor, VARIANTS, waitUntil } from '../support/reactors';
import { connect, FAMILIES, finishOnceServerLost, listen, Recorder, removeSocketDir, TestClientFactory, TestServerFactory } from '../support/streams';

afterAll(removeSocketDir);

const cases = VARIANTS.flatMap((v) => FAMILIES.map((family) => ({ ...v, family, label: `${v.name} ${family}` })));

describe.each(cases)('stream transport, $label', (variant) => {
  const { family } = variant;

  it('delivers data both ways and reports ConnectionDone on both sides after loseConnection', async () => {
    const reactor = newReactor(variant);
    const server = new TestServerFactory(() => {
      const p = new Recorder();
      p.dataReceived = (d) => {
        p.chunks.push(d);
        p.transport.write(Buffer.concat([Buffer.from('echo:'), d]));
      };
      return p;
    });
    let client!: Recorder;
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      expect(server.started).toBe(1);
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          client = new Recorder();
          client.connectionMade = () => client.transport.write(Buffer.from('ping'));
          client.dataReceived = (d) => {
            client.chunks.push(d);
            if (client.received.toString() === 'echo:ping') client.transport.loseConnection();
          };
          // The server's end may come after the client's: wait for it (a fixed 20 ms raced).
          client.onLost = () => finishOnceServerLost(reactor, server, port, done);
          return client;
        }),
      );
    });
    expect(client.lost?.value).toBeInstanceOf(ConnectionDone);
    expect(server.built[0].lost?.value).toBeInstanceOf(ConnectionDone);
    expect(server.built[0].received.toString()).toBe('ping');
    expect(server.stopped).toBe(1);
  });

  it("gives each side the other side's address", async () => {
    const reactor = newReactor(variant);
    // Each side's view, taken while connected (getHost asks the socket, gone after the close).
    const serverView: { host?: unknown; peer?: unknown } = {};
    const server = new TestServerFactory(() => {
      const p = new Recorder();
      p.connectionMade = () => {
        serverView.host = p.transport.getHost();
        serverView.peer = p.transport.getPeer();
      };
      return p;
    });
    let client!: Recorder;
    let portHost: unknown;
    let clientHost: unknown;
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          client = new Recorder();
          client.connectionMade = () => {
            const peer = client.transport.getPeer();
            const host = port.getHost();
            portHost = host;
            clientHost = client.transport.getHost();
            if (family === 'UNIX') expect(peer).toMatchObject({ type: 'UNIX', name: (host as { name: string }).name });
            else expect(peer).toMatchObject({ type: 'TCP', host: family === 'TCP6' ? '::1' : '127.0.0.1', port: (host as { port: number }).port });
            // Close only once the server has its side (its accept can come after our connect).
            waitUntil(
              reactor,
              () => serverView.host !== undefined,
              () => {
                client.transport.loseConnection();
                port.stopListening();
                reactor.callLater(0.02, done);
              },
            );
          };
          return client;
        }),
      );
    });
    // The server's view is the mirror image: its host is the port, its peer the client's host.
    const serverSide = server.built[0].transport;
    if (family !== 'UNIX') expect(serverSide.getPeer()).toMatchObject({ type: 'TCP', host: family === 'TCP6' ? '::1' : '127.0.0.1' });
    if (family === 'UNIX') {
      expect(serverView.host).toMatchObject({ type: 'UNIX', name: (portHost as { name: string }).name });
    } else {
      const loopback = family === 'TCP6' ? '::1' : '127.0.0.1';
      expect(serverView.host).toMatchObject({ type: 'TCP', host: loopback, port: (portHost as { port: number }).port });
      expect(clientHost).toMatchObject({ type: 'TCP', host: loopback });
      expect(serverView.peer).toMatchObject({ type: 'TCP', host: loopback, port: (clientHost as { port: number }).port });
    }
  });

  it('loseConnection flushes a 64 MiB write before closing', async () => {
    const reactor = newReactor(variant);
    const size = 64 * 1024 * 1024;
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) payload[i] = (i / 4096) & 0xff;
    const server = new TestServerFactory(() => {
      const p = new Recorder();
      p.connectionMade = () => {
        p.transport.write(payload);
        p.transport.loseConnection();
      };
      return p;
    });
    let client!: Recorder;
    await runReactor(
      reactor,
      (done) => {
        const port = listen(reactor, family, server);
        connect(
          reactor,
          family,
          port,
          new TestClientFactory(() => {
            client = new Recorder();
            client.onLost = () => {
              port.stopListening();
              done();
            };
            return client;
          }),
        );
      },
      60,
    );
    expect(client.receivedLength).toBe(size);
    expect(client.received.equals(payload)).toBe(true);
    expect(client.lost?.value).toBeInstanceOf(ConnectionDone);
  }, 90_000);

  it('abortConnection drops the connection at once, twice is harmless, and from dataReceived', async () => {
    const reactor = newReactor(variant);
    const server = new TestServerFactory(() => {
      const p = new Recorder();
      p.dataReceived = () => {
        p.transport.abortConnection();
        p.transport.abortConnection();
        p.transport.write(Buffer.from('after abort')); // silently ignored
      };
      return p;
    });
    let client!: Recorder;
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          client = new Recorder();
          client.connectionMade = () => client.transport.write(Buffer.from('x'));
          client.onLost = () => {
            port.stopListening();
            reactor.callLater(0.02, done);
          };
          return client;
        }),
      );
    });
    expect(server.built[0].lost?.value).toBeInstanceOf(ConnectionAborted);
    // As in Twisted, an abort is a kind of loss.
    expect(server.built[0].lost?.value).toBeInstanceOf(ConnectionLost);
    expect(server.built[0].lost?.check(ConnectionAborted, ConnectionLost)).toBe(ConnectionAborted);
    expect(client.received.length).toBe(0);
    expect(client.lost?.value).toSatisfy((v: unknown) => v instanceof ConnectionDone || v instanceof ConnectionLost);
  });

  it('abortConnection with a full write buffer against a peer that does not read', async () => {
    const reactor = newReactor(variant);
    let serverProto!: Recorder;
    let bufferedBeforeAbort = 0;
    const server = new TestServerFactory(() => (serverProto = new Recorder()));
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          const client = new Recorder();
          client.connectionMade = () => client.transport.pauseProducing(); // never reads
          return client;
        }),
      );
      // The client never reads: once the server has the connection, its writes pile up.
      waitUntil(
        reactor,
        () => serverProto?.made === true,
        () => {
          const chunk = Buffer.alloc(1024 * 1024);
          for (let i = 0; i < 32; i++) serverProto.transport.write(chunk);
          bufferedBeforeAbort = serverProto.transport.bufferedAmount;
          serverProto.transport.abortConnection();
          serverProto.onLost = () => {
            port.stopListening();
            reactor.callLater(0.02, done);
          };
        },
      );
    });
    expect(bufferedBeforeAbort).toBeGreaterThan(0);
    expect(serverProto.lost?.value).toBeInstanceOf(ConnectionAborted);
  });

  it('write and writeSequence after close are silent no-ops', async () => {
    const reactor = newReactor(variant);
    let serverProto!: Recorder;
    const server = new TestServerFactory(() => (serverProto = new Recorder()));
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          const client = new Recorder();
          client.connectionMade = () => client.transport.loseConnection();
          return client;
        }),
      );
      waitUntil(
        reactor,
        () => serverProto?.lost !== undefined,
        () => {
          expect(serverProto.lost).toBeDefined();
          serverProto.transport.write(Buffer.from('late'));
          serverProto.transport.writeSequence([Buffer.from('a'), Buffer.from('b')]);
          serverProto.transport.loseConnection();
          serverProto.transport.abortConnection();
          port.stopListening();
          done();
        },
      );
    });
    expect(serverProto.lost?.value).toBeInstanceOf(ConnectionDone);
  });

  it('half-closes in both directions with IHalfCloseableProtocol', async () => {
    const reactor = newReactor(variant);
    const events: string[] = [];
    class HalfServer extends Recorder implements IHalfCloseableProtocol {
      readConnectionLost(): void {
        events.push(`server read closed after ${this.received.toString()}`);
        this.transport.write(Buffer.from('reply after your EOF'));
        this.transport.loseWriteConnection();
      }
      writeConnectionLost(): void {
        events.push('server write closed');
      }
    }
    class HalfClient extends Recorder implements IHalfCloseableProtocol {
      override connectionMade(): void {
        this.transport.write(Buffer.from('request'));
        this.transport.loseWriteConnection();
      }
      readConnectionLost(): void {
        events.push(`client read closed after ${this.received.toString()}`);
        this.transport.loseConnection();
      }
      writeConnectionLost(): void {
        events.push('client write closed');
      }
    }
    let client!: HalfClient;
    const server = new TestServerFactory(() => new HalfServer());
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          client = new HalfClient();
          client.onLost = () =>
            reactor.callLater(0.05, () => {
              port.stopListening();
              done();
            });
          return client;
        }),
      );
    });
    expect(events).toContain('client write closed');
    expect(events).toContain('server read closed after request');
    expect(events).toContain('server write closed');
    expect(events).toContain('client read closed after reply after your EOF');
    expect(client.lost?.value).toBeInstanceOf(ConnectionDone);
  });

  it('without half-close support, a peer half-close ends the connection with ConnectionDone', async () => {
    const reactor = newReactor(variant);
    const server = new TestServerFactory(() => {
      const recorder = new Recorder();
      // Finish when the server side is lost, not after a fixed delay a loaded machine can outrun.
      recorder.onLost = () => {
        port.stopListening();
        finish();
      };
      return recorder;
    });
    let port!: ReturnType<typeof listen>;
    let finish!: () => void;
    await runReactor(reactor, (done) => {
      finish = done;
      port = listen(reactor, family, server);
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          const client = new Recorder();
          client.connectionMade = () => {
            client.transport.write(Buffer.from('bye'));
            client.transport.loseWriteConnection();
          };
          return client;
        }),
      );
    });
    expect(server.built[0].received.toString()).toBe('bye');
    expect(server.built[0].lost?.value).toBeInstanceOf(ConnectionDone);
  });

  it('closes a connection whose buildProtocol returns null, without a protocol hearing of it', async () => {
    const reactor = newReactor(variant);
    const server = new TestServerFactory<Recorder>(() => null);
    let client!: Recorder;
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
            done();
          };
          return client;
        }),
      );
    });
    expect(server.built).toEqual([]);
    expect(client.made).toBe(true);
    expect(client.lost).toBeDefined();
  });

  it('reports a refused connection with ConnectionRefusedError', async () => {
    const reactor = newReactor(variant);
    const factory = new TestClientFactory(() => new Recorder());
    await runReactor(reactor, (done) => {
      const client = new TestClientFactory(
        () => new Recorder(),
        (reason) => {
          factory.failed = reason;
          done();
        },
      );
      let c: Connector;
      if (family === 'UNIX') {
        // Listen, note the path, stop: nothing listens there any more (paths are ours alone).
        const port = listen(reactor, family, new TestServerFactory(() => new Recorder()));
        port.getHost();
        port.stopListening();
        c = connect(reactor, family, port, client);
      } else {
        // Port 1 on loopback: nothing listens there. A port we listened on and released could be
        // handed at once to another test's listen(0), which may reset the connection instead.
        c = reactor.connectTCP(family === 'TCP6' ? '::1' : '127.0.0.1', 1, client);
      }
      expect(c.state).toBe('connecting');
    });
    expect(factory.failed?.value).toBeInstanceOf(family === 'UNIX' ? Error : ConnectionRefusedError);
    if (family !== 'UNIX') expect(factory.failed?.value).toMatchObject({ code: 'ERR_IOREACTOR_CONNECTION_REFUSED' });
  });

  it('keeps each dataReceived buffer intact after later reads (safe to keep)', async () => {
    const reactor = newReactor(variant);
    const kept: Buffer[] = [];
    const server = new TestServerFactory(() => {
      const p = new Recorder();
      p.dataReceived = (d) => {
        kept.push(d);
        p.transport.write(d);
      };
      return p;
    });
    const expected: string[] = [];
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          const client = new Recorder();
          let n = 0;
          const send = (): void => {
            const text = `message-${n}-${'z'.repeat(n * 37)}`;
            expected.push(text);
            client.transport.write(Buffer.from(text));
          };
          client.connectionMade = send;
          client.dataReceived = (d) => {
            client.chunks.push(d);
            if (client.received.length === expected.join('').length) {
              if (++n === 50) {
                client.transport.loseConnection();
                port.stopListening();
                reactor.callLater(0.02, done);
              } else send();
            }
          };
          return client;
        }),
      );
    });
    expect(Buffer.concat(kept).toString()).toBe(expected.join(''));
  });

  it('logs a protocol whose dataReceived throws, closes that connection, and keeps serving', async () => {
    const logger = new RecordingLogger();
    const reactor = newReactor(variant, { logger });
    const boom = new Error('protocol boom');
    const logged = expectLogged(/dataReceived.*protocol boom/);
    const server = new TestServerFactory(() => {
      const p = new Recorder();
      p.dataReceived = (d) => {
        if (d.toString() === 'bad') throw boom;
        p.transport.write(d);
      };
      return p;
    });
    let good!: Recorder;
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          const bad = new Recorder();
          bad.connectionMade = () => bad.transport.write(Buffer.from('bad'));
          bad.onLost = () =>
            connect(
              reactor,
              family,
              port,
              new TestClientFactory(() => {
                good = new Recorder();
                good.connectionMade = () => good.transport.write(Buffer.from('good'));
                good.dataReceived = (d) => {
                  good.chunks.push(d);
                  good.transport.loseConnection();
                  port.stopListening();
                  reactor.callLater(0.02, done);
                };
                return good;
              }),
            );
          return bad;
        }),
      );
    });
    expect(server.built[0].lost?.value).toBe(boom);
    expect(logger.errors.map((e) => e.error)).toEqual([boom]);
    expect(logged.errors).toEqual([boom]);
    expect(good.received.toString()).toBe('good');
    expect(good.lost?.value).toBeInstanceOf(ConnectionDone);
  });
});

describe.each(VARIANTS)('connect timeout on $name', (variant) => {
  it('fails with ConnectTimeoutError when nobody accepts', async () => {
    // A port on a reactor that is not running is listening but never accepts; once its
    // backlog is full, further connection attempts wait for a SYN-ACK that never comes.
    const idle = newReactor(variant);
    const unaccepting = idle.listenTCP(0, Factory.forProtocol(Protocol), { interface: '127.0.0.1', backlog: 1 });
    const port = unaccepting.getHost() as { port: number };
    const reactor = newReactor(variant);
    const failures: unknown[] = [];
    try {
      await runReactor(reactor, (done) => {
        for (let i = 0; i < 8; i++) {
          reactor.connectTCP(
            '127.0.0.1',
            port.port,
            new TestClientFactory(
              () => new Recorder(),
              (reason) => {
                failures.push(reason.value);
              },
            ),
            { timeout: 0.3 },
          );
        }
        reactor.callLater(1, done);
      });
    } finally {
      idle.close();
    }
    expect(failures.some((f) => f instanceof ConnectTimeoutError)).toBe(true);
  });
});

/** Counts the two ends of one connection: `ended` for each, `then` runs once both have. */
function bothEnds(): { ended: () => void; then: (f: () => void) => void } {
  let ends = 0;
  let finish = (): void => {};
  return {
    ended: () => {
      if (++ends === 2) finish();
    },
    then: (f) => {
      finish = f;
    },
  };
}

/** An echo server factory whose protocols report their end to `onLost`. */
function echoFactory(onLost: (p: Recorder) => void = () => {}): TestServerFactory<Recorder> {
  return new TestServerFactory(() => {
    const p = new Recorder();
    p.dataReceived = (d) => {
      p.chunks.push(d);
      p.transport.write(d);
    };
    p.onLost = onLost;
    return p;
  });
}

/** A client that sends `message`, hangs up once it is echoed back, and reports its end. */
function pinger(message: string, onLost: (c: Recorder) => void): Recorder {
  const c = new Recorder();
  c.connectionMade = () => c.transport.write(Buffer.from(message));
  c.dataReceived = (d) => {
    c.chunks.push(d);
    if (c.received.toString() === message) c.transport.loseConnection();
  };
  c.onLost = onLost;
  return c;
}

/**
 * The kernel's timer state for the TCP connection from local port `local` to `remote`, from
 * /proc/net/tcp(6): 2 while a keepalive timer is armed, 0 with no timer (see proc(5)).
 */
function kernelTimer(family: 'TCP4' | 'TCP6', local: number, remote: number): number | undefined {
  const table = readFileSync(family === 'TCP4' ? '/proc/net/tcp' : '/proc/net/tcp6', 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const hexPort = (p: number): string => p.toString(16).toUpperCase().padStart(4, '0');
  for (const line of table) {
    const f = line.trim().split(/\s+/);
    if (f[1].endsWith(`:${hexPort(local)}`) && f[2].endsWith(`:${hexPort(remote)}`)) return Number(f[5].split(':')[0]);
  }
  return undefined;
}

describe.each(VARIANTS)('adopted descriptors, socket options and Connector.disconnect on $name', (variant) => {
  it('adoptStreamConnection serves both ends of a socket pair, duplicated: the caller closes its copies at once', async () => {
    const [a, b] = openSocketPair();
    const reactor = newReactor(variant);
    const ends = bothEnds();
    const ended = ends.ended;
    const server = echoFactory(ended);
    let client: Recorder | undefined;
    const clients = new TestServerFactory(() => (client = pinger('adopted ping', ended)));
    try {
      await runReactor(reactor, (done) => {
        ends.then(done);
        reactor.adoptStreamConnection(a, 'UNIX', server);
        reactor.adoptStreamConnection(b, 'UNIX', clients);
        closeAll([a, b]);
      });
    } finally {
      closeAll([a, b]);
    }
    expect(server.built).toHaveLength(1);
    expect(server.built[0].received.toString()).toBe('adopted ping');
    expect(client?.received.toString()).toBe('adopted ping');
    expect(client?.lost?.value).toBeInstanceOf(ConnectionDone);
    expect(server.built[0].lost?.value).toBeInstanceOf(ConnectionDone);
  });

  it.each([
    ['INET', '127.0.0.1'],
    ['INET6', '::1'],
  ] as const)('adoptStreamPort serves a socket another owner made listen (%s)', async (family, host) => {
    // Node's own server makes the listening socket; the reactor adopts (duplicates) it and
    // Node closes its copy before anyone connects, so only the reactor can accept.
    const owner = createServer();
    await new Promise<void>((resolve) => owner.listen({ port: 0, host }, resolve));
    const portNumber = (owner.address() as { port: number }).port;
    const fd = (owner as unknown as { _handle: { fd: number } })._handle.fd;
    expect(fd).toBeGreaterThan(2);
    const reactor = newReactor(variant);
    const server = echoFactory();
    let client: Recorder | undefined;
    let adoptedHost: unknown;
    try {
      await runReactor(reactor, (done) => {
        const port: Port = reactor.adoptStreamPort(fd, family, server);
        owner.close();
        adoptedHost = port.getHost();
        reactor.connectTCP(
          host,
          portNumber,
          new TestClientFactory(
            () =>
              (client = pinger('to the adopted port', () => {
                port.stopListening().addBoth(() => done());
              })),
          ),
        );
      });
    } finally {
      if (owner.listening) owner.close();
    }
    expect(adoptedHost).toMatchObject({ type: 'TCP', host, port: portNumber });
    expect(server.started).toBe(1);
    expect(server.stopped).toBe(1);
    expect(client?.received.toString()).toBe('to the adopted port');
    expect(server.built[0].received.toString()).toBe('to the adopted port');
  });

  it.each(['TCP4', 'TCP6'] as const)('setTcpNoDelay and setTcpKeepAlive set the real socket; the getters and the kernel agree (%s)', async (family) => {
    const reactor = newReactor(variant);
    const server = new TestServerFactory(() => new Recorder());
    const seen: Record<string, unknown> = {};
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          const c = new Recorder();
          c.connectionMade = () => {
            const t = c.transport as unknown as StreamTransport;
            const local = (t.getHost() as { port: number }).port;
            const remote = (port.getHost() as { port: number }).port;
            const options = (): [boolean, boolean, number | undefined] => [t.getTcpNoDelay(), t.getTcpKeepAlive(), kernelTimer(family, local, remote)];
            t.setTcpNoDelay(true);
            t.setTcpKeepAlive(true);
            seen.on = options();
            t.setTcpNoDelay(false);
            t.setTcpKeepAlive(false);
            seen.off = options();
            t.setTcpNoDelay(true);
            seen.noDelayOnly = options();
            t.loseConnection();
            port.stopListening().addBoth(() => done());
          };
          return c;
        }),
      );
    });
    // [TCP_NODELAY, SO_KEEPALIVE, the kernel's timer: 2 = keepalive armed, 0 = none]
    expect(seen).toEqual({ on: [true, true, 2], off: [false, false, 0], noDelayOnly: [true, false, 0] });
  });

  it('an IPv6 address knows its flow information and prints itself', async () => {
    const reactor = newReactor(variant);
    let host: unknown;
    let peer: unknown;
    await runReactor(reactor, (done) => {
      const port = listen(reactor, 'TCP6', new TestServerFactory(() => new Recorder()));
      connect(
        reactor,
        'TCP6',
        port,
        new TestClientFactory(() => {
          const c = new Recorder();
          c.connectionMade = () => {
            host = c.transport.getHost();
            peer = c.transport.getPeer();
            c.transport.loseConnection();
            port.stopListening().addBoth(() => done());
          };
          return c;
        }),
      );
    });
    expect(host).toBeInstanceOf(IPv6Address);
    const h = host as IPv6Address;
    const p = peer as IPv6Address;
    expect([h.host, h.flowInfo, h.scopeID]).toEqual(['::1', 0, 0]);
    expect(String(h)).toBe(`IPv6Address(TCP, '::1', ${h.port})`);
    expect(String(p)).toBe(`IPv6Address(TCP, '::1', ${p.port})`);
    const labelled = new IPv6Address('fe80::1', 80, 0x12345, 3);
    expect([labelled.flowInfo, labelled.scopeID]).toEqual([0x12345, 3]);
    expect(labelled.toString()).toBe("IPv6Address(TCP, 'fe80::1', 80)");
    expect(new IPv6Address('::1', 1).flowInfo).toBe(0);
  });

  it.each(FAMILIES)('Connector.disconnect while connecting stops the attempt with UserAbortedConnect (%s)', async (family) => {
    const reactor = newReactor(variant);
    const server = new TestServerFactory(() => new Recorder());
    let built = 0;
    let failed: unknown;
    let stateBefore: string | undefined;
    let stateAfter: string | undefined;
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      const connector = connect(
        reactor,
        family,
        port,
        new TestClientFactory(
          () => {
            built++;
            return new Recorder();
          },
          (reason) => {
            failed = reason.value;
            stateAfter = connector.state;
            // Let a connection that should not exist show up on the server's side, then stop.
            reactor.callLater(0.02, () => port.stopListening().addBoth(() => done()));
          },
        ),
      );
      stateBefore = connector.state;
      connector.disconnect();
    });
    expect(stateBefore).toBe('connecting');
    expect(failed).toBeInstanceOf(UserAbortedConnect);
    expect(stateAfter).toBe('disconnected');
    expect(built).toBe(0);
  });

  it.each(FAMILIES)('Connector.disconnect once connected loses the connection cleanly (%s)', async (family) => {
    const reactor = newReactor(variant);
    const ends = bothEnds();
    const ended = ends.ended;
    const server = echoFactory(ended);
    let client: Recorder | undefined;
    let factory!: TestClientFactory<Recorder>;
    let stateWhenMade: string | undefined;
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      ends.then(() => port.stopListening().addBoth(() => done()));
      factory = new TestClientFactory(() => {
        const c = (client = new Recorder());
        c.connectionMade = () => {
          stateWhenMade = connector.state;
          connector.disconnect();
        };
        c.onLost = ended;
        return c;
      });
      const connector = connect(reactor, family, port, factory);
    });
    expect(stateWhenMade).toBe('connected');
    expect(client?.lost?.value).toBeInstanceOf(ConnectionDone);
    expect(factory.lostReason?.value).toBeInstanceOf(ConnectionDone);
    expect(factory.failed).toBeUndefined();
    expect(server.built[0].lost?.value).toBeInstanceOf(ConnectionDone);
  });
});
