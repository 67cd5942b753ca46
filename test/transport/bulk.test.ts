// Bulk data: the one-copy read path (large reads are views of the read arena, which the core
// then never reuses), the write path (large writes and writeSequence go out in one sendmsg
// without a copy; whatever the kernel does not take is copied, so the caller's memory is free
// once write returns), and the core's counters, checked against known traffic.
import { MessageChannel } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Protocol, type IPushProducer, type Reactor } from '../../src/index';
import { VIEW_READ_BYTES } from '../../src/transport/stream-set';
import { pattern, SendingProducer, st } from '../support/producers';
import { newReactor, runReactor, VARIANTS, waitUntil } from '../support/reactors';
import { connect, listen, Recorder, removeSocketDir, TestClientFactory, TestServerFactory } from '../support/streams';

afterAll(removeSocketDir);

const ARENA_BYTES = 1024 * 1024;
/** The end-to-end stream's size; the sanitizer run sets a smaller one (IOREACTOR_STREAM_MIB). */
const STREAM_MIB = Number(process.env.IOREACTOR_STREAM_MIB ?? 1024);

/**
 * Runs a server built by `server` and a client built by `client` on one reactor, over TCP on
 * 127.0.0.1, until `done` is called; fails past `seconds`.
 */
async function pair(
  reactor: Reactor,
  server: () => Protocol,
  client: (done: () => void, fail: (err: unknown) => void) => Protocol,
  seconds = 20,
): Promise<void> {
  await runReactor(
    reactor,
    (done, fail) => {
      const port = listen(reactor, 'TCP4', new TestServerFactory(server));
      connect(
        reactor,
        'TCP4',
        port,
        new TestClientFactory(() =>
          client(() => {
            port.stopListening();
            done();
          }, fail),
        ),
      );
    },
    seconds,
  );
}

/**
 * Runs `send` in a client as soon as it connects to `receiver` (served on one reactor over TCP
 * on 127.0.0.1), then closes the client; done once `receiver` has lost its connection (after
 * its own onLost, if it has one).
 */
async function sendTo(reactor: Reactor, receiver: Recorder, send: (writer: Recorder) => void): Promise<void> {
  await pair(
    reactor,
    () => receiver,
    (done) => {
      const writer = new Recorder();
      writer.connectionMade = () => {
        send(writer);
        writer.transport.loseConnection();
      };
      const lost = receiver.onLost;
      receiver.onLost = (p) => {
        lost?.(p);
        done();
      };
      return writer;
    },
  );
}

/**
 * Once the server has accepted `receiver` (paused until now), lets it read 50 ms later and
 * closes the writer's side: what the writer queued meanwhile must then arrive whole.
 */
function resumeOnceAccepted(reactor: Reactor, receiver: Recorder, writer: Recorder): void {
  waitUntil(
    reactor,
    () => receiver.transport !== undefined,
    () =>
      reactor.callLater(0.05, () => {
        st(receiver).resumeProducing();
        writer.transport.loseConnection();
      }),
  );
}

/** A receiver that keeps every chunk it is given (no copy) and a checksum of each taken on arrival. */
class Keeper extends Recorder {
  readonly sums: number[] = [];
  override dataReceived(data: Buffer): void {
    this.chunks.push(data);
    this.sums.push(crc32(data));
  }
}

