// node:http's server driven by ioreactor connections through DuplexProtocol: keep-alive
// requests, a large body echoed with backpressure, every backend x trigger.
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { describe, expect, it } from 'vitest';
import { DuplexProtocol } from '../../src/index';
import { newReactor, VARIANTS } from '../support/reactors';

function request(agent: http.Agent, port: number, options: http.RequestOptions, body?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, agent, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.each(VARIANTS)('node:http over the Duplex bridge, $name', (variant) => {
  it('answers 50 keep-alive requests on one connection and echoes an 8 MiB body intact', async () => {
    const reactor = newReactor(variant);
    const connections: number[] = [];
    const server = http.createServer((req, res) => {
      if (req.method === 'POST') req.pipe(res);
      else res.end(`ok ${req.url}`);
    });
    const port = reactor.listenTCP(
      0,
      DuplexProtocol.factory((stream) => {
        connections.push(1);
        server.emit('connection', stream);
      }),
      { interface: '127.0.0.1' },
    );
    const running = reactor.run();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const portNumber = port.getHost().port;
      for (let i = 0; i < 50; i++) {
        const r = await request(agent, portNumber, { path: `/${i}` });
        expect(r.status).toBe(200);
        expect(r.body.toString()).toBe(`ok /${i}`);
      }
      const body = randomBytes(8 * 1024 * 1024);
      const echoed = await request(agent, portNumber, { method: 'POST', path: '/echo' }, body);
      expect(echoed.status).toBe(200);
      expect(createHash('sha256').update(echoed.body).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
      expect(connections).toHaveLength(1); // keep-alive: one ioreactor connection served them all
    } finally {
      agent.destroy();
      server.close();
      await port.stopListening();
      reactor.stop();
      await running;
      reactor.close();
    }
  }, 60_000);
});
