// Descriptor passing over UNIX stream connections (Twisted's IUNIXTransport.sendFileDescriptor
// and IFileDescriptorReceiver.fileDescriptorReceived), over every backend x trigger mode: the
// descriptor is used on the other side, order against the bytes is kept, and no path (claimed,
// never claimed, queued at an abort) leaves a descriptor open.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConnectionDone,
  FileDescriptorsNotSupported,
  openPipe,
  openSocketPair,
  Protocol,
  type Failure,
  type IFileDescriptorReceiver,
  type Reactor,
} from '../../src/index';
import { fdSet } from '../fixtures/open-descriptors';
import { expectLogged } from '../support/logged';
import { closeAll, newReactor, runReactor, VARIANTS, waitUntil } from '../support/reactors';
import { Recorder, removeSocketDir, socketPath, TestClientFactory, TestServerFactory } from '../support/streams';

afterAll(removeSocketDir);

/** The Python for the independent peer: $IOREACTOR_PYTHON, else python3 if it has socket.send_fds (3.9+). */
const PYTHON = ((): string | undefined => {
  const python = process.env.IOREACTOR_PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import socket; socket.send_fds'], { timeout: 10_000 });
  if (probe.status === 0) return python;
  if (process.env.IOREACTOR_PYTHON !== undefined) throw new Error(`IOREACTOR_PYTHON=${python} cannot run socket.send_fds`);
  return undefined;
})();

/** What a receiving protocol saw, in order: descriptors (with how many bytes came before them) and data. */
class Receiver extends Recorder implements IFileDescriptorReceiver {
  readonly descriptors: { fd: number; bytesBefore: number }[] = [];
  constructor(private readonly onDescriptor: (self: Receiver, fd: number) => void = () => {}) {
    super();
  }
  fileDescriptorReceived(fd: number): void {
    this.descriptors.push({ fd, bytesBefore: this.receivedLength });
    this.onDescriptor(this, fd);
  }
}

/** A client that runs `start` once connected, and records what it is sent. */
class Sender extends Recorder {
  constructor(private readonly start: (self: Sender) => void) {
    super();
  }
  override connectionMade(): void {
    super.connectionMade();
    this.start(this);
  }
}

/** Listens on a fresh UNIX path and connects `client` to it (the port closes with the reactor). */
function connectPair(reactor: Reactor, server: () => Protocol, client: () => Protocol): void {
  const port = reactor.listenUNIX(socketPath(), new TestServerFactory(server));
  reactor.connectUNIX((port.getHost() as { name: string }).name, new TestClientFactory(client));
}

/**
 * Everything on a (non-blocking) read end up to its end of file: throws EAGAIN if a copy of the
 * write end is still open somewhere, so a leaked copy fails the test instead of hanging it.
 */
function readAll(fd: number): string {
  const buffer = Buffer.alloc(4096);
  let text = '';
  for (let i = 0; i < 100; i++) {
    const n = readSync(fd, buffer, 0, buffer.length, null);
    if (n === 0) return text;
    text += buffer.toString('latin1', 0, n);
  }
  throw new Error('readAll: no end of file after 100 reads');
}

/** The descriptor number of one that is not open (opened and closed at once). */
function closedDescriptor(): number {
  const [r, w] = openPipe();
  closeSync(w);
  closeSync(r);
  return r;
}

