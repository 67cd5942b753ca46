// The lifecycle contract between the native core and JavaScript (shared/DESIGN.md): whatever
// order a user calls things in, bytes reach only the peer they were written to, every record is
// delivered at most once to the object it names, nothing crashes and nothing leaks. Each test
// is named after the behaviour it holds the code to, and each reproduced a defect before.
import * as net from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import {
  closeDescriptor,
  ConnectionLost,
  Factory,
  openPipe,
  openSocketPair,
  Protocol,
  ReactorSystemError,
  ReconnectingClientFactory,
  type Failure,
  type IPullProducer,
  type IReadDescriptor,
  type Reactor,
  type StreamTransport,
} from '../../src/index';
import { expectLogged } from '../support/logged';
import { newReactor, RecordingLogger, runReactor, VARIANTS, waitUntil, type Variant } from '../support/reactors';
import { Recorder, removeSocketDir, TestClientFactory, TestServerFactory } from '../support/streams';

afterAll(removeSocketDir);

/** A node:net server that keeps what each accepted socket received, in accept order. */
class PeerServer {
  readonly sockets: net.Socket[] = [];
  readonly received: Buffer[][] = [];
  /** Closed either way: an EOF, or a reset (an abort with unread data in our receive buffer). */
  readonly closed: boolean[] = [];
  private readonly server: net.Server;
  constructor(onConnection?: (socket: net.Socket, index: number) => void) {
    this.server = net.createServer((socket) => {
      const index = this.sockets.length;
      this.sockets.push(socket);
      this.received.push([]);
      this.closed.push(false);
      socket.on('data', (d) => this.received[index].push(d));
      socket.on('close', () => (this.closed[index] = true));
      socket.on('end', () => socket.end());
      socket.on('error', () => {});
      onConnection?.(socket, index);
    });
  }
  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port)));
  }
  text(index: number): string {
    return Buffer.concat(this.received[index] ?? []).toString();
  }
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const nativeOf = (reactor: Reactor): { registrationCount: number; heldCount: number; write(slot: number, gen: number, d: Uint8Array): number } =>
  (reactor as unknown as { nativeReactor: never }).nativeReactor;
const st = (p: Protocol): StreamTransport => p.transport as unknown as StreamTransport;

/** Bounded wait for a condition checked on each loop turn. */
async function until(condition: () => boolean, what: string, seconds = 5): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Counts connectionMade/connectionLost per protocol, and any callback after connectionLost. */
class Tracked extends Recorder {
  static readonly violations: string[] = [];
  madeCount = 0;
  lostCount = 0;
  override connectionMade(): void {
    this.madeCount++;
    super.connectionMade();
  }
  override dataReceived(data: Buffer): void {
    if (this.lostCount > 0) Tracked.violations.push('dataReceived after connectionLost');
    super.dataReceived(data);
  }
  override connectionLost(reason: Failure): void {
    this.lostCount++;
    if (this.lostCount > 1) Tracked.violations.push('connectionLost twice');
    super.connectionLost(reason);
  }
}

