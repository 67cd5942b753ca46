// Every stream entry point rejects bad arguments with a typed error and a stable code, leaves
// no side effect behind, and the reactor goes on serving: after each group, fresh connections
// are echoed over TCP4, TCP6 and UNIX. Every backend x trigger. (Refusals by the kernel or the
// resolver, and calls on closed ports and transports: refused.test.ts.)
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ReactorSystemError, type Factory } from '../../src/index';
import { st } from '../support/producers';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import {
  ADDRESS,
  CountingClientFactory,
  DATA,
  echoEveryFamily,
  ECHOED,
  FAMILY,
  FD,
  NON_FACTORIES,
  PATH,
  PORT,
  rejects,
  thenEchoes,
  TYPE,
  VALUE,
  type ErrorClass,
} from '../support/serving';
import { connect, listen, Recorder, removeSocketDir, socketPath, TestClientFactory, TestServerFactory } from '../support/streams';

afterAll(removeSocketDir);

describe.each(VARIANTS)('bad stream input on $name', (variant) => {
  it('listenTCP rejects bad ports, interfaces, backlogs, factories and options', async () => {
    const factory = new TestServerFactory(() => new Recorder());
    await thenEchoes(variant, (reactor) => {
      const loopback = { interface: '127.0.0.1' };
      for (const port of [-1, 65536, 1.5, '80', Number.NaN, Infinity, null]) {
        rejects(`port ${String(port)}`, () => reactor.listenTCP(port as number, factory, loopback), PORT);
      }
      rejects("interface 'not an ip'", () => reactor.listenTCP(0, factory, { interface: 'not an ip' }), ADDRESS);
      rejects("interface 'example.com'", () => reactor.listenTCP(0, factory, { interface: 'example.com' }), ADDRESS);
      rejects('interface 42', () => reactor.listenTCP(0, factory, { interface: 42 as never }), TYPE);
      for (const backlog of [0, -1, 'x', 1.5]) {
        rejects(`backlog ${String(backlog)}`, () => reactor.listenTCP(0, factory, { ...loopback, backlog: backlog as number }), VALUE);
      }
      for (const [what, f] of NON_FACTORIES) rejects(`factory ${what}`, () => reactor.listenTCP(0, f as Factory, loopback), TYPE);
      for (const options of ['x', 42, null]) rejects(`options ${String(options)}`, () => reactor.listenTCP(0, factory, options as never), TYPE);
    });
    expect(factory.started).toBe(0);
  });

  it('connectTCP rejects bad hosts, ports, timeouts, bind addresses and factories', async () => {
    const factory = new CountingClientFactory();
    await thenEchoes(variant, (reactor) => {
      rejects("host ''", () => reactor.connectTCP('', 80, factory), ADDRESS);
      rejects("host 'a b'", () => reactor.connectTCP('a b', 80, factory), ADDRESS);
      rejects('host with a NUL', () => reactor.connectTCP('a\0b', 80, factory), ADDRESS);
      rejects('host 42', () => reactor.connectTCP(42 as never, 80, factory), TYPE);
      rejects('host null', () => reactor.connectTCP(null as never, 80, factory), TYPE);
      for (const port of [0, -1, 65536, 1.5, '80', Number.NaN]) {
        rejects(`port ${String(port)}`, () => reactor.connectTCP('127.0.0.1', port as number, factory), PORT);
      }
      for (const timeout of [-1, Number.NaN, Infinity]) {
        rejects(`timeout ${timeout}`, () => reactor.connectTCP('127.0.0.1', 80, factory, { timeout }), VALUE);
      }
      rejects("timeout 'x'", () => reactor.connectTCP('127.0.0.1', 80, factory, { timeout: 'x' as never }), TYPE);
      const binds: [unknown, [ErrorClass, string]][] = [
        ['x', TYPE],
        [['127.0.0.1'], TYPE],
        [['127.0.0.1', 0, 1], TYPE],
        [['not an ip', 0], ADDRESS],
        [[42, 0], TYPE],
        [['127.0.0.1', -1], PORT],
        [['127.0.0.1', 65536], PORT],
      ];
      for (const [bindAddress, expected] of binds) {
        const label = `bindAddress ${JSON.stringify(bindAddress)}`;
        rejects(label, () => reactor.connectTCP('127.0.0.1', 80, factory, { bindAddress: bindAddress as never }), expected);
      }
      for (const [what, f] of NON_FACTORIES) rejects(`factory ${what}`, () => reactor.connectTCP('127.0.0.1', 80, f as Factory), TYPE);
    });
    expect([factory.starts, factory.attempts, factory.failed]).toEqual([0, 0, undefined]);
  });

  it('listenUNIX and connectUNIX reject bad paths, modes and options', async () => {
    const server = new TestServerFactory(() => new Recorder());
    const boundary = new TestServerFactory(() => new Recorder());
    const client = new CountingClientFactory();
    const untouched = socketPath();
    await thenEchoes(variant, (reactor) => {
      const paths: [string, unknown, [ErrorClass, string]][] = [
        ["''", '', PATH],
        ['a 200-byte path', `/tmp/${'p'.repeat(195)}`, PATH],
        ['a 108-byte path', `/tmp/${'p'.repeat(103)}`, PATH],
        ['an inner NUL', `${untouched}\0tail`, PATH],
        ['42', 42, TYPE],
        ['null', null, TYPE],
        ['a Buffer', Buffer.from(untouched), TYPE],
      ];
      for (const [what, path, expected] of paths) {
        rejects(`listenUNIX ${what}`, () => reactor.listenUNIX(path as string, server), expected);
        rejects(`connectUNIX ${what}`, () => reactor.connectUNIX(path as string, client), expected);
      }
      for (const mode of [-1, 0o10000, 1.5, '0666', Number.NaN]) {
        rejects(`mode ${String(mode)}`, () => reactor.listenUNIX(untouched, server, { mode: mode as number }), VALUE);
      }
      rejects('backlog 0', () => reactor.listenUNIX(untouched, server, { backlog: 0 }), VALUE);
      rejects('timeout -1', () => reactor.connectUNIX(untouched, client, { timeout: -1 }), VALUE);
      for (const [what, f] of NON_FACTORIES) {
        rejects(`listenUNIX factory ${what}`, () => reactor.listenUNIX(untouched, f as Factory), TYPE);
        rejects(`connectUNIX factory ${what}`, () => reactor.connectUNIX(untouched, f as Factory), TYPE);
      }
      expect(existsSync(untouched), 'a rejected listenUNIX created its socket file').toBe(false);
      // The longest path that fits sockaddr_un (107 bytes and its NUL) is accepted.
      const dir = untouched.slice(0, untouched.lastIndexOf('/') + 1);
      const longest = dir + 'q'.repeat(107 - Buffer.byteLength(dir));
      const port = reactor.listenUNIX(longest, boundary);
      expect(port.getHost()).toMatchObject({ type: 'UNIX', name: longest });
      port.stopListening();
      expect(existsSync(longest)).toBe(false);
    });
    expect([server.started, client.starts, client.attempts]).toEqual([0, 0, 0]);
    expect([boundary.started, boundary.stopped]).toEqual([1, 1]);
  });

  it('adoptStreamPort and adoptStreamConnection reject bad descriptors, families and factories', async () => {
    const server = new TestServerFactory(() => new Recorder());
    await thenEchoes(variant, (reactor) => {
      const adopters: [string, (fd: unknown, family: unknown, f: unknown) => unknown][] = [
        ['adoptStreamPort', (fd, family, f) => reactor.adoptStreamPort(fd as number, family as 'INET', f as Factory)],
        ['adoptStreamConnection', (fd, family, f) => reactor.adoptStreamConnection(fd as number, family as 'INET', f as Factory)],
      ];
      for (const [name, adopt] of adopters) {
        for (const fd of [-1, 1.5, Number.NaN, '3', null]) rejects(`${name} fd ${String(fd)}`, () => adopt(fd, 'INET', server), FD);
        for (const family of ['TCP', 4, 'inet', undefined]) rejects(`${name} family ${String(family)}`, () => adopt(0, family, server), FAMILY);
        for (const [what, f] of NON_FACTORIES) rejects(`${name} factory ${what}`, () => adopt(0, 'UNIX', f), TYPE);
        // A well-formed number that is no open descriptor: the kernel's answer, typed.
        rejects(`${name} of a closed descriptor`, () => adopt(19_999, 'INET', server), [ReactorSystemError, 'EBADF']);
      }
    });
    expect([server.started, server.built.length]).toEqual([0, 0]);
  });

  it('write, writeSequence and setHighWaterMark refuse what is not bytes, and the connection goes on', async () => {
    const reactor = newReactor(variant);
    let client!: Recorder;
    let echoed: string[] = [];
    const server = new TestServerFactory(() => {
      const p = new Recorder();
      p.dataReceived = (d) => {
        p.chunks.push(d);
        p.transport.write(d);
      };
      return p;
    });
    await runReactor(reactor, (done, fail) => {
      const port = listen(reactor, 'TCP4', server);
      connect(
        reactor,
        'TCP4',
        port,
        new TestClientFactory(() => {
          client = new Recorder();
          client.connectionMade = () => {
            try {
              const t = client.transport;
              for (const data of ['a string', 123, null, undefined, [1, 2, 3], { length: 3 }, new ArrayBuffer(3)]) {
                rejects(`write(${describeValue(data)})`, () => t.write(data as never), DATA);
              }
              expect(() => t.write('text' as never)).toThrow(TypeError); // refused as Twisted refuses str
              for (const data of ['abc', 123, null, [Buffer.from('never sent'), 'x'], [Buffer.from('never sent'), 42]]) {
                rejects(`writeSequence(${describeValue(data)})`, () => t.writeSequence(data as never), DATA);
              }
              for (const mark of [-1, 1.5, '1', Number.NaN]) {
                rejects(`setHighWaterMark(${String(mark)})`, () => st(client).setHighWaterMark(mark as number), VALUE);
              }
              t.write(Buffer.from('ok'));
              t.writeSequence([new Uint8Array([0x21])]);
            } catch (err) {
              fail(err);
            }
          };
          client.dataReceived = (d) => {
            client.chunks.push(d);
            if (client.receivedLength >= 3) {
              client.transport.loseConnection();
              port.stopListening();
              echoEveryFamily(reactor, (e) => {
                echoed = e;
                done();
              });
            }
          };
          return client;
        }),
      );
    });
    expect(client.received.toString()).toBe('ok!');
    expect(server.built[0].received.toString()).toBe('ok!');
    expect(echoed).toEqual(ECHOED);
  });
});

function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(describeValue).join(', ')}]`;
  if (Buffer.isBuffer(v)) return 'Buffer';
  return v !== null && typeof v === 'object' ? v.constructor.name : String(v);
}