describe.each(VARIANTS)('descriptor passing on $name', (variant) => {
  it.each([
    ['a pipe', openPipe],
    ['a socket', openSocketPair],
  ] as const)('passes %s the other side writes into; the sender closes its copy at once', async (_what, open) => {
    const before = fdSet();
    const reactor = newReactor(variant);
    const [readEnd, writeEnd] = open();
    let server: Receiver | undefined;
    let client: Sender | undefined;
    try {
      await runReactor(reactor, (done) => {
        connectPair(
          reactor,
          () =>
            (server = new Receiver((self, fd) => {
              writeSync(fd, 'written by the receiver');
              closeSync(fd);
              self.transport.write(Buffer.from('ok'));
            })),
          () =>
            (client = new Sender((self) => {
              (self.transport as unknown as { sendFileDescriptor(fd: number): void }).sendFileDescriptor(writeEnd);
              closeSync(writeEnd); // the transport took its own copy
              self.transport.write(Buffer.from('x'));
            })),
        );
        waitUntil(reactor, () => client?.received.toString() === 'ok', done);
      });
    } finally {
      closeAll([writeEnd]);
    }
    try {
      // Every copy of the write end is closed now: the read end sees the bytes, then the end.
      expect(readAll(readEnd)).toBe('written by the receiver');
    } finally {
      closeSync(readEnd);
    }
    expect(server?.descriptors).toHaveLength(1);
    expect(server?.descriptors[0].bytesBefore).toBe(0);
    expect(server?.received.toString()).toBe('x');
    expect([...fdSet()].filter((fd) => !before.has(fd))).toEqual([]);
  });

  it.each(['during dispatch', 'from a timer'] as const)('keeps descriptors in order with the bytes around them, written %s', async (when) => {
    const pipes = [openPipe(), openPipe(), openPipe(), openPipe()];
    const reactor = newReactor(variant);
    let server: Receiver | undefined;
    const payload = Buffer.alloc(100_000, 0x7a); // large: goes out behind the coalesced bytes
    const send = (t: { sendFileDescriptor(fd: number): void; write(b: Buffer): void }): void => {
      t.write(Buffer.from('a'));
      t.sendFileDescriptor(pipes[0][1]);
      t.write(Buffer.from('b'));
      t.sendFileDescriptor(pipes[1][1]);
      t.sendFileDescriptor(pipes[2][1]);
      t.write(Buffer.from('cd'));
      t.sendFileDescriptor(pipes[3][1]);
      t.write(payload);
      t.write(Buffer.from('e'));
      for (const [, w] of pipes) closeSync(w);
    };
    const total = 4 + payload.length + 1;
    try {
      await runReactor(reactor, (done) => {
        connectPair(
          reactor,
          () =>
            (server = new Receiver((self, fd) => {
              writeSync(fd, String(self.descriptors.length - 1));
              closeSync(fd);
            })),
          () =>
            new Sender((self) => {
              const t = self.transport as unknown as Parameters<typeof send>[0];
              if (when === 'during dispatch') send(t);
              else reactor.callLater(0, () => send(t));
            }),
        );
        waitUntil(reactor, () => server !== undefined && server.receivedLength >= total, done);
      });
      // Each pipe's write end reached the receiver in the order sent (it wrote its index into it).
      expect(pipes.map(([r]) => readAll(r))).toEqual(['0', '1', '2', '3']);
    } finally {
      closeAll(pipes.flat());
    }
    const received = server!.received;
    expect(received.length).toBe(total);
    expect(received.subarray(0, 4).toString()).toBe('abcd');
    expect(received.subarray(4, 4 + payload.length).equals(payload)).toBe(true);
    expect(received.subarray(total - 1).toString()).toBe('e');
    // Each descriptor arrived before the bytes written after it (with them or earlier).
    const before = server!.descriptors.map((d) => d.bytesBefore);
    expect(before).toHaveLength(4);
    [1, 2, 2, 4].forEach((limit, i) => expect(before[i], `descriptor ${i}`).toBeLessThanOrEqual(limit));
  });

  it('closes the descriptors sent to a protocol without fileDescriptorReceived', async () => {
    const pipes = [openPipe(), openPipe(), openPipe()];
    const before = fdSet();
    const reactor = newReactor(variant);
    let server: Recorder | undefined;
    try {
      await runReactor(reactor, (done) => {
        connectPair(
          reactor,
          () => (server = new Recorder()),
          () =>
            new Sender((self) => {
              const t = self.transport as unknown as { sendFileDescriptor(fd: number): void };
              for (const [, w] of pipes) {
                t.sendFileDescriptor(w);
                self.transport.write(Buffer.from('.'));
              }
            }),
        );
        waitUntil(reactor, () => server?.received.toString() === '...', done);
      });
      for (const [, w] of pipes) closeSync(w);
      // The receiver closed its copies: the only writers left are gone, so each read end ends.
      expect(pipes.map(([r]) => readAll(r))).toEqual(['', '', '']);
    } finally {
      closeAll(pipes.flat());
    }
    expect([...fdSet()].filter((fd) => !before.has(fd))).toEqual([]);
  });

  it.each(['abortConnection', 'loseConnection'] as const)('closes descriptors still queued (no byte after them) at %s', async (how) => {
    const [readEnd, writeEnd] = openPipe();
    const reactor = newReactor(variant);
    let server: Receiver | undefined;
    let clientLost: Failure | undefined;
    try {
      await runReactor(reactor, (done) => {
        connectPair(
          reactor,
          () => (server = new Receiver()),
          () => {
            const client = new Sender((self) => {
              const t = self.transport as unknown as { sendFileDescriptor(fd: number): void };
              self.transport.write(Buffer.from('before'));
              t.sendFileDescriptor(writeEnd);
              t.sendFileDescriptor(writeEnd);
              closeSync(writeEnd);
              self.transport[how]();
            });
            client.onLost = (p) => (clientLost = p.lost);
            return client;
          },
        );
        waitUntil(reactor, () => clientLost !== undefined && server?.lost !== undefined, done);
      });
      expect(readAll(readEnd)).toBe('');
    } finally {
      closeAll([readEnd, writeEnd]);
    }
    expect(server?.descriptors).toEqual([]);
    if (how === 'loseConnection') expect(server?.received.toString()).toBe('before');
  });

  it('a throw in fileDescriptorReceived loses the connection with that error; the protocol owns the descriptor', async () => {
    const [readEnd, writeEnd] = openPipe();
    const reactor = newReactor(variant);
    let server: Receiver | undefined;
    const logged = expectLogged(/fileDescriptorReceived.*refused on purpose/);
    try {
      await runReactor(reactor, (done) => {
        connectPair(
          reactor,
          () =>
            (server = new Receiver(() => {
              throw new Error('refused on purpose');
            })),
          () =>
            new Sender((self) => {
              (self.transport as unknown as { sendFileDescriptor(fd: number): void }).sendFileDescriptor(writeEnd);
              self.transport.write(Buffer.from('data after it'));
            }),
        );
        waitUntil(reactor, () => server?.lost !== undefined, done);
      });
    } finally {
      closeAll([writeEnd, readEnd, ...(server?.descriptors.map((d) => d.fd) ?? [])]);
    }
    expect(logged.entries).toHaveLength(1);
    expect(server?.descriptors).toHaveLength(1);
    expect((server?.lost?.value as Error).message).toBe('refused on purpose');
    expect(server?.received.length).toBe(0); // the connection was aborted before its data
  });

  it('rejects bad descriptors with coded errors, refuses TCP, and drops after loseConnection', async () => {
    const reactor = newReactor(variant);
    const thrown = new Map<string, unknown>();
    const attempt = (name: string, f: () => void): void => {
      try {
        f();
        thrown.set(name, 'no error');
      } catch (err) {
        thrown.set(name, err);
      }
    };
    const [readEnd, writeEnd] = openPipe();
    let unixLost = false;
    let tcpLost = false;
    try {
      await runReactor(reactor, (done) => {
        connectPair(
          reactor,
          () => new Recorder(),
          () => {
            const client = new Sender((self) => {
              const t = self.transport as unknown as { sendFileDescriptor(fd: unknown): void };
              attempt('string', () => t.sendFileDescriptor('3'));
              attempt('negative', () => t.sendFileDescriptor(-1));
              attempt('fraction', () => t.sendFileDescriptor(1.5));
              attempt('NaN', () => t.sendFileDescriptor(NaN));
              attempt('huge', () => t.sendFileDescriptor(2 ** 31));
              attempt('closed', () => t.sendFileDescriptor(closedDescriptor()));
              self.transport.loseConnection();
              attempt('after loseConnection', () => t.sendFileDescriptor(writeEnd));
            });
            client.onLost = () => (unixLost = true);
            return client;
          },
        );
        const tcp = reactor.listenTCP(0, new TestServerFactory(() => new Recorder()), { interface: '127.0.0.1' });
        reactor.connectTCP(
          '127.0.0.1',
          (tcp.getHost() as { port: number }).port,
          new TestClientFactory(() => {
            const client = new Sender((self) => {
              attempt('tcp', () => (self.transport as unknown as { sendFileDescriptor(fd: number): void }).sendFileDescriptor(writeEnd));
              self.transport.loseConnection();
            });
            client.onLost = () => (tcpLost = true);
            return client;
          }),
        );
        waitUntil(reactor, () => unixLost && tcpLost, done);
      });
      closeSync(writeEnd);
      expect(readAll(readEnd)).toBe(''); // nothing kept a copy of the write end
    } finally {
      closeAll([readEnd, writeEnd]);
    }
    const codes = Object.fromEntries([...thrown].map(([name, err]) => [name, (err as { code?: string }).code ?? err]));
    expect(codes).toEqual({
      string: 'ERR_IOREACTOR_INVALID_ARG_TYPE',
      negative: 'ERR_IOREACTOR_INVALID_ARG_VALUE',
      fraction: 'ERR_IOREACTOR_INVALID_ARG_VALUE',
      NaN: 'ERR_IOREACTOR_INVALID_ARG_VALUE',
      huge: 'ERR_IOREACTOR_INVALID_ARG_VALUE',
      closed: 'EBADF',
      'after loseConnection': 'no error',
      tcp: 'ERR_IOREACTOR_NOT_SUPPORTED',
    });
    expect(thrown.get('tcp')).toBeInstanceOf(FileDescriptorsNotSupported);
  });

  it('passes descriptors both ways over an adopted socket pair, and ends cleanly', async () => {
    const [a, b] = openSocketPair();
    const [readEnd, writeEnd] = openPipe();
    const reactor = newReactor(variant);
    let left: Receiver | undefined;
    let right: Receiver | undefined;
    try {
      await runReactor(reactor, (done) => {
        // Each side forwards what it receives back once; the first side closes it.
        right = new Receiver((self, fd) => {
          (self.transport as unknown as { sendFileDescriptor(fd: number): void }).sendFileDescriptor(fd);
          closeSync(fd);
          self.transport.write(Buffer.from('back'));
        });
        left = new Receiver((_self, fd) => {
          writeSync(fd, 'round trip');
          closeSync(fd);
        });
        reactor.adoptStreamConnection(a, 'UNIX', new TestServerFactory(() => left!));
        reactor.adoptStreamConnection(b, 'UNIX', new TestServerFactory(() => right!));
        closeAll([a, b]);
        (left.transport as unknown as { sendFileDescriptor(fd: number): void }).sendFileDescriptor(writeEnd);
        closeSync(writeEnd);
        left.transport.write(Buffer.from('there'));
        waitUntil(
          reactor,
          () => left?.received.toString() === 'back',
          () => {
            left!.transport.loseConnection();
            waitUntil(reactor, () => left?.lost !== undefined && right?.lost !== undefined, done);
          },
        );
      });
      expect(readAll(readEnd)).toBe('round trip');
    } finally {
      closeAll([a, b, readEnd, writeEnd]);
    }
    expect(right?.received.toString()).toBe('there');
    expect(left?.received.toString()).toBe('back');
    expect(left?.lost?.value).toBeInstanceOf(ConnectionDone);
  });

  it('closes the descriptors left in a batch when the reactor closes inside fileDescriptorReceived', async () => {
    const pipes = [openPipe(), openPipe(), openPipe()];
    const reactor = newReactor(variant);
    let server: Receiver | undefined;
    try {
      await runReactor(reactor, (done) => {
        connectPair(
          reactor,
          () =>
            (server = new Receiver((_self, fd) => {
              closeSync(fd);
              done();
              reactor.close();
            })),
          () =>
            new Sender((self) => {
              const t = self.transport as unknown as { sendFileDescriptor(fd: number): void };
              for (const [, w] of pipes) t.sendFileDescriptor(w);
              self.transport.write(Buffer.from('abc'));
            }),
        );
      });
      for (const [, w] of pipes) closeSync(w);
      expect(pipes.map(([r]) => readAll(r))).toEqual(['', '', '']);
    } finally {
      closeAll(pipes.flat());
    }
    expect(server?.descriptors).toHaveLength(1);
  });

  it.skipIf(PYTHON === undefined)("interoperates with Python's socket.send_fds / recv_fds", async () => {
    const [ours, theirs] = openSocketPair();
    const [readEnd, writeEnd] = openPipe();
    const reactor = newReactor(variant);
    let output = '';
    let exitCode: number | null | undefined;
    let protocol: Receiver | undefined;
    try {
      await runReactor(
        reactor,
        (done) => {
          const child = spawn(PYTHON!, [join(__dirname, 'descriptor_peer.py')], { stdio: ['ignore', 'pipe', 'inherit', theirs] });
          closeSync(theirs);
          child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
          child.on('close', (code) => {
            exitCode = code;
            protocol?.transport.loseConnection();
            waitUntil(reactor, () => protocol?.lost !== undefined, done);
          });
          protocol = new Receiver((self, fd) => {
            writeSync(fd, 'via ioreactor');
            closeSync(fd);
            (self.transport as unknown as { sendFileDescriptor(fd: number): void }).sendFileDescriptor(writeEnd);
            closeSync(writeEnd);
            self.transport.write(Buffer.from('Q'));
          });
          reactor.adoptStreamConnection(ours, 'UNIX', new TestServerFactory(() => protocol!));
          closeSync(ours);
        },
        20,
      );
      expect(readAll(readEnd)).toBe('via python');
    } finally {
      closeAll([ours, theirs, readEnd, writeEnd]);
    }
    expect(exitCode).toBe(0);
    expect(output).toBe('via ioreactor Q 1');
    expect(protocol?.received.toString()).toBe('P');
    expect(protocol?.descriptors).toHaveLength(1);
  });

  it('a worker terminated inside fileDescriptorReceived leaves no copy open (queued, in flight or undelivered)', async () => {
    const pipes = [openPipe(), openPipe(), openPipe(), openPipe()];
    try {
      const worker = new Worker(join(__dirname, '../fixtures/descriptor-worker.js'), {
        workerData: { backend: variant.backend, trigger: variant.trigger, fds: pipes.map(([, w]) => w), blocker: new SharedArrayBuffer(4) },
      });
      const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
      const errors: unknown[] = [];
      worker.on('error', (err) => errors.push(err));
      let sent = false;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the worker never blocked in fileDescriptorReceived')), 10_000);
        worker.on('message', (m: { sent?: boolean; blocking?: boolean }) => {
          if (m.sent === true) sent = true;
          if (m.blocking === true) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      expect(sent).toBe(true);
      for (const [, w] of pipes) closeSync(w); // the worker's copies are the only ones left
      await worker.terminate();
      await exited;
      expect(errors).toEqual([]);
      expect(pipes.map(([r]) => readAll(r))).toEqual(['', '', '', '']);
    } finally {
      closeAll(pipes.flat());
    }
  });
});
