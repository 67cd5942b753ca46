// Input that is well formed but refused by the kernel or the resolver (an address in use, a
// name that does not resolve, a bind that cannot be made, a directory that does not exist), and
// calls on closed ports and transports. Each refusal is typed, arrives where Twisted puts it (a
// throw from listen*, clientConnectionFailed for connect*), and the reactor goes on serving.
// Every backend x trigger, over TCP4, TCP6 and UNIX where the family matters.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ConnectError, ConnectionDone, Deferred, DNSLookupError, ReactorSystemError, type Failure } from '../../src/index';
import { st } from '../support/producers';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { DATA, echoEveryFamily, ECHOED, echoThrough, rejects } from '../support/serving';
import { connect, FAMILIES, listen, Recorder, removeSocketDir, TestClientFactory, TestServerFactory } from '../support/streams';

afterAll(removeSocketDir);

// No test may depend on the network: the resolver (node:dns's lookup, which ioreactor calls for
// a host name) is substituted here. It answers every name ENOTFOUND, as getaddrinfo does for a
// name that does not exist, and records what it was asked.
const resolver = vi.hoisted(() => ({ asked: [] as string[] }));
vi.mock('node:dns', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:dns')>();
  const lookup = (host: string, _options: unknown, callback: (err: NodeJS.ErrnoException | null, address?: string, family?: number) => void): void => {
    resolver.asked.push(host);
    const err: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo' });
    process.nextTick(callback, err);
  };
  return { ...real, default: { ...real, lookup }, lookup };
});