describe.each(VARIANTS)('lifecycle contract ($name)', (variant: Variant) => {
  it('bytes written after loseConnection never reach the connection that takes its slot next', async () => {
    const peer = new PeerServer();
    const port = await peer.listen();
    const reactor = newReactor(variant);
    const first = new Tracked();
    const second = new Tracked();
    let connectedAfterLose: boolean | undefined;
    await runReactor(reactor, (done, fail) => {
      first.connectionMade = () => {
        first.madeCount++;
        // Outside any batch, as a timer would: the old core freed the slot here at once.
        reactor.callLater(0.01, () => {
          const t = st(first);
          t.loseConnection();
          connectedAfterLose = t.connected;
          reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => second));
          t.write(Buffer.from('SECRET-OF-THE-FIRST'));
          t.writeSequence([Buffer.from('MORE-SECRET')]);
        });
      };
      second.connectionMade = () => {
        second.madeCount++;
        second.transport.write(Buffer.from('second'));
        second.transport.loseConnection();
      };
      second.onLost = () => done();
      reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => first), { timeout: 5 });
      void fail;
    });
    await until(() => peer.closed.filter(Boolean).length === 2, 'both peer sockets to close');
    expect(connectedAfterLose).toBe(false);
    expect(peer.text(0)).toBe('');
    expect(peer.text(1)).toBe('second');
    expect(first.lostCount).toBe(1);
    expect(second.lostCount).toBe(1);
    await peer.close();
  });

  it('a chain of aborts from connectionLost delivers every close to its own protocol while new connections take the slots', async () => {
    const peer = new PeerServer((socket, index) => socket.write(`hello-${index};`));
    const port = await peer.listen();
    const reactor = newReactor(variant);
    const count = 12;
    const old: Tracked[] = [];
    const fresh: Tracked[] = [];
    Tracked.violations.length = 0;
    await runReactor(reactor, (done) => {
      let connected = 0;
      for (let i = 0; i < count; i++) {
        const p = new Tracked();
        p.connectionMade = () => {
          p.madeCount++;
          if (++connected === count) reactor.callLater(0.01, () => old[0].transport.abortConnection());
        };
        p.onLost = () => {
          // Each close makes the next one, and a new connection that may reuse a freed slot.
          if (i + 1 < count) old[i + 1].transport.abortConnection();
          const n = new Tracked();
          n.dataReceived = (d) => {
            Tracked.prototype.dataReceived.call(n, d);
            if (n.received.toString().endsWith(';')) {
              n.transport.write(Buffer.from(`fresh-${fresh.indexOf(n)}`));
              n.transport.loseConnection();
            }
          };
          n.onLost = () => {
            if (fresh.every((f) => f.lostCount === 1) && fresh.length === count) done();
          };
          fresh.push(n);
          reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => n));
        };
        old.push(p);
        reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => p));
      }
    });
    expect(Tracked.violations).toEqual([]);
    for (const p of [...old, ...fresh]) {
      expect(p.madeCount).toBe(1);
      expect(p.lostCount).toBe(1);
    }
    // Each fresh connection's server side got exactly its own tag.
    await until(() => peer.closed.filter(Boolean).length === 2 * count, 'every peer socket to close');
    const tags = peer.received
      .slice(count)
      .map((_, i) => peer.text(count + i))
      .sort();
    expect(tags).toEqual(fresh.map((_, i) => `fresh-${i}`).sort());
    for (let i = 0; i < count; i++) expect(peer.text(i)).toBe('');
    await peer.close();
  });

  it('a stream adopted right after an abort gets a slot of its own: the old protocol hears connectionLost, the new one is not closed', async () => {
    const peer = new PeerServer();
    const port = await peer.listen();
    const reactor = newReactor(variant);
    const first = new Tracked();
    const adopted = new Tracked();
    const [mine, theirs] = openSocketPair();
    let echoed = '';
    await runReactor(reactor, (done) => {
      first.connectionMade = () => {
        first.madeCount++;
        reactor.callLater(0.01, () => {
          first.transport.abortConnection();
          reactor.adoptStreamConnection(mine, 'UNIX', new TestServerFactory(() => adopted));
          closeDescriptor(mine);
          // The adopted stream must still be open after the old close record was delivered.
          reactor.callLater(0.05, () => {
            const peerEnd = new net.Socket({ fd: theirs, readable: true, writable: true });
            peerEnd.on('data', (d) => {
              echoed += d.toString();
              peerEnd.destroy();
              adopted.transport.loseConnection();
            });
            peerEnd.on('error', () => {});
            adopted.transport.write(Buffer.from('still-here'));
          });
        });
      };
      adopted.onLost = () => done();
      reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => first));
    });
    expect(first.lostCount).toBe(1);
    expect(adopted.madeCount).toBe(1);
    expect(adopted.lostCount).toBe(1);
    expect(echoed).toBe('still-here');
    await peer.close();
  });

  it('a stale name is refused by the native core even when its slot has been reused', async () => {
    const peer = new PeerServer();
    const port = await peer.listen();
    const reactor = newReactor(variant);
    const first = new Tracked();
    const second = new Tracked();
    let staleWrite: number | undefined;
    let sameSlot = false;
    await runReactor(reactor, (done) => {
      // After the batch that delivered the close: its slot is free again, and reused at once.
      first.onLost = () => reactor.callLater(0.01, () => reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => second)));
      first.connectionMade = () => {
        first.madeCount++;
        first.transport.abortConnection();
      };
      second.connectionMade = () => {
        second.madeCount++;
        const old = st(first);
        const now = st(second);
        sameSlot = old.slot === now.slot;
        staleWrite = nativeOf(reactor).write(old.slot, old.generation, Buffer.from('stale'));
        now.loseConnection();
      };
      second.onLost = () => done();
      reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => first));
    });
    expect(sameSlot).toBe(true); // the slot was reused: the generation is what tells them apart
    expect(staleWrite).toBeLessThan(0);
    await until(() => peer.closed.filter(Boolean).length === 2, 'both peer sockets to close');
    expect(peer.text(1)).toBe('');
    await peer.close();
  });

  it('writes any ArrayBufferView, SharedArrayBuffer-backed ones included, through its real bytes, in and out of dispatch', async () => {
    const peer = new PeerServer((socket) => socket.write('go'));
    const port = await peer.listen();
    const reactor = newReactor(variant);
    const shared = new Uint8Array(new SharedArrayBuffer(4096));
    for (let i = 0; i < shared.length; i++) shared[i] = 'A'.charCodeAt(0) + (i % 26);
    const sharedView = new DataView(shared.buffer, 100, 50);
    const words = new Uint16Array([0x6968, 0x2121]); // "hi!!" little-endian
    const expected = Buffer.concat([
      Buffer.from(shared),
      Buffer.from('|'),
      Buffer.from(shared.buffer, 100, 50),
      Buffer.from(words.buffer),
      Buffer.from(shared.subarray(10, 20)),
    ]);
    const client = new Tracked();
    await runReactor(reactor, (done) => {
      client.dataReceived = () => {
        // Inside dispatch: coalesced into the native queue, then a second write behind it.
        client.transport.write(shared);
        client.transport.write(Buffer.from('|'));
        client.transport.write(sharedView);
        reactor.callLater(0, () => {
          // Outside dispatch: sent at once.
          client.transport.write(words);
          client.transport.writeSequence([shared.subarray(10, 20)]);
          client.transport.loseConnection();
        });
      };
      client.onLost = () => done();
      reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => client));
    });
    await until(() => peer.closed[0] === true, 'the peer socket to close');
    expect(Buffer.concat(peer.received[0]).equals(expected)).toBe(true);
    expect(client.lost?.value).not.toBeInstanceOf(ConnectionLost);
    await peer.close();
  });

  it('a throwing pull producer is called once, its connection aborted, and another connection still served', async () => {
    const peer = new PeerServer();
    const port = await peer.listen();
    const logger = new RecordingLogger();
    const logged = expectLogged(/resumeProducing.*producer failed/);
    const reactor = newReactor(variant, { logger });
    const bad = new Tracked();
    const good = new Tracked();
    let resumes = 0;
    await runReactor(reactor, (done) => {
      bad.connectionMade = () => {
        bad.madeCount++;
        const producer: IPullProducer = {
          resumeProducing() {
            resumes++;
            throw new Error('producer failed');
          },
          stopProducing() {},
        };
        bad.transport.registerProducer(producer, false);
      };
      bad.onLost = () => reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => good));
      good.connectionMade = () => {
        good.madeCount++;
        good.transport.write(Buffer.from('served'));
        good.transport.loseConnection();
      };
      good.onLost = () => reactor.callLater(0.1, done); // time for any re-delivery to show
      reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => bad));
    });
    expect(resumes).toBe(1);
    expect(bad.lostCount).toBe(1);
    expect((bad.lost?.value as Error).message).toBe('producer failed');
    expect(logger.errors.map((e) => (e.error as Error).message)).toEqual(['producer failed']);
    expect(logged.errors).toHaveLength(1);
    await until(() => peer.closed.filter(Boolean).length === 2, 'both peer sockets to close');
    expect(peer.text(1)).toBe('served');
    await peer.close();
  });

  it('throwing clientConnectionFailed and clientConnectionLost are logged once each and dispatch goes on', async () => {
    const peer = new PeerServer((socket) => socket.end());
    const port = await peer.listen();
    const refused = net.createServer();
    await new Promise<void>((r) => refused.listen(0, '127.0.0.1', () => r()));
    const closedPort = (refused.address() as net.AddressInfo).port;
    await new Promise<void>((r) => refused.close(() => r()));
    const logger = new RecordingLogger();
    expectLogged(/clientConnectionFailed.*failed-callback/);
    expectLogged(/clientConnectionLost.*lost-callback/);
    const reactor = newReactor(variant, { logger });
    let failedCalls = 0;
    let lostCalls = 0;
    await runReactor(reactor, (done) => {
      class Throwing extends TestClientFactory<Tracked> {
        override clientConnectionFailed(): void {
          failedCalls++;
          throw new Error('failed-callback');
        }
        override clientConnectionLost(): void {
          lostCalls++;
          throw new Error('lost-callback');
        }
      }
      reactor.connectTCP('127.0.0.1', closedPort, new Throwing(() => new Tracked()));
      reactor.connectTCP('127.0.0.1', port, new Throwing(() => new Tracked()));
      // Both callbacks ran (the peer's close takes a while on a loaded machine); then a moment
      // for any second call to show.
      waitUntil(
        reactor,
        () => failedCalls >= 1 && lostCalls >= 1,
        () => reactor.callLater(0.05, done),
      );
    });
    expect(failedCalls).toBe(1);
    expect(lostCalls).toBe(1);
    expect(logger.errors.map((e) => (e.error as Error).message).sort()).toEqual(['failed-callback', 'lost-callback']);
    await peer.close();
  });

  it('an idle pull producer is resumed once, not in a loop; one that writes is resumed after each drain', async () => {
    const peer = new PeerServer();
    const port = await peer.listen();
    const reactor = newReactor(variant);
    let idleResumes = 0;
    let writingResumes = 0;
    const idle = new Tracked();
    const writing = new Tracked();
    await runReactor(reactor, (done) => {
      idle.connectionMade = () => {
        idle.transport.registerProducer({ resumeProducing: () => idleResumes++, stopProducing() {} }, false);
      };
      writing.connectionMade = () => {
        writing.transport.registerProducer(
          {
            resumeProducing: () => {
              if (++writingResumes <= 3) writing.transport.write(Buffer.from(`w${writingResumes}`));
            },
            stopProducing() {},
          },
          false,
        );
      };
      reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => idle));
      reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => writing));
      reactor.callLater(0.25, () => {
        idle.transport.unregisterProducer();
        writing.transport.unregisterProducer();
        idle.transport.loseConnection();
        writing.transport.loseConnection();
        done();
      });
    });
    expect(idleResumes).toBe(1);
    expect(writingResumes).toBe(4); // three writes, each drained, then one that wrote nothing
    await peer.close();
  });

  it('reactor.close() inside dataReceived stops dispatch: every protocol hears connectionLost once and nothing after', async () => {
    const peer = new PeerServer((socket) => socket.write('x'));
    const port = await peer.listen();
    const logger = new RecordingLogger();
    const reactor = newReactor(variant, { logger });
    const protocols: Tracked[] = [];
    Tracked.violations.length = 0;
    let connected = 0;
    const stopped = new Promise<void>((resolve) => {
      reactor.callWhenRunning(() => {
        for (let i = 0; i < 4; i++) {
          const p = new Tracked();
          p.connectionMade = () => {
            p.madeCount++;
            connected++;
          };
          p.dataReceived = (d) => {
            Tracked.prototype.dataReceived.call(p, d);
            p.transport.write(Buffer.from('reply'));
            if (connected === 4) {
              reactor.close();
              p.transport.write(Buffer.from('after-close'));
              resolve();
            }
          };
          protocols.push(p);
          reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => p));
        }
      });
    });
    const guard = setTimeout(() => reactor.close(), 5000);
    await reactor.run();
    await stopped;
    clearTimeout(guard);
    expect(reactor.closed).toBe(true);
    expect(Tracked.violations).toEqual([]);
    for (const p of protocols) {
      expect(p.madeCount).toBe(1);
      expect(p.lostCount).toBe(1);
      expect(p.lost?.value).toBeInstanceOf(ConnectionLost);
    }
    expect(logger.errors).toEqual([]);
    await until(() => peer.closed.filter(Boolean).length === 4, 'every peer socket to close');
    for (let i = 0; i < 4; i++) expect(peer.text(i)).not.toContain('after-close');
    await peer.close();
  });

  it('edge or not, a connection whose peer writes and closes before the connect is seen gets its data and connectionLost', async () => {
    // The peer runs in a worker thread, so it accepts, writes and closes while this thread is
    // blocked: the reactor's first report then carries connect completion, data and FIN at once.
    const peerThread = new Worker(
      `const net = require('node:net'); const { parentPort } = require('node:worker_threads');
       const server = net.createServer((socket) => socket.end('greeting'));
       server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
       parentPort.on('message', () => server.close(() => parentPort.close()));`,
      { eval: true },
    );
    const port = await new Promise<number>((resolve) => peerThread.once('message', resolve));
    const reactor = newReactor(variant);
    const client = new Tracked();
    try {
      await runReactor(
        reactor,
        (done) => {
          client.onLost = () => done();
          reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => client));
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
        },
        5,
      );
    } finally {
      peerThread.postMessage('stop');
      await new Promise((resolve) => peerThread.once('exit', resolve));
    }
    expect(client.madeCount).toBe(1);
    expect(client.received.toString()).toBe('greeting');
    expect(client.lostCount).toBe(1);
  });

  it('adopting what is not a listening socket as a port, or not a connected one as a connection, is refused at once', async () => {
    const logger = new RecordingLogger();
    const reactor = newReactor(variant, { logger });
    const [a, b] = openSocketPair();
    const [r, w] = openPipe();
    const listening = net.createServer();
    await new Promise<void>((res) => listening.listen(0, '127.0.0.1', () => res()));
    const listenFd = (listening as unknown as { _handle: { fd: number } })._handle.fd;
    try {
      const factory = new TestServerFactory(() => new Tracked());
      const attempts: [string, () => unknown][] = [
        ['port from a connected socket', () => reactor.adoptStreamPort(a, 'UNIX', factory)],
        ['port from a pipe', () => reactor.adoptStreamPort(r, 'UNIX', factory)],
        ['connection from a listening socket', () => reactor.adoptStreamConnection(listenFd, 'INET', factory)],
        ['connection from a pipe', () => reactor.adoptStreamConnection(w, 'UNIX', factory)],
      ];
      for (const [what, attempt] of attempts) {
        let thrown: unknown;
        try {
          attempt();
        } catch (err) {
          thrown = err;
        }
        expect(thrown, what).toBeInstanceOf(ReactorSystemError);
        expect(['EINVAL', 'ENOTSOCK'], what).toContain((thrown as ReactorSystemError).code);
      }
      expect(factory.started).toBe(0);
      expect(nativeOf(reactor).registrationCount).toBe(0);
      expect(logger.errors).toEqual([]);
    } finally {
      reactor.close();
      for (const fd of [a, b, r, w]) closeDescriptor(fd);
      await new Promise<void>((res) => listening.close(() => res()));
    }
  });

  it('removeReader after the owner closed the descriptor never deafens the stream that reused its number', async () => {
    const reactor = newReactor(variant);
    const [ra, rb] = openSocketPair();
    const [sa, sb] = openSocketPair();
    const streamProtocol = new Tracked();
    let lostReason: Failure | undefined;
    const reader: IReadDescriptor = { fileno: () => ra, doRead: () => undefined, connectionLost: (why) => (lostReason = why) };
    let reusedNumber = false;
    let echoed = '';
    await runReactor(reactor, (done) => {
      reactor.addReader(reader);
      closeDescriptor(ra); // the owner closes it without removeReader
      reactor.adoptStreamConnection(sa, 'UNIX', new TestServerFactory(() => streamProtocol));
      reusedNumber = st(streamProtocol) !== undefined;
      reactor.removeReader(reader);
      streamProtocol.dataReceived = (d) => {
        streamProtocol.transport.write(d);
      };
      const peerEnd = new net.Socket({ fd: sb, readable: true, writable: true });
      peerEnd.on('data', (d) => {
        echoed += d.toString();
        peerEnd.destroy();
        streamProtocol.transport.loseConnection();
      });
      peerEnd.on('error', () => {});
      streamProtocol.onLost = () => done();
      peerEnd.write('still heard');
    });
    expect(reusedNumber).toBe(true);
    expect(echoed).toBe('still heard');
    expect(lostReason === undefined || lostReason.value instanceof ConnectionLost).toBe(true);
    closeDescriptor(sa);
    closeDescriptor(rb);
  });

  it('a write after loseConnection is dropped whether or not bytes were still queued', async () => {
    const peer = new PeerServer();
    const port = await peer.listen();
    const reactor = newReactor(variant);
    const idle = new Tracked();
    const busy = new Tracked();
    const big = Buffer.alloc(8 * 1024 * 1024, 'b');
    await runReactor(reactor, (done) => {
      let lost = 0;
      const onLost = (): void => {
        if (++lost === 2) done();
      };
      idle.onLost = onLost;
      busy.onLost = onLost;
      idle.connectionMade = () => {
        idle.transport.loseConnection();
        idle.transport.write(Buffer.from('late'));
      };
      busy.connectionMade = () => {
        busy.transport.write(big); // more than the kernel takes at once: some stays queued
        busy.transport.loseConnection();
        busy.transport.write(Buffer.from('late'));
      };
      reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => idle));
      reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => busy));
    });
    await until(() => peer.closed.filter(Boolean).length === 2, 'both peer sockets to close');
    const texts = [Buffer.concat(peer.received[0]), Buffer.concat(peer.received[1])].sort((x, y) => x.length - y.length);
    expect(texts[0].length).toBe(0);
    expect(texts[1].equals(big)).toBe(true);
    await peer.close();
  });
});

