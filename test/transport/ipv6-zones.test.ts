// IPv6 zones ('fe80::1%eth0', 'fe80::1%2'), over TCP and UDP on every backend x trigger: a zoned
// address is taken wherever a numeric IPv6 address is (listen interfaces, connect hosts,
// datagram destinations), its zone becomes the socket address's scope, and the addresses
// ioreactor reports carry the scope as `scopeID`. A zone that names no interface is refused at
// the call with a typed error. The loopback interface runs everywhere; a link-local address,
// where the machine has one, shows the scope doing its work (the kernel refuses a link-local
// destination without it).
import { createSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { binding } from '../../src/binding';
import { DatagramProtocol, IPv6Address, type Address, type Reactor } from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { Recorder, TestClientFactory, TestServerFactory } from '../support/streams';

/** The loopback interface's name ('lo' on Linux, 'lo0' on macOS and the BSDs). */
const LOOPBACK = Object.entries(networkInterfaces()).find(([, addresses]) => addresses?.some((a) => a.internal && a.address === '::1'))?.[0] ?? 'lo';

/**
 * A link-local address of this machine with its interface, if it has one that can be bound now
 * (one still under duplicate address detection, or failed it, cannot).
 */
let LINK_LOCAL: { name: string; address: string; scopeid: number } | undefined;
beforeAll(async () => {
  LINK_LOCAL = await usableLinkLocal();
});

async function usableLinkLocal(): Promise<{ name: string; address: string; scopeid: number } | undefined> {
  const candidate = Object.entries(networkInterfaces())
    .flatMap(([name, addresses]) =>
      (addresses ?? []).map((a) => ({ name, address: a.address, scopeid: a.scopeid ?? 0, family: a.family, internal: a.internal })),
    )
    .find((a) => a.family === 'IPv6' && !a.internal && a.address.startsWith('fe80:') && a.scopeid > 0);
  if (candidate === undefined) return undefined;
  const probe = createSocket('udp6');
  const bound = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(false));
    probe.bind(0, `${candidate.address}%${candidate.name}`, () => resolve(true));
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return bound ? candidate : undefined;
}

/** Echoes to a fresh IPv6Address made from the sender's parts: the scope must come through them. */
class RebuiltAddressEcho extends DatagramProtocol {
  readonly senders: Address[] = [];
  override datagramReceived(data: Buffer, addr: Address): void {
    this.senders.push(addr);
    const a = addr as IPv6Address;
    this.transport!.write(data, new IPv6Address(a.host, a.port, 0, a.scopeID, 'UDP'));
  }
}

class Collector extends DatagramProtocol {
  readonly received: { text: string; addr: Address }[] = [];
  override datagramReceived(data: Buffer, addr: Address): void {
    this.received.push({ text: data.toString(), addr });
  }
}

/**
 * Listens with `echo` on `serverInterface`, sends one datagram from a port on `clientInterface`
 * to each of `destinations` (zoned hosts of the server) and waits for every echo. Returns the
 * server's address and what came back, in order of arrival.
 */
async function echoes(
  reactor: Reactor,
  serverInterface: string,
  clientInterface: string,
  destinations: string[],
  echo: DatagramProtocol,
): Promise<{ server: IPv6Address; received: { text: string; addr: Address }[] }> {
  const collector = new Collector();
  let server: IPv6Address | undefined;
  await runReactor(reactor, (done) => {
    const serverPort = reactor.listenUDP(0, echo, { interface: serverInterface });
    const client = reactor.listenUDP(0, collector, { interface: clientInterface });
    server = serverPort.getHost() as IPv6Address;
    for (const host of destinations) client.write(Buffer.from(`to ${host}`), { host, port: server.port });
    const poll = (): void => {
      if (collector.received.length < destinations.length) return void reactor.callLater(0.005, poll);
      void client.stopListening();
      void serverPort.stopListening();
      done();
    };
    poll();
  });
  return { server: server!, received: collector.received };
}

/** Accepts one TCP connection on `listenHost` from a client connecting to `connectHost`; returns both ends' addresses. */
async function tcpAddresses(
  reactor: Reactor,
  listenHost: string,
  connectHost: string,
): Promise<{ serverHost: Address; serverPeer: Address; clientHost: Address }> {
  const server = new TestServerFactory(() => new Recorder());
  const clients: Recorder[] = [];
  let seen: { serverHost: Address; serverPeer: Address; clientHost: Address } | undefined;
  await runReactor(reactor, (done, fail) => {
    const port = reactor.listenTCP(0, server, { interface: listenHost });
    const factory = new TestClientFactory(
      () => {
        const client = new Recorder();
        clients.push(client);
        return client;
      },
      (reason) => fail(reason.value),
    );
    reactor.connectTCP(connectHost, port.getHost().port, factory);
    const poll = (): void => {
      const accepted = server.built[0];
      if (accepted?.made && clients[0]?.made) {
        seen = { serverHost: accepted.transport!.getHost(), serverPeer: accepted.transport!.getPeer(), clientHost: clients[0].transport!.getHost() };
        clients[0].transport!.loseConnection();
        void port.stopListening();
        const finish = (): void => (accepted.lost !== undefined && clients[0].lost !== undefined ? done() : void reactor.callLater(0.005, finish));
        finish();
      } else reactor.callLater(0.005, poll);
    };
    poll();
  });
  return seen!;
}

