// Arbitrary bytes (after a few valid messages) sent to every receiver over real connections,
// rotating through the backends x triggers: nothing is ever logged (no exception reaches the
// reactor), the valid messages arrive, and the bytes held stay under the limit at every read.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Protocol } from '../../../src/index';
import { VARIANTS } from '../../support/reactors';
import { removeSocketDir } from '../../support/streams';
import { KINDS, type Collecting } from './kinds';
import { session } from './net';

afterAll(removeSocketDir);

describe.each(KINDS)('$name over real connections, fuzzed', (kind) => {
  it('survives arbitrary bytes with bounded buffering and nothing logged', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 5 }),
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        async (valid, garbage) => {
          const variant = VARIANTS[run++ % VARIANTS.length]!;
          const messages = valid.map((m) => Buffer.from(kind.forbidden === undefined ? m : m.filter((c) => c !== kind.forbidden && c !== 0x0d)));
          let server: (Protocol & Collecting & { bufferedLength: number }) | undefined;
          let maxHeld = 0;
          const logger = await session(
            variant,
            () => {
              const s = kind.collect() as unknown as Protocol & Collecting & { bufferedLength: number };
              const receive = s.dataReceived.bind(s);
              s.dataReceived = (data: Buffer) => {
                receive(data);
                maxHeld = Math.max(maxHeld, s.bufferedLength);
              };
              return (server = s);
            },
            () => kind.collect(),
            ({ client, done }) => {
              const lost = server!.connectionLost.bind(server!);
              server!.connectionLost = (r) => {
                lost(r);
                done();
              };
              client.transport.write(Buffer.concat([...messages.map(kind.frame), Buffer.from(garbage)]));
              client.transport.loseConnection();
            },
          );
          expect(logger.errors).toEqual([]);
          expect(server!.got.slice(0, messages.length)).toEqual(messages);
          expect(maxHeld).toBeLessThanOrEqual(kind.max + 4);
        },
      ),
      { numRuns: 12 },
    );
  });
});
