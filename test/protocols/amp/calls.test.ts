// AMP over real connections, every backend x trigger mode (TCP4; TCP6 and UNIX for the basics):
// calls and answers, every argument type, declared, fatal, undeclared and unhandled errors,
// Deferred and promise responders, requiresAnswer=false, calls both ways.
import { afterAll, describe, expect, it } from 'vitest';
import {
  AMP,
  AmpDateTime,
  BadLocalReturn,
  ConnectionDone,
  ConnectionLost,
  TooLong,
  Deferred,
  gatherResults,
  UnhandledCommand,
  UnknownRemoteError,
  type ArgumentsOf,
} from '../../../src/index';
import { expectLogged } from '../../support/logged';
import { RecordingLogger, VARIANTS } from '../../support/reactors';
import { removeSocketDir, type FamilyName } from '../../support/streams';
import { Blob, Boom, Divide, EchoAll, Explode, Missing, Notify, Sum, ZeroDivision } from './commands';
import { sleep, withPair } from './helpers';

afterAll(removeSocketDir);

/** The protocol every server in this file speaks. */
class Calculator extends AMP {
  notes: string[] = [];
}
Sum.responder(Calculator, ({ a, b }) => ({ total: a + b }));
Divide.responder(Calculator, ({ numerator, denominator }) => {
  if (denominator === 0) throw new ZeroDivision('division by zero');
  return { result: numerator / denominator };
});
Explode.responder(Calculator, ({ how }) => {
  if (how === 'fatal') throw new Boom('boom!');
  if (how === 'undeclared') throw new RangeError('not declared');
  if (how === 'bad-return') return { nonsense: 1 } as never;
  return {};
});
Notify.responder(Calculator, function ({ note }) {
  this.notes.push(note);
  return {};
});
EchoAll.responder(Calculator, (args) => args);
Blob.responder(Calculator, ({ data }) => ({ data: Buffer.from(data).reverse() }));

export const ECHO_VALUES: ArgumentsOf<typeof EchoAll> = {
  i: -42,
  big: 2n ** 100n,
  s: Buffer.from([0, 1, 2, 255]),
  fl: 0.1,
  b: true,
  u: 'héllo ☃ \u{1F600}',
  l: [1, 2, 3],
  lu: ['', 'two', 'drei'],
  al: [{ x: 1, y: 'one' }, { x: 2 }],
  dt: new AmpDateTime({ year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 58, microsecond: 123456, utcOffset: -330 }),
  d: '-1.50E+3',
};

const cases = VARIANTS.flatMap((v) => (['TCP4', 'TCP6', 'UNIX'] as FamilyName[]).map((family) => ({ ...v, family, label: `${v.name} ${family}` })));

