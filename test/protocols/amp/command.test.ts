// Commands and the dispatcher without a network (an in-memory loopback): definitions,
// signatures, responder registration and lookup, raw boxes, requiresAnswer=false failures.
import { describe, expect, it } from 'vitest';
import {
  AMP,
  AmpError,
  AmpString,
  Command,
  ConnectionDone,
  Integer,
  InvalidArgTypeError,
  InvalidArgValueError,
  InvalidSignature,
  makeBox,
  RemoteAmpError,
  serializeBox,
  TooLong,
  UnhandledCommand,
  UnknownRemoteError,
  Unicode,
  type AmpBox,
} from '../../../src/index';
import { expectLogged } from '../../support/logged';
import { RecordingLogger } from '../../support/reactors';
import { Blob, Divide, Notify, Sum, ZeroDivision } from './commands';
import { loopback } from './helpers';

const settle = (d: PromiseLike<unknown>): Promise<unknown> =>
  Promise.resolve(d).then(
    (v) => v,
    (e: unknown) => e,
  );

describe('Command definitions', () => {
  it('are checked', () => {
    expect(() => new Command(null as never)).toThrow(InvalidArgTypeError);
    expect(() => new Command({ name: '' })).toThrow(TooLong);
    expect(() => new Command({ name: 'x'.repeat(256) })).toThrow(TooLong);
    expect(() => new Command({ name: '\u0100' })).toThrow(TooLong);
    expect(() => new Command({ name: 5 as never })).toThrow(InvalidArgTypeError);
    expect(() => new Command({ name: 'C', arguments: { a: 1 } as never })).toThrow(InvalidArgTypeError);
    expect(() => new Command({ name: 'C', arguments: { _ask: new Integer() } })).toThrow(InvalidArgValueError);
    expect(() => new Command({ name: 'C', response: { ['k'.repeat(256)]: new Integer() } })).toThrow(TooLong);
    expect(() => new Command({ name: 'C', errors: { E: 'nope' as never } })).toThrow(InvalidArgTypeError);
    expect(() => new Command({ name: 'C', errors: { E: Error }, fatalErrors: { E: Error } })).toThrow(InvalidArgValueError);
    expect(() => new Command({ name: 'C', requiresAnswer: 'no' as never })).toThrow(InvalidArgTypeError);
    expect(String(Sum)).toBe('Command(Sum)');
    expect(Sum.requiresAnswer).toBe(true);
    expect(Notify.requiresAnswer).toBe(false);
  });

  it('encode arguments strictly and responses leniently, as Twisted', () => {
    expect(() => Sum.makeArguments({ a: 1 } as never)).toThrow(/forgot b for Sum/);
    expect(() => Sum.makeArguments({ a: 1, b: 2, c: 3 } as never)).toThrow(InvalidSignature);
    expect(() => Sum.makeArguments({ a: 1, b: null } as never)).toThrow(InvalidSignature);
    expect(Sum.makeResponse({ total: 3, extra: 1 } as never)).toEqual(makeBox({ total: '3' }));
    expect(Sum.parseArguments(makeBox({ a: '1', b: '2', _command: 'Sum', other: 'x' }))).toEqual({ a: 1, b: 2 });
  });

  it('map declared errors to codes (first match, errors before fatalErrors) and back', () => {
    class Sub extends ZeroDivision {}
    expect(Divide.codeFor(new Sub('x'))).toEqual({ code: 'ZERO_DIVISION', fatal: false });
    expect(Divide.codeFor(new Error('x'))).toBeUndefined();
    expect(Divide.codeFor('a string')).toBeUndefined();
    expect(Divide.classFor('ZERO_DIVISION')).toBe(ZeroDivision);
  });
});

