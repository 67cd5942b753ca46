// What a watching tool sees: NODE_DEBUG=ioreactor traces on stderr, and diagnostics_channel
// messages for every connection opened and closed.
import { spawnSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectionDone, type Failure } from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { connect, listen, Recorder, TestClientFactory, TestServerFactory } from '../support/streams';

const root = path.join(__dirname, '..', '..');

// One echo round trip over TCP on 127.0.0.1, in a child process whose environment we choose.
const roundTrip = `
  const { Reactor, Protocol, Factory, ClientFactory } = require(${JSON.stringify(path.join(root, 'lib', 'index.js'))});
  const reactor = new Reactor();
  class Echo extends Protocol { dataReceived(d) { this.transport.write(d); } }
  const port = reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
  class Client extends Protocol {
    connectionMade() { this.transport.write(Buffer.from('ping')); }
    dataReceived() { this.transport.loseConnection(); }
    connectionLost() { port.stopListening(); reactor.callLater(0.05, () => reactor.stop()); }
  }
  const factory = new ClientFactory(); factory.protocol = Client;
  reactor.connectTCP('127.0.0.1', port.getHost().port, factory);
  reactor.callLater(5, () => reactor.stop());
  reactor.run().then(() => reactor.close());
`;

function runChild(env: NodeJS.ProcessEnv): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', roundTrip], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('NODE_DEBUG=ioreactor', () => {
  it('traces registrations, batches and closes on stderr, util.debuglog style', () => {
    const r = runChild({ NODE_DEBUG: 'ioreactor' });
    expect(r.status).toBe(0);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => /^IOREACTOR \d+: /.test(l))).toBe(true);
    const text = lines.map((l) => l.replace(/^IOREACTOR \d+: /, '')).join('\n');
    expect(text).toMatch(/^listening: slot \d+, .*127\.0\.0\.1/m);
    expect(text).toMatch(/^connecting: slot \d+$/m);
    expect(text).toMatch(/^batch: \d+ records$/m);
    expect(text.match(/^connection open: slot \d+$/gm)).toHaveLength(2);
    expect(text.match(/^connection closed: slot \d+, ConnectionDone$/gm)).toHaveLength(2);
    expect(text).toMatch(/^stopped listening: slot \d+$/m);
  });

  it('writes nothing without it', () => {
    const r = runChild({ NODE_DEBUG: '' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('diagnostics_channel', () => {
  it('publishes every connection opened and closed, with its transport, protocol and reason', async () => {
    const reactor = newReactor(VARIANTS[0]);
    const opened: { transport: unknown; protocol: unknown }[] = [];
    const closed: { transport: unknown; protocol: unknown; reason: Failure }[] = [];
    const onOpen = (m: unknown): void => void opened.push(m as (typeof opened)[number]);
    const onClose = (m: unknown): void => void closed.push(m as (typeof closed)[number]);
    subscribe('ioreactor:connection:open', onOpen);
    subscribe('ioreactor:connection:close', onClose);
    const server = new Recorder();
    const client = new Recorder();
    try {
      await runReactor(reactor, (done) => {
        const port = listen(reactor, 'TCP4', new TestServerFactory(() => server));
        client.connectionMade = () => client.transport.loseConnection();
        server.onLost = () => {
          port.stopListening();
          done();
        };
        connect(reactor, 'TCP4', port, new TestClientFactory(() => client));
      });
    } finally {
      unsubscribe('ioreactor:connection:open', onOpen);
      unsubscribe('ioreactor:connection:close', onClose);
    }
    expect(opened).toHaveLength(2);
    expect(opened.map((m) => m.protocol)).toEqual(expect.arrayContaining([server, client]));
    expect(opened.every((m) => m.transport === (m.protocol as Recorder).transport)).toBe(true);
    expect(closed).toHaveLength(2);
    expect(closed.map((m) => m.protocol)).toEqual(expect.arrayContaining([server, client]));
    expect(closed.every((m) => m.reason.check(ConnectionDone) !== null)).toBe(true);
  });
});
