// The contract for the bytes dataReceived gets: a private copy by default, a borrowed view of
// the reactor's read arena (valid during the call only) when the protocol opts in.
import { afterAll, describe, expect, it } from 'vitest';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { connect, FAMILIES, listen, Recorder, removeSocketDir, TestClientFactory, TestServerFactory } from '../support/streams';

afterAll(removeSocketDir);

const cases = VARIANTS.flatMap((v) => FAMILIES.map((family) => ({ ...v, family, label: `${v.name} ${family}` })));

async function receiveChunks(variant: (typeof cases)[number], borrow: boolean): Promise<{ chunks: Buffer[]; snapshots: string[] }> {
  const reactor = newReactor(variant);
  const chunks: Buffer[] = [];
  const snapshots: string[] = [];
  const server = new TestServerFactory(() => {
    const p = new Recorder();
    p.borrowData = borrow;
    p.dataReceived = (d) => {
      chunks.push(d);
      snapshots.push(d.toString());
      p.transport.write(Buffer.from('k')); // ask for the next message
    };
    return p;
  });
  await runReactor(reactor, (done) => {
    const port = listen(reactor, variant.family, server);
    connect(
      reactor,
      variant.family,
      port,
      new TestClientFactory(() => {
        const client = new Recorder();
        let sent = 0;
        const next = (): void => {
          if (sent === 5) {
            client.transport.loseConnection();
            port.stopListening();
            reactor.callLater(0.02, done);
            return;
          }
          client.transport.write(Buffer.from(`chunk-${sent++}`));
        };
        client.connectionMade = next;
        client.dataReceived = next;
        return client;
      }),
    );
  });
  return { chunks, snapshots };
}

describe.each(cases)('dataReceived bytes, $label', (variant) => {
  it('are a private copy by default: kept buffers never change', async () => {
    const { chunks, snapshots } = await receiveChunks(variant, false);
    expect(snapshots).toEqual(['chunk-0', 'chunk-1', 'chunk-2', 'chunk-3', 'chunk-4']);
    expect(chunks.map((c) => c.toString())).toEqual(snapshots);
    // Each is its own memory, not a window on a shared arena.
    expect(chunks.every((c) => c.buffer.byteLength < 1024 * 1024)).toBe(true);
  });

  it('are a view of the shared read arena with borrowData, valid only during the call', async () => {
    const { chunks, snapshots } = await receiveChunks(variant, true);
    expect(snapshots).toEqual(['chunk-0', 'chunk-1', 'chunk-2', 'chunk-3', 'chunk-4']);
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(1);
    expect(chunks[0].buffer.byteLength).toBe(1024 * 1024);
  });
});