describe.each(VARIANTS)('refused stream input on $name', (variant) => {
  it.each(FAMILIES)('a second listen on a %s address in use fails with EADDRINUSE; the first port serves on', async (family) => {
    const first = new TestServerFactory(() => {
      const p = new Recorder();
      p.dataReceived = (d) => p.transport.write(d);
      return p;
    });
    const second = new TestServerFactory(() => new Recorder());
    const reactor = newReactor(variant);
    let err: unknown;
    let echoedFirst = '';
    let echoed: string[] = [];
    await runReactor(reactor, (done) => {
      const port = listen(reactor, family, first);
      const host = port.getHost() as { port?: number; name?: string };
      try {
        if (family === 'UNIX') reactor.listenUNIX(host.name!, second);
        else reactor.listenTCP(host.port!, second, { interface: family === 'TCP6' ? '::1' : '127.0.0.1' });
      } catch (e) {
        err = e;
      }
      echoThrough(reactor, family, port, 'first port', (text) => {
        echoedFirst = text;
        port.stopListening();
        echoEveryFamily(reactor, (e) => {
          echoed = e;
          done();
        });
      });
    });
    expect(err).toBeInstanceOf(ReactorSystemError);
    expect(err).toMatchObject({ code: 'EADDRINUSE', errno: expect.any(Number), syscall: expect.any(String) });
    expect((err as { errno: number }).errno).toBeLessThan(0);
    expect(second.started).toBe(0);
    expect(echoedFirst).toBe('first port');
    expect(echoed).toEqual(ECHOED);
  });

  it('a host name that cannot be resolved fails through clientConnectionFailed with DNSLookupError', async () => {
    const reactor = newReactor(variant);
    let failed: Failure | undefined;
    let returned: unknown;
    let echoed: string[] = [];
    await runReactor(
      reactor,
      (done) => {
        returned = reactor.connectTCP(
          'nonexistent.invalid',
          80,
          new TestClientFactory(
            () => new Recorder(),
            (reason) => {
              failed = reason;
              echoEveryFamily(reactor, (e) => {
                echoed = e;
                done();
              });
            },
          ),
        );
        expect(returned).toMatchObject({ state: 'connecting' });
      },
      20,
    );
    expect(failed?.value).toBeInstanceOf(DNSLookupError);
    expect(failed?.value).toBeInstanceOf(ConnectError);
    expect(failed?.value).toMatchObject({ code: 'ERR_IOREACTOR_DNS_LOOKUP' });
    expect((failed?.value as Error).cause).toMatchObject({ code: 'ENOTFOUND' });
    expect(resolver.asked).toContain('nonexistent.invalid');
    expect(returned).toMatchObject({ state: 'disconnected' });
    expect(echoed).toEqual(ECHOED);
  });

  it.each(FAMILIES)('a closed %s port and a closed transport take further calls harmlessly', async (family) => {
    const reactor = newReactor(variant);
    const server = new TestServerFactory(() => {
      const p = new Recorder();
      p.connectionMade = () => p.transport.loseConnection();
      return p;
    });
    let lostCalls = 0;
    let client!: Recorder;
    const checks: Record<string, unknown> = {};
    let echoed: string[] = [];
    await runReactor(reactor, (done, fail) => {
      const port = listen(reactor, family, server);
      const host = port.getHost();
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => {
          client = new Recorder();
          client.onLost = () => {
            lostCalls++;
            try {
              const t = st(client);
              t.write(Buffer.from('late'));
              t.writeSequence([Buffer.from('late')]);
              t.loseConnection();
              t.abortConnection();
              t.loseWriteConnection();
              t.pauseProducing();
              t.resumeProducing();
              t.stopProducing();
              checks.buffered = t.bufferedAmount;
              rejects('write(str) on a closed transport', () => t.write('late' as never), DATA);
              const d1 = port.stopListening();
              const d2 = port.stopListening();
              checks.deferreds = [d1 instanceof Deferred, d2 instanceof Deferred, d1.called, d2.called];
              checks.hostAfter = port.getHost();
              checks.hostBefore = host;
              checks.listening = port.listening;
            } catch (err) {
              fail(err);
            }
            reactor.callLater(0.05, () =>
              echoEveryFamily(reactor, (e) => {
                echoed = e;
                done();
              }),
            );
          };
          return client;
        }),
      );
    });
    expect(lostCalls).toBe(1);
    expect(client.lost?.value).toBeInstanceOf(ConnectionDone);
    expect(checks.hostBefore).toMatchObject({ type: family === 'UNIX' ? 'UNIX' : 'TCP' });
    expect(checks).toEqual({ buffered: 0, deferreds: [true, true, true, true], hostAfter: checks.hostBefore, hostBefore: checks.hostBefore, listening: false });
    expect(server.stopped).toBe(1);
    expect(echoed).toEqual(ECHOED);
  });

  it('binds and paths the kernel refuses: clientConnectionFailed with ConnectError for connectTCP, a throw for listenUNIX', async () => {
    const reactor = newReactor(variant);
    const failures: Record<string, unknown> = {};
    let listenError: unknown;
    let built = 0;
    let echoed: string[] = [];
    await runReactor(reactor, (done) => {
      const port = listen(reactor, 'TCP4', new TestServerFactory(() => new Recorder()));
      const inUse = (port.getHost() as { port: number }).port;
      const attempts: [string, [string, number]][] = [
        ['IPv6 bind for an IPv4 destination', ['::1', 0]],
        ['bind to a port in use', ['127.0.0.1', inUse]],
      ];
      for (const [what, bindAddress] of attempts) {
        reactor.connectTCP(
          '127.0.0.1',
          inUse,
          new TestClientFactory(
            () => {
              built++;
              return new Recorder();
            },
            (reason) => {
              failures[what] = reason.value;
              if (Object.keys(failures).length === attempts.length) {
                port.stopListening();
                echoEveryFamily(reactor, (e) => {
                  echoed = e;
                  done();
                });
              }
            },
          ),
          { bindAddress },
        );
      }
      try {
        reactor.listenUNIX('/nonexistent-ioreactor-dir/s.sock', new TestServerFactory(() => new Recorder()));
      } catch (err) {
        listenError = err;
      }
    });
    expect(built).toBe(0);
    for (const what of ['IPv6 bind for an IPv4 destination', 'bind to a port in use']) {
      expect(failures[what], what).toBeInstanceOf(ConnectError);
      expect((failures[what] as { cause?: unknown }).cause, what).toBeInstanceOf(ReactorSystemError);
    }
    expect(failures['bind to a port in use']).toMatchObject({ cause: { code: 'EADDRINUSE' } });
    expect(listenError).toBeInstanceOf(ReactorSystemError);
    expect(listenError).toMatchObject({ code: 'ENOENT' });
    expect(echoed).toEqual(ECHOED);
  });
});
