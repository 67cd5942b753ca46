// startTLS and TLS writes called the wrong way: startTLS twice, loseConnection in the same breath
// as startTLS, writes of shared memory and of detached buffers. Each is refused with a coded
// error or does what it says; the peer receives exactly what was written, over a completed
// handshake, and then a clean close.
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { ConnectionDone, Protocol, type Failure, type ITLSTransport, type StreamTransport } from '../../src/index';
import { newReactor, runReactor, VARIANTS, waitUntil } from '../support/reactors';
import { clientOptions, factoryOf, portOf, serverOptions } from './tls-support';

/** A view whose ArrayBuffer was transferred away (as postMessage's transfer list does). */
function detached<T extends ArrayBufferView>(make: (buffer: ArrayBuffer) => T): T {
  const buffer = new ArrayBuffer(8);
  const view = make(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return view;
}

/** Runs `attempt`, returning the code of what it threw ('none' if nothing). */
function codeOf(attempt: () => unknown): string {
  try {
    attempt();
    return 'none';
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && code.startsWith('ERR_IOREACTOR_') ? code : `uncoded ${String(err)}`;
  }
}

describe.each(VARIANTS)('hostile startTLS on $name', (variant) => {
  it('startTLS twice is refused (ERR_IOREACTOR_TLS_ALREADY_STARTED); shared and detached writes; loseConnection at once closes cleanly after them', async () => {
    const reactor = newReactor(variant);
    const codes: Record<string, string> = {};
    let serverLost: Failure | undefined;
    let received = '';
    let clientError: Error | undefined;
    let authorized = false;
    await runReactor(reactor, (done) => {
      const port = reactor.listenTCP(
        0,
        factoryOf(
          () =>
            new (class extends Protocol {
              override connectionMade(): void {
                const raw = this.transport as StreamTransport;
                let secured: ITLSTransport | undefined;
                codes.first = codeOf(() => (secured = raw.startTLS(serverOptions())));
                codes.second = codeOf(() => raw.startTLS(serverOptions()));
                const shared = new Uint8Array(new SharedArrayBuffer(12), 2, 6);
                shared.set(Buffer.from('shared'));
                codes.shared = codeOf(() => secured!.write(shared));
                codes.detachedArray = codeOf(() => secured!.write(detached((b) => new Uint8Array(b))));
                codes.detachedDataView = codeOf(() => secured!.write(detached((b) => new DataView(b))));
                codes.sequence = codeOf(() => secured!.writeSequence([Buffer.from('+seq'), detached((b) => new Uint16Array(b))]));
                secured!.loseConnection();
                codes.afterLose = codeOf(() => secured!.write(Buffer.from('late')));
              }
              override connectionLost(reason: Failure): void {
                serverLost = reason;
              }
            })(),
        ),
        { interface: '127.0.0.1' },
      );
      const client = tls.connect({ port: portOf(port), host: '127.0.0.1', servername: 'localhost', ...clientOptions() });
      client.on('secureConnect', () => (authorized = client.authorized));
      client.on('data', (d: Buffer) => (received += d.toString('latin1')));
      client.on('error', (err) => (clientError = err));
      client.on('close', () => {
        void port.stopListening();
        waitUntil(reactor, () => serverLost !== undefined, done);
      });
    });
    expect(codes).toEqual({
      first: 'none',
      second: 'ERR_IOREACTOR_TLS_ALREADY_STARTED',
      shared: 'none',
      detachedArray: 'none',
      detachedDataView: 'ERR_IOREACTOR_INVALID_DATA',
      sequence: 'none',
      afterLose: 'none',
    });
    expect(authorized).toBe(true);
    expect(clientError).toBeUndefined();
    expect(received).toBe('shared+seq');
    expect(serverLost?.value).toBeInstanceOf(ConnectionDone);
  });
});
