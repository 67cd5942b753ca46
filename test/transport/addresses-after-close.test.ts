// getHost()/getPeer() answer after the close, as Twisted's do, even when nobody asked while the
// connection was open (the core closes the descriptor before JavaScript hears of the close).
import { afterAll, describe, expect, it } from 'vitest';
import { DatagramProtocol, type Address } from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { connect, FAMILIES, finishOnceServerLost, listen, Recorder, removeSocketDir, TestClientFactory, TestServerFactory } from '../support/streams';

afterAll(removeSocketDir);

const cases = VARIANTS.flatMap((v) => FAMILIES.map((family) => ({ ...v, family, label: `${v.name} ${family}` })));

/** What getHost and getPeer answered (or threw) in connectionLost. */
class AddressRecorder extends Recorder {
  inLost: { host: Address | unknown; peer: Address | unknown } | undefined;
  override connectionLost(reason: Parameters<Recorder['connectionLost']>[0]): void {
    const answer = (f: () => Address): unknown => {
      try {
        return f();
      } catch (err) {
        return err;
      }
    };
    this.inLost = { host: answer(() => this.transport.getHost()), peer: answer(() => this.transport.getPeer()) };
    super.connectionLost(reason);
  }
}

describe.each(cases)('addresses after the close, $label', (variant) => {
  const { family } = variant;

  it('getHost and getPeer answer in connectionLost and after, never asked before', async () => {
    const reactor = newReactor(variant);
    // The server closes at once: the client hears of it from the kernel (EOF), not from a call.
    const server = new TestServerFactory(() => {
      const p = new AddressRecorder();
      p.connectionMade = () => p.transport.loseConnection();
      return p;
    });
    let client!: AddressRecorder;
    let portHost!: Address;
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, server);
      portHost = port.getHost();
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          client = new AddressRecorder();
          client.onLost = () => finishOnceServerLost(reactor, server, port, done);
          return client;
        }),
      );
    });
    const serverSide = server.built[0];
    for (const side of [client, serverSide]) {
      expect(side.inLost?.host).toEqual(side.transport.getHost());
      expect(side.inLost?.peer).toEqual(side.transport.getPeer());
    }
    if (family === 'UNIX') {
      expect(serverSide.transport.getHost()).toEqual(portHost);
      expect(client.transport.getPeer()).toEqual(portHost);
    } else {
      const loopback = family === 'TCP6' ? '::1' : '127.0.0.1';
      expect(serverSide.transport.getHost()).toEqual(portHost);
      expect(client.transport.getPeer()).toEqual(portHost);
      expect(client.transport.getHost()).toMatchObject({ type: 'TCP', host: loopback });
      expect(serverSide.transport.getPeer()).toEqual(client.transport.getHost());
    }
  });

  it('a port closed with its reactor still names its address', () => {
    const reactor = newReactor(variant);
    const server = new TestServerFactory(() => new Recorder());
    const port = listen(reactor, family, server);
    const udp = family === 'UNIX' ? undefined : reactor.listenUDP(0, new DatagramProtocol(), { interface: family === 'TCP6' ? '::1' : '127.0.0.1' });
    reactor.close();
    expect(port.getHost()).toMatchObject(family === 'UNIX' ? { type: 'UNIX' } : { type: 'TCP', port: expect.any(Number) });
    if (udp !== undefined) expect(udp.getHost()).toMatchObject({ type: 'UDP', port: expect.any(Number) });
  });
});