describe.each(VARIANTS)('bulk data, $name', (variant) => {
  it('kept Buffers never change, while reads fill and replace the arena many times over', async () => {
    const reactor = newReactor(variant);
    const payload = pattern(8 * 1024 * 1024, 7);
    const keeper = new Keeper();
    // loseConnection (right after the producer starts) waits for the producer to unregister.
    await sendTo(reactor, keeper, (sender) => {
      const producer = new SendingProducer(st(sender), payload, 64 * 1024, () => st(sender).unregisterProducer());
      st(sender).registerProducer(producer, true);
      producer.produce();
    });
    // Every chunk still holds what it held when it arrived, and together they are the payload.
    expect(keeper.chunks.map((c) => crc32(c))).toEqual(keeper.sums);
    expect(keeper.received.equals(payload)).toBe(true);
    // Large reads were the arena's own memory, small ones copies out of it.
    const views = keeper.chunks.filter((c) => c.buffer.byteLength === ARENA_BYTES);
    expect(views.length).toBeGreaterThan(0);
    expect(views.every((c) => c.length >= VIEW_READ_BYTES)).toBe(true);
    expect(keeper.chunks.filter((c) => c.length < VIEW_READ_BYTES).every((c) => c.buffer.byteLength !== ARENA_BYTES)).toBe(true);
    // 8 MiB kept in views cannot fit in one 1 MiB arena: reads moved on to fresh ones.
    expect(new Set(views.map((c) => c.buffer)).size).toBeGreaterThan(4);
    expect(reactor.stats().arenas).toBeGreaterThan(4);
  });

  it("a protocol cannot take the arena away: transferring a view's buffer copies it, and reads go on intact", async () => {
    const reactor = newReactor(variant);
    const payload = pattern(4 * 1024 * 1024, 13);
    const attempts: boolean[] = [];
    let received = 0;
    let sum = 0;
    const thief = new Recorder();
    let calls = 0;
    thief.dataReceived = (data) => {
      received += data.length;
      sum = crc32(data, sum);
      // Alternate between a kept view and a borrowed one, and try both ways of transferring.
      thief.borrowData = ++calls % 2 === 0;
      if (data.buffer.byteLength !== ARENA_BYTES) return;
      const buffer = data.buffer as ArrayBuffer;
      structuredClone(data, { transfer: [buffer] });
      const { port1, port2 } = new MessageChannel();
      port1.postMessage(buffer, [buffer]);
      port1.close();
      port2.close();
      attempts.push(buffer.byteLength === 0);
    };
    await sendTo(reactor, thief, (sender) => {
      st(sender).writeSequence([payload]);
    });
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.some((detached) => detached)).toBe(false);
    expect(received).toBe(payload.length);
    expect(sum).toBe(crc32(payload));
  });

  it('a borrowing protocol lets the arena be reused: no arena is replaced', async () => {
    const reactor = newReactor(variant);
    const payload = pattern(4 * 1024 * 1024, 3);
    let received = 0;
    let sum = 0;
    const borrower = new Recorder();
    borrower.borrowData = true;
    borrower.dataReceived = (data) => {
      received += data.length;
      sum = crc32(data, sum);
    };
    await sendTo(reactor, borrower, (sender) => {
      st(sender).writeSequence([payload]);
    });
    expect(received).toBe(payload.length);
    expect(sum).toBe(crc32(payload));
    expect(reactor.stats().arenas).toBe(0);
  });

  it(`a ${STREAM_MIB} MiB stream arrives whole and in order (checksummed end to end)`, async () => {
    const reactor = newReactor(variant);
    const total = STREAM_MIB * 1024 * 1024;
    const chunk = 64 * 1024;
    // Chunks are windows at shifting offsets of a random pool, so a lost, repeated or reordered
    // chunk changes the checksum.
    const pool = Buffer.alloc(1024 * 1024 + chunk);
    for (let i = 0; i < pool.length; i += 4) pool.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
    let sentSum = 0;
    let receivedSum = 0;
    let received = 0;
    const sink = new Recorder();
    sink.dataReceived = (data) => {
      received += data.length;
      receivedSum = crc32(data, receivedSum);
    };
    await pair(
      reactor,
      () => sink,
      (done) => {
        const source = new Recorder();
        let sent = 0;
        let paused = false;
        const producer: IPushProducer = {
          pauseProducing: () => {
            paused = true;
          },
          resumeProducing: () => {
            paused = false;
            while (!paused && sent < total) {
              const n = Math.min(chunk, total - sent);
              const start = ((sent / chunk) * 7919) % (pool.length - chunk);
              const piece = pool.subarray(start, start + n);
              sentSum = crc32(piece, sentSum);
              sent += n;
              source.transport.write(piece);
            }
            if (sent === total) {
              st(source).unregisterProducer();
              source.transport.loseConnection();
            }
          },
          stopProducing: () => {
            paused = true;
          },
        };
        source.connectionMade = () => {
          st(source).registerProducer(producer, true);
          producer.resumeProducing();
        };
        sink.onLost = () => done();
        return source;
      },
      120,
    );
    expect(received).toBe(total);
    expect(receivedSum).toBe(sentSum);
    const stats = reactor.stats();
    expect(stats.bytesRead).toBe(total);
    expect(stats.bytesWritten).toBe(total);
  }, 180_000);

  it('a Buffer changed after write returns does not change what the peer receives', async () => {
    const reactor = newReactor(variant);
    const sizes = [10, 3000, 9000, 64 * 1024, 1024 * 1024, 100, 4 * 1024 * 1024];
    const originals: Buffer[] = [];
    const receiver = new Recorder();
    let queuedWhilePaused = 0;
    await pair(
      reactor,
      () => receiver,
      (done) => {
        const writer = new Recorder();
        const writeAndScribble = (seed: number): void => {
          // Inside connectionMade (the reactor is dispatching: small writes coalesce, large ones
          // go out at once) and again from a timer (not dispatching), while the peer reads nothing:
          // the kernel fills, and the rest is queued.
          for (const size of sizes) {
            const data = pattern(size, seed + size);
            originals.push(Buffer.from(data));
            writer.transport.write(data);
            data.fill(0xee);
          }
          const chunks = sizes.map((size) => pattern(size, seed + 2 * size));
          originals.push(...chunks.map((c) => Buffer.from(c)));
          st(writer).writeSequence(chunks);
          for (const c of chunks) c.fill(0xdd);
        };
        receiver.connectionMade = () => receiver.transport.pauseProducing();
        writer.connectionMade = () => {
          writeAndScribble(1);
          reactor.callLater(0, () => {
            writeAndScribble(2);
            queuedWhilePaused = st(writer).bufferedAmount;
            // Let the receiver (once the server has it) read only now, so the queued bytes had
            // time to be scribbled over.
            resumeOnceAccepted(reactor, receiver, writer);
          });
        };
        receiver.onLost = () => done();
        return writer;
      },
    );
    expect(queuedWhilePaused).toBeGreaterThan(0);
    expect(receiver.received.equals(Buffer.concat(originals))).toBe(true);
  });

  it('writes any ArrayBufferView: SharedArrayBuffer views, typed arrays, DataViews, alone and in writeSequence', async () => {
    const reactor = newReactor(variant);
    const shared = new Uint8Array(new SharedArrayBuffer(128 * 1024));
    shared.set(pattern(shared.length, 11));
    const floats = new Float64Array([1.5, -2.25, Math.PI]);
    const view = new DataView(pattern(64, 5).buffer, 8, 40);
    const parts: ArrayBufferView[] = [shared.subarray(0, 100), shared, floats, view, new Uint16Array(new SharedArrayBuffer(20_000)).fill(0x1234)];
    const bytesOf = (v: ArrayBufferView): Buffer => Buffer.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    const expected = Buffer.concat([...parts.map(bytesOf), ...parts.map(bytesOf)]);
    const receiver = new Recorder();
    await sendTo(reactor, receiver, (writer) => {
      for (const p of parts) writer.transport.write(p);
      st(writer).writeSequence(parts);
    });
    expect(receiver.received.equals(expected)).toBe(true);
  });

  it('writeSequence past IOV_MAX chunks, with empty ones, survives partial sends and keeps order', async () => {
    const reactor = newReactor(variant);
    // 3000 chunks (IOV_MAX is 1024 here) of 0 to 6000 bytes: about 9 MB, more than the kernel
    // takes while the peer is not reading, so some sendmsg calls are partial.
    const chunks: Buffer[] = [];
    for (let i = 0; i < 3000; i++) chunks.push(i % 97 === 0 ? Buffer.alloc(0) : pattern((i * 2654435761) % 6001, i));
    const expected = Buffer.concat(chunks);
    const receiver = new Recorder();
    await pair(
      reactor,
      () => receiver,
      (done) => {
        const writer = new Recorder();
        receiver.connectionMade = () => receiver.transport.pauseProducing();
        writer.connectionMade = () => {
          st(writer).writeSequence(chunks);
          // Once the server has the (paused) receiver, let it read.
          resumeOnceAccepted(reactor, receiver, writer);
        };
        receiver.onLost = () => done();
        return writer;
      },
    );
    expect(receiver.received.equals(expected)).toBe(true);
  });

  it('writeSequence of many small chunks costs one sendmsg per IOV_MAX chunks', async () => {
    const reactor = newReactor(variant);
    const chunks = Array.from({ length: 2000 }, (_, i) => pattern(100, i));
    const receiver = new Recorder();
    let writes = -1;
    await sendTo(reactor, receiver, (writer) => {
      const before = reactor.stats().writes;
      st(writer).writeSequence(chunks);
      writes = reactor.stats().writes - before;
    });
    expect(receiver.received.equals(Buffer.concat(chunks))).toBe(true);
    expect(writes).toBe(2); // 1024 + 976 chunks, 200 kB: the kernel takes it all at once
  });
});

