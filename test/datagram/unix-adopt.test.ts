// UNIX datagram ports both ways with their addresses (paths, abstract names, unnamed senders),
// and adoptDatagramPort: a UDP descriptor works, a TCP socket or a pipe is refused with a typed
// error and nothing left open. Every backend x trigger.
import * as dgram from 'node:dgram';
import { existsSync, statSync } from 'node:fs';
import * as net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeDescriptor, DatagramProtocol, openPipe, ReactorSystemError, UNIXAddress, type IPv4Address } from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { removeSocketDir, socketPath } from '../support/streams';
import { closeNodeSockets, Echo, Recorder } from './support';

afterAll(removeSocketDir);
const opened: dgram.Socket[] = [];
afterEach(() => closeNodeSockets(opened));

const fdOf = (handleOwner: unknown): number => (handleOwner as { _handle: { fd: number } })._handle.fd;

describe.each(VARIANTS)('UNIX datagrams and adopted ports on $name', (variant) => {
  it('exchanges UNIX datagrams both ways, each side seeing the other by its path', async () => {
    const reactor = newReactor(variant);
    const serverPath = socketPath();
    const clientPath = socketPath();
    const server = new Recorder();
    const client = new Recorder();
    await runReactor(reactor, (done) => {
      const serverPort = reactor.listenUNIXDatagram(serverPath, server, { mode: 0o600 });
      expect(statSync(serverPath).mode & 0o777).toBe(0o600);
      expect(serverPort.getHost()).toEqual(new UNIXAddress(serverPath));
      server.onDatagram = (data, addr) => serverPort.write(Buffer.concat([Buffer.from('re: '), data]), addr);
      const clientPort = reactor.connectUNIXDatagram(serverPath, client, { bindAddress: clientPath });
      client.onDatagram = () => {
        if (client.received.length === 2) done();
      };
      clientPort.write(Buffer.from('hello')); // connected: no address needed
      clientPort.write(Buffer.from('again'), serverPath);
    });
    expect(client.received.map((r) => r.data.toString()).sort()).toEqual(['re: again', 're: hello']);
    expect(client.received.map((r) => r.addr)).toEqual([new UNIXAddress(serverPath), new UNIXAddress(serverPath)]);
    expect(server.received.map((r) => r.addr)).toEqual([new UNIXAddress(clientPath), new UNIXAddress(clientPath)]);
    // Both sockets' files are removed when the ports stop.
    expect(existsSync(serverPath)).toBe(false);
    expect(existsSync(clientPath)).toBe(false);
  });

  it('reports an unbound sender as UNIXAddress(null), and serves abstract names', async () => {
    const reactor = newReactor(variant);
    const server = new Recorder();
    const abstract = process.platform === 'linux' ? `\0ioreactor-dgram-${process.pid}-${variant.name}` : undefined;
    const path = abstract ?? socketPath();
    await runReactor(reactor, (done) => {
      reactor.listenUNIXDatagram(path, server);
      const client = reactor.connectUNIXDatagram(path, new DatagramProtocol());
      server.onDatagram = () => done();
      client.write(Buffer.from('anonymous'));
    });
    expect(server.received.map((r) => [r.data.toString(), r.addr])).toEqual([['anonymous', new UNIXAddress(null)]]);
  });

  it('refuses connectUNIXDatagram to a path nobody listens on, leaving nothing open', async () => {
    const reactor = newReactor(variant);
    let refused: unknown;
    const protocol = new Recorder();
    await runReactor(reactor, (done) => {
      try {
        reactor.connectUNIXDatagram(socketPath(), protocol);
      } catch (err) {
        refused = err;
      }
      done();
    });
    expect(refused).toBeInstanceOf(ReactorSystemError);
    expect((refused as { code: string }).code).toBe('ENOENT');
    expect(protocol.started).toBe(0);
  });

  it('adopts a UDP socket (a duplicate: the caller still owns its own) and serves it', async () => {
    const reactor = newReactor(variant);
    const owner = dgram.createSocket('udp4');
    opened.push(owner);
    await new Promise<void>((resolve) => owner.bind(0, '127.0.0.1', resolve));
    // node:dgram reads its socket as soon as it is bound: stop it, or it takes the datagrams.
    (owner as unknown as { _handle: { recvStop(): void } })._handle.recvStop();
    const peer = dgram.createSocket('udp4');
    opened.push(peer);
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
    let reply = '';
    let host: IPv4Address | undefined;
    await runReactor(reactor, (done) => {
      const port = reactor.adoptDatagramPort(fdOf(owner), 'INET', new Echo());
      host = port.getHost() as IPv4Address;
      peer.on('message', (m) => {
        reply = m.toString();
        done();
      });
      peer.send('adopted', owner.address().port, '127.0.0.1');
    });
    expect(reply).toBe('adopted');
    expect(host?.port).toBe(owner.address().port);
    expect(host?.type).toBe('UDP');
  });

  it('refuses to adopt a TCP socket, a pipe, a closed descriptor or the wrong family, with typed errors and no leak', async () => {
    const reactor = newReactor(variant);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const [readEnd, writeEnd] = openPipe();
    const udp = dgram.createSocket('udp4');
    opened.push(udp);
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const errors: Record<string, unknown> = {};
    const protocol = new Recorder();
    try {
      await runReactor(reactor, (done) => {
        const attempt = (label: string, fd: number, family: 'INET' | 'INET6' | 'UNIX'): void => {
          try {
            reactor.adoptDatagramPort(fd, family, protocol);
          } catch (err) {
            errors[label] = err;
          }
        };
        attempt('tcp', fdOf(server), 'INET');
        attempt('pipe', readEnd, 'INET');
        attempt('wrong family', fdOf(udp), 'INET6');
        const closedFd = openPipe();
        closeDescriptor(closedFd[0]);
        closeDescriptor(closedFd[1]);
        attempt('closed', closedFd[0], 'INET');
        done();
      });
    } finally {
      closeDescriptor(readEnd);
      closeDescriptor(writeEnd);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(errors.tcp).toBeInstanceOf(ReactorSystemError);
    expect((errors.tcp as { code: string }).code).toBe('EINVAL');
    expect((errors.pipe as { code: string }).code).toBe('ENOTSOCK');
    expect((errors['wrong family'] as { code: string }).code).toBe('ERR_IOREACTOR_INVALID_FAMILY');
    expect((errors.closed as { code: string }).code).toBe('EBADF');
    expect(protocol.started).toBe(0);
  });
});