describe('lifecycle contract (reactor-wide)', () => {
  it('callLater beyond 2^31-1 ms neither spins nor warns, and the call stays pending', async () => {
    const reactor = newReactor(VARIANTS[0]);
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    let far = false;
    try {
      // The far call is the only one pending, so it is what the reactor's one timer points at;
      // a Node timer, not the reactor's, ends the test.
      reactor.callLater(30 * 86400, () => (far = true));
      const stopper = setTimeout(() => reactor.stop(), 200);
      await reactor.run();
      clearTimeout(stopper);
    } finally {
      process.off('warning', onWarning);
      reactor.close();
    }
    expect(far).toBe(false);
    expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
  });

  it('removeSystemEventTrigger with null or a foreign object is a coded error', () => {
    const reactor = newReactor(VARIANTS[0]);
    try {
      for (const id of [null, undefined, 42, {}]) {
        expect(() => reactor.removeSystemEventTrigger(id as never)).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_TRIGGER_ID' }));
      }
    } finally {
      reactor.close();
    }
  });

  it('close() with a reconnecting client connected and another connecting: both hear of it once, nothing is retried or logged', async () => {
    const peer = new PeerServer();
    const port = await peer.listen();
    const logger = new RecordingLogger();
    const reactor = newReactor(VARIANTS[0], { logger });
    const events: string[] = [];
    class Reconnecting extends ReconnectingClientFactory {
      override buildProtocol(): Protocol {
        const p = new Tracked();
        p.connectionMade = () => {
          events.push('made');
          // Another attempt, still resolving its name (answered from the hosts file) when the
          // reactor closes: it is told too, and its late answer is ignored.
          reactor.connectTCP('localhost', port, new Reconnecting(), { timeout: 30 });
          reactor.close();
        };
        p.connectionLost = (why) => events.push(`lost:${why.value instanceof ConnectionLost}`);
        return p;
      }
      override clientConnectionLost(c: never, why: Failure): void {
        events.push('clientConnectionLost');
        super.clientConnectionLost(c, why);
      }
      override clientConnectionFailed(c: never, why: Failure): void {
        events.push(`clientConnectionFailed:${why.value instanceof ConnectionLost}`);
        super.clientConnectionFailed(c, why);
      }
    }
    const connected = new Reconnecting();
    const guard = setTimeout(() => reactor.close(), 5000);
    reactor.callWhenRunning(() => reactor.connectTCP('127.0.0.1', port, connected));
    await reactor.run();
    clearTimeout(guard);
    await new Promise((r) => setTimeout(r, 50)); // the lookup's answer arrives after the close
    expect(events.sort()).toEqual(['clientConnectionFailed:true', 'clientConnectionLost', 'lost:true', 'made'].sort());
    expect(logger.errors).toEqual([]);
    expect(reactor.getDelayedCalls()).toEqual([]);
    await peer.close();
  });

  it('a borrowed view kept past its call, past close() and a collection, still reads memory that exists', async () => {
    const peer = new PeerServer((socket) => socket.write('borrowed-bytes'));
    const port = await peer.listen();
    const reactor = newReactor(VARIANTS[0]);
    let kept: Buffer | undefined;
    await runReactor(reactor, (done) => {
      const p = new Tracked();
      p.borrowData = true;
      p.dataReceived = (d) => {
        kept = d; // against the rules of borrowData, on purpose
        p.transport.loseConnection();
      };
      p.onLost = () => done();
      reactor.connectTCP('127.0.0.1', port, new TestClientFactory(() => p));
    });
    expect(reactor.closed).toBe(true);
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    // The view keeps the arena's memory: reading it is defined (under ASan, a freed arena fails here).
    expect(kept!.length).toBe('borrowed-bytes'.length);
    expect(kept!.toString()).toBe('borrowed-bytes');
    await peer.close();
  });

  it('a closed reactor holds no native memory and refuses new work with ReactorClosed', async () => {
    const reactor = newReactor(VARIANTS[0]);
    const port = reactor.listenTCP(0, new Factory(), { interface: '127.0.0.1' });
    const native = nativeOf(reactor) as unknown as { records: unknown; arena: unknown };
    expect(native.arena).toBeInstanceOf(ArrayBuffer);
    reactor.close();
    expect(native.records).toBeNull();
    expect(native.arena).toBeNull();
    expect(port.listening).toBe(false);
    expect(() => reactor.callLater(0, () => {})).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_CLOSED' }));
  });
});