describe.each(VARIANTS)('relay and fan-out, $name', (variant) => {
  it("fans one large Buffer out to many connections from the caller's memory: one sendmsg each, nothing queued", async () => {
    const reactor = newReactor(variant);
    const clients = 20;
    const message = pattern(64 * 1024, 99);
    const receivers: Recorder[] = [];
    const servers: Recorder[] = [];
    let writes = -1;
    let queued = -1;
    await runReactor(reactor, (done) => {
      const port = listen(
        reactor,
        'TCP4',
        new TestServerFactory(() => {
          const p = new Recorder();
          servers.push(p);
          if (servers.length === clients) {
            // Every connection is up: fan the message out from inside this callback (the reactor
            // is dispatching, when small writes would be coalesced into each connection's queue).
            p.connectionMade = () => {
              const before = reactor.stats().writes;
              for (const s of servers) s.transport.write(message);
              writes = reactor.stats().writes - before;
              queued = servers.reduce((n, s) => n + st(s).bufferedAmount, 0);
              for (const s of servers) s.transport.loseConnection();
            };
          }
          return p;
        }),
      );
      let lost = 0;
      for (let i = 0; i < clients; i++) {
        connect(
          reactor,
          'TCP4',
          port,
          new TestClientFactory(() => {
            const r = new Recorder();
            receivers.push(r);
            r.onLost = () => {
              if (++lost === clients) {
                port.stopListening();
                done();
              }
            };
            return r;
          }),
        );
      }
    });
    expect(writes).toBe(clients);
    expect(queued).toBe(0);
    expect(receivers.every((r) => r.received.equals(message))).toBe(true);
  });

  it('relays a stream through a proxy protocol unchanged, each chunk written as it was read', async () => {
    const reactor = newReactor(variant);
    const payload = pattern(16 * 1024 * 1024, 21);
    const sink = new Recorder();
    await runReactor(
      reactor,
      (done) => {
        const sinkPort = listen(reactor, 'TCP4', new TestServerFactory(() => sink));
        // The proxy: whatever its client sends goes to the sink, chunk for chunk.
        const proxyPort = listen(
          reactor,
          'TCP4',
          new TestServerFactory(() => {
            const front = new Recorder();
            const pending: Buffer[] = [];
            let back: Recorder | undefined;
            front.dataReceived = (data) => (back?.connected ? back.transport.write(data) : pending.push(data));
            front.onLost = () => back?.transport.loseConnection();
            connect(
              reactor,
              'TCP4',
              sinkPort,
              new TestClientFactory(() => {
                const b = new Recorder();
                b.connectionMade = () => {
                  back = b;
                  for (const chunk of pending.splice(0)) b.transport.write(chunk);
                  if (front.lost !== undefined) b.transport.loseConnection();
                };
                return b;
              }),
            );
            return front;
          }),
        );
        connect(
          reactor,
          'TCP4',
          proxyPort,
          new TestClientFactory(() => {
            const source = new Recorder();
            source.connectionMade = () => {
              st(source).writeSequence([payload]);
              source.transport.loseConnection();
            };
            return source;
          }),
        );
        sink.onLost = () => {
          sinkPort.stopListening();
          proxyPort.stopListening();
          done();
        };
      },
      60,
    );
    expect(sink.received.equals(payload)).toBe(true);
  });
});

