// listenSSL and connectSSL against real node:tls on the other side, with certificates made at
// test time: echo both ways (bytes checked), verification failures and handshake timeouts as
// coded errors, SNI and ALPN, close ordering, a throwing protocol, bad options.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import {
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  InvalidArgTypeError,
  InvalidArgValueError,
  Protocol,
  TLSHandshakeError,
  TLSHandshakeTimeout,
  TLSVerificationError,
  type Address,
  type Failure,
  type ITLSTransport,
} from '../../src/index';
import { expectLogged } from '../support/logged';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import {
  certs,
  clientOptions,
  Echo,
  factoryOf,
  loopback,
  payload,
  portOf,
  RecordingClientFactory,
  Sender,
  serverOptions,
  sha256,
  TCP_FAMILIES,
} from './tls-support';

const BULK = 4 * 1024 * 1024;

/** Listens with node:tls on the family's loopback; `then` gets the port. */
function nodeServer(family: string, options: tls.TlsOptions, onSocket: (s: tls.TLSSocket) => void, then: (server: tls.Server, port: number) => void): void {
  const server = tls.createServer(options, onSocket);
  server.on('tlsClientError', () => {}); // the client refusing us is what some tests are about
  server.listen(0, family === 'TCP6' ? '::1' : '127.0.0.1', () => then(server, (server.address() as net.AddressInfo).port));
}

