// A peer that breaks AMP's wire format: the connection is closed with a typed error, pending
// calls fail with it, answers already due are still sent, nothing is thrown into the reactor,
// and memory stays bounded. Every backend x trigger mode, TCP4.
import * as fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AMP, ConnectionDone, MalformedAmpBox, NoEmptyBoxes, serializeBox, makeBox, TooLong, type Failure } from '../../../src/index';
import { allowLogged } from '../../support/logged';
import { newReactor, RecordingLogger, runReactor, VARIANTS, type Variant } from '../../support/reactors';
import { connect, listen, Recorder, removeSocketDir, TestClientFactory, TestServerFactory } from '../../support/streams';
import { Sum } from './commands';

afterAll(removeSocketDir);

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

class Server extends AMP {
  stopReason: Failure | undefined;
  lost: Failure | undefined;
  maxBuffered = 0;
  override dataReceived(data: Buffer): void {
    super.dataReceived(data);
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedBytes);
  }
  override stopReceivingBoxes(reason: Failure): void {
    this.stopReason = reason;
    super.stopReceivingBoxes(reason);
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
    super.connectionLost(reason);
  }
}
Sum.responder(Server, ({ a, b }) => ({ total: a + b }));

interface Outcome {
  server: Server;
  clientReceived: Buffer;
  clientLost: Failure;
  pendingCall: unknown;
  reactorErrors: RecordingLogger['errors'];
  ampErrors: RecordingLogger['errors'];
}

/** Connects a raw client that sends `payload` (in `pieces` writes) to an AMP server and waits for the server to close. */
async function send(variant: Variant, pieces: Buffer[], options: { maxBoxBytes?: number } = {}): Promise<Outcome> {
  const reactorLogger = new RecordingLogger();
  const ampLogger = new RecordingLogger();
  const reactor = newReactor(variant, { logger: reactorLogger });
  const servers = new TestServerFactory(() => new Server({ ...options, logger: ampLogger }));
  let client!: Recorder;
  let pendingCall: unknown = 'not settled';
  await runReactor(reactor, (done) => {
    const port = listen(reactor, 'TCP4', servers);
    connect(
      reactor,
      'TCP4',
      port,
      new TestClientFactory(() => {
        client = new Recorder();
        client.connectionMade = () => {
          // Wait for the server's side, have it call us (the call can never be answered), then misbehave.
          const start = (): void => {
            const server = servers.built[0];
            if (server === undefined || !server.connected) return void reactor.callLater(0.005, start);
            server.callRemote(Sum, { a: 1, b: 2 }).then(
              (r) => (pendingCall = r),
              (e: unknown) => (pendingCall = e),
            );
            for (const p of pieces) client.transport.write(p);
          };
          start();
        };
        client.onLost = () => {
          port.stopListening();
          reactor.callLater(0.01, done);
        };
        return client;
      }),
    );
  });
  return {
    server: servers.built[0],
    clientReceived: client.received,
    clientLost: client.lost!,
    pendingCall,
    reactorErrors: reactorLogger.errors,
    ampErrors: ampLogger.errors,
  };
}

