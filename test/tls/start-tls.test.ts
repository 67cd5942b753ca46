// startTLS in the middle of a plain connection: a line protocol says STARTTLS, the server answers
// READY in clear and both sides upgrade; then the same protocol instances echo, encrypted.
// Against node:tls on either side, and ioreactor on both.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { ConnectionDone, IoReactorError, Protocol, TLSVerificationError, type Failure, type ITLSTransport, type StreamTransport } from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import {
  clientOptions,
  factoryOf,
  loopback,
  payload,
  portOf,
  RecordingClientFactory,
  serverOptions,
  sha256,
  startTLSNodeClient,
  TCP_FAMILIES,
} from './tls-support';

const BULK = 1024 * 1024;

/** The server: plain lines until STARTTLS; then READY in clear, TLS, and an echo of everything. */
class StartTLSServer extends Protocol {
  private pending = '';
  secured: ITLSTransport | undefined;
  lost: Failure | undefined;
  override dataReceived(data: Buffer): void {
    if (this.secured !== undefined) {
      this.transport.write(data);
      return;
    }
    this.pending += data.toString('latin1');
    if (this.pending === 'STARTTLS\n') {
      this.transport.write(Buffer.from('READY\n'));
      this.secured = (this.transport as StreamTransport).startTLS(serverOptions());
    }
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
  }
}

/** The client: STARTTLS, waits for READY, upgrades, sends `data` and closes once it came back. */
class StartTLSClient extends Protocol {
  private pending = '';
  private secure = false;
  readonly chunks: Buffer[] = [];
  private received = 0;
  transportSeen: ITLSTransport | undefined;
  lost: Failure | undefined;
  constructor(
    private readonly data: Buffer,
    private readonly tlsOptions: object = clientOptions(),
  ) {
    super();
  }
  override connectionMade(): void {
    this.transport.write(Buffer.from('STARTTLS\n'));
  }
  override dataReceived(data: Buffer): void {
    if (!this.secure) {
      this.pending += data.toString('latin1');
      if (this.pending !== 'READY\n') return;
      this.secure = true;
      this.transportSeen = (this.transport as StreamTransport).startTLS(this.tlsOptions);
      // The protocol's own `transport` is now the TLS one.
      this.transport.write(this.data);
      return;
    }
    this.chunks.push(data);
    this.received += data.length;
    if (this.received >= this.data.length) this.transport.loseConnection();
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
  }
}

