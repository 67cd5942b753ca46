// Name resolution: the default GAIResolver (dns.lookup on libuv's thread pool), the `resolve`
// convenience, and a substituted resolver being what connectTCP and the tcp: client endpoint
// use, for IPv4 and IPv6; a resolver that finds nothing, or throws, gives DNSLookupError.
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  clientFromString,
  ConnectError,
  DNSLookupError,
  GAIResolver,
  IPv4Address,
  IPv6Address,
  Reactor,
  resolve,
  type Failure,
  type IHostnameResolver,
  type IHostResolution,
  type IResolutionReceiver,
  type ResolvedAddress,
} from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { Recorder, removeSocketDir, TestClientFactory, TestServerFactory } from '../support/streams';
import { thrownBy } from '../support/thrown';

afterAll(removeSocketDir);

// No test may depend on the network: node:dns's lookup answers `localhost` for real (the hosts
// file) and every other name ENOTFOUND, recording what it was asked.
const dnsCalls = vi.hoisted(() => ({ asked: [] as string[] }));
vi.mock('node:dns', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:dns')>();
  const lookup = (host: string, options: object, callback: (err: NodeJS.ErrnoException | null, addresses?: unknown) => void): void => {
    dnsCalls.asked.push(host);
    if (host === 'localhost') {
      real.lookup(host, options as never, callback as never);
      return;
    }
    const err: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo' });
    process.nextTick(callback, err);
  };
  return { ...real, default: { ...real, lookup }, lookup };
});

/** A resolver with a fixed table, as a test or a service-discovery client would provide. */
class TableResolver implements IHostnameResolver {
  readonly asked: string[] = [];
  constructor(private readonly table: Record<string, string[]>) {}
  resolveHostName(receiver: IResolutionReceiver, hostName: string, portNumber = 0): IHostResolution {
    this.asked.push(hostName);
    const resolution = { name: hostName };
    receiver.resolutionBegan(resolution);
    // Answer later, as a real resolver does.
    setImmediate(() => {
      for (const host of this.table[hostName] ?? [])
        receiver.addressResolved(host.includes(':') ? new IPv6Address(host, portNumber) : new IPv4Address(host, portNumber));
      receiver.resolutionComplete();
    });
    return resolution;
  }
}

