// The `udp:` endpoint strings on every backend x trigger: a server from `udp:0:interface=...`
// echoes to a connected client from `udp:host:port`, IPv4 and IPv6, a host name resolved through
// the reactor's resolver; a connected client to a closed port hears connectionRefused;
// cancelling during resolution; and each mistake in a `udp:` description with its code.
import { describe, expect, it } from 'vitest';
import {
  clientFromString,
  ConnectingCancelledError,
  DNSLookupError,
  IPv4Address,
  IPv6Address,
  quoteStringArgument,
  serverFromString,
  type DatagramPort,
  type Failure,
  type IHostnameResolver,
  type IHostResolution,
  type IResolutionReceiver,
  type UDPClientEndpoint,
  type UDPServerEndpoint,
} from '../../src/index';
import { Echo, IP_FAMILIES, Recorder } from '../datagram/support';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { endpointErrorCode as codeOf } from '../support/thrown';

/** Answers from a table, a turn later, as a real resolver does; never answers `slow.test`. */
class TableResolver implements IHostnameResolver {
  constructor(private readonly table: Record<string, string>) {}
  resolveHostName(receiver: IResolutionReceiver, hostName: string, portNumber = 0): IHostResolution {
    const resolution = { name: hostName };
    receiver.resolutionBegan(resolution);
    if (hostName === 'slow.test') return resolution;
    setImmediate(() => {
      const host = this.table[hostName];
      if (host !== undefined) receiver.addressResolved(host.includes(':') ? new IPv6Address(host, portNumber) : new IPv4Address(host, portNumber));
      receiver.resolutionComplete();
    });
    return resolution;
  }
}

describe.each(VARIANTS)('udp: endpoint strings on $name', (variant) => {
  describe.each(IP_FAMILIES)('$name', (family) => {
    it('a connected client from udp:<name>:<port> and a server from udp:0:interface=... echo three datagrams', async () => {
      const reactor = newReactor(variant);
      reactor.installNameResolver(new TableResolver({ 'echo.test': family.loopback }));
      const client = new Recorder();
      let serverHost: unknown;
      await runReactor(reactor, (done, fail) => {
        serverFromString<UDPServerEndpoint>(reactor, `udp:0:interface=${quoteStringArgument(family.loopback)}:maxPacketSize=512`)
          .listen(new Echo())
          .addCallback((server: DatagramPort) => {
            serverHost = server.getHost();
            const port = (serverHost as IPv4Address).port;
            clientFromString<UDPClientEndpoint>(reactor, `udp:echo.test:${port}`)
              .connect(client)
              .addCallback((connected: DatagramPort) => {
                client.onDatagram = () => {
                  if (client.received.length < 3) return;
                  connected.stopListening();
                  server.stopListening();
                  done();
                };
                for (const text of ['one', 'two', 'three']) connected.write(Buffer.from(text));
              });
          })
          .addErrback((f: Failure) => fail(f.value));
      });
      expect(client.received.map((r) => r.data.toString()).sort()).toEqual(['one', 'three', 'two']);
      for (const { addr } of client.received) expect(addr).toEqual(serverHost);
      expect(client.started).toBe(1);
      expect(client.stopped).toBe(1);
    });

    it('a connected client to a closed port hears connectionRefused', async () => {
      const reactor = newReactor(variant);
      const client = new Recorder();
      await runReactor(reactor, (done, fail) => {
        // Port 1 on loopback: nothing listens there, so the kernel answers with port unreachable.
        clientFromString<UDPClientEndpoint>(reactor, `udp:host=${quoteStringArgument(family.loopback)}:port=1`)
          .connect(client)
          .addCallback((connected: DatagramPort) => {
            connected.write(Buffer.from('anyone?'));
            const wait = (tries: number): void => {
              if (client.refused > 0 || tries === 0) {
                connected.stopListening();
                done();
              } else reactor.callLater(0.01, () => wait(tries - 1));
            };
            wait(300);
          })
          .addErrback((f: Failure) => fail(f.value));
      });
      expect(client.refused).toBeGreaterThan(0);
    });
  });

  it('a name that does not resolve fails connect() with DNSLookupError; cancelling while resolving gives ConnectingCancelledError', async () => {
    const reactor = newReactor(variant);
    reactor.installNameResolver(new TableResolver({}));
    const outcomes: unknown[] = [];
    await runReactor(reactor, (done) => {
      const unknown = clientFromString<UDPClientEndpoint>(reactor, 'udp:nowhere.test:53').connect(new Recorder());
      const slow = clientFromString<UDPClientEndpoint>(reactor, 'udp:slow.test:53').connect(new Recorder());
      const record = (f: Failure): void => {
        outcomes.push(f.value);
        if (outcomes.length === 2) done();
      };
      unknown.addErrback(record);
      slow.addErrback(record);
      slow.cancel();
    });
    expect(outcomes.some((o) => o instanceof DNSLookupError)).toBe(true);
    expect(outcomes.some((o) => o instanceof ConnectingCancelledError)).toBe(true);
  });
});

describe('udp: description mistakes', () => {
  const reactor = newReactor(VARIANTS[0]);
  it.each([
    ['server port out of range', () => serverFromString(reactor, 'udp:65536'), 'ERR_IOREACTOR_INVALID_PORT'],
    ['server without a port', () => serverFromString(reactor, 'udp:interface=127.0.0.1'), 'ERR_IOREACTOR_ENDPOINT_MISSING_ARGUMENT'],
    ['server interface not numeric', () => serverFromString(reactor, 'udp:0:interface=localhost'), 'ERR_IOREACTOR_INVALID_ADDRESS'],
    ['server maxPacketSize 0', () => serverFromString(reactor, 'udp:0:maxPacketSize=0'), 'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE'],
    ['server maxPacketSize not a number', () => serverFromString(reactor, 'udp:0:maxPacketSize=big'), 'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE'],
    ['server unknown argument', () => serverFromString(reactor, 'udp:0:backlog=5'), 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_ARGUMENT'],
    ['client port 0', () => clientFromString(reactor, 'udp:127.0.0.1:0'), 'ERR_IOREACTOR_INVALID_PORT'],
    ['client without a port', () => clientFromString(reactor, 'udp:host=127.0.0.1'), 'ERR_IOREACTOR_ENDPOINT_MISSING_ARGUMENT'],
    ['client unknown argument', () => clientFromString(reactor, 'udp:127.0.0.1:53:timeout=5'), 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_ARGUMENT'],
  ])('%s', (_name, make, code) => {
    expect(codeOf(make)).toBe(code);
  });

  it('a reactor without listenUDP is refused with ERR_IOREACTOR_ENDPOINT_UNSUPPORTED', () => {
    const bare = { listenTCP: reactor.listenTCP.bind(reactor) } as unknown as typeof reactor;
    expect(codeOf(() => serverFromString(bare, 'udp:0'))).toBe('ERR_IOREACTOR_ENDPOINT_UNSUPPORTED');
    expect(codeOf(() => clientFromString(bare, 'udp:127.0.0.1:53'))).toBe('ERR_IOREACTOR_ENDPOINT_UNSUPPORTED');
    reactor.close();
  });
});
