// sendFileDescriptor called the wrong way, over an adopted UNIX socket pair on every backend x
// trigger: the connection's own socket sent over itself, a descriptor closed right after the
// call while the batch has not flushed yet, 2,000 descriptors to a peer that never reads, and a
// call from connectionLost. Each ends in a working descriptor on the other side, the documented
// coded limit, or a silent drop; no copy is left open.
import { closeSync, readSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  openPipe,
  openSocketPair,
  Protocol,
  ReactorSystemError,
  type Failure,
  type IFileDescriptorReceiver,
  type Reactor,
  type StreamTransport,
} from '../../src/index';
import { closeAll, newReactor, runReactor, VARIANTS, waitUntil } from '../support/reactors';
import { TestServerFactory } from '../support/streams';

/** Keeps the descriptors it is given (closing them at the end is the test's job) and the bytes. */
class Keeper extends Protocol implements IFileDescriptorReceiver {
  readonly descriptors: number[] = [];
  text = '';
  lost: Failure | undefined;
  constructor(private readonly paused = false) {
    super();
  }
  override connectionMade(): void {
    if (this.paused) this.transport.pauseProducing();
  }
  fileDescriptorReceived(fd: number): void {
    this.descriptors.push(fd);
  }
  override dataReceived(data: Buffer): void {
    this.text += data.toString('latin1');
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
  }
}

/** A protocol that runs `onMade` when connected and `onData` for what it receives. */
class Driver extends Protocol {
  lost: Failure | undefined;
  onLost: () => void = () => {};
  constructor(
    private readonly onMade: (self: Driver) => void,
    private readonly onData: (self: Driver, data: Buffer) => void = () => {},
  ) {
    super();
  }
  override connectionMade(): void {
    this.onMade(this);
  }
  override dataReceived(data: Buffer): void {
    this.onData(this, data);
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
    this.onLost();
  }
}

/** The transport of a protocol served over a UNIX socket (which can pass descriptors). */
const unix = (p: Protocol): StreamTransport => p.transport as StreamTransport;

/**
 * Serves both ends of `pair` on `reactor`, then closes the originals: adopting takes copies, and
 * an original left open would keep its end alive (no end of file for the other side).
 */
function servePair(reactor: Reactor, pair: [number, number], left: Protocol, right: Protocol): void {
  try {
    reactor.adoptStreamConnection(pair[0], 'UNIX', new TestServerFactory(() => left));
    reactor.adoptStreamConnection(pair[1], 'UNIX', new TestServerFactory(() => right));
  } finally {
    closeAll(pair);
  }
}

describe.each(VARIANTS)('hostile descriptor passing on $name', (variant) => {
  it('sends the connection its own socket, and a descriptor closed right after the call inside a batch', async () => {
    const reactor = newReactor(variant);
    const receiver = new Keeper();
    const [readEnd, writeEnd] = openPipe();
    const opened: number[] = [readEnd, writeEnd];
    const pair = openSocketPair();
    try {
      await runReactor(reactor, (done) => {
        const sender = new Driver(
          (self) => {
            // pair[0] is the socket this connection was adopted from (the transport holds a copy).
            unix(self).sendFileDescriptor(pair[0]);
            self.transport.write(Buffer.from('a'));
          },
          (self) => {
            // Inside the batch: the copy is taken now, so closing the original at once is safe.
            unix(self).sendFileDescriptor(writeEnd);
            closeSync(writeEnd);
            opened.splice(opened.indexOf(writeEnd), 1);
            self.transport.write(Buffer.from('b'));
          },
        );
        servePair(reactor, pair, sender, receiver);
        receiver.dataReceived = (data) => {
          receiver.text += data.toString('latin1');
          if (receiver.text === 'a') receiver.transport.write(Buffer.from('go'));
        };
        waitUntil(reactor, () => receiver.descriptors.length >= 2 && receiver.text === 'ab', done);
      });
      opened.push(...receiver.descriptors);
      expect(receiver.text).toBe('ab');
      expect(receiver.descriptors).toHaveLength(2);
      // The second descriptor is a working copy of the pipe's write end.
      writeSync(receiver.descriptors[1]!, 'through the copy');
      const buffer = Buffer.alloc(64);
      expect(buffer.toString('latin1', 0, readSync(readEnd, buffer))).toBe('through the copy');
    } finally {
      closeAll([...opened]);
    }
  });

  it('2,000 descriptors to a peer that never reads stop at the coded limit (ENOBUFS); closing leaves no copy', async () => {
    const reactor = newReactor(variant);
    const outcome: { sent: number; error?: unknown } = { sent: 0 };
    const pair = openSocketPair();
    const quiet = new Keeper(true);
    const [readEnd, writeEnd] = openPipe();
    try {
      await runReactor(reactor, (done) => {
        const flooder = new Driver((self) => {
          for (let i = 0; i < 2000; i++) {
            try {
              unix(self).sendFileDescriptor(writeEnd);
              self.transport.write(Buffer.from('x'));
            } catch (err) {
              outcome.error = err;
              break;
            }
            outcome.sent++;
          }
          self.transport.abortConnection();
        });
        flooder.onLost = () => {
          // A paused transport reads nothing, its peer's close included: resume it to see the end.
          quiet.transport.resumeProducing();
          waitUntil(reactor, () => quiet.lost !== undefined, done);
        };
        servePair(reactor, pair, flooder, quiet);
      });
      closeAll(quiet.descriptors);
      closeSync(writeEnd);
      // Every copy of the write end is closed (sent, queued or in flight): end of file at once.
      expect(readSync(readEnd, Buffer.alloc(8))).toBe(0);
    } finally {
      closeAll([readEnd, writeEnd]);
    }
    expect(outcome.error).toBeInstanceOf(ReactorSystemError);
    expect((outcome.error as ReactorSystemError).code).toBe('ENOBUFS');
    // At least the 1,024 the core queues are taken before the limit; never all 2,000.
    expect(outcome.sent).toBeGreaterThanOrEqual(1024);
    expect(outcome.sent).toBeLessThan(2000);
  });

  it('inside connectionLost a descriptor is dropped silently, as writes are', async () => {
    const reactor = newReactor(variant);
    const [readEnd, writeEnd] = openPipe();
    const pair = openSocketPair();
    let thrown: unknown = 'not called';
    const peer = new Keeper();
    try {
      await runReactor(reactor, (done) => {
        const closing = new Driver((self) => self.transport.loseConnection());
        closing.onLost = () => {
          try {
            unix(closing).sendFileDescriptor(writeEnd);
            closing.transport.write(Buffer.from('late'));
            thrown = undefined;
          } catch (err) {
            thrown = err;
          }
          waitUntil(reactor, () => peer.lost !== undefined, done);
        };
        servePair(reactor, pair, closing, peer);
      });
      closeSync(writeEnd);
      expect(readSync(readEnd, Buffer.alloc(8))).toBe(0);
    } finally {
      closeAll([readEnd, writeEnd]);
    }
    expect(thrown).toBeUndefined();
    expect(peer.descriptors).toEqual([]);
    expect(peer.text).toBe('');
  });
});