describe.each(VARIANTS)('startTLS mid-connection, $name', (variant) => {
  describe.each(TCP_FAMILIES)('%s', (family) => {
    it('ioreactor on both sides: same protocols, then 1 MiB echoed under TLS', async () => {
      const reactor = newReactor(variant);
      const { data, digest } = payload(BULK);
      let server: StartTLSServer | undefined;
      let client: StartTLSClient | undefined;
      await runReactor(reactor, (done) => {
        const port = reactor.listenTCP(
          0,
          factoryOf(() => (server = new StartTLSServer())),
          { interface: loopback(family) },
        );
        const factory = new RecordingClientFactory(
          () => (client = new StartTLSClient(data)),
          () => void port.stopListening(),
        );
        reactor.connectTCP(loopback(family), portOf(port), factory);
        const check = (): void => {
          if (server?.lost !== undefined && client?.lost !== undefined) done();
          else reactor.callLater(0.005, check);
        };
        check();
      });
      expect(sha256(client!.chunks)).toBe(digest);
      expect(client!.transport).toBe(client!.transportSeen);
      expect(client!.transportSeen!.getProtocol === undefined).toBe(false);
      expect(client!.lost!.value).toBeInstanceOf(ConnectionDone);
      expect(server!.lost!.value).toBeInstanceOf(ConnectionDone);
    });

    it('ioreactor server, node:net client upgraded with tls.connect', async () => {
      const reactor = newReactor(variant);
      const { data, digest } = payload(BULK);
      let received: Buffer[] = [];
      let server: StartTLSServer | undefined;
      let clientError: unknown;
      await runReactor(reactor, (done) => {
        const port = reactor.listenTCP(
          0,
          factoryOf(() => (server = new StartTLSServer())),
          { interface: loopback(family) },
        );
        startTLSNodeClient(portOf(port), loopback(family), data, BULK, (got, error) => {
          received = got;
          clientError = error;
          void port.stopListening();
          const check = (): void => (server?.lost !== undefined ? done() : void reactor.callLater(0.005, check));
          check();
        });
      });
      expect(clientError).toBeUndefined();
      expect(sha256(received)).toBe(digest);
      expect(server!.lost!.value).toBeInstanceOf(ConnectionDone);
    });

    it('node:net server upgraded with a TLSSocket, ioreactor client', async () => {
      const reactor = newReactor(variant);
      const { data, digest } = payload(BULK);
      let client: StartTLSClient | undefined;
      await runReactor(reactor, (done) => {
        const secureContext = tls.createSecureContext(serverOptions());
        const server = net.createServer((plain) => {
          plain.once('data', (line: Buffer) => {
            expect(line.toString()).toBe('STARTTLS\n');
            plain.write('READY\n');
            const secure = new tls.TLSSocket(plain, { isServer: true, secureContext });
            secure.pipe(secure);
            secure.on('error', () => {});
          });
        });
        server.listen(0, loopback(family), () => {
          const factory = new RecordingClientFactory(
            () => (client = new StartTLSClient(data, { ...clientOptions(), servername: 'localhost' })),
            () => server.close(() => done()),
          );
          reactor.connectTCP(loopback(family), (server.address() as net.AddressInfo).port, factory);
        });
      });
      expect(sha256(client!.chunks)).toBe(digest);
      expect(client!.lost!.value).toBeInstanceOf(ConnectionDone);
    });
  });

  it('a failed verification after startTLS reaches connectionLost as TLSVerificationError', async () => {
    const reactor = newReactor(variant);
    let client: StartTLSClient | undefined;
    let server: StartTLSServer | undefined;
    await runReactor(reactor, (done) => {
      const port = reactor.listenTCP(
        0,
        factoryOf(() => (server = new StartTLSServer())),
        { interface: '127.0.0.1' },
      );
      // No `ca`: the test CA is not one of Node's roots.
      const factory = new RecordingClientFactory(
        () => (client = new StartTLSClient(Buffer.from('x'), {})),
        () => void port.stopListening(),
      );
      reactor.connectTCP('127.0.0.1', portOf(port), factory);
      const check = (): void => (server?.lost !== undefined && client?.lost !== undefined ? done() : void reactor.callLater(0.005, check));
      check();
    });
    expect(client!.lost!.value).toBeInstanceOf(TLSVerificationError);
  });

  it('refuses startTLS on a closing connection and with a producer registered', async () => {
    const reactor = newReactor(variant);
    const codes: string[] = [];
    await runReactor(reactor, (done) => {
      const port = reactor.listenTCP(
        0,
        factoryOf(
          () =>
            new (class extends Protocol {
              override connectionMade(): void {
                const t = this.transport as StreamTransport;
                t.registerProducer({ resumeProducing() {}, pauseProducing() {}, stopProducing() {} }, true);
                for (const attempt of [() => t.startTLS(serverOptions()), () => (t.unregisterProducer(), t.loseConnection(), t.startTLS(serverOptions()))]) {
                  try {
                    attempt();
                  } catch (err) {
                    if (err instanceof IoReactorError) codes.push(err.code);
                  }
                }
              }
            })(),
        ),
        { interface: '127.0.0.1' },
      );
      const c = net.connect(portOf(port), '127.0.0.1');
      c.resume();
      c.on('close', () => {
        void port.stopListening();
        done();
      });
    });
    expect(codes).toEqual(['ERR_IOREACTOR_TLS_PRODUCER_REGISTERED', 'ERR_IOREACTOR_TLS_NOT_CONNECTED']);
  });
});