describe('GAIResolver and resolve()', () => {
  it('resolves localhost to IPv4 127.0.0.1, telling the receiver began, each address, complete', async () => {
    const events: string[] = [];
    let began: IHostResolution | undefined;
    await new Promise<void>((done) => {
      new GAIResolver().resolveHostName(
        {
          resolutionBegan: (r) => {
            began = r;
            events.push('began');
          },
          addressResolved: (a) => events.push(String(a)),
          resolutionComplete: () => {
            events.push('complete');
            done();
          },
        },
        'localhost',
        8080,
      );
    });
    expect(began?.name).toBe('localhost');
    expect(events[0]).toBe('began');
    expect(events.at(-1)).toBe('complete');
    expect(events).toContain("IPv4Address(TCP, '127.0.0.1', 8080)");
  });

  it('resolve() gives every address; addressTypes filters them; a numeric host is not looked up', async () => {
    const reactor = new Reactor();
    const all = await resolve(reactor, 'localhost', 80);
    expect(all.some((a) => a.equals(new IPv4Address('127.0.0.1', 80)))).toBe(true);
    const v6only = await resolve(new GAIResolver(), 'localhost', 80, [IPv6Address]).then(
      (a) => a,
      (e: unknown) => e,
    );
    // The hosts file may or may not list ::1 for localhost: either IPv6 addresses only, or nothing.
    if (Array.isArray(v6only)) expect(v6only.every((a) => a instanceof IPv6Address)).toBe(true);
    else expect(v6only).toBeInstanceOf(DNSLookupError);
    const asked = dnsCalls.asked.length;
    expect(await resolve(reactor, '::1', 5)).toEqual([new IPv6Address('::1', 5)]);
    expect(await resolve(reactor, '10.1.2.3')).toEqual([new IPv4Address('10.1.2.3', 0)]);
    expect(dnsCalls.asked.length).toBe(asked);
    reactor.close();
  });

  it('a name that does not resolve fails resolve() with DNSLookupError carrying the cause', async () => {
    let err: unknown;
    try {
      await resolve(new GAIResolver(), 'nonexistent.invalid');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DNSLookupError);
    expect(err).toMatchObject({ code: 'ERR_IOREACTOR_DNS_LOOKUP' });
    expect((err as Error).cause).toMatchObject({ code: 'ENOTFOUND' });
  });

  it('cancelling resolve() cancels the resolution and nothing more is reported', async () => {
    const gai = new GAIResolver();
    const d = resolve(gai, 'localhost');
    d.cancel();
    let err: unknown;
    try {
      await d;
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'ERR_IOREACTOR_CANCELLED' });
  });

  it('refuses bad arguments with coded errors', () => {
    const gai = new GAIResolver();
    const receiver = { resolutionBegan() {}, addressResolved() {}, resolutionComplete() {} };
    expect(thrownBy(() => gai.resolveHostName({} as never, 'localhost'))).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' });
    expect(thrownBy(() => gai.resolveHostName(receiver, ''))).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_ADDRESS' });
    expect(thrownBy(() => gai.resolveHostName(receiver, 'a b'))).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_ADDRESS' });
    expect(thrownBy(() => gai.resolveHostName(receiver, 'localhost', 70000))).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_PORT' });
    expect(thrownBy(() => gai.resolveHostName(receiver, 'localhost', 0, [String as never]))).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_ARG_VALUE' });
    expect(thrownBy(() => gai.resolveHostName(receiver, 'localhost', 0, []))).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_ARG_VALUE' });
    expect(thrownBy(() => gai.resolveHostName(receiver, 'localhost', 0, null, 'SCTP' as never))).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_ARG_VALUE' });
    expect(thrownBy(() => resolve({} as never, 'localhost'))).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' });
    const reactor = new Reactor();
    expect(thrownBy(() => reactor.installNameResolver({} as never))).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' });
    expect(thrownBy(() => reactor.installNameResolver(null as never))).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' });
  });

  it('installNameResolver returns the previous resolver, as Twisted', () => {
    const reactor = new Reactor();
    const original = reactor.nameResolver;
    expect(original).toBeInstanceOf(GAIResolver);
    const table = new TableResolver({});
    expect(reactor.installNameResolver(table)).toBe(original);
    expect(reactor.nameResolver).toBe(table);
    expect(reactor.installNameResolver(original)).toBe(table);
  });
});