describe.each(cases)('AMP calls, $label', (variant) => {
  const run = (body: Parameters<typeof withPair<Calculator, AMP>>[4], logger = new RecordingLogger()) =>
    withPair(
      variant,
      variant.family,
      () => new Calculator({ logger }),
      () => new AMP({ logger }),
      body,
    );

  it('answers a call with its typed response, and many calls in flight', async () => {
    await run(async ({ client }) => {
      expect(await client.callRemote(Sum, { a: 1, b: 2 })).toEqual({ total: 3 });
      const many = await gatherResults(Array.from({ length: 200 }, (_, i) => client.callRemote(Sum, { a: i, b: 1 })));
      expect(many.map((r) => r.total)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    });
  });

  it('round-trips every argument type, with an optional one left out and given', async () => {
    await run(async ({ client }) => {
      const out = await client.callRemote(EchoAll, ECHO_VALUES);
      expect(out).toEqual({ ...ECHO_VALUES, s: Buffer.from([0, 1, 2, 255]) });
      expect('opt' in out).toBe(false);
      expect((await client.callRemote(EchoAll, { ...ECHO_VALUES, opt: 7 })).opt).toBe(7);
      expect('opt' in (await client.callRemote(EchoAll, { ...ECHO_VALUES, opt: null }))).toBe(false);
    });
  });

  it('carries 65 535-byte values both ways; 65 536 bytes fail locally with TooLong', async () => {
    await run(async ({ client }) => {
      const data = Buffer.alloc(65535);
      for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
      const calls = Array.from({ length: 8 }, () => client.callRemote(Blob, { data }));
      for (const r of await gatherResults(calls)) expect(r.data.equals(Buffer.from(data).reverse())).toBe(true);
      await expect(client.callRemote(Blob, { data: Buffer.alloc(65536) })).rejects.toBeInstanceOf(TooLong);
      expect((await client.callRemote(Blob, { data: Buffer.alloc(0) })).data.length).toBe(0);
    });
  });
});

describe.each(VARIANTS.map((v) => ({ ...v, family: 'TCP4' as FamilyName })))('AMP errors and responders, $name TCP4', (variant) => {
  const run = (body: Parameters<typeof withPair<Calculator, AMP>>[4], logger = new RecordingLogger()) =>
    withPair(
      variant,
      variant.family,
      () => new Calculator({ logger }),
      () => new AMP({ logger }),
      body,
    );

  it('fails a call with the declared error class and keeps the connection', async () => {
    await run(async ({ client }) => {
      const err = await client.callRemote(Divide, { numerator: 1, denominator: 0 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ZeroDivision);
      expect((err as Error).message).toBe('division by zero');
      expect(await client.callRemote(Divide, { numerator: 1, denominator: 4 })).toEqual({ result: 0.25 });
    });
  });

  it('answers UNHANDLED for a command with no responder, and keeps the connection', async () => {
    await run(async ({ client }) => {
      const err = await client.callRemote(Missing, { x: 1 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UnhandledCommand);
      expect(err).toMatchObject({ code: 'ERR_IOREACTOR_AMP_UNHANDLED_COMMAND', errorCode: 'UNHANDLED', description: "Unhandled Command: b'Missing'" });
      expect(await client.callRemote(Sum, { a: 2, b: 2 })).toEqual({ total: 4 });
    });
  });

  it('delivers a fatal declared error and then closes the connection', async () => {
    await run(async ({ client, bothLost }) => {
      const err = await client.callRemote(Explode, { how: 'fatal' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Boom);
      expect((err as Error).message).toBe('boom!');
      await bothLost;
      const after = await client.callRemote(Sum, { a: 1, b: 1 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(after).toBeInstanceOf(ConnectionDone);
    });
  });

  it('answers an undeclared error with UNKNOWN, logs it on the responder side and closes', async () => {
    const logger = new RecordingLogger();
    const logged = expectLogged(/responder to Explode.*RangeError/);
    await run(async ({ client, bothLost }) => {
      const err = await client.callRemote(Explode, { how: 'undeclared' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UnknownRemoteError);
      expect(err).toMatchObject({ errorCode: 'UNKNOWN', description: 'Unknown Error' });
      await bothLost;
    }, logger);
    expect(logger.errors.map((e) => e.error)).toEqual([expect.any(RangeError)]);
    expect(logged.errors).toEqual([expect.any(RangeError)]);
  });

  it('answers a response that cannot be encoded with UNKNOWN (BadLocalReturn, logged) and closes', async () => {
    const logger = new RecordingLogger();
    expectLogged(/BadLocalReturn.*safe integer/);
    await run(async ({ client, server, bothLost }) => {
      server.respond(Sum, () => ({ total: 1.5 }));
      const err = await client.callRemote(Sum, { a: 1, b: 1 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UnknownRemoteError);
      await bothLost;
    }, logger);
    expect(logger.errors.map((e) => e.error)).toEqual([expect.any(BadLocalReturn)]);
    expect((logger.errors[0].error as BadLocalReturn).message).toMatch(/safe integer/);
  });

  it('accepts extra response keys (ignored, as in Twisted)', async () => {
    await run(async ({ client }) => {
      expect(await client.callRemote(Explode, { how: 'bad-return' })).toEqual({});
    });
  });

  it('waits for Deferred and promise results of responders', async () => {
    await run(async ({ reactor, client, server }) => {
      server.respond(Sum, ({ a, b }) => {
        const d = new Deferred<{ total: number }>();
        reactor.callLater(0.01, () => d.callback({ total: a * b }));
        return d;
      });
      server.respond(Divide, async ({ numerator, denominator }) => {
        await sleep(reactor, 0.01);
        if (denominator === 0) throw new ZeroDivision('async zero');
        return { result: numerator / denominator };
      });
      expect(await client.callRemote(Sum, { a: 3, b: 4 })).toEqual({ total: 12 });
      expect(await client.callRemote(Divide, { numerator: 3, denominator: 2 })).toEqual({ result: 1.5 });
      await expect(client.callRemote(Divide, { numerator: 3, denominator: 0 })).rejects.toThrow('async zero');
    });
  });

  it('sends requiresAnswer=false commands without a tag and returns undefined', async () => {
    await run(async ({ client, server }) => {
      expect(client.callRemote(Notify, { note: 'first' })).toBeUndefined();
      expect(client.callRemote(Notify, { note: 'second' })).toBeUndefined();
      expect(await client.callRemote(Sum, { a: 0, b: 0 })).toEqual({ total: 0 });
      expect(server.notes).toEqual(['first', 'second']);
      expect(client.outstandingCalls).toBe(0);
    });
  });

  it('calls the other way, from the server to the client', async () => {
    await withPair(
      variant,
      'TCP4',
      () => new AMP(),
      () => new Calculator(),
      async ({ server }) => {
        expect(await server.callRemote(Sum, { a: 20, b: 22 })).toEqual({ total: 42 });
      },
    );
  });

  it("fails outstanding calls with the transport's reason when the connection goes", async () => {
    await run(async ({ reactor, client, server }) => {
      server.respond(Sum, () => new Deferred<{ total: number }>()); // never answers
      const calls = [client.callRemote(Sum, { a: 1, b: 1 }), client.callRemote(Sum, { a: 2, b: 2 })];
      const outcomes = calls.map((d) =>
        d.then(
          () => 'answered',
          (e: unknown) => e,
        ),
      );
      await sleep(reactor, 0.02);
      expect(client.outstandingCalls).toBe(2);
      server.transport.loseConnection();
      for (const o of await Promise.all(outcomes)) expect(o).toBeInstanceOf(ConnectionDone);
      expect(client.outstandingCalls).toBe(0);
    });
  });

  it('fails outstanding calls with ConnectionLost when the peer resets the connection', async () => {
    await run(async ({ reactor, client, server }) => {
      // Closing a socket with unread data makes the kernel answer with a reset (RST).
      server.transport.pauseProducing();
      await sleep(reactor, 0.01);
      const outcome = client.callRemote(Sum, { a: 1, b: 1 }).then(
        () => 'answered',
        (e: unknown) => e,
      );
      await sleep(reactor, 0.02);
      server.transport.abortConnection();
      const err = await outcome;
      expect(err).toBeInstanceOf(ConnectionLost);
      expect(
        await client.callRemote(Sum, { a: 1, b: 1 }).then(
          () => 'answered',
          (e: unknown) => e,
        ),
      ).toBe(err);
    });
  });

  it('answers 1000 concurrent calls', async () => {
    await run(async ({ client }) => {
      const calls = Array.from({ length: 1000 }, (_, i) => client.callRemote(Sum, { a: i, b: i }));
      const results = await gatherResults(calls);
      expect(results.every((r, i) => r.total === 2 * i)).toBe(true);
    });
  });
});
