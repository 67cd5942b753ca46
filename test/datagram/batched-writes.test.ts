// The per-batch paths of datagram delivery: replies written during a delivery are handed to
// the native side together (staged), senders repeated in a batch are recognised without a
// lookup, and the datagrams a protocol keeps are views of one copy per batch. Each must behave
// as one write, one sender and one buffer at a time would. Every backend x trigger.
import type * as dgram from 'node:dgram';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { DatagramProtocol, InvalidArgValueError, UNIXAddress, type Address, type DatagramPort } from '../../src/index';
import { expectLogged } from '../support/logged';
import { newReactor, runReactor, VARIANTS, waitUntil } from '../support/reactors';
import { listen, Recorder as StreamRecorder, removeSocketDir, socketPath, TestServerFactory } from '../support/streams';
import { closeNodeSockets, IP_FAMILIES, listenLoopback, nodeSocket, numbered, numberOf, Recorder } from './support';

const opened: dgram.Socket[] = [];
afterEach(() => closeNodeSockets(opened));
afterAll(removeSocketDir);

/** Clients that each send `perClient` numbered datagrams before the reactor runs. */
const CLIENTS = 20;
const PER_CLIENT = 3;
const SIZE = 100;

describe.each(VARIANTS)('batched datagram writes on $name', (variant) => {
  describe.each(IP_FAMILIES)('$name', (family) => {
    it('answers each of many senders, several datagrams each in one batch, at its own address, with its own bytes', async () => {
      const reactor = newReactor(variant);
      const server = new Recorder();
      const port = listenLoopback(reactor, family, server);
      // Two replies per datagram, to two destinations forms (the Address given and {host, port}),
      // so staged writes with and without the fast destination path interleave.
      server.onDatagram = (data, addr) => {
        port.write(data, addr);
        const { host, port: p } = addr as Address & { host: string; port: number };
        port.write(Buffer.concat([Buffer.from('+'), data]), { host, port: p });
      };
      const clients: dgram.Socket[] = [];
      for (let c = 0; c < CLIENTS; c++) clients.push(await nodeSocket(family, opened));
      const echoes = clients.map(() => [] as Buffer[]);
      clients.forEach((socket, c) => socket.on('message', (m) => echoes[c].push(m)));
      const target = port.getHost() as Address & { port: number };
      // All sent before the reactor runs, so its first batches hold many senders, each repeated.
      await Promise.all(
        clients.flatMap((socket, c) =>
          Array.from(
            { length: PER_CLIENT },
            (_, k) =>
              new Promise<void>((resolve, reject) =>
                socket.send(numbered(c * 1000 + k, SIZE), target.port, family.loopback, (e) => (e ? reject(e) : resolve())),
              ),
          ),
        ),
      );
      await runReactor(reactor, (done) => waitUntil(reactor, () => echoes.every((e) => e.length === 2 * PER_CLIENT), done, 5));
      // Every datagram came in, from the client that sent it, and each client got both replies
      // of each of its own datagrams and no one else's.
      expect(server.received.length).toBe(CLIENTS * PER_CLIENT);
      for (const { data, addr } of server.received) {
        const n = numberOf(data, SIZE);
        expect(n).toBeGreaterThanOrEqual(0);
        expect((addr as Address & { port: number }).port).toBe(clients[Math.floor(n / 1000)].address().port);
      }
      echoes.forEach((got, c) => {
        const plain = got.filter((m) => m.length === SIZE).map((m) => numberOf(m, SIZE));
        const plus = got.filter((m) => m.length === SIZE + 1).map((m) => numberOf(m.subarray(1), SIZE));
        const mine = Array.from({ length: PER_CLIENT }, (_, k) => c * 1000 + k);
        expect(plain.sort((a, b) => a - b)).toEqual(mine);
        expect(plus.sort((a, b) => a - b)).toEqual(mine);
      });
    });

    it('keeps the bytes of datagrams a protocol holds on to intact through later batches', async () => {
      const reactor = newReactor(variant);
      const server = new Recorder();
      const client = await nodeSocket(family, opened);
      const clientPort = client.address().port;
      // Unlike Recorder's own copy, these are the buffers the reactor handed out. Only the
      // client's count: a stray datagram another test sent to a port number it had closed is
      // not this test's business.
      const kept: Buffer[] = [];
      server.onDatagram = (data, addr) => {
        if ((addr as Address & { port: number }).port === clientPort) kept.push(data);
      };
      const port = listenLoopback(reactor, family, server);
      const total = 200;
      const target = (port.getHost() as Address & { port: number }).port;
      await runReactor(reactor, (done) => {
        let sent = 0;
        // In waves of 20, each sent once the one before has arrived, so the datagrams span many
        // batches and arena reuses, and never fill the socket's receive buffer (about 160 of
        // these fit): on a loaded machine the reactor may not read for many timer ticks.
        const wave = (): void => {
          for (let i = 0; i < 20 && sent < total; i++, sent++) client.send(numbered(sent, 300 + (sent % 7)), target, family.loopback);
          if (sent < total) waitUntil(reactor, () => kept.length === sent, wave, 5);
        };
        wave();
        waitUntil(reactor, () => kept.length === total, done, 10);
      });
      expect(kept.length).toBe(total);
      const numbers = kept.map((d) => numberOf(d, d.length)).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: total }, (_, i) => i));
    });
  });

  it('sends what was written during a delivery to a UNIX port before that port stops in the same batch, so nothing fails', async () => {
    const reactor = newReactor(variant);
    const relayPath = socketPath();
    const sinkPath = socketPath();
    const relay = new Recorder();
    const sink = new Recorder();
    let relayPort: DatagramPort | undefined;
    await runReactor(reactor, (done) => {
      relayPort = reactor.listenUNIXDatagram(relayPath, relay);
      const sinkPort = reactor.listenUNIXDatagram(sinkPath, sink);
      // Staged by the relay while the sink listens, then the sink stops before the batch ends:
      // sent only at the end of the batch, these would meet a closed socket and be logged as
      // failed writes, which the run treats as an unexpected error.
      relay.onDatagram = (data) => {
        relayPort!.write(data, sinkPath);
        relayPort!.write(data, sinkPath);
        void sinkPort.stopListening();
        reactor.callLater(0.05, done);
      };
      reactor.connectUNIXDatagram(relayPath, new DatagramProtocol()).write(Buffer.from('relayed'));
    });
    expect(relay.received.map((r) => r.data.toString())).toEqual(['relayed']);
    expect(sink.stopped).toBe(1);
    expect(sink.received).toEqual([]);
    // Written once the sink is gone, the same datagram fails at the call.
    expect(() => relayPort!.write(Buffer.from('late'), sinkPath)).toThrow();
  });

  it('refuses at the call a reply to an unnamed UNIX sender, and still sends the replies staged before it', async () => {
    const reactor = newReactor(variant);
    const path = socketPath();
    const clientPath = socketPath();
    const server = new Recorder();
    const client = new Recorder();
    let refused: unknown;
    await runReactor(reactor, (done) => {
      const serverPort = reactor.listenUNIXDatagram(path, server);
      server.onDatagram = (data, addr) => {
        if ((addr as UNIXAddress).name === null) {
          try {
            serverPort.write(data, addr);
          } catch (err) {
            refused = err;
          }
          return;
        }
        serverPort.write(Buffer.concat([Buffer.from('re: '), data]), addr);
      };
      const named = reactor.connectUNIXDatagram(path, client, { bindAddress: clientPath });
      const unnamed = reactor.connectUNIXDatagram(path, new DatagramProtocol());
      client.onDatagram = () => done();
      unnamed.write(Buffer.from('anonymous'));
      named.write(Buffer.from('named'));
    });
    expect(refused).toBeInstanceOf(InvalidArgValueError);
    expect((refused as InvalidArgValueError).code).toBe('ERR_IOREACTOR_INVALID_ADDRESS');
    expect(client.received.map((r) => r.data.toString())).toEqual(['re: named']);
    expect(client.received[0].addr).toEqual(new UNIXAddress(path));
  });

  // A stream's bytes are not a datagram delivery: what its dataReceived writes through a datagram
  // port joins that port's native queue, while what datagramReceived writes is staged. Both are
  // sent at the end of the batch, and must leave in the order written, whichever record came first.
  it.each([
    { first: 'stream', expected: ['q1', 'q2', 's1', 's2', 's3'] },
    { first: 'datagram', expected: ['s1', 's2', 's3', 'q1', 'q2'] },
  ])("sends a port's queued and staged datagrams of one batch in the order written ($first record first)", async ({ first, expected }) => {
    const reactor = newReactor(variant);
    const sink = await nodeSocket(IP_FAMILIES[0], opened);
    const arrived: string[] = [];
    sink.on('message', (m) => arrived.push(m.toString()));
    const to = { host: '127.0.0.1', port: sink.address().port };
    const written: string[] = [];
    let out: DatagramPort | undefined;
    const send = (text: string): void => {
      written.push(text);
      out!.write(Buffer.from(text), to);
    };
    const staging = new Recorder();
    staging.onDatagram = () => ['s1', 's2', 's3'].forEach(send);
    const client = new net.Socket();
    try {
      await runReactor(reactor, (done) => {
        out = listenLoopback(reactor, IP_FAMILIES[0], new DatagramProtocol());
        let trigger: DatagramPort | undefined;
        // poll(2) reports descriptors in the order they were registered: the one meant to come
        // first is opened first.
        if (first === 'datagram') trigger = listenLoopback(reactor, IP_FAMILIES[0], staging);
        const streams = new TestServerFactory(
          () =>
            new (class extends StreamRecorder {
              override connectionMade(): void {
                if (first === 'stream') trigger = listenLoopback(reactor, IP_FAMILIES[0], staging);
              }
              override dataReceived(): void {
                ['q1', 'q2'].forEach(send);
              }
            })(),
        );
        const tcp = listen(reactor, 'TCP4', streams);
        let connected = false;
        client.connect((tcp.getHost() as Address & { port: number }).port, '127.0.0.1', () => (connected = true));
        waitUntil(
          reactor,
          () => connected && streams.built.length === 1 && trigger !== undefined,
          () => {
            // Both in the kernel before the reactor's next batch, in the order they are to be
            // reported (epoll reports in the order descriptors became ready): node:net writes at
            // once, and so does a datagram port outside dispatch (node:dgram would wait a tick).
            const go = { host: '127.0.0.1', port: (trigger!.getHost() as Address & { port: number }).port };
            if (first === 'stream') client.write('x');
            out!.write(Buffer.from('go'), go);
            if (first === 'datagram') client.write('x');
            waitUntil(reactor, () => arrived.length === 5, done, 5);
          },
          5,
        );
      });
    } finally {
      client.destroy();
    }
    expect(written).toEqual(expected);
    expect(arrived).toEqual(written);
  });

  it('reports a datagram the kernel refuses in the middle of a staged run, counts it, and still sends the rest of the run', async () => {
    const reactor = newReactor(variant);
    const relayPath = socketPath();
    const sinkPath = socketPath();
    const missingPath = socketPath();
    const relay = new Recorder();
    const sink = new Recorder();
    const logged = expectLogged(/ENOENT/);
    let before: ReturnType<typeof reactor.stats> | undefined;
    await runReactor(reactor, (done) => {
      const relayPort = reactor.listenUNIXDatagram(relayPath, relay);
      reactor.listenUNIXDatagram(sinkPath, sink);
      // One run of three staged datagrams for one port; the middle one's path does not exist.
      relay.onDatagram = () => {
        before = reactor.stats();
        relayPort.write(Buffer.from('first'), sinkPath);
        relayPort.write(Buffer.from('lost'), missingPath);
        relayPort.write(Buffer.from('third'), sinkPath);
      };
      reactor.connectUNIXDatagram(relayPath, new DatagramProtocol()).write(Buffer.from('go'));
      waitUntil(reactor, () => sink.received.length === 2 && logged.entries.length === 1, done, 5);
    });
    expect(sink.received.map((r) => r.data.toString())).toEqual(['first', 'third']);
    const after = reactor.stats();
    expect(after.datagramsWritten - before!.datagramsWritten).toBe(2);
    expect(after.datagramsDropped - before!.datagramsDropped).toBe(1);
    expect(after.bytesWritten - before!.bytesWritten).toBe('first'.length + 'third'.length);
  });
});
