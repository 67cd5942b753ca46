// Node's stream world on both sides of ioreactor: a connection as a Duplex (pipeline, with
// backpressure both ways), and any Node Duplex carrying an ioreactor protocol.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Duplex, PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectStreamToProtocol,
  ConnectionAborted,
  ConnectionDone,
  DuplexProtocol,
  InvalidArgTypeError,
  LineReceiver,
  Protocol,
  type Failure,
  type Port,
  type Reactor,
} from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { connect, listen, Recorder, TestClientFactory, TestServerFactory } from '../support/streams';

const FILE_BYTES = 64 * 1024 * 1024;
let dir: string;
let file: string;
let fileDigest: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ioreactor-duplex-'));
  file = path.join(dir, 'payload');
  const block = randomBytes(1024 * 1024);
  const whole = Buffer.alloc(FILE_BYTES);
  for (let i = 0; i < FILE_BYTES / block.length; i++) {
    block.copy(whole, i * block.length);
    whole.writeUInt32LE(i, i * block.length); // every MiB differs, so a lost or repeated one shows
  }
  writeFileSync(file, whole);
  fileDigest = createHash('sha256').update(whole).digest('hex');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Connects a DuplexProtocol client to `port` over TCP on 127.0.0.1: `prepare` sees it when it is
 * built, `onConnected` once it is connected (its producer registered, its stream live).
 */
function connectDuplex(reactor: Reactor, port: Port, onConnected: (client: DuplexProtocol) => void, prepare?: (client: DuplexProtocol) => void): void {
  connect(
    reactor,
    'TCP4',
    port,
    new TestClientFactory(() => {
      const client = new DuplexProtocol();
      prepare?.(client);
      client.connectionMade = () => {
        DuplexProtocol.prototype.connectionMade.call(client);
        onConnected(client);
      };
      return client;
    }),
  );
}

describe.each(VARIANTS)('a connection as a Duplex, $name', (variant) => {
  it('carries a 64 MiB file through stream.pipeline to a slow consumer, memory bounded both ways, checksum right', async () => {
    const reactor = newReactor(variant);
    let digest = '';
    let maxQueued = 0;
    let maxReadable = 0;
    let failure: unknown;
    let serverStream: Duplex | undefined;
    let clientTransport: { bufferedAmount: number } | undefined;
    // What each side holds, sampled every millisecond while the file moves.
    const sampler = setInterval(() => {
      maxQueued = Math.max(maxQueued, clientTransport?.bufferedAmount ?? 0);
      maxReadable = Math.max(maxReadable, serverStream?.readableLength ?? 0);
    }, 1);
    await runReactor(
      reactor,
      (done, fail) => {
        const port = listen(
          reactor,
          'TCP4',
          DuplexProtocol.factory((stream) => {
            const hash = createHash('sha256');
            serverStream = stream;
            // A consumer far slower than loopback TCP: a millisecond per chunk.
            const slow = new Writable({
              highWaterMark: 64 * 1024,
              write(chunk: Buffer, _encoding, callback) {
                hash.update(chunk);
                setTimeout(callback, 1);
              },
            });
            pipeline(stream, slow).then(() => {
              digest = hash.digest('hex');
              stream.end(); // our side is done too: the connection closes cleanly
            }, fail);
          }),
        );
        connectDuplex(reactor, port, (client) => {
          clientTransport = client.transport;
          pipeline(createReadStream(file), client.stream).catch((err: unknown) => {
            failure = err;
            fail(err);
          });
          // Read the (empty) reply so the readable side can end when the server closes.
          client.stream.resume();
          client.stream.on('close', () => {
            port.stopListening();
            done();
          });
        });
      },
      120,
    ).finally(() => clearInterval(sampler));
    expect(failure).toBeUndefined();
    expect(digest).toBe(fileDigest);
    // Backpressure held: the sender's native queue stayed near the transport's high-water mark
    // (64 KiB) plus one file chunk, and the receiver's readable buffer near its own.
    expect(maxQueued).toBeGreaterThan(0); // the kernel's buffers filled, so the sender queued
    expect(maxQueued).toBeLessThanOrEqual(64 * 1024 + 64 * 1024);
    expect(maxReadable).toBeLessThanOrEqual(1024 * 1024);
  }, 180_000);

  it('destroy(err) aborts the connection, and a peer reset destroys the stream with the reason', async () => {
    const reactor = newReactor(variant);
    let peerReason: Failure | undefined;
    let streamError: unknown;
    await runReactor(reactor, (done) => {
      const server = new Recorder();
      server.onLost = () => {
        peerReason = server.lost;
        done();
      };
      const port = listen(reactor, 'TCP4', new TestServerFactory(() => server));
      connectDuplex(
        reactor,
        port,
        (client) => {
          client.stream.destroy(new Error('gave up'));
          port.stopListening();
        },
        (client) => {
          client.stream.on('error', (err) => (streamError = err));
        },
      );
    });
    expect(streamError).toBeInstanceOf(Error);
    expect((streamError as Error).message).toBe('gave up');
    // The server saw the connection end (aborted: a reset, or a plain close if nothing was queued).
    expect(peerReason).toBeDefined();
  });

  it('ending the writable side half-closes; the peer answers and the readable side ends', async () => {
    const reactor = newReactor(variant);
    let reply = '';
    let closedCleanly = false;
    await runReactor(reactor, (done, fail) => {
      // The server echoes what it gets, upper-cased, once the client has finished sending.
      class Shouter extends Recorder {
        readConnectionLost(): void {
          this.transport.write(Buffer.from(this.received.toString().toUpperCase()));
          this.transport.loseConnection();
        }
      }
      const port = listen(reactor, 'TCP4', new TestServerFactory(() => new Shouter()));
      connectDuplex(reactor, port, (client) => {
        client.stream.on('data', (d: Buffer) => (reply += d.toString()));
        client.stream.on('close', () => {
          closedCleanly = !client.stream.errored;
          port.stopListening();
          done();
        });
        client.stream.on('error', fail);
        client.stream.end('hello over a half-closed stream');
      });
    });
    expect(reply).toBe('HELLO OVER A HALF-CLOSED STREAM');
    expect(closedCleanly).toBe(true);
  });
});

