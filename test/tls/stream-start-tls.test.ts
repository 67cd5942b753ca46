// startTLS on a transport over a Node stream (connectStreamToProtocol), on a node:net socket and
// on an in-memory Duplex pair; writes through the plain transport after startTLS (on both kinds
// of plain transport) go into TLS; a TLS transport takes the bytes of a write during the call.
import * as net from 'node:net';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  connectStreamToProtocol,
  ConnectionDone,
  InvalidArgTypeError,
  IoReactorError,
  Protocol,
  type Failure,
  type IStreamTransport,
  type ITLSTransport,
  type StreamTransport,
} from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { clientOptions, factoryOf, payload, portOf, RecordingClientFactory, serverOptions, sha256, startTLSNodeClient } from './tls-support';

const BULK = 256 * 1024;
/** Every wait in this file ends within this many milliseconds, or the test fails. */
const LIMIT_MS = 10_000;

function within<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done within ${LIMIT_MS} ms`)), LIMIT_MS)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Two Duplexes, each reading what the other writes (an end ends the other's readable side).
 * Bytes arrive on a later turn of the loop, as from a socket: never inside the writer's call.
 */
function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (other: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        setImmediate(() => {
          other().push(chunk);
          callback();
        });
      },
      final(callback) {
        setImmediate(() => {
          other().push(null);
          callback();
        });
      },
    });
  ends.push(
    make(() => ends[1]!),
    make(() => ends[0]!),
  );
  return [ends[0]!, ends[1]!];
}

/**
 * Plain lines until STARTTLS (the client says it, the server answers READY), then TLS on both
 * sides; the client sends `data` through the transport it held before the upgrade (so those
 * writes must be encrypted), the server echoes, and the client closes once all came back.
 */
class Upgrading extends Protocol {
  private pending = '';
  private secure = false;
  plain: IStreamTransport | undefined;
  secured: ITLSTransport | undefined;
  /** The TLS version, as the first bytes under TLS arrived. */
  version: string | null | undefined;
  readonly chunks: Buffer[] = [];
  received = 0;
  lost: Failure | undefined;
  constructor(
    private readonly side: 'client' | 'server',
    private readonly tlsOptions: object,
    private readonly data: Buffer = Buffer.alloc(0),
    private readonly onLost: () => void = () => {},
  ) {
    super();
  }
  override connectionMade(): void {
    this.plain = this.transport;
    if (this.side === 'client') this.transport.write(Buffer.from('STARTTLS\n'));
  }
  override dataReceived(data: Buffer): void {
    if (this.secure) {
      this.version ??= this.secured!.getProtocol();
      if (this.side === 'server') {
        this.transport.write(data);
        return;
      }
      this.chunks.push(data);
      this.received += data.length;
      if (this.received >= this.data.length) this.transport.loseConnection();
      return;
    }
    this.pending += data.toString('latin1');
    if (this.pending !== (this.side === 'client' ? 'READY\n' : 'STARTTLS\n')) return;
    this.secure = true;
    if (this.side === 'server') this.transport.write(Buffer.from('READY\n'));
    this.secured = (this.transport as StreamTransport).startTLS(this.tlsOptions);
    if (this.side === 'client') {
      // Through the plain transport, in three writes and a sequence.
      const third = Math.floor(this.data.length / 3);
      this.plain!.write(this.data.subarray(0, third));
      this.plain!.writeSequence([this.data.subarray(third, 2 * third), this.data.subarray(2 * third)]);
    }
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
    this.onLost();
  }
}

describe('startTLS over a Node stream', () => {
  it('an ioreactor protocol on a node:net socket, upgraded against node:tls, echoes 256 KiB', async () => {
    const { data, digest } = payload(BULK);
    let server: Upgrading | undefined;
    let received: Buffer[] = [];
    const listener = net.createServer((socket) => {
      server = new Upgrading('server', serverOptions());
      // The accepted socket: this end plays the TLS server without being told.
      connectStreamToProtocol(socket, server);
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const clientError: unknown[] = [];
    await within(
      'the node:tls client',
      new Promise<void>((resolve) =>
        startTLSNodeClient((listener.address() as net.AddressInfo).port, '127.0.0.1', data, BULK, (got, error) => {
          received = got;
          if (error !== undefined) clientError.push(error);
          resolve();
        }),
      ),
    );
    await within(
      'the server side closing',
      waitFor(() => server?.lost !== undefined),
    );
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    expect(clientError).toEqual([]);
    expect(sha256(received)).toBe(digest);
    expect(server!.transport).toBe(server!.secured);
    expect(server!.version).toMatch(/^TLSv1\.[23]$/);
    expect(server!.lost!.value).toBeInstanceOf(ConnectionDone);
    expect(server!.plain!.connected).toBe(false);
  });

  it('ioreactor protocols on both ends of an in-memory Duplex pair; the client writes through its plain transport', async () => {
    const { data, digest } = payload(BULK);
    const [a, b] = duplexPair();
    const server = new Upgrading('server', serverOptions());
    const client = new Upgrading('client', { ...clientOptions(), servername: 'localhost' }, data);
    connectStreamToProtocol(a, server, { accepted: true });
    connectStreamToProtocol(b, client);
    await within(
      'both ends closing',
      waitFor(() => server.lost !== undefined && client.lost !== undefined),
    );
    expect(sha256(client.chunks)).toBe(digest);
    expect(client.transport).toBe(client.secured);
    expect(client.lost!.value).toBeInstanceOf(ConnectionDone);
    expect(server.lost!.value).toBeInstanceOf(ConnectionDone);
  });

  it('refuses a bad `accepted`, and startTLS on a transport that is already TLS', async () => {
    const [a, b] = duplexPair();
    let thrown: unknown;
    try {
      connectStreamToProtocol(a, new Protocol(), { accepted: 'yes' as unknown as boolean });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidArgTypeError);
    const server = new Upgrading('server', serverOptions());
    const client = new Upgrading('client', { ...clientOptions(), servername: 'localhost' }, Buffer.from('x'));
    connectStreamToProtocol(a, server, { accepted: true });
    connectStreamToProtocol(b, client);
    await within(
      'the handshake',
      waitFor(() => client.secured !== undefined && server.secured !== undefined),
    );
    let again: unknown;
    try {
      (client.secured as unknown as StreamTransport).startTLS(clientOptions());
    } catch (err) {
      again = err;
    }
    expect(again).toBeInstanceOf(IoReactorError);
    expect((again as IoReactorError).code).toBe('ERR_IOREACTOR_TLS_UNAVAILABLE');
    await within(
      'both ends closing',
      waitFor(() => server.lost !== undefined && client.lost !== undefined),
    );
  });
});

describe.each(VARIANTS)('writes after startTLS, $name', (variant) => {
  it('go into TLS when made through the plain StreamTransport (write and writeSequence)', async () => {
    const reactor = newReactor(variant);
    const { data, digest } = payload(BULK);
    let client: Upgrading | undefined;
    let server: Upgrading | undefined;
    await runReactor(reactor, (done) => {
      const port = reactor.listenTCP(
        0,
        factoryOf(() => (server = new Upgrading('server', serverOptions()))),
        { interface: '127.0.0.1' },
      );
      const factory = new RecordingClientFactory(
        () => (client = new Upgrading('client', { ...clientOptions(), servername: 'localhost' }, data)),
        () => void port.stopListening(),
      );
      reactor.connectTCP('127.0.0.1', portOf(port), factory);
      const check = (): void => (server?.lost !== undefined && client?.lost !== undefined ? done() : void reactor.callLater(0.005, check));
      check();
    });
    expect(sha256(client!.chunks)).toBe(digest);
    expect(client!.lost!.value).toBeInstanceOf(ConnectionDone);
    expect(server!.lost!.value).toBeInstanceOf(ConnectionDone);
  });

  it('a TLS transport takes the bytes during write: overwriting the buffer after the call changes nothing sent', async () => {
    const reactor = newReactor(variant);
    const { data, digest } = payload(BULK);
    const echoed: Buffer[] = [];
    let lost: Failure | undefined;
    await runReactor(reactor, (done) => {
      const port = reactor.listenSSL(
        0,
        factoryOf(
          () =>
            new (class extends Protocol {
              override dataReceived(chunk: Buffer): void {
                this.transport.write(chunk);
              }
            })(),
        ),
        serverOptions(),
        { interface: '127.0.0.1' },
      );
      const factory = new RecordingClientFactory(
        () =>
          new (class extends Protocol {
            private total = 0;
            override connectionMade(): void {
              // One reused buffer, overwritten after every write: some writes reach node:tls at
              // once, the ones queued behind them wait in the TLS socket.
              const scratch = Buffer.alloc(4096);
              for (let at = 0; at < data.length; at += scratch.length) {
                const n = data.copy(scratch, 0, at, at + scratch.length);
                this.transport.write(scratch.subarray(0, n));
                scratch.fill(0);
              }
            }
            override dataReceived(chunk: Buffer): void {
              echoed.push(chunk);
              this.total += chunk.length;
              if (this.total >= data.length) this.transport.loseConnection();
            }
            override connectionLost(reason: Failure): void {
              lost = reason;
            }
          })(),
        () => {
          void port.stopListening();
          done();
        },
      );
      reactor.connectSSL('127.0.0.1', portOf(port), factory, { ...clientOptions(), servername: 'localhost' });
    });
    expect(sha256(echoed)).toBe(digest);
    expect(lost!.value).toBeInstanceOf(ConnectionDone);
  });
});

/** Resolves once `condition` holds, polling every 5 ms (the caller bounds the time). */
function waitFor(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = (): void => {
      if (condition()) resolve();
      else setTimeout(poll, 5).unref();
    };
    poll();
  });
}
