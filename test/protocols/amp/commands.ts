// Commands shared by the AMP suites (the interop script defines the same ones in Python).
import { AmpBoolean, AmpList, AmpString, BigInteger, Command, DateTime, Decimal, Float, Integer, ListOf, Unicode } from '../../../src/index';

/** Declared, not fatal. */
export class ZeroDivision extends Error {
  override name = 'ZeroDivision';
}
/** Declared fatal. */
export class Boom extends Error {
  override name = 'Boom';
}

export const Sum = new Command({
  name: 'Sum',
  arguments: { a: new Integer(), b: new Integer() },
  response: { total: new Integer() },
});

export const Divide = new Command({
  name: 'Divide',
  arguments: { numerator: new Integer(), denominator: new Integer() },
  response: { result: new Float() },
  errors: { ZERO_DIVISION: ZeroDivision },
});

export const Explode = new Command({
  name: 'Explode',
  arguments: { how: new Unicode() },
  response: {},
  fatalErrors: { BOOM: Boom },
});

export const Notify = new Command({
  name: 'Notify',
  arguments: { note: new Unicode() },
  requiresAnswer: false,
});

export const Missing = new Command({ name: 'Missing', arguments: { x: new Integer() } });

export const Wait = new Command({ name: 'Wait', arguments: {}, response: { ok: new AmpBoolean() } });

/** Every argument type, echoed back by the responder. */
const everything = {
  i: new Integer(),
  big: new BigInteger(),
  s: new AmpString(),
  fl: new Float(),
  b: new AmpBoolean(),
  u: new Unicode(),
  l: new ListOf(new Integer()),
  lu: new ListOf(new Unicode()),
  al: new AmpList({ x: new Integer(), y: new Unicode({ optional: true }) }),
  dt: new DateTime(),
  d: new Decimal(),
  opt: new Integer({ optional: true }),
} as const;
export const EchoAll = new Command({ name: 'EchoAll', arguments: everything, response: everything });

/** One large bytes value each way. */
export const Blob = new Command({ name: 'Blob', arguments: { data: new AmpString() }, response: { data: new AmpString() } });
