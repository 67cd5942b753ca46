// Datagram writes with what the type check lets through: views over shared memory, DataViews,
// detached buffers, absurd sizes and port numbers, and destination objects whose getters throw
// or stop the port in the middle of the call. Each either arrives byte for byte or is refused
// with a coded error; nothing else reaches the peer and the port keeps its contract.
import { describe, expect, it } from 'vitest';
import { DatagramPortClosedError, DatagramProtocol, type DatagramPort, type IPv4Address } from '../../src/index';
import { newReactor, runReactor, VARIANTS, waitUntil } from '../support/reactors';
import { DATA, PORT, rejects, VALUE } from '../support/serving';
import { Recorder } from './support';

const LOOPBACK = { interface: '127.0.0.1' };

/** A view whose ArrayBuffer was transferred away (as postMessage's transfer list does). */
function detached<T extends ArrayBufferView>(make: (buffer: ArrayBuffer) => T): T {
  const buffer = new ArrayBuffer(8);
  const view = make(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return view;
}

const portOf = (p: DatagramPort): number => (p.getHost() as IPv4Address).port;

describe.each(VARIANTS)('hostile datagram input on $name', (variant) => {
  it('shared memory, DataViews and detached views: sent byte for byte, or refused with ERR_IOREACTOR_INVALID_DATA', async () => {
    const reactor = newReactor(variant);
    const receiver = new Recorder();
    await runReactor(reactor, (done) => {
      const port = reactor.listenUDP(0, receiver, LOOPBACK);
      const sender = reactor.listenUDP(0, new DatagramProtocol(), LOOPBACK);
      const to = { host: '127.0.0.1', port: portOf(port) };
      const shared = new Uint8Array(new SharedArrayBuffer(16), 4, 6);
      shared.set(Buffer.from('shared'));
      sender.write(shared, to);
      const backing = Buffer.from('..dataview..');
      sender.write(new DataView(backing.buffer, backing.byteOffset + 2, 8), to);
      sender.write(new Float64Array([1.5]), to);
      // A detached typed array reads as empty: an empty datagram, as for any empty view.
      sender.write(
        detached((b) => new Uint8Array(b)),
        to,
      );
      rejects(
        'a DataView over a detached buffer',
        () =>
          sender.write(
            detached((b) => new DataView(b)),
            to,
          ),
        DATA,
      );
      rejects('writeSequence-style arrays are not bytes', () => sender.write([1, 2] as never, to), DATA);
      waitUntil(reactor, () => receiver.received.length >= 4, done);
    });
    expect(receiver.received.map((r) => r.data.toString('hex'))).toEqual([
      Buffer.from('shared').toString('hex'),
      Buffer.from('dataview').toString('hex'),
      Buffer.from(new Float64Array([1.5]).buffer).toString('hex'),
      '',
    ]);
  });

  it('refuses absurd sizes and port numbers with coded errors', async () => {
    const reactor = newReactor(variant);
    const protocol = new Recorder();
    await runReactor(reactor, (done) => {
      for (const size of [2 ** 53, Infinity, -Infinity, NaN, 2 ** 31]) {
        rejects(`maxPacketSize ${size}`, () => reactor.listenUDP(0, protocol, { ...LOOPBACK, maxPacketSize: size }), VALUE);
      }
      const sender = reactor.listenUDP(0, protocol, LOOPBACK);
      for (const port of [65536, NaN, Infinity, -0.5, 2 ** 53, 2 ** 32 + 9]) {
        rejects(`port ${port}`, () => sender.write(Buffer.from('x'), { host: '127.0.0.1', port }), PORT);
        rejects(`connect to port ${port}`, () => sender.connect('127.0.0.1', port), PORT);
      }
      rejects('setTTL NaN', () => sender.setTTL(NaN), VALUE);
      rejects('setTTL 2**53', () => sender.setTTL(2 ** 53), VALUE);
      done();
    });
    // One port opened (the sender); started and stopped once.
    expect([protocol.started, protocol.stopped]).toEqual([1, 1]);
  });

  it('a destination whose getter throws passes the error on and sends nothing; one that stops the port fails with DatagramPortClosedError', async () => {
    const reactor = newReactor(variant);
    const receiver = new Recorder();
    const stopping = new Recorder();
    const thrown: unknown[] = [];
    await runReactor(reactor, (done) => {
      const port = reactor.listenUDP(0, receiver, LOOPBACK);
      const sender = reactor.listenUDP(0, new DatagramProtocol(), LOOPBACK);
      const target = portOf(port);
      const boom = new Error('getter boom');
      try {
        sender.write(Buffer.from('never'), {
          host: '127.0.0.1',
          get port(): number {
            throw boom;
          },
        });
      } catch (err) {
        thrown.push(err);
      }
      for (const field of ['host', 'port'] as const) {
        const victim = reactor.listenUDP(0, stopping, LOOPBACK);
        try {
          victim.write(Buffer.from('never'), {
            get host(): string {
              if (field === 'host') void victim.stopListening();
              return '127.0.0.1';
            },
            get port(): number {
              if (field === 'port') void victim.stopListening();
              return target;
            },
          });
        } catch (err) {
          thrown.push(err);
        }
      }
      // The sender still works, and only this datagram reaches the receiver.
      sender.write(Buffer.from('after'), { host: '127.0.0.1', port: target });
      waitUntil(
        reactor,
        () => receiver.received.length >= 1,
        () => reactor.callLater(0.02, done),
      );
    });
    expect(thrown[0]).toBeInstanceOf(Error);
    expect((thrown[0] as Error).message).toBe('getter boom');
    expect(thrown.slice(1).map((e) => (e as { code?: string }).code)).toEqual(['ERR_IOREACTOR_DATAGRAM_PORT_CLOSED', 'ERR_IOREACTOR_DATAGRAM_PORT_CLOSED']);
    expect(thrown[1]).toBeInstanceOf(DatagramPortClosedError);
    expect(receiver.received.map((r) => r.data.toString())).toEqual(['after']);
    // One protocol on two ports in turn, each stopped before the next opened: two starts, two stops.
    expect([stopping.started, stopping.stopped, stopping.numPorts]).toEqual([2, 2, 0]);
  });
});
