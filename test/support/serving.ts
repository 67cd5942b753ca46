// Checks shared by the bad-input suites: typed rejections with stable codes, and proof that a
// reactor still serves (a fresh echo over TCP4, TCP6 and UNIX).
import { expect } from 'vitest';
import { Factory, InvalidArgTypeError, InvalidArgValueError, Protocol, type Port, type Reactor } from '../../src/index';
import { newReactor, runReactor, type Variant } from './reactors';
import { connect, FAMILIES, listen, Recorder, TestClientFactory, type FamilyName } from './streams';

export type ErrorClass = abstract new (...args: never[]) => Error;
export const TYPE: [ErrorClass, string] = [InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_ARG_TYPE'];
export const VALUE: [ErrorClass, string] = [InvalidArgValueError, 'ERR_IOREACTOR_INVALID_ARG_VALUE'];
export const PORT: [ErrorClass, string] = [InvalidArgValueError, 'ERR_IOREACTOR_INVALID_PORT'];
export const ADDRESS: [ErrorClass, string] = [InvalidArgValueError, 'ERR_IOREACTOR_INVALID_ADDRESS'];
export const PATH: [ErrorClass, string] = [InvalidArgValueError, 'ERR_IOREACTOR_INVALID_PATH'];
export const FD: [ErrorClass, string] = [InvalidArgValueError, 'ERR_IOREACTOR_INVALID_FD'];
export const FAMILY: [ErrorClass, string] = [InvalidArgValueError, 'ERR_IOREACTOR_INVALID_FAMILY'];
export const DATA: [ErrorClass, string] = [InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_DATA'];

/** Asserts `f` throws an instance of `type` with `code`; `label` names the case in a failure. */
export function rejects(label: string, f: () => unknown, [type, code]: [ErrorClass, string]): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `${label}: nothing thrown`).toBeDefined();
  expect(err, `${label}: ${String(err)}`).toBeInstanceOf(type);
  expect((err as { code?: string }).code, `${label}: ${String(err)}`).toBe(code);
}

export const NON_FACTORIES: [string, unknown][] = [
  ['null', null],
  ['{}', {}],
  ['a function', () => new Protocol()],
  ['a Protocol', new Protocol()],
];

/** A client factory that counts what happens to it (nothing, after a rejected call). */
export class CountingClientFactory extends TestClientFactory<Recorder> {
  starts = 0;
  attempts = 0;
  constructor() {
    super(() => new Recorder());
  }
  override startFactory(): void {
    this.starts++;
  }
  override startedConnecting(): void {
    this.attempts++;
  }
}

/** Echoes one message over a fresh port and connection in each family, then calls `then`. */
export function echoEveryFamily(reactor: Reactor, then: (echoed: string[]) => void, echoed: string[] = [], i = 0): void {
  if (i === FAMILIES.length) {
    then(echoed);
    return;
  }
  const family = FAMILIES[i];
  const port = listen(
    reactor,
    family,
    Factory.forProtocol(
      class Echo extends Protocol {
        override dataReceived(d: Buffer): void {
          this.transport.write(d);
        }
      },
    ),
  );
  echoThrough(reactor, family, port, `echo ${family}`, (text) => {
    echoed.push(text);
    port.stopListening();
    echoEveryFamily(reactor, then, echoed, i + 1);
  });
}

export function echoThrough(reactor: Reactor, family: FamilyName, port: Port, message: string, then: (text: string) => void): void {
  connect(
    reactor,
    family,
    port,
    new TestClientFactory(() => {
      const c = new Recorder();
      c.connectionMade = () => c.transport.write(Buffer.from(message));
      c.dataReceived = (d) => {
        c.chunks.push(d);
        if (c.receivedLength >= message.length) c.transport.loseConnection();
      };
      c.onLost = () => then(c.received.toString());
      return c;
    }),
  );
}

export const ECHOED = FAMILIES.map((f) => `echo ${f}`);

/** Runs `bad` (synchronous rejections) with the reactor running, then proves it still echoes. */
export async function thenEchoes(variant: Variant, bad: (reactor: Reactor) => void): Promise<void> {
  const reactor = newReactor(variant);
  let echoed: string[] = [];
  await runReactor(reactor, (done) => {
    bad(reactor);
    echoEveryFamily(reactor, (e) => {
      echoed = e;
      done();
    });
  });
  expect(echoed).toEqual(ECHOED);
}
