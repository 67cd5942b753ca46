// Closing through the plain transport a protocol kept from before startTLS closes the TLS
// connection: loseConnection sends close_notify (the node:tls peer sees a clean end), and
// abortConnection still aborts at once, the protocol hearing ConnectionAborted.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { ConnectionAborted, ConnectionDone, Protocol, type Failure, type StreamTransport } from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { clientOptions, factoryOf, portOf, serverOptions } from './tls-support';

type Close = 'loseConnection' | 'abortConnection';

/** Upgrades on STARTTLS, then closes through the plain transport it kept once 'bye' arrives encrypted. */
class KeepsPlainTransport extends Protocol {
  private plain: StreamTransport | undefined;
  lost: Failure | undefined;
  constructor(private readonly close: Close) {
    super();
  }
  override dataReceived(data: Buffer): void {
    if (this.plain === undefined) {
      this.plain = this.transport as StreamTransport;
      this.plain.write(Buffer.from('READY\n'));
      this.plain.startTLS(serverOptions());
      return;
    }
    if (data.toString() === 'bye') this.plain[this.close]();
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
  }
}

interface PeerView {
  ended: boolean;
  errors: string[];
  received: string;
}

async function closeThroughPlain(variant: (typeof VARIANTS)[number], close: Close): Promise<{ peer: PeerView; server: KeepsPlainTransport }> {
  const reactor = newReactor(variant);
  let server!: KeepsPlainTransport;
  const peer: PeerView = { ended: false, errors: [], received: '' };
  await runReactor(reactor, (done) => {
    const port = reactor.listenTCP(
      0,
      factoryOf(() => (server = new KeepsPlainTransport(close))),
      { interface: '127.0.0.1' },
    );
    const plain = net.connect(portOf(port), '127.0.0.1', () => plain.write('STARTTLS\n'));
    plain.once('data', (ready: Buffer) => {
      peer.received = ready.toString();
      // TLS 1.2: a close_notify is an alert node:tls answers with an end, never a reset.
      const secure = tls.connect({ socket: plain, ...clientOptions(), servername: 'localhost', maxVersion: 'TLSv1.2' }, () => secure.write('bye'));
      secure.on('end', () => (peer.ended = true));
      secure.on('error', (err: NodeJS.ErrnoException) => peer.errors.push(err.code ?? err.message));
      secure.resume();
      secure.on('close', () => {
        void port.stopListening();
        const check = (): void => void (server.lost !== undefined ? done() : reactor.callLater(0.005, check));
        check();
      });
    });
  });
  return { peer, server };
}

describe.each(VARIANTS)('closing the plain transport after startTLS on $name', (variant) => {
  it('loseConnection sends close_notify: the peer sees a clean end', async () => {
    const { peer, server } = await closeThroughPlain(variant, 'loseConnection');
    expect(peer.received).toBe('READY\n');
    expect(peer.errors).toEqual([]);
    expect(peer.ended).toBe(true);
    expect(server.lost?.value).toBeInstanceOf(ConnectionDone);
  });

  it('abortConnection aborts at once and the protocol hears ConnectionAborted', async () => {
    const { peer, server } = await closeThroughPlain(variant, 'abortConnection');
    expect(peer.received).toBe('READY\n');
    expect(server.lost?.value).toBeInstanceOf(ConnectionAborted);
  });
});
