// listenTCP's reusePort option: several reactors (here two in one thread) listen on one port and
// the kernel spreads connections among them; without the option the second bind is refused.
import { connect as netConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Factory, Protocol, ReactorSystemError, type Reactor } from '../../src/index';
import { newReactor, VARIANTS } from '../support/reactors';

const CONNECTIONS = 40;

/** Answers each connection's first bytes with the name of the reactor that accepted it, then closes. */
function namingFactory(name: string): Factory {
  class Namer extends Protocol {
    override dataReceived(): void {
      this.transport.write(Buffer.from(name));
      this.transport.loseConnection();
    }
  }
  return Factory.forProtocol(Namer);
}

/** Connects, sends one byte and resolves with the whole reply (bounded by a 10 s timeout). */
function ask(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('no reply within 10 s')));
    socket.on('connect', () => socket.write('?'));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
}

async function withRunning<T>(reactors: Reactor[], body: () => Promise<T>): Promise<T> {
  const runs = reactors.map((r) => r.run());
  try {
    return await body();
  } finally {
    for (const r of reactors) if (r.running) r.stop();
    await Promise.all(runs);
    for (const r of reactors) r.close();
  }
}

describe.each(VARIANTS)('listenTCP reusePort on $name', (variant) => {
  it('lets two reactors in one thread listen on one port, and both accept connections', async () => {
    const a = newReactor(variant);
    const b = newReactor(variant);
    const portA = a.listenTCP(0, namingFactory('a'), { interface: '127.0.0.1', reusePort: true });
    const port = (portA.getHost() as { port: number }).port;
    const portB = b.listenTCP(port, namingFactory('b'), { interface: '127.0.0.1', reusePort: true });
    expect((portB.getHost() as { port: number }).port).toBe(port);
    const replies = await withRunning([a, b], () => Promise.all(Array.from({ length: CONNECTIONS }, () => ask(port))));
    expect(replies.filter((r) => r !== 'a' && r !== 'b')).toEqual([]);
    // The kernel hashes each connection's addresses onto one socket of the group: all 40 on one
    // socket would be a one-in-2^39 chance.
    expect(replies.filter((r) => r === 'a').length).toBeGreaterThan(0);
    expect(replies.filter((r) => r === 'b').length).toBeGreaterThan(0);
  });

  it('refuses the second bind with EADDRINUSE when either socket lacks reusePort', () => {
    const a = newReactor(variant);
    const b = newReactor(variant);
    try {
      const port = (a.listenTCP(0, namingFactory('a'), { interface: '127.0.0.1' }).getHost() as { port: number }).port;
      let plain: unknown;
      try {
        b.listenTCP(port, namingFactory('b'), { interface: '127.0.0.1' });
      } catch (err) {
        plain = err;
      }
      expect(plain).toBeInstanceOf(ReactorSystemError);
      expect((plain as ReactorSystemError).code).toBe('EADDRINUSE');
      let oneSided: unknown;
      try {
        b.listenTCP(port, namingFactory('b'), { interface: '127.0.0.1', reusePort: true });
      } catch (err) {
        oneSided = err;
      }
      expect((oneSided as ReactorSystemError).code).toBe('EADDRINUSE');
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('listenTCP reusePort option', () => {
  it('must be a boolean', () => {
    const r = newReactor(VARIANTS[0]);
    try {
      expect(() => r.listenTCP(0, namingFactory('a'), { interface: '127.0.0.1', reusePort: 'yes' as never })).toThrow(
        expect.objectContaining({ name: 'InvalidArgTypeError', code: 'ERR_IOREACTOR_INVALID_REUSE_PORT' }),
      );
      expect(r.listeningPorts()).toEqual([]);
    } finally {
      r.close();
    }
  });

  it('is reflected by listeningPorts() and connectionCount', () => {
    const r = newReactor(VARIANTS[0]);
    try {
      const p = r.listenTCP(0, namingFactory('a'), { interface: '127.0.0.1', reusePort: true });
      expect(r.listeningPorts()).toEqual([p]);
      expect(r.connectionCount).toBe(0);
      void p.stopListening();
      expect(r.listeningPorts()).toEqual([]);
    } finally {
      r.close();
    }
    expect(r.listeningPorts()).toEqual([]);
  });
});
