// What a datagram port does around its datagrams, over every backend x trigger and both IP
// families: truncation reported (to datagramTruncated, or logged), connectionRefused on
// connected UDP, stopListening from datagramReceived, a throwing protocol, writes after stop,
// oversize writes, broadcast and multicast options.
import type * as dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { binding } from '../../src/binding';
import { DatagramPortClosedError, DatagramProtocol, DatagramTooLargeError, type Address, type DatagramPort, type IPv4Address } from '../../src/index';
import { expectLogged } from '../support/logged';
import { newReactor, runReactor, VARIANTS, waitUntil } from '../support/reactors';
import { closeNodeSockets, IP_FAMILIES, listenLoopback, nodeSocket, Recorder } from './support';

const opened: dgram.Socket[] = [];
afterEach(() => closeNodeSockets(opened));

const portOf = (port: DatagramPort): number => (port.getHost() as IPv4Address).port;

class Truncations extends Recorder {
  readonly truncated: { length: number; size: number | undefined; addr: Address }[] = [];
  datagramTruncated(data: Buffer, addr: Address, size: number | undefined): void {
    this.truncated.push({ length: data.length, size, addr });
    this.onDatagram(data, addr);
  }
}

describe.each(VARIANTS)('datagram port behaviour on $name', (variant) => {
  describe.each(IP_FAMILIES)('$name', (family) => {
    it('reports a datagram over maxPacketSize to datagramTruncated with the part that fit and its real size', async () => {
      const reactor = newReactor(variant);
      const peer = await nodeSocket(family, opened);
      const protocol = new Truncations();
      await runReactor(reactor, (done) => {
        const port = listenLoopback(reactor, family, protocol, 1000);
        protocol.onDatagram = () => {
          if (protocol.received.length + protocol.truncated.length === 3) done();
        };
        peer.send(Buffer.alloc(1000, 1), portOf(port), family.loopback);
        peer.send(Buffer.alloc(3000, 2), portOf(port), family.loopback);
        peer.send(Buffer.alloc(10, 3), portOf(port), family.loopback);
      });
      expect(protocol.received.map((r) => r.data.length)).toEqual([1000, 10]);
      expect(protocol.truncated).toHaveLength(1);
      expect(protocol.truncated[0].length).toBe(1000);
      expect([3000, undefined]).toContain(protocol.truncated[0].size);
      if (binding.datagramSizeKnown) expect(protocol.truncated[0].size).toBe(3000);
      expect((protocol.truncated[0].addr as IPv4Address).port).toBe(peer.address().port);
      expect(reactor.stats().datagramsTruncated).toBe(1);
    });

    it('without datagramTruncated, drops a truncated datagram and logs a coded DatagramTruncatedError', async () => {
      const reactor = newReactor(variant);
      const peer = await nodeSocket(family, opened);
      const protocol = new Recorder();
      const logged = expectLogged(/Datagram truncated on .*DatagramTruncatedError/);
      await runReactor(reactor, (done) => {
        const port = listenLoopback(reactor, family, protocol, 1000);
        protocol.onDatagram = () => done();
        peer.send(Buffer.alloc(3000), portOf(port), family.loopback, () => peer.send(Buffer.from('after'), portOf(port), family.loopback));
      });
      expect(protocol.received.map((r) => r.data.toString())).toEqual(['after']);
      expect((logged.errors[0] as { code: string }).code).toBe('ERR_IOREACTOR_DATAGRAM_TRUNCATED');
    });

    it('calls connectionRefused on a connected port whose peer port is closed, and goes on working', async () => {
      const reactor = newReactor(variant);
      const closed = await nodeSocket(family, opened);
      const closedPort = closed.address().port;
      await closeNodeSockets(opened);
      const protocol = new Recorder();
      await runReactor(reactor, (done) => {
        const port = listenLoopback(reactor, family, protocol);
        port.connect(family.loopback, closedPort);
        port.write(Buffer.from('anyone?'));
        waitUntil(
          reactor,
          () => protocol.refused > 0,
          () => {
            expect(port.listening).toBe(true);
            done();
          },
        );
      });
      expect(protocol.refused).toBeGreaterThanOrEqual(1);
    });

    it('stopListening from datagramReceived delivers nothing more, stops the protocol once, and refuses later writes', async () => {
      const reactor = newReactor(variant);
      const peer = await nodeSocket(family, opened);
      const protocol = new Recorder();
      let writeError: unknown;
      await runReactor(reactor, (done) => {
        const port = listenLoopback(reactor, family, protocol);
        protocol.onDatagram = (_data, addr) => {
          void port.stopListening();
          try {
            port.write(Buffer.from('late'), addr);
          } catch (err) {
            writeError = err;
          }
          reactor.callLater(0.05, done);
        };
        for (let i = 0; i < 5; i++) peer.send(`d${i}`, portOf(port), family.loopback);
      });
      expect(protocol.received).toHaveLength(1);
      expect(protocol.stopped).toBe(1);
      expect(writeError).toBeInstanceOf(DatagramPortClosedError);
      expect((writeError as { code: string }).code).toBe('ERR_IOREACTOR_DATAGRAM_PORT_CLOSED');
    });

    it('sends what datagramReceived wrote before it stopped the port', async () => {
      const reactor = newReactor(variant);
      const peer = await nodeSocket(family, opened);
      const protocol = new Recorder();
      let reply = '';
      await runReactor(reactor, (done) => {
        const port = listenLoopback(reactor, family, protocol);
        protocol.onDatagram = (data, addr) => {
          port.write(Buffer.from(`bye ${data.toString()}`), addr);
          void port.stopListening();
        };
        peer.on('message', (m) => {
          reply = m.toString();
          done();
        });
        peer.send('x', portOf(port), family.loopback);
      });
      expect(reply).toBe('bye x');
    });

    it('reactor.close() from datagramReceived stops every port once and delivers nothing more', async () => {
      const reactor = newReactor(variant);
      const peer = await nodeSocket(family, opened);
      const protocol = new Recorder();
      const other = new Recorder();
      await runReactor(reactor, (done) => {
        const port = listenLoopback(reactor, family, protocol);
        listenLoopback(reactor, family, other);
        protocol.onDatagram = () => {
          reactor.close();
          done();
        };
        for (let i = 0; i < 5; i++) peer.send(`d${i}`, portOf(port), family.loopback);
      });
      expect(protocol.received).toHaveLength(1);
      expect([protocol.stopped, other.stopped]).toEqual([1, 1]);
      expect(reactor.stats().registrations).toBe(0);
    });

    it('logs a protocol that throws in datagramReceived and keeps the port working', async () => {
      const reactor = newReactor(variant);
      const peer = await nodeSocket(family, opened);
      const protocol = new Recorder();
      const logged = expectLogged(/Unhandled error in .*datagramReceived.*boom/);
      await runReactor(reactor, (done) => {
        const port = listenLoopback(reactor, family, protocol);
        protocol.onDatagram = (data) => {
          if (data.toString() === 'first') {
            peer.send('second', portOf(port), family.loopback);
            throw new Error('boom');
          }
          done();
        };
        peer.send('first', portOf(port), family.loopback);
      });
      expect(protocol.received.map((r) => r.data.toString())).toEqual(['first', 'second']);
      expect(logged.errors).toHaveLength(1);
    });

    it('refuses a datagram larger than UDP carries with DatagramTooLargeError, at the call', async () => {
      const reactor = newReactor(variant);
      const limit = family.name === 'IPv4' ? 65507 : 65527;
      let tooLarge: unknown;
      await runReactor(reactor, (done) => {
        const receiver = listenLoopback(reactor, family, new Recorder(), 65535);
        const port = listenLoopback(reactor, family, new DatagramProtocol());
        const to = { host: family.loopback, port: portOf(receiver) };
        port.write(Buffer.alloc(limit), to); // the largest is fine
        try {
          port.write(Buffer.alloc(limit + 1), to);
        } catch (err) {
          tooLarge = err;
        }
        done();
      });
      expect(tooLarge).toBeInstanceOf(DatagramTooLargeError);
      expect((tooLarge as { code: string }).code).toBe('ERR_IOREACTOR_DATAGRAM_TOO_LARGE');
    });

    it('gets and sets broadcast, TTL, loopback mode and the outgoing interface', async () => {
      const reactor = newReactor(variant);
      await runReactor(reactor, (done) => {
        const port = listenLoopback(reactor, family, new DatagramProtocol());
        expect(port.getBroadcastAllowed()).toBe(false);
        if (family.name === 'IPv4') {
          port.setBroadcastAllowed(true);
          expect(port.getBroadcastAllowed()).toBe(true);
          port.setBroadcastAllowed(false);
          expect(port.getBroadcastAllowed()).toBe(false);
        }
        port.setTTL(7);
        expect(port.getTTL()).toBe(7);
        port.setLoopbackMode(false);
        expect(port.getLoopbackMode()).toBe(false);
        port.setLoopbackMode(true);
        expect(port.getLoopbackMode()).toBe(true);
        if (family.name === 'IPv4') {
          port.setOutgoingInterface('127.0.0.1');
          expect(port.getOutgoingInterface()).toBe('127.0.0.1');
        } else {
          port.setOutgoingInterface('lo');
          expect(port.getOutgoingInterface()).toBe('lo');
        }
        done();
      });
    });
  });

  it('receives a multicast datagram on a group joined on the loopback interface', async () => {
    const reactor = newReactor(variant);
    const GROUP = '239.255.42.99';
    const protocol = new Recorder();
    let joined = false;
    await runReactor(reactor, (done) => {
      // Bound to the group's address: only datagrams sent to the group arrive, and nothing
      // listens beyond loopback.
      const member = reactor.listenUDP(0, protocol, { interface: GROUP });
      member.joinGroup(GROUP, '127.0.0.1').addCallback(() => {
        joined = true;
      });
      const sender = reactor.listenUDP(0, new DatagramProtocol(), { interface: '127.0.0.1' });
      sender.setOutgoingInterface('127.0.0.1');
      sender.setLoopbackMode(true);
      sender.setTTL(0); // never beyond this host
      protocol.onDatagram = () => done();
      sender.write(Buffer.from('to the group'), { host: GROUP, port: portOf(member) });
    });
    expect(joined).toBe(true);
    expect(protocol.received.map((r) => r.data.toString())).toEqual(['to the group']);
    expect((protocol.received[0].addr as IPv4Address).host).toBe('127.0.0.1');
  });

  it('leaves a group, and fails joinGroup for a non-multicast address through the Deferred', async () => {
    const reactor = newReactor(variant);
    let failure: unknown;
    await runReactor(reactor, (done) => {
      const port = reactor.listenUDP(0, new DatagramProtocol(), { interface: '127.0.0.1' });
      port.joinGroup('239.255.42.98', '127.0.0.1');
      let left = false;
      port.leaveGroup('239.255.42.98', '127.0.0.1').addCallback(() => {
        left = true;
      });
      expect(left).toBe(true);
      port.joinGroup('127.0.0.2', '127.0.0.1').addErrback((f) => {
        failure = f.value;
      });
      done();
    });
    expect((failure as { code?: string }).code).toBe('ERR_IOREACTOR_INVALID_ADDRESS');
  });
});