describe.each(VARIANTS)('IPv6 zones on $name', (variant) => {
  it(`takes the loopback interface's zone by name and by index, over UDP`, async () => {
    const index = binding.interfaceIndex(LOOPBACK);
    expect(index).toBeGreaterThan(0);
    expect(binding.interfaceIndex(String(index))).toBe(index);
    const destinations = [`::1%${LOOPBACK}`, `::1%${index}`];
    const { server, received } = await echoes(newReactor(variant), `::1%${LOOPBACK}`, '::1', destinations, new RebuiltAddressEcho());
    expect(server.host).toBe('::1');
    expect(received.map((e) => e.text).sort()).toEqual(destinations.map((host) => `to ${host}`).sort());
  });

  it("looks a datagram destination's zone up once, not once per datagram", async () => {
    const lookUp = binding.interfaceIndex;
    let lookups = 0;
    binding.interfaceIndex = (zone: string) => {
      lookups++;
      return lookUp(zone);
    };
    try {
      const destinations = Array.from({ length: 20 }, () => `::1%${LOOPBACK}`);
      const { received } = await echoes(newReactor(variant), '::1', '::1', destinations, new RebuiltAddressEcho());
      expect(received).toHaveLength(20);
      // One for the destination, once; the echo's rebuilt IPv6Address has scope 0 on loopback.
      expect(lookups).toBe(1);
    } finally {
      binding.interfaceIndex = lookUp;
    }
  });

  it(`takes the loopback interface's zone over TCP, listening and connecting`, async () => {
    const reactor = newReactor(variant);
    try {
      const seen = await tcpAddresses(reactor, `::1%${LOOPBACK}`, `::1%${LOOPBACK}`);
      expect((seen.serverHost as IPv6Address).host).toBe('::1');
      expect((seen.serverPeer as IPv6Address).port).toBe((seen.clientHost as IPv6Address).port);
    } finally {
      reactor.close();
    }
  });

  it('refuses a zone that names no interface, at the call, with a typed error', () => {
    const reactor = newReactor(variant);
    const port = reactor.listenUDP(0, new Collector(), { interface: '::1' });
    const unknown = ['::1%no-such-if0', '::1%0', '::1%4294967297', `::1%${'x'.repeat(40)}`, '::1%99999'];
    try {
      for (const host of unknown) {
        const calls: [string, () => unknown][] = [
          ['listenTCP interface', () => reactor.listenTCP(0, new TestServerFactory(() => new Recorder()), { interface: host })],
          ['listenUDP interface', () => reactor.listenUDP(0, new Collector(), { interface: host })],
          ['connectTCP host', () => reactor.connectTCP(host, 9, new TestClientFactory(() => new Recorder()))],
          ['datagram write', () => port.write(Buffer.from('x'), { host, port: 9 })],
          ['datagram connect', () => port.connect(host, 9)],
        ];
        for (const [what, call] of calls) {
          let thrown: unknown;
          try {
            call();
          } catch (err) {
            thrown = err;
          }
          expect((thrown as { code?: string } | undefined)?.code, `${what} ${host}: ${String(thrown)}`).toBe('ERR_IOREACTOR_INVALID_ADDRESS');
        }
      }
      // A zone is for numeric IPv6 addresses only.
      expect(() => reactor.connectTCP(`localhost%${LOOPBACK}`, 9, new TestClientFactory(() => new Recorder()))).toThrow(
        expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_ADDRESS' }),
      );
    } finally {
      void port.stopListening();
      reactor.close();
    }
  });

  // Skipped, with the reason, on a machine with no link-local address it can bind (found in
  // beforeAll, which runs after collection).
  const linkLocal = (ctx: TestContext): { name: string; address: string; scopeid: number } => {
    if (LINK_LOCAL === undefined) ctx.skip('this machine has no link-local IPv6 address it can bind');
    return LINK_LOCAL!;
  };

  it('listens on a link-local address and echoes through its scope over UDP, with the scope in every address reported', async (ctx) => {
    const { address, name, scopeid } = linkLocal(ctx);
    const echo = new RebuiltAddressEcho();
    const { server, received } = await echoes(newReactor(variant), `${address}%${name}`, `${address}%${scopeid}`, [`${address}%${name}`], echo);
    expect(server).toEqual(new IPv6Address(address, server.port, 0, scopeid, 'UDP'));
    expect(received.map((e) => e.text)).toEqual([`to ${address}%${name}`]);
    expect((received[0].addr as IPv6Address).scopeID).toBe(scopeid);
    expect((echo.senders[0] as IPv6Address).scopeID).toBe(scopeid);
  });

  it('carries a link-local scope in getHost and getPeer over TCP', async (ctx) => {
    const { address, name, scopeid } = linkLocal(ctx);
    const reactor = newReactor(variant);
    try {
      const seen = await tcpAddresses(reactor, `${address}%${name}`, `${address}%${scopeid}`);
      for (const a of [seen.serverHost, seen.serverPeer, seen.clientHost]) {
        expect(a).toBeInstanceOf(IPv6Address);
        expect([(a as IPv6Address).host, (a as IPv6Address).scopeID]).toEqual([address, scopeid]);
      }
    } finally {
      reactor.close();
    }
  });
});

describe('interfaceIndex', () => {
  it('answers -EINVAL for anything that is not an interface', () => {
    const hostile: unknown[] = ['', '0', '-1', '4294967297', 'x'.repeat(16), 'lo\0', ' lo', undefined, null, 7, {}, Symbol('lo')];
    for (const zone of hostile) expect((binding.interfaceIndex as (z: unknown) => number)(zone), String(zone)).toBe(-22);
  });
});