describe('reactor.stats()', () => {
  const variant = VARIANTS[0];

  it('is all zeros before the reactor first uses its core, and closing one never used changes nothing', () => {
    const reactor = newReactor(variant);
    const stats = reactor.stats();
    expect(Object.values(stats).every((v) => v === 0)).toBe(true);
    expect(Object.keys(stats).sort()).toEqual(
      [
        'accepts',
        'arenas',
        'batches',
        'bytesRead',
        'bytesWritten',
        'datagramsDropped',
        'datagramsRead',
        'datagramsTruncated',
        'datagramsWritten',
        'events',
        'heldSlots',
        'pollerChanges',
        'reads',
        'registrations',
        'syscalls',
        'waits',
        'writes',
      ].sort(),
    );
    reactor.close();
    expect(reactor.stats().bytesRead).toBe(0);
  });

  it('counts the bytes, reads, writes and accepts of known traffic', async () => {
    const reactor = newReactor(variant);
    const payload = pattern(300_000, 9);
    const receiver = new Recorder();
    let during = reactor.stats();
    expect(during.bytesRead).toBe(0);
    receiver.onLost = () => {
      during = reactor.stats();
    };
    await sendTo(reactor, receiver, (writer) => writer.transport.write(payload));
    expect(receiver.receivedLength).toBe(payload.length);
    expect(during.bytesWritten).toBe(payload.length);
    expect(during.bytesRead).toBe(payload.length);
    expect(during.accepts).toBeGreaterThanOrEqual(1);
    expect(during.reads).toBeGreaterThanOrEqual(Math.ceil(payload.length / (64 * 1024)));
    expect(during.writes).toBeGreaterThanOrEqual(1);
    expect(during.waits).toBeGreaterThanOrEqual(1);
    expect(during.batches).toBeGreaterThanOrEqual(during.waits);
    expect(during.pollerChanges).toBeGreaterThanOrEqual(3); // a listener and two connections
    expect(during.syscalls).toBe(during.waits + during.reads + during.writes + during.accepts + during.pollerChanges);
    expect(during.registrations).toBeGreaterThanOrEqual(1); // the listener, at least, was live
    // Closed: the final counts stay readable, and the live ones are gone.
    const after = reactor.stats();
    expect(after.bytesRead).toBe(payload.length);
    expect(after.registrations).toBe(0);
  });
});
