// Every receiver over real connections, on every backend x trigger (TCP4), and LineReceiver
// over TCP6 and UNIX too: messages up to the limit echo intact in both directions, and input
// over the limit closes the connection through the documented callback, with nothing logged.
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionDone, type Protocol } from '../../../src/index';
import { VARIANTS, type Variant } from '../../support/reactors';
import { removeSocketDir, type FamilyName } from '../../support/streams';
import { KINDS, messagesFor, type Collecting, type Kind } from './kinds';
import { session } from './net';

afterAll(removeSocketDir);

async function echoes(variant: Variant, kind: Kind, family: FamilyName = 'TCP4'): Promise<void> {
  const messages = messagesFor(kind);
  const logger = await session(
    variant,
    () => kind.echo(),
    () => kind.collect(),
    ({ client, done }) => {
      const c = client as unknown as Collecting;
      c.onMessage = () => {
        if (c.got.length === messages.length) done();
      };
      // Half in one write, half one message per write.
      client.transport.write(Buffer.concat(messages.slice(0, 30).map(kind.frame)));
      for (const m of messages.slice(30)) (client as unknown as { send(m: Buffer): void }).send(m);
    },
    { family },
  );
  expect(logger.errors).toEqual([]);
}

async function refuses(variant: Variant, kind: Kind): Promise<void> {
  let server: (Protocol & Collecting) | undefined;
  let lost: unknown;
  const logger = await session(
    variant,
    () => (server = kind.echo()),
    () => kind.collect(),
    ({ client, done }) => {
      const recordLost = client.connectionLost.bind(client);
      client.connectionLost = (reason) => {
        lost = reason.value;
        recordLost(reason);
        done();
      };
      client.transport.write(Buffer.concat([kind.frame(Buffer.from('ok')), kind.oversize, kind.frame(Buffer.from('never'))]));
    },
  );
  expect(logger.errors).toEqual([]);
  expect(lost).toBeInstanceOf(ConnectionDone);
  expect(server!.got.map(String)).toEqual(['ok']);
  expect(server!.refused.length).toBeGreaterThanOrEqual(1);
}

describe.each(VARIANTS)('basic receivers over real connections on $name', (variant) => {
  for (const kind of KINDS) {
    it(`${kind.name} echoes messages up to MAX_LENGTH`, () => echoes(variant, kind));
    it(`${kind.name} closes the connection on input over its limit`, () => refuses(variant, kind));
  }
});

describe('LineReceiver over every family', () => {
  for (const family of ['TCP6', 'UNIX'] as FamilyName[]) {
    it(`echoes over ${family}`, () => echoes(VARIANTS[0]!, KINDS[0]!, family));
  }
});