describe('the dispatcher', () => {
  it('dispatches to class responders, inherited and overridden, and to per-connection ones first', async () => {
    class Base extends AMP {}
    class Derived extends Base {}
    const Name = new Command({ name: 'Name', response: { who: new Unicode() } });
    Name.responder(Base, () => ({ who: 'base' }));
    Sum.responder(Base, ({ a, b }) => ({ total: a + b }));
    Sum.responder(Derived, ({ a, b }) => ({ total: a * b }));
    const { a, b } = loopback(new AMP(), new Derived());
    expect(await a.callRemote(Name, {})).toEqual({ who: 'base' });
    expect(await a.callRemote(Sum, { a: 3, b: 4 })).toEqual({ total: 12 });
    b.respond(Sum, ({ a: x, b: y }) => ({ total: x - y }));
    expect(await a.callRemote(Sum, { a: 3, b: 4 })).toEqual({ total: -1 });
    const { a: a2 } = loopback(new AMP(), new Base());
    expect(await a2.callRemote(Sum, { a: 3, b: 4 })).toEqual({ total: 7 });
    a.transport.loseConnection();
    a2.transport.loseConnection();
  });

  it('lets locateResponder be overridden for raw boxes, and callRemoteString send them', async () => {
    class Raw extends AMP {
      override locateResponder(name: string) {
        if (name !== 'RAW') return super.locateResponder(name);
        return (box: AmpBox) => makeBox({ got: box.get('x')!, n: String(box.size) });
      }
    }
    const logger = new RecordingLogger();
    expectLogged(/ERR_IOREACTOR_INVALID_ARG_TYPE|TypeError/);
    const { a } = loopback(new AMP(), new Raw({ logger }));
    const answer = await a.callRemoteString('RAW', makeBox({ x: '\xff\x00' }))!;
    expect(answer.get('got')).toEqual(Buffer.from([0xff, 0]));
    expect(answer.get('n')!.toString()).toBe('3'); // x, _command, _ask
    expect(answer.get('_answer')!.toString()).toBe('1');
    expect(await settle(a.callRemoteString('NOPE', new Map())!)).toBeInstanceOf(UnhandledCommand);
    // No x: the raw responder throws, and with no _ask to answer the connection is dropped and logged.
    expect(a.callRemoteString('RAW', new Map(), false)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 0));
    expect(logger.errors.map((e) => (e.error as { code?: string }).code)).toEqual(['ERR_IOREACTOR_INVALID_ARG_TYPE']);
    expect(a.connected).toBe(false);
  });

  it('fails bad arguments without sending anything; throws for requiresAnswer=false', async () => {
    const { a, wire } = loopback(new AMP(), new AMP());
    expect(await settle(a.callRemote(Sum, { a: 1 } as never))).toBeInstanceOf(InvalidSignature);
    expect(await settle(a.callRemote(Sum, { a: 1, b: 2, z: 1 } as never))).toBeInstanceOf(InvalidSignature);
    expect(await settle(a.callRemote(Sum, { a: 1.5, b: 2 }))).toBeInstanceOf(InvalidArgValueError);
    expect(await settle(a.callRemote(Blob, { data: Buffer.alloc(65536) }))).toBeInstanceOf(TooLong);
    expect(() => a.callRemote(Notify, { note: 5 as never })).toThrow(InvalidArgTypeError);
    expect(() => a.callRemote({} as never, {} as never)).toThrow(InvalidArgTypeError);
    expect(wire.a).toEqual([]);
    a.transport.loseConnection();
  });

  it('fails calls made before the connection, and after it with the reason it went', async () => {
    const early = new AMP();
    const err = await settle(early.callRemote(Sum, { a: 1, b: 1 }));
    expect(err).toBeInstanceOf(AmpError);
    expect((err as AmpError).code).toBe('ERR_IOREACTOR_AMP');
    expect(() => early.callRemote(Notify, { note: 'x' })).toThrow(AmpError);
    const { a } = loopback(new AMP(), new AMP());
    a.transport.loseConnection();
    await new Promise((r) => setTimeout(r, 0));
    expect(await settle(a.callRemote(Sum, { a: 1, b: 1 }))).toBeInstanceOf(ConnectionDone);
    expect(a.callRemote(Notify, { note: 'x' })).toBeUndefined();
  });

  it('drops the connection when a requiresAnswer=false responder fails (nobody to tell), and logs it', async () => {
    const logger = new RecordingLogger();
    expectLogged(/dropping the connection.*Error: no/);
    const server = new AMP({ logger });
    server.respond(Notify, () => {
      throw new Error('no');
    });
    let lost = false;
    const client = new AMP();
    client.connectionLost = () => void (lost = true);
    loopback(client, server);
    client.callRemote(Notify, { note: 'x' });
    await new Promise((r) => setTimeout(r, 0));
    expect(lost).toBe(true);
    expect(logger.errors.map((e) => (e.error as Error).message)).toEqual(['no']);
  });

  it('passes a RemoteAmpError thrown by a responder with its own code; undeclared codes become UnknownRemoteError', async () => {
    const server = new AMP();
    server.respond(Sum, () => {
      throw new RemoteAmpError('CUSTOM', 'custom trouble ☃');
    });
    const { a } = loopback(new AMP(), server);
    const err = await settle(a.callRemote(Sum, { a: 1, b: 1 }));
    expect(err).toBeInstanceOf(UnknownRemoteError);
    expect(err).toMatchObject({ errorCode: 'UNKNOWN', description: 'custom trouble ☃', code: 'ERR_IOREACTOR_AMP_UNKNOWN_REMOTE_ERROR' });
    const raw = await settle(a.callRemoteString('Sum', makeBox({ a: '1', b: '1' }))!);
    expect(raw).toBeInstanceOf(RemoteAmpError);
    expect(raw).toMatchObject({ errorCode: 'CUSTOM', fatal: false });
    a.transport.loseConnection();
  });

  it('writes the same bytes as Twisted for a call and its answer', async () => {
    const server = new AMP();
    server.respond(Sum, ({ a, b }) => ({ total: a + b }));
    const { a, wire } = loopback(new AMP(), server);
    await a.callRemote(Sum, { a: 1, b: 2 });
    expect(wire.a[0]).toEqual(serializeBox(makeBox({ _ask: '1', _command: 'Sum', a: '1', b: '2' })));
    expect(wire.b[0]).toEqual(Buffer.from('\x00\x07_answer\x00\x011\x00\x05total\x00\x013\x00\x00', 'latin1'));
    a.transport.loseConnection();
  });

  it('refuses bad options and bad respond() calls', () => {
    expect(() => new AMP({ maxBoxBytes: 0 })).toThrow(InvalidArgValueError);
    expect(() => new AMP(null as never)).toThrow(InvalidArgTypeError);
    // @ts-expect-error: deliberately not a Command, to check that respond() refuses it at run time
    expect(() => new AMP().respond({}, () => ({}))).toThrow(InvalidArgTypeError);
    expect(() => new AMP().respond(Sum, 5 as never)).toThrow(InvalidArgTypeError);
    expect(() => Sum.responder(5 as never, () => ({ total: 1 }))).toThrow(InvalidArgTypeError);
    expect(new AmpString().optional).toBe(false);
  });
});
