// The socket surface of DuplexProtocol's stream (ConnectionStream): the two ends' addresses as
// net.Socket names them, TCP options, and the idle timeout node:http relies on for
// `server.timeout` and `keepAliveTimeout`.
import * as http from 'node:http';
import * as net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { DuplexProtocol, InvalidArgTypeError, InvalidArgValueError, type ConnectionStream, type Port } from '../../src/index';
import { newReactor, VARIANTS } from '../support/reactors';
import { listen, removeSocketDir, type FamilyName } from '../support/streams';

afterAll(removeSocketDir);

const variant = VARIANTS[0]!;

/** Dials `port` with node:net (TCP on the family's loopback address, or the UNIX path). */
function dial(family: FamilyName, port: Port): net.Socket {
  const host = port.getHost();
  if (host.type === 'UNIX') return net.connect(host.name!);
  return net.connect(host.port, family === 'TCP6' ? '::1' : '127.0.0.1');
}

/**
 * Runs a reactor listening with DuplexProtocol on `family`, hands `body` the port and a promise
 * of the next server-side stream (with its protocol), and tears everything down afterwards.
 */
async function withServer(
  family: FamilyName,
  body: (port: Port, nextStream: () => Promise<{ stream: ConnectionStream; protocol: DuplexProtocol }>) => Promise<void>,
): Promise<void> {
  const reactor = newReactor(variant);
  const waiting: ((accepted: { stream: ConnectionStream; protocol: DuplexProtocol }) => void)[] = [];
  const port = listen(
    reactor,
    family,
    DuplexProtocol.factory((stream, protocol) => waiting.shift()?.({ stream, protocol })),
  );
  const running = reactor.run();
  try {
    await body(port, () => new Promise((resolve) => waiting.push(resolve)));
  } finally {
    await port.stopListening();
    reactor.stop();
    await running;
    reactor.close();
  }
}

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));
}

/** Closes both ends (the server's side too: a half-closed DuplexProtocol waits for its own end). */
async function hangUp(client: net.Socket, stream: ConnectionStream): Promise<void> {
  const streamClosed = new Promise((resolve) => (stream.closed ? resolve(undefined) : stream.once('close', resolve)));
  stream.destroy();
  client.destroy();
  await Promise.all([closed(client), streamClosed]);
}

describe.each(['TCP4', 'TCP6'] as const)('ConnectionStream over %s', (family) => {
  it("reports both ends' addresses as net.Socket does, and keeps them after the close", async () => {
    await withServer(family, async (port, nextStream) => {
      const accepted = nextStream();
      const client = dial(family, port);
      const { stream } = await accepted;
      await new Promise((resolve) => (client.connecting ? client.once('connect', resolve) : resolve(undefined)));
      const seen = {
        remoteAddress: stream.remoteAddress,
        remotePort: stream.remotePort,
        remoteFamily: stream.remoteFamily,
        localAddress: stream.localAddress,
        localPort: stream.localPort,
      };
      const expected = {
        remoteAddress: client.localAddress,
        remotePort: client.localPort,
        remoteFamily: family === 'TCP6' ? 'IPv6' : 'IPv4',
        localAddress: family === 'TCP6' ? '::1' : '127.0.0.1',
        localPort: client.remotePort,
      };
      await hangUp(client, stream);
      expect(seen).toEqual(expected);
      expect(stream.remoteAddress).toBe(expected.remoteAddress);
      expect(stream.localPort).toBe(expected.localPort);
    });
  });

  it('sets TCP_NODELAY and SO_KEEPALIVE on the connection, returning the stream', async () => {
    await withServer(family, async (port, nextStream) => {
      const accepted = nextStream();
      const client = dial(family, port);
      const { stream, protocol } = await accepted;
      const states: boolean[] = [];
      expect(stream.setNoDelay(false)).toBe(stream);
      states.push(protocol.transport.getTcpNoDelay());
      stream.setNoDelay();
      states.push(protocol.transport.getTcpNoDelay());
      expect(stream.setKeepAlive(true, 1000)).toBe(stream);
      states.push(protocol.transport.getTcpKeepAlive());
      stream.setKeepAlive(false);
      states.push(protocol.transport.getTcpKeepAlive());
      await hangUp(client, stream);
      expect(states).toEqual([false, true, true, false]);
    });
  });
});