describe.each(VARIANTS)('AMP with a peer that breaks the format, $name', (variant) => {
  function expectClosedWith(o: Outcome, type: abstract new (...a: never[]) => Error, code: string): void {
    expect(o.server.protocolError).toBeInstanceOf(type);
    expect(o.server.protocolError).toHaveProperty('code', code);
    expect(o.server.stopReason?.value).toBe(o.server.protocolError);
    expect(o.pendingCall).toBe(o.server.protocolError);
    expect(o.server.lost?.value).toBeInstanceOf(ConnectionDone);
    expect(o.clientLost.value).toBeInstanceOf(ConnectionDone);
    expect(o.reactorErrors).toEqual([]);
    expect(o.ampErrors).toEqual([]);
  }

  it('closes on a key length over 255 (TooLong)', async () => {
    const o = await send(variant, [b('\x00\x01a\x00\x01b'), b('\x01\x00'), Buffer.alloc(1000, 0x41)]);
    expectClosedWith(o, TooLong, 'ERR_IOREACTOR_AMP_TOO_LONG');
    expect(o.server.protocolError).toMatchObject({ kind: 'key', isLocal: false, length: 256 });
  });

  it('closes on an empty box (NoEmptyBoxes)', async () => {
    expectClosedWith(await send(variant, [b('\x00\x00')]), NoEmptyBoxes, 'ERR_IOREACTOR_AMP_NO_EMPTY_BOXES');
  });

  it('closes on a box with no _command, _answer or _error (NoEmptyBoxes)', async () => {
    expectClosedWith(await send(variant, [serializeBox(makeBox({ _ask: '1', a: '1' }))]), NoEmptyBoxes, 'ERR_IOREACTOR_AMP_NO_EMPTY_BOXES');
  });

  it('closes on an answer to no call (MalformedAmpBox)', async () => {
    expectClosedWith(await send(variant, [serializeBox(makeBox({ _answer: 'ff', total: '3' }))]), MalformedAmpBox, 'ERR_IOREACTOR_AMP_MALFORMED_BOX');
  });

  it('closes on an error box without its code (MalformedAmpBox)', async () => {
    expectClosedWith(
      await send(variant, [serializeBox(makeBox({ _error: '1', _error_description: 'x' }))]),
      MalformedAmpBox,
      'ERR_IOREACTOR_AMP_MALFORMED_BOX',
    );
  });

  it('closes on a box over maxBoxBytes (TooLong box), without buffering past it', async () => {
    const pair = b('\x00\x01k\x03\xe8');
    const pieces = Array.from({ length: 40 }, () => Buffer.concat([pair, Buffer.alloc(1000, 0x61)]));
    const o = await send(variant, pieces, { maxBoxBytes: 10_000 });
    expectClosedWith(o, TooLong, 'ERR_IOREACTOR_AMP_TOO_LONG');
    expect(o.server.protocolError).toMatchObject({ kind: 'box', isLocal: false });
    expect(o.server.maxBuffered).toBeLessThanOrEqual(10_000 + 2 + 65535);
    expect(o.server.bufferedBytes).toBe(0);
  });

  it('still sends the answers due before the bad data, then closes', async () => {
    const call = serializeBox(makeBox({ _command: 'Sum', _ask: '7', a: '40', b: '2' }));
    const o = await send(variant, [Buffer.concat([call, b('\x00\x00')])]);
    expectClosedWith(o, NoEmptyBoxes, 'ERR_IOREACTOR_AMP_NO_EMPTY_BOXES');
    // The server's own call to us comes first, then the answer to ours.
    const boxes = o.clientReceived;
    expect(boxes.includes(serializeBox(makeBox({ _answer: '7', total: '42' })))).toBe(true);
  });

  it('never throws into the reactor and never buffers past its limit, whatever the bytes', async () => {
    const reactorLogger = new RecordingLogger();
    const reactor = newReactor(variant, { logger: reactorLogger });
    const limit = 2048;
    // Garbage can hold a `_command: Sum` whose arguments do not parse. AMP logs that, as Twisted
    // does: with `_ask`, answered UNKNOWN; without, dropping the connection. Nothing else may be
    // logged, and nothing at all by the reactor.
    allowLogged(/^\[amp\] (Unhandled error in the AMP responder to Sum:|AMP server or network failure .*dropping the connection:) MalformedAmpValue/);
    const servers = new TestServerFactory(() => new Server({ maxBoxBytes: limit, logger: new RecordingLogger('amp') }));
    const garbage = fc.array(
      fc.oneof(
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom(b('\x00\x00'), b('\x01\x00'), b('\x00\x08_command\x00\x03Sum'), b('\x00\x04_ask\x00\x011'), b('\x00\x01a\x00\x01x')),
      ),
      { minLength: 1, maxLength: 12 },
    );
    await runReactor(
      reactor,
      (done, fail) => {
        const port = listen(reactor, 'TCP4', servers);
        const once = (pieces: Uint8Array[]): Promise<void> =>
          new Promise((resolve) => {
            const before = servers.built.length;
            connect(
              reactor,
              'TCP4',
              port,
              new TestClientFactory(() => {
                const c = new Recorder();
                c.connectionMade = () => {
                  for (const p of pieces) c.transport.write(Buffer.from(p));
                  // Give the server a moment; then hang up if it did not.
                  reactor.callLater(0.01, () => c.transport.loseConnection());
                };
                c.onLost = () => {
                  const server = servers.built[before];
                  expect(server.maxBuffered).toBeLessThanOrEqual(limit + 2 + 65535);
                  const err = server.protocolError;
                  if (err !== undefined)
                    expect(err instanceof TooLong || err instanceof NoEmptyBoxes || err instanceof MalformedAmpBox, String(err)).toBe(true);
                  resolve();
                };
                return c;
              }, fail),
            );
          });
        fc.assert(fc.asyncProperty(garbage, once), { numRuns: 25 })
          .then(() => port.stopListening())
          .then(() => reactor.callLater(0.01, done), fail);
      },
      20,
    );
    expect(reactorErrorsOf(reactorLogger)).toEqual([]);
  });
});

function reactorErrorsOf(logger: RecordingLogger): string[] {
  return logger.errors.map((e) => `${e.message} ${String(e.error)}`);
}