describe.each(VARIANTS)('TLS over ioreactor, $name', (variant) => {
  describe.each(TCP_FAMILIES)('%s', (family) => {
    it('echoes 4 MiB for a node:tls client (listenSSL), checksum right', async () => {
      const reactor = newReactor(variant);
      const { data, digest } = payload(BULK);
      const received: Buffer[] = [];
      let servedBy: Echo | undefined;
      let clientError: unknown;
      await runReactor(reactor, (done) => {
        const port = reactor.listenSSL(
          0,
          factoryOf(() => (servedBy = new Echo())),
          serverOptions(),
          { interface: loopback(family) },
        );
        let total = 0;
        const client = tls.connect({ host: loopback(family), port: portOf(port), ...clientOptions() }, () => client.write(data));
        client.on('data', (chunk: Buffer) => {
          received.push(chunk);
          total += chunk.length;
          if (total >= BULK) client.end();
        });
        client.on('error', (err) => (clientError = err));
        client.on('close', () => {
          void port.stopListening();
          done();
        });
      });
      expect(clientError).toBeUndefined();
      expect(sha256(received)).toBe(digest);
      expect(servedBy!.lost!.value).toBeInstanceOf(ConnectionDone);
    });

    it('echoes 4 MiB through a node:tls server (connectSSL), checksum right', async () => {
      const reactor = newReactor(variant);
      const { data, digest } = payload(BULK);
      let sender: Sender | undefined;
      let factory: RecordingClientFactory | undefined;
      await runReactor(reactor, (done) => {
        nodeServer(
          family,
          serverOptions(),
          (s) => s.pipe(s),
          (server, port) => {
            factory = new RecordingClientFactory(
              () => (sender = new Sender(data, () => {})),
              () => server.close(() => done()),
            );
            reactor.connectSSL(loopback(family), port, factory, clientOptions());
          },
        );
      });
      expect(factory!.failed).toBeUndefined();
      expect(sha256(sender!.chunks)).toBe(digest);
      expect(sender!.lost!.value).toBeInstanceOf(ConnectionDone);
      expect(factory!.lost!.value).toBeInstanceOf(ConnectionDone);
    });
  });

  it('refuses a server signed by an unknown CA: clientConnectionFailed with TLSVerificationError', async () => {
    const reactor = newReactor(variant);
    let factory: RecordingClientFactory | undefined;
    let made = false;
    await runReactor(reactor, (done) => {
      nodeServer(
        'TCP4',
        { key: certs().otherKey, cert: certs().otherCert },
        () => {},
        (server, port) => {
          factory = new RecordingClientFactory(
            () =>
              new (class extends Protocol {
                override connectionMade(): void {
                  made = true;
                }
              })(),
            () => server.close(() => done()),
          );
          reactor.connectSSL('127.0.0.1', port, factory, clientOptions());
        },
      );
    });
    expect(made).toBe(false);
    const err = factory!.failed!.value as TLSVerificationError;
    expect(err).toBeInstanceOf(TLSVerificationError);
    expect(err).toBeInstanceOf(TLSHandshakeError);
    expect(err.code).toBe('ERR_IOREACTOR_TLS_VERIFY');
    expect(err.tlsCode).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect((err.cause as { code: string }).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('refuses a certificate for another host name: ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    const reactor = newReactor(variant);
    let factory: RecordingClientFactory | undefined;
    await runReactor(reactor, (done) => {
      nodeServer(
        'TCP4',
        serverOptions(),
        () => {},
        (server, port) => {
          factory = new RecordingClientFactory(
            () => new Protocol(),
            () => server.close(() => done()),
          );
          reactor.connectSSL('127.0.0.1', port, factory, { ...clientOptions(), servername: 'not-this-host.test' });
        },
      );
    });
    const err = factory!.failed!.value as TLSVerificationError;
    expect(err).toBeInstanceOf(TLSVerificationError);
    expect(err.tlsCode).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('times out a handshake with a peer that never speaks TLS, on both sides', async () => {
    const reactor = newReactor(variant);
    let factory: RecordingClientFactory | undefined;
    let serverSide: Failure | undefined;
    let serverPeer: Address | undefined;
    const silent: net.Socket[] = [];
    await runReactor(reactor, (done) => {
      const mute = net.createServer((s) => silent.push(s));
      mute.listen(0, '127.0.0.1', () => {
        factory = new RecordingClientFactory(
          () => new Protocol(),
          () => {
            // The client side has failed; now a silent client against listenSSL.
            const port = reactor.listenSSL(
              0,
              factoryOf(() => new Protocol()),
              { ...serverOptions(), handshakeTimeout: 100 },
              {
                interface: '127.0.0.1',
                onHandshakeError: (failure, peer) => {
                  serverSide = failure;
                  serverPeer = peer;
                  void port.stopListening();
                  for (const s of silent) s.destroy();
                  mute.close(() => done());
                },
              },
            );
            silent.push(net.connect(portOf(port), '127.0.0.1'));
          },
        );
        reactor.connectSSL('127.0.0.1', (mute.address() as net.AddressInfo).port, factory, { ...clientOptions(), handshakeTimeout: 100 });
      });
    });
    const clientErr = factory!.failed!.value as TLSHandshakeTimeout;
    expect(clientErr).toBeInstanceOf(TLSHandshakeTimeout);
    expect(clientErr.code).toBe('ERR_IOREACTOR_TLS_HANDSHAKE_TIMEOUT');
    expect(serverSide!.value).toBeInstanceOf(TLSHandshakeTimeout);
    expect(serverPeer!.type).toBe('TCP');
  });

  it('passes SNI and ALPN through, both ways (ioreactor on both sides)', async () => {
    const reactor = newReactor(variant);
    const sniSeen: string[] = [];
    let server: ITLSTransport | undefined;
    let client: ITLSTransport | undefined;
    let version: string | null = null;
    let peerCN: string | undefined;
    await runReactor(reactor, (done) => {
      const ctx = tls.createSecureContext(serverOptions());
      const port = reactor.listenSSL(
        0,
        factoryOf(
          () =>
            new (class extends Protocol {
              override connectionMade(): void {
                server = this.transport as ITLSTransport;
                this.transport.write(Buffer.from('hi'));
              }
            })(),
        ),
        { ...serverOptions(), ALPNProtocols: ['proto-b', 'proto-a'], SNICallback: (name, cb) => (sniSeen.push(name), cb(null, ctx)) },
        { interface: '127.0.0.1' },
      );
      const factory = new RecordingClientFactory(
        () =>
          new (class extends Protocol {
            override connectionMade(): void {
              client = this.transport as ITLSTransport;
              version = client.getProtocol();
              peerCN = String((client.getPeerCertificate() as tls.PeerCertificate).subject.CN);
            }
            override dataReceived(): void {
              this.transport.loseConnection();
            }
          })(),
        () => {
          void port.stopListening();
          done();
        },
      );
      reactor.connectSSL('127.0.0.1', portOf(port), factory, { ...clientOptions(), servername: 'localhost', ALPNProtocols: ['proto-a'] });
    });
    expect(sniSeen).toEqual(['localhost']);
    expect(server!.servername).toBe('localhost');
    expect(server!.alpnProtocol).toBe('proto-a');
    expect(client!.alpnProtocol).toBe('proto-a');
    expect(version).toMatch(/^TLSv1\.[23]$/);
    expect(peerCN).toBe('server');
    expect(server!.getPeer().type).toBe('TCP');
  });

  it('asks for client certificates: refuses a client without one, accepts one the CA signed', async () => {
    const reactor = newReactor(variant);
    const failures: Failure[] = [];
    let subject: string | undefined;
    await runReactor(reactor, (done) => {
      const port = reactor.listenSSL(
        0,
        factoryOf(
          () =>
            new (class extends Protocol {
              override connectionMade(): void {
                subject = String(((this.transport as ITLSTransport).getPeerCertificate() as tls.PeerCertificate).subject.CN);
                this.transport.loseConnection();
              }
            })(),
        ),
        { ...serverOptions(), ca: certs().ca, requestCert: true },
        { interface: '127.0.0.1', onHandshakeError: (f) => failures.push(f) },
      );
      const bare = tls.connect({ host: '127.0.0.1', port: portOf(port), ...clientOptions() });
      bare.on('error', () => {});
      bare.on('close', () => {
        const signed = tls.connect({ host: '127.0.0.1', port: portOf(port), ...clientOptions(), key: certs().clientKey, cert: certs().clientCert });
        signed.resume();
        signed.on('close', () => {
          void port.stopListening();
          done();
        });
      });
    });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.value).toBeInstanceOf(TLSHandshakeError);
    expect(subject).toBe('client');
  });

  it('loseConnection sends close_notify after the data; abortConnection does not', async () => {
    const reactor = newReactor(variant);
    const seen: { text: string; ended: boolean; error: string | undefined }[] = [];
    const lost: Failure[] = [];
    await runReactor(reactor, (done) => {
      let n = 0;
      const port = reactor.listenSSL(
        0,
        factoryOf(
          () =>
            new (class extends Protocol {
              override connectionMade(): void {
                this.transport.write(Buffer.from('bye'));
                if (n++ === 0) this.transport.loseConnection();
                else this.transport.abortConnection();
              }
              override connectionLost(reason: Failure): void {
                lost.push(reason);
              }
            })(),
        ),
        serverOptions(),
        { interface: '127.0.0.1' },
      );
      const run = (then: () => void): void => {
        const record = { text: '', ended: false, error: undefined as string | undefined };
        seen.push(record);
        const c = tls.connect({ host: '127.0.0.1', port: portOf(port), ...clientOptions() });
        c.on('data', (d: Buffer) => (record.text += d.toString()));
        c.on('end', () => (record.ended = true));
        c.on('error', (e: NodeJS.ErrnoException) => (record.error = e.code));
        c.on('close', then);
      };
      run(() =>
        run(() => {
          void port.stopListening();
          done();
        }),
      );
    });
    expect(seen[0]).toEqual({ text: 'bye', ended: true, error: undefined });
    expect(seen[1]!.ended && seen[1]!.error === undefined && seen[1]!.text === 'bye').toBe(false);
    expect(lost[0]!.value).toBeInstanceOf(ConnectionDone);
    expect(lost[1]!.value).toBeInstanceOf(ConnectionAborted);
  });

  it('a reactor shut down with TLS connections open tells their protocols ConnectionLost', async () => {
    const reactor = newReactor(variant);
    const lost: Failure[] = [];
    const record = () =>
      new (class extends Protocol {
        override connectionLost(reason: Failure): void {
          lost.push(reason);
        }
      })();
    await runReactor(reactor, (done) => {
      const port = reactor.listenSSL(0, factoryOf(record), serverOptions(), { interface: '127.0.0.1' });
      const factory = new RecordingClientFactory(
        () =>
          new (class extends Protocol {
            override connectionMade(): void {
              // Connected: a second connection starts its handshake, and the reactor stops meanwhile.
              reactor.connectSSL(
                '127.0.0.1',
                portOf(port),
                new RecordingClientFactory(
                  () => new Protocol(),
                  () => {},
                ),
                clientOptions(),
              );
              reactor.callLater(0, done);
            }
            override connectionLost(reason: Failure): void {
              lost.push(reason);
            }
          })(),
        () => {},
      );
      reactor.connectSSL('127.0.0.1', portOf(port), factory, clientOptions());
    });
    // The TLS sockets close on the next turns of Node's loop.
    for (let i = 0; i < 100 && lost.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(lost.length).toBeGreaterThanOrEqual(2);
    for (const reason of lost) expect(reason.value).toBeInstanceOf(ConnectionLost);
  });

  it('a protocol throwing in dataReceived under TLS is logged and its connection closed', async () => {
    const reactor = newReactor(variant);
    const logged = expectLogged(/Unhandled error in dataReceived.*boom/);
    let lost: Failure | undefined;
    let clientClosed = false;
    await runReactor(reactor, (done) => {
      const port = reactor.listenSSL(
        0,
        factoryOf(
          () =>
            new (class extends Protocol {
              override dataReceived(): void {
                throw new Error('boom');
              }
              override connectionLost(reason: Failure): void {
                lost = reason;
              }
            })(),
        ),
        serverOptions(),
        { interface: '127.0.0.1' },
      );
      const c = tls.connect({ host: '127.0.0.1', port: portOf(port), ...clientOptions() }, () => c.write('x'));
      c.on('error', () => {});
      c.on('close', () => {
        clientClosed = true;
        void port.stopListening();
        done();
      });
    });
    expect(logged.entries).toHaveLength(1);
    expect(clientClosed).toBe(true);
    expect(lost!.value).toBeInstanceOf(ConnectionLost);
  });
});

describe('listenSSL / connectSSL refuse bad options at the call', () => {
  it('throws typed, coded errors', () => {
    const reactor = newReactor(VARIANTS[0]!);
    try {
      const f = factoryOf(() => new Protocol());
      const codeOf = (call: () => unknown): unknown => {
        try {
          call();
        } catch (err) {
          return [(err as Error).constructor.name, (err as { code: string }).code];
        }
        return 'no error';
      };
      expect(codeOf(() => reactor.listenSSL(0, f, null as never))).toEqual(['InvalidArgTypeError', 'ERR_IOREACTOR_INVALID_ARG_TYPE']);
      expect(codeOf(() => reactor.listenSSL(0, f, { key: 'garbage', cert: 'garbage' }))).toEqual(['InvalidArgValueError', 'ERR_IOREACTOR_INVALID_TLS_OPTIONS']);
      expect(codeOf(() => reactor.listenSSL(0, f, { ...serverOptions(), handshakeTimeout: -1 }))).toEqual([
        'InvalidArgValueError',
        'ERR_IOREACTOR_INVALID_ARG_VALUE',
      ]);
      expect(codeOf(() => reactor.listenSSL(0, f, serverOptions(), { onHandshakeError: 1 as never }))).toEqual([
        'InvalidArgTypeError',
        'ERR_IOREACTOR_INVALID_ARG_TYPE',
      ]);
      expect(codeOf(() => reactor.listenSSL(0, {} as never, serverOptions()))).toEqual(['InvalidArgTypeError', 'ERR_IOREACTOR_INVALID_ARG_TYPE']);
      expect(codeOf(() => reactor.connectSSL('127.0.0.1', 1, f, { rejectUnauthorized: 'no' as never }))).toEqual([
        'InvalidArgTypeError',
        'ERR_IOREACTOR_INVALID_ARG_TYPE',
      ]);
      expect(codeOf(() => reactor.connectSSL('127.0.0.1', 1, f, { ALPNProtocols: 'h2' as never }))).toEqual([
        'InvalidArgTypeError',
        'ERR_IOREACTOR_INVALID_ARG_TYPE',
      ]);
      expect(codeOf(() => reactor.connectSSL('127.0.0.1', 1, f, { servername: 5 as never }))).toEqual([
        'InvalidArgTypeError',
        'ERR_IOREACTOR_INVALID_ARG_TYPE',
      ]);
      expect(InvalidArgTypeError).toBeDefined();
      expect(InvalidArgValueError).toBeDefined();
    } finally {
      reactor.close();
    }
  });
});