describe('ConnectionStream over a UNIX socket', () => {
  it('has no IP addresses, and its TCP options are no-ops', async () => {
    await withServer('UNIX', async (port, nextStream) => {
      const accepted = nextStream();
      const client = dial('UNIX', port);
      const { stream } = await accepted;
      const seen = [stream.remoteAddress, stream.remotePort, stream.remoteFamily, stream.localAddress, stream.localPort];
      expect(stream.setNoDelay(true).setKeepAlive(true)).toBe(stream);
      await hangUp(client, stream);
      expect(seen).toEqual([undefined, undefined, undefined, undefined, undefined]);
    });
  });
});

describe('ConnectionStream.setTimeout', () => {
  it("emits 'timeout' once the connection is idle, leaves it open, and 0 removes the callback", async () => {
    await withServer('TCP4', async (port, nextStream) => {
      const accepted = nextStream();
      const client = dial('TCP4', port);
      const { stream } = await accepted;
      const unused = (): void => {};
      stream.setTimeout(60_000, unused);
      stream.setTimeout(0, unused);
      const listenersAfterZero = stream.listenerCount('timeout');
      const started = Date.now();
      await new Promise<void>((resolve) => stream.setTimeout(100, resolve));
      const idle = Date.now() - started;
      const stillOpen = !stream.destroyed;
      // Echoing shows the stream still works after the timeout.
      stream.write('after');
      const echoed = await new Promise<string>((resolve) => client.once('data', (d: Buffer) => resolve(d.toString())));
      stream.setTimeout(0);
      await hangUp(client, stream);
      expect(listenersAfterZero).toBe(0);
      expect(idle).toBeGreaterThanOrEqual(90);
      expect(stillOpen).toBe(true);
      expect(echoed).toBe('after');
    });
  });

  it('refuses a negative or non-number timeout and a callback that is not a function, with typed errors', async () => {
    await withServer('TCP4', async (port, nextStream) => {
      const accepted = nextStream();
      const client = dial('TCP4', port);
      const { stream } = await accepted;
      const errors: unknown[] = [];
      for (const call of [
        () => stream.setTimeout(-1),
        () => stream.setTimeout(Number.NaN),
        () => stream.setTimeout('10' as never),
        () => stream.setTimeout(10, 'later' as never),
      ]) {
        try {
          call();
        } catch (error) {
          errors.push(error);
        }
      }
      await hangUp(client, stream);
      expect(errors).toHaveLength(4);
      expect(errors[0]).toBeInstanceOf(InvalidArgValueError);
      expect(errors[1]).toBeInstanceOf(InvalidArgValueError);
      expect((errors[0] as InvalidArgValueError).code).toBe('ERR_IOREACTOR_INVALID_ARG_VALUE');
      expect(errors[2]).toBeInstanceOf(InvalidArgTypeError);
      expect(errors[3]).toBeInstanceOf(InvalidArgTypeError);
      expect((errors[3] as InvalidArgTypeError).code).toBe('ERR_IOREACTOR_INVALID_ARG_TYPE');
    });
  });
});

describe('node:http over ConnectionStream', () => {
  it("sees the client's address in req.socket, and closes an idle keep-alive connection after keepAliveTimeout", async () => {
    const server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ address: req.socket.remoteAddress, port: req.socket.remotePort, family: req.socket.remoteFamily }));
    });
    server.keepAliveTimeout = 200;
    const reactor = newReactor(variant);
    const port = reactor.listenTCP(
      0,
      DuplexProtocol.factory((stream) => server.emit('connection', stream)),
      { interface: '127.0.0.1' },
    );
    const running = reactor.run();
    try {
      const host = port.getHost();
      const client = net.connect(host.type === 'TCP' ? host.port : 0, '127.0.0.1');
      client.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
      let answer = '';
      await new Promise<void>((resolve) =>
        client.on('data', (d: Buffer) => {
          answer += d.toString();
          if (answer.endsWith('}')) resolve();
        }),
      );
      const answeredAt = Date.now();
      const clientEnd = { address: client.localAddress, port: client.localPort, family: 'IPv4' };
      await closed(client); // the server closes it: nothing else would
      const idle = Date.now() - answeredAt;
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { address: string; port: number; family: string };
      expect(answer.startsWith('HTTP/1.1 200')).toBe(true);
      expect(body).toEqual(clientEnd);
      expect(idle).toBeGreaterThanOrEqual(150);
    } finally {
      server.close();
      await port.stopListening();
      reactor.stop();
      await running;
      reactor.close();
    }
  });
});