describe('an ioreactor protocol over any Node Duplex', () => {
  /** Two Duplexes joined back to back, as a socketpair is. */
  function duplexPair(): [Duplex, Duplex] {
    const aToB = new PassThrough();
    const bToA = new PassThrough();
    return [Duplex.from({ readable: bToA, writable: aToB }), Duplex.from({ readable: aToB, writable: bToA })];
  }

  it('runs a LineReceiver over an in-memory pair: lines in, lines out, end of input closes it cleanly', async () => {
    const [ours, theirs] = duplexPair();
    const received: string[] = [];
    let reason: Failure | undefined;
    class Upper extends LineReceiver {
      override lineReceived(line: Buffer): void {
        received.push(line.toString());
        this.sendLine(Buffer.from(line.toString().toUpperCase()));
      }
      override connectionLost(r: Failure): void {
        reason = r;
      }
    }
    const transport = connectStreamToProtocol(ours, new Upper());
    const replies: string[] = [];
    theirs.on('data', (d: Buffer) => replies.push(d.toString()));
    theirs.write('one\r\ntwo\r\n');
    theirs.end('three\r\n');
    await new Promise((resolve) => ours.on('close', resolve));
    expect(received).toEqual(['one', 'two', 'three']);
    expect(replies.join('')).toBe('ONE\r\nTWO\r\nTHREE\r\n');
    expect(reason?.check(ConnectionDone)).not.toBeNull();
    expect(transport.connected).toBe(false);
  });

  it('serves an ioreactor protocol on node:net sockets', async () => {
    class Echo extends Protocol {
      override dataReceived(data: Buffer): void {
        this.transport.write(data);
      }
    }
    const server = net.createServer((socket) => connectStreamToProtocol(socket, new Echo()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end('echo me'));
      let got = '';
      socket.on('data', (d) => (got += d.toString()));
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    });
    await new Promise((resolve) => server.close(resolve));
    expect(answer).toBe('echo me');
  });

  it('abortConnection destroys the stream and the protocol hears ConnectionAborted; bad arguments are refused with codes', async () => {
    const [ours, theirs] = duplexPair();
    theirs.on('error', () => {}); // the other end of the pair sees the abort as an AbortError
    let reason: Failure | undefined;
    class Quitter extends Protocol {
      override connectionMade(): void {
        this.transport.abortConnection();
      }
      override connectionLost(r: Failure): void {
        reason = r;
      }
    }
    connectStreamToProtocol(ours, new Quitter());
    await new Promise((resolve) => ours.on('close', resolve));
    expect(reason?.check(ConnectionAborted)).not.toBeNull();
    expect(() => connectStreamToProtocol(null as never, new Protocol())).toThrow(InvalidArgTypeError);
    expect(() => connectStreamToProtocol(duplexPair()[0], {} as never)).toThrow(InvalidArgTypeError);
    expect(() => DuplexProtocol.factory('not a function' as never)).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' }));
  });
});
