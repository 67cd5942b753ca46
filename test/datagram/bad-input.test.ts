// Every datagram entry point rejects bad arguments with a typed error and a stable code, opens
// nothing, and the reactor goes on serving: after each group a datagram still makes a round
// trip. Every backend x trigger.
import { describe, expect, it } from 'vitest';
import { DatagramProtocol, InvalidArgTypeError, InvalidArgValueError, type DatagramPort, type IPv4Address, type Reactor } from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { ADDRESS, FAMILY, FD, PATH, PORT, rejects, TYPE, VALUE } from '../support/serving';
import { Recorder } from './support';

const NOT_PROTOCOLS: [string, unknown][] = [
  ['null', null],
  ['{}', {}],
  ['a function', () => new DatagramProtocol()],
  ['a string', 'protocol'],
];
const REQUIRED: [typeof InvalidArgValueError, string] = [InvalidArgValueError, 'ERR_IOREACTOR_DATAGRAM_ADDRESS_REQUIRED'];

/** Runs `body`, then checks a datagram still goes from one new port to another. */
async function thenRoundTrip(variant: (typeof VARIANTS)[number], body: (reactor: Reactor) => void): Promise<void> {
  const reactor = newReactor(variant);
  const receiver = new Recorder();
  await runReactor(reactor, (done) => {
    body(reactor);
    const port = reactor.listenUDP(0, receiver, { interface: '127.0.0.1' });
    const sender = reactor.listenUDP(0, new DatagramProtocol(), { interface: '127.0.0.1' });
    receiver.onDatagram = () => done();
    sender.write(Buffer.from('still serving'), { host: '127.0.0.1', port: (port.getHost() as IPv4Address).port });
  });
  expect(receiver.received.map((r) => r.data.toString())).toEqual(['still serving']);
  expect(reactor.stats().registrations).toBe(0);
}

describe.each(VARIANTS)('bad datagram input on $name', (variant) => {
  it('listenUDP rejects bad ports, interfaces, packet sizes, protocols and options', async () => {
    const protocol = new Recorder();
    await thenRoundTrip(variant, (reactor) => {
      const loopback = { interface: '127.0.0.1' };
      for (const port of [-1, 65536, 1.5, '53', Number.NaN, null])
        rejects(`port ${String(port)}`, () => reactor.listenUDP(port as number, protocol, loopback), PORT);
      rejects("interface 'nope'", () => reactor.listenUDP(0, protocol, { interface: 'nope' }), ADDRESS);
      rejects('interface 7', () => reactor.listenUDP(0, protocol, { interface: 7 as never }), TYPE);
      for (const size of [0, -1, 65536, 1.5, '8192']) {
        rejects(`maxPacketSize ${String(size)}`, () => reactor.listenUDP(0, protocol, { ...loopback, maxPacketSize: size as number }), VALUE);
      }
      for (const [what, p] of NOT_PROTOCOLS) rejects(`protocol ${what}`, () => reactor.listenUDP(0, p as DatagramProtocol, loopback), TYPE);
      for (const options of ['x', 42, null]) rejects(`options ${String(options)}`, () => reactor.listenUDP(0, protocol, options as never), TYPE);
    });
    expect(protocol.started).toBe(0);
  });

  it('write rejects non-bytes, missing, malformed and wrong-family addresses, and bad ports', async () => {
    let port: DatagramPort | undefined;
    await thenRoundTrip(variant, (reactor) => {
      port = reactor.listenUDP(0, new DatagramProtocol(), { interface: '127.0.0.1' });
      const p = port;
      const to = { host: '127.0.0.1', port: 9 };
      for (const data of ['text', 42, null, [1, 2]])
        rejects(`data ${String(data)}`, () => p.write(data as never, to), [InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_DATA']);
      rejects('no address, unconnected', () => p.write(Buffer.from('x')), REQUIRED);
      rejects('address null', () => p.write(Buffer.from('x'), null as never), TYPE);
      rejects('address a string', () => p.write(Buffer.from('x'), '127.0.0.1:9'), TYPE);
      for (const host of ['', 'localhost', 'example.com', '::1', '1.2.3', '256.1.1.1']) {
        rejects(`host ${JSON.stringify(host)}`, () => p.write(Buffer.from('x'), { host, port: 9 }), ADDRESS);
      }
      rejects('host 42', () => p.write(Buffer.from('x'), { host: 42 as never, port: 9 }), TYPE);
      for (const bad of [0, -1, 65536, 1.5, '9', undefined]) {
        rejects(`port ${String(bad)}`, () => p.write(Buffer.from('x'), { host: '127.0.0.1', port: bad as number }), PORT);
      }
      rejects('connect to a name', () => p.connect('localhost', 9), ADDRESS);
      rejects('connect to port 70000', () => p.connect('127.0.0.1', 70000), PORT);
      rejects('setTTL 256', () => p.setTTL(256), VALUE);
      rejects("setBroadcastAllowed 'yes'", () => p.setBroadcastAllowed('yes' as never), TYPE);
      rejects("setOutgoingInterface 'lo' (IPv4 takes an address)", () => p.setOutgoingInterface('lo'), ADDRESS);
      p.connect('127.0.0.1', 9);
      rejects('connect twice', () => p.connect('127.0.0.1', 10), [InvalidArgValueError, 'ERR_IOREACTOR_ALREADY_CONNECTED']);
      rejects('another address when connected', () => p.write(Buffer.from('x'), { host: '127.0.0.1', port: 10 }), ADDRESS);
      void p.stopListening();
    });
    expect(port?.listening).toBe(false);
  });

  it('UNIX datagram and adopt entry points reject bad paths, options, descriptors and families', async () => {
    const protocol = new Recorder();
    await thenRoundTrip(variant, (reactor) => {
      for (const path of ['', 'x'.repeat(200), 'a\0b'])
        rejects(`path ${JSON.stringify(path.slice(0, 10))}`, () => reactor.listenUNIXDatagram(path, protocol), PATH);
      rejects('path 42', () => reactor.listenUNIXDatagram(42 as never, protocol), TYPE);
      rejects('mode -1', () => reactor.listenUNIXDatagram('/tmp/x.sock', protocol, { mode: -1 }), VALUE);
      rejects('connect path ""', () => reactor.connectUNIXDatagram('', protocol), PATH);
      rejects('bindAddress ""', () => reactor.connectUNIXDatagram('/tmp/x.sock', protocol, { bindAddress: '' }), PATH);
      for (const fd of [-1, 1.5, '3', 2 ** 32]) rejects(`fd ${String(fd)}`, () => reactor.adoptDatagramPort(fd as number, 'INET', protocol), FD);
      rejects("family 'UDP'", () => reactor.adoptDatagramPort(0, 'UDP' as never, protocol), FAMILY);
      rejects('protocol {}', () => reactor.adoptDatagramPort(0, 'INET', {} as never), TYPE);
      rejects('maxPacketSize 0', () => reactor.adoptDatagramPort(0, 'INET', protocol, 0), VALUE);
    });
    expect(protocol.started).toBe(0);
  });
});