describe.each(VARIANTS)('a substituted resolver on $name', (variant) => {
  it.each([
    ['127.0.0.1', 'IPv4'],
    ['::1', 'IPv6'],
  ])('maps example.test to %s for connectTCP and for clientFromString (%s)', async (address) => {
    const reactor = newReactor(variant);
    const resolver = new TableResolver({ 'example.test': [address] });
    reactor.installNameResolver(resolver);
    const server = new TestServerFactory(() => new Recorder());
    const viaConnectTCP = new Recorder();
    const viaEndpoint = new Recorder();
    let endpointResult: unknown;
    let peers: string[] = [];
    await runReactor(reactor, (done, fail) => {
      const port = reactor.listenTCP(0, server, { interface: address });
      const portNumber = (port.getHost() as { port: number }).port;
      reactor.connectTCP('example.test', portNumber, new TestClientFactory(() => viaConnectTCP, fail));
      clientFromString(reactor, `tcp:host=example.test:port=${portNumber}`)
        .connect(new TestServerFactory(() => viaEndpoint))
        .addCallbacks((p) => {
          endpointResult = p;
          const check = (): void => {
            if (viaConnectTCP.made && server.built.length === 2) {
              peers = server.built.map((s) => (s.transport.getPeer() as ResolvedAddress).host);
              viaConnectTCP.transport.loseConnection();
              viaEndpoint.transport.loseConnection();
              const settle = (): void => {
                if (server.built.every((s) => s.lost !== undefined)) port.stopListening().addCallbacks(() => done(), fail);
                else reactor.callLater(0.005, settle);
              };
              settle();
            } else reactor.callLater(0.005, check);
          };
          check();
        }, fail);
    });
    expect(resolver.asked).toEqual(['example.test', 'example.test']);
    expect(endpointResult).toBe(viaEndpoint);
    expect(viaConnectTCP.made).toBe(true);
    expect(peers).toEqual([address, address]);
  });

  it('HostnameEndpoint tries the next address when one is refused', async () => {
    const reactor = newReactor(variant);
    const server = new TestServerFactory(() => new Recorder());
    const client = new Recorder();
    let peer: unknown;
    await runReactor(reactor, (done, fail) => {
      const port = reactor.listenTCP(0, server, { interface: '127.0.0.1' });
      const portNumber = (port.getHost() as { port: number }).port;
      // The first address is a loopback one nothing listens on (127.0.0.2 is loopback on Linux
      // and refused; elsewhere it may be unroutable, which the short timeout covers).
      reactor.installNameResolver(new TableResolver({ 'two.test': ['127.0.0.2', '127.0.0.1'] }));
      clientFromString(reactor, `tcp:two.test:${portNumber}:timeout=5`)
        .connect(new TestServerFactory(() => client))
        .addCallbacks(() => {
          peer = client.transport.getPeer();
          client.onLost = () => port.stopListening().addCallbacks(() => done(), fail);
          client.transport.loseConnection();
        }, fail);
    });
    expect(client.made).toBe(true);
    expect(peer).toEqual(new IPv4Address('127.0.0.1', (peer as ResolvedAddress).port));
  });

  it('a resolver that finds nothing, or throws, fails connectTCP and the endpoint with DNSLookupError', async () => {
    const reactor = newReactor(variant);
    const reasons: Failure[] = [];
    const boom = new Error('resolver exploded');
    await runReactor(reactor, (done) => {
      reactor.installNameResolver(new TableResolver({}));
      reactor.connectTCP(
        'missing.test',
        80,
        new TestClientFactory(
          () => new Recorder(),
          (reason) => {
            reasons.push(reason);
            clientFromString(reactor, 'tcp:missing.test:80')
              .connect(new TestServerFactory(() => new Recorder()))
              .addErrback((f: Failure) => {
                reasons.push(f);
                reactor.installNameResolver({
                  resolveHostName() {
                    throw boom;
                  },
                });
                reactor.connectTCP(
                  'throws.test',
                  80,
                  new TestClientFactory(
                    () => new Recorder(),
                    (r) => {
                      reasons.push(r);
                      done();
                    },
                  ),
                );
              });
          },
        ),
      );
    });
    expect(reasons).toHaveLength(3);
    for (const r of reasons) {
      expect(r.value).toBeInstanceOf(DNSLookupError);
      expect(r.value).toBeInstanceOf(ConnectError);
    }
    expect((reasons[2].value as Error).cause).toBe(boom);
  });

  it('the default resolver connects connectTCP to localhost', async () => {
    const reactor = newReactor(variant);
    const server = new TestServerFactory(() => new Recorder());
    const client = new Recorder();
    await runReactor(reactor, (done, fail) => {
      const port = reactor.listenTCP(0, server, { interface: '127.0.0.1' });
      client.connectionMade = () => {
        client.made = true;
        client.transport.loseConnection();
      };
      client.onLost = () => port.stopListening().addCallbacks(() => done(), fail);
      reactor.connectTCP('localhost', (port.getHost() as { port: number }).port, new TestClientFactory(() => client, fail));
    });
    expect(client.made).toBe(true);
    expect(dnsCalls.asked).toContain('localhost');
  });
});
