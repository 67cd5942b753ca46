// UDP round trips over every backend x trigger, IPv4 and IPv6: addresses as the peer sees them
// (node:dgram and ioreactor peers), a thousand datagrams counted and checked, and a batch's
// writes going out with one system call.
import type * as dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { IPv4Address, IPv6Address, type Address } from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { closeNodeSockets, Echo, IP_FAMILIES, listenLoopback, nodeSocket, numbered, numberOf, Recorder } from './support';

const opened: dgram.Socket[] = [];
afterEach(() => closeNodeSockets(opened));

describe.each(VARIANTS)('UDP round trips on $name', (variant) => {
  describe.each(IP_FAMILIES)('$name', (family) => {
    const AddressClass = family.name === 'IPv4' ? IPv4Address : IPv6Address;

    it('echoes node:dgram datagrams, with the sender address right on both sides', async () => {
      const reactor = newReactor(variant);
      const peer = await nodeSocket(family, opened);
      const echo = new (class extends Echo {
        seen: Address[] = [];
        override datagramReceived(data: Buffer, addr: Address): void {
          this.seen.push(addr);
          super.datagramReceived(data, addr);
        }
      })();
      const replies: { text: string; port: number; address: string }[] = [];
      let serverPort = 0;
      await runReactor(reactor, (done) => {
        const port = listenLoopback(reactor, family, echo);
        const host = port.getHost() as IPv4Address;
        expect(host).toBeInstanceOf(AddressClass);
        expect(host.type).toBe('UDP');
        expect(host.host).toBe(family.loopback);
        serverPort = host.port;
        peer.on('message', (message, rinfo) => {
          replies.push({ text: message.toString(), port: rinfo.port, address: rinfo.address });
          if (replies.length === 3) done();
        });
        for (const text of ['one', 'two', 'three']) peer.send(text, serverPort, family.loopback);
      });
      expect(replies.map((r) => r.text).sort()).toEqual(['one', 'three', 'two']);
      for (const r of replies) expect([r.address, r.port]).toEqual([family.loopback, serverPort]);
      expect(echo.seen).toHaveLength(3);
      for (const addr of echo.seen) {
        expect(addr).toBeInstanceOf(AddressClass);
        const expected =
          family.name === 'IPv4'
            ? new IPv4Address(family.loopback, peer.address().port, 'UDP')
            : new IPv6Address(family.loopback, peer.address().port, 0, 0, 'UDP');
        expect(addr.equals(expected)).toBe(true);
      }
      // One Address per sender, not per datagram.
      expect(echo.seen[1]).toBe(echo.seen[0]);
    });

    it('talks to another ioreactor port, with { host, port } destinations and connected writes', async () => {
      const reactor = newReactor(variant);
      const server = new Recorder();
      const client = new Recorder();
      await runReactor(reactor, (done) => {
        const serverPort = listenLoopback(reactor, family, server);
        const clientPort = listenLoopback(reactor, family, client);
        server.onDatagram = (data, addr) => serverPort.write(Buffer.concat([Buffer.from('re: '), data]), addr);
        client.onDatagram = () => {
          if (client.received.length === 2) done();
        };
        clientPort.write(Buffer.from('plain'), { host: family.loopback, port: (serverPort.getHost() as IPv4Address).port });
        clientPort.connect(family.loopback, (serverPort.getHost() as IPv4Address).port);
        expect(clientPort.connectedAddress).toEqual({ host: family.loopback, port: (serverPort.getHost() as IPv4Address).port });
        clientPort.write(Buffer.from('connected'));
      });
      expect(client.received.map((r) => r.data.toString()).sort()).toEqual(['re: connected', 're: plain']);
      // Both came from the client's port, connected or not.
      expect(new Set(server.received.map((r) => String(r.addr))).size).toBe(1);
      expect((server.received[0].addr as IPv4Address).host).toBe(family.loopback);
      expect(server.started).toBe(1);
      expect(server.stopped).toBe(1); // the reactor's shutdown stopped it
    });

    it('delivers 1,000 datagrams, every one counted and checked, many per batch, and echoes them in batches', async () => {
      const reactor = newReactor(variant);
      const peer = await nodeSocket(family, opened);
      const SIZE = 200;
      const TOTAL = 1000;
      const BURST = 100; // within the default receive buffers: nothing is dropped on loopback
      const seen = new Set<number>();
      let bad = 0;
      let sent = 0;
      await runReactor(
        reactor,
        (done) => {
          const port = listenLoopback(reactor, family, new Echo());
          const target = (port.getHost() as IPv4Address).port;
          const burst = (): void => {
            for (let i = 0; i < BURST; i++) peer.send(numbered(sent++, SIZE), target, family.loopback);
          };
          peer.on('message', (message) => {
            const index = numberOf(message, SIZE);
            if (index < 0) bad++;
            else seen.add(index);
            if (seen.size === sent && sent < TOTAL) burst();
            if (seen.size === TOTAL) done();
          });
          burst();
        },
        20,
      );
      expect(bad).toBe(0);
      expect(seen.size).toBe(TOTAL);
      const stats = reactor.stats();
      expect(stats.datagramsRead).toBe(TOTAL);
      expect(stats.datagramsWritten).toBe(TOTAL);
      expect(stats.datagramsDropped).toBe(0);
      // Batched: fewer system calls than datagrams each way.
      expect(stats.reads).toBeLessThan(TOTAL);
      expect(stats.writes).toBeLessThan(TOTAL);
    });

    it('delivers large datagrams (views of the read memory) intact, and a protocol may keep them', async () => {
      const reactor = newReactor(variant);
      const peer = await nodeSocket(family, opened);
      const SIZE = 30000;
      const COUNT = 5; // within the default receive buffer
      const recorder = new Recorder();
      const kept: Buffer[] = [];
      await runReactor(reactor, (done) => {
        const port = listenLoopback(reactor, family, recorder, 65535);
        for (let i = 0; i < COUNT; i++) peer.send(numbered(i, SIZE), (port.getHost() as IPv4Address).port, family.loopback);
        recorder.onDatagram = (data) => {
          kept.push(data);
          if (kept.length === COUNT) done();
        };
      });
      expect(kept.map((d) => numberOf(d, SIZE)).sort((a, b) => a - b)).toEqual([...Array(COUNT).keys()]);
    });
  });
});
