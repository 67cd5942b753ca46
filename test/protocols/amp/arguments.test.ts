// Encoding and decoding of every AMP argument type, against the bytes Twisted writes and reads.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AMP,
  AmpBoolean,
  AmpDateTime,
  Argument,
  Command,
  AmpList,
  AmpString,
  BigInteger,
  DateTime,
  Decimal,
  Float,
  Integer,
  InvalidArgTypeError,
  InvalidArgValueError,
  ListOf,
  MalformedAmpValue,
  TooLong,
  Unicode,
  type AnyArgument,
} from '../../../src/index';
import { pythonBytesRepr } from '../../../src/protocols/amp/python-format';
import { loopback as loopbackPair } from './helpers';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const enc = (arg: AnyArgument, v: unknown): string => arg.toBytes(v).toString('latin1');
function malformed(f: () => unknown): void {
  expect(f).toThrow(MalformedAmpValue);
}

describe('Integer and BigInteger', () => {
  it('write decimal digits and read what Python int() reads', () => {
    const i = new Integer();
    expect(enc(i, 0)).toBe('0');
    expect(enc(i, -0)).toBe('0');
    expect(enc(i, -123)).toBe('-123');
    expect(enc(i, Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    for (const [text, value] of [
      ['12', 12],
      [' +7 ', 7],
      ['-0', 0],
      ['007', 7],
      ['1_000', 1000],
      ['\t42\n', 42],
    ] as const) {
      expect(i.fromBytes(b(text))).toBe(value);
    }
    for (const bad of ['', '1.0', '0x10', '1__0', '_1', '1_', '++1', '1e3', 'one', '١٢']) malformed(() => i.fromBytes(b(bad)));
  });

  it('refuse what they cannot represent exactly', () => {
    const i = new Integer();
    expect(() => i.toBytes(1.5)).toThrow(InvalidArgValueError);
    expect(() => i.toBytes(NaN)).toThrow(InvalidArgValueError);
    expect(() => i.toBytes(2 ** 53)).toThrow(InvalidArgValueError);
    expect(() => i.toBytes('1' as never)).toThrow(InvalidArgTypeError);
    expect(() => i.toBytes(1n as never)).toThrow(InvalidArgTypeError);
    malformed(() => i.fromBytes(b('9007199254740992')));
  });

  it('BigInteger carries integers of any size as bigint', () => {
    const big = new BigInteger();
    const n = -(10n ** 400n) - 1n;
    expect(big.fromBytes(big.toBytes(n))).toBe(n);
    expect(enc(big, 5)).toBe('5');
    expect(big.fromBytes(b('9007199254740993'))).toBe(9007199254740993n);
    expect(() => big.toBytes(0.5)).toThrow(InvalidArgValueError);
  });

  it('round-trip any safe integer', () => {
    const i = new Integer();
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => Object.is(i.fromBytes(i.toBytes(n)), n === 0 ? 0 : n)));
  });
});

describe('AmpString', () => {
  it('passes bytes through and refuses JavaScript strings, as Twisted refuses str', () => {
    const s = new AmpString();
    const bytes = Buffer.from([0, 0xff, 0x80, 10]);
    expect(s.toBytes(bytes)).toEqual(bytes);
    expect(s.toBytes(new Uint8Array([1, 2]))).toEqual(Buffer.from([1, 2]));
    expect(s.fromBytes(bytes)).toEqual(bytes);
    expect(() => s.toBytes('text' as never)).toThrow(InvalidArgTypeError);
  });
});

describe('Float', () => {
  it('writes Python repr()', () => {
    const f = new Float();
    const cases: [number, string][] = [
      [0, '0.0'],
      [-0, '-0.0'],
      [1, '1.0'],
      [-1.5, '-1.5'],
      [0.1, '0.1'],
      [1e16, '1e+16'],
      [1e15, '1000000000000000.0'],
      [123456789012345680, '1.2345678901234568e+17'],
      [1e-4, '0.0001'],
      [1e-5, '1e-05'],
      [1.5e-5, '1.5e-05'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [100, '100.0'],
      [1e22, '1e+22'],
      [0.30000000000000004, '0.30000000000000004'],
      [Infinity, 'inf'],
      [-Infinity, '-inf'],
      [NaN, 'nan'],
      [2 ** 53, '9007199254740992.0'],
    ];
    for (const [x, text] of cases) expect(enc(f, x), String(x)).toBe(text);
  });

  it('reads what Python float() reads', () => {
    const f = new Float();
    const cases: [string, number][] = [
      ['1', 1],
      ['1.', 1],
      ['.5', 0.5],
      ['-2.5e3', -2500],
      ['1_0.0_1', 10.01],
      [' 3.0\n', 3],
      ['+1E-2', 0.01],
      ['inf', Infinity],
      ['-Infinity', -Infinity],
      ['INF', Infinity],
      ['-nan', NaN],
      ['NaN', NaN],
    ];
    for (const [text, x] of cases) expect(f.fromBytes(b(text)), text).toBe(x);
    for (const bad of ['', '.', 'e5', '1e', '0x10', 'infinite', '1..0', '1,5', '--1']) malformed(() => f.fromBytes(b(bad)));
    expect(() => f.toBytes('1' as never)).toThrow(InvalidArgTypeError);
  });

  it('round-trips every double exactly', () => {
    const f = new Float();
    fc.assert(fc.property(fc.double(), (x) => Object.is(f.fromBytes(f.toBytes(x)), x)));
  });
});

describe('AmpBoolean', () => {
  it('is True or False, exactly', () => {
    const bool = new AmpBoolean();
    expect(enc(bool, true)).toBe('True');
    expect(enc(bool, false)).toBe('False');
    expect(bool.fromBytes(b('True'))).toBe(true);
    expect(bool.fromBytes(b('False'))).toBe(false);
    for (const bad of ['true', 'TRUE', '1', '', 'True ']) malformed(() => bool.fromBytes(b(bad)));
    expect(() => bool.toBytes(1 as never)).toThrow(InvalidArgTypeError);
  });
});

describe('Unicode', () => {
  it('is UTF-8, strict both ways, keeping a byte order mark', () => {
    const u = new Unicode();
    expect(u.toBytes('h\u00e9\u{1F600}')).toEqual(Buffer.from('68c3a9f09f9880', 'hex'));
    expect(u.fromBytes(Buffer.from('efbbbf41', 'hex'))).toBe('\uFEFFA');
    malformed(() => u.fromBytes(Buffer.from([0xff])));
    malformed(() => u.fromBytes(Buffer.from('eda080', 'hex'))); // an encoded surrogate
    malformed(() => u.fromBytes(Buffer.from('c0af', 'hex'))); // overlong
    expect(() => u.toBytes('\uD800')).toThrow(InvalidArgValueError);
    expect(() => u.toBytes(Buffer.from('x') as never)).toThrow(InvalidArgTypeError);
  });

  it('round-trips every well-formed string', () => {
    const u = new Unicode();
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => u.fromBytes(u.toBytes(s)) === s));
  });
});

describe('Decimal', () => {
  it('carries decimal text through, checked against Python Decimal() syntax', () => {
    const d = new Decimal();
    for (const text of ['1', '-1.50', '1E+2', '1.5e-7', '.5', '5.', 'Infinity', '-Inf', 'NaN', 'sNaN', '-nan123', '1_000.000_1', ' 2 ']) {
      expect(d.fromBytes(d.toBytes(text))).toBe(text);
    }
    for (const bad of ['', '1.2.3', '0x1', 'E5', '1e', 'infinite', '1,5']) {
      malformed(() => d.fromBytes(b(bad)));
      expect(() => d.toBytes(bad)).toThrow(InvalidArgValueError);
    }
    expect(() => d.toBytes(1.5 as never)).toThrow(InvalidArgTypeError);
  });
});

describe('DateTime', () => {
  it("writes Twisted's 32-character format, with - for UTC", () => {
    const dt = new DateTime();
    const v = new AmpDateTime({ year: 2012, month: 1, day: 23, hour: 12, minute: 34, second: 56, microsecond: 54321, utcOffset: 0 });
    expect(enc(dt, v)).toBe('2012-01-23T12:34:56.054321-00:00');
    expect(enc(dt, new AmpDateTime({ year: 1, month: 12, day: 31, utcOffset: 330 }))).toBe('0001-12-31T00:00:00.000000+05:30');
    expect(enc(dt, new AmpDateTime({ year: 9999, month: 2, day: 28, utcOffset: -1439 }))).toBe('9999-02-28T00:00:00.000000-23:59');
    expect(enc(dt, new Date(Date.UTC(2020, 5, 1, 2, 3, 4, 5)))).toBe('2020-06-01T02:03:04.005000-00:00');
  });

  it("reads it back, refusing what Python's datetime() refuses", () => {
    const dt = new DateTime();
    const v = dt.fromBytes(b('2024-02-29T23:59:58.123456-05:30'));
    expect(v).toEqual(new AmpDateTime({ year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 58, microsecond: 123456, utcOffset: -330 }));
    expect(v.toDate().toISOString()).toBe('2024-03-01T05:29:58.123Z');
    expect(dt.fromBytes(b('2012-01-23T12:34:56.054321+00:90')).utcOffset).toBe(90);
    for (const bad of [
      '2012-01-23T12:34:56.054321-00:0',
      '2023-02-29T00:00:00.000000+00:00',
      '2012-13-01T00:00:00.000000+00:00',
      '2012-01-23T24:00:00.000000+00:00',
      '2012-01-23T12:34:56.054321?00:00',
      '0000-01-01T00:00:00.000000+00:00',
      '2012-01-23T12:34:56.054321+24:00',
      '2012-01-23T12:34:56.05432a+00:00',
    ]) {
      malformed(() => dt.fromBytes(b(bad)));
    }
    expect(() => dt.toBytes('2012-01-01' as never)).toThrow(InvalidArgTypeError);
    expect(() => new AmpDateTime({ year: 2012, month: 4, day: 31 })).toThrow(InvalidArgValueError);
  });

  it('converts to and from Date at an offset', () => {
    const d = new Date(Date.UTC(99, 0, 1, 0, 0, 0, 7));
    d.setUTCFullYear(99);
    const v = AmpDateTime.fromDate(d, 60);
    expect(v.toString()).toBe('0099-01-01T01:00:00.007000+01:00');
    expect(v.toDate().getTime()).toBe(d.getTime());
    expect(v.equals(AmpDateTime.fromDate(d, 60))).toBe(true);
  });
});

describe('ListOf', () => {
  it('prefixes each element with its 2-byte length', () => {
    const l = new ListOf(new Integer());
    expect(l.toBytes([3, 7, 10])).toEqual(b('\x00\x013\x00\x017\x00\x0210'));
    expect(l.toBytes([])).toEqual(Buffer.alloc(0));
    expect(l.fromBytes(b('\x00\x013\x00\x0210'))).toEqual([3, 10]);
    const s = new ListOf(new AmpString());
    expect(s.fromBytes(b('\x00\x00\x00\x03abc'))).toEqual([Buffer.alloc(0), b('abc')]);
    malformed(() => l.fromBytes(b('\x00\x013\x00')));
    malformed(() => l.fromBytes(b('\x00\x05ab')));
    malformed(() => l.fromBytes(b('\x00\x01x')));
    expect(() => l.toBytes(5 as never)).toThrow(InvalidArgTypeError);
    expect(() => new ListOf(new Unicode()).toBytes(['x'.repeat(65536)])).toThrow(TooLong);
  });

  it('nests', () => {
    const ll = new ListOf(new ListOf(new Unicode()));
    const v = [['a', 'b'], [], ['ç']];
    expect(ll.fromBytes(ll.toBytes(v))).toEqual(v);
  });
});

describe('AmpList', () => {
  it('sends each element as a nested box with sorted keys', () => {
    const al = new AmpList({ b: new Integer(), a: new Unicode({ optional: true }) });
    const bytes = al.toBytes([{ b: 7, a: 'hi' }, { b: 9 }]);
    expect(bytes).toEqual(b('\x00\x01a\x00\x02hi\x00\x01b\x00\x017\x00\x00' + '\x00\x01b\x00\x019\x00\x00'));
    expect(al.fromBytes(bytes)).toEqual([{ b: 7, a: 'hi' }, { b: 9 }]);
    expect(al.toBytes([])).toEqual(Buffer.alloc(0));
    expect(al.fromBytes(Buffer.alloc(0))).toEqual([]);
    malformed(() => al.fromBytes(b('\x00\x01b\x00\x017'))); // no terminator
    malformed(() => al.fromBytes(b('\x00\x01a\x00\x02hi\x00\x00'))); // required b missing
    expect(() => al.toBytes([{ a: 'x' } as never])).toThrow(/forgot b/);
  });
});

describe('optional and validation', () => {
  it('refuses bad options and bad element types', () => {
    expect(() => new Integer({ optional: 'yes' as never })).toThrow(InvalidArgTypeError);
    expect(() => new Integer(5 as never)).toThrow(InvalidArgTypeError);
    expect(() => new ListOf({} as never)).toThrow(InvalidArgTypeError);
    expect(() => new AmpList({ a: 1 } as never)).toThrow(InvalidArgTypeError);
    expect(new Integer({ optional: true }).optional).toBe(true);
    expect(new Integer().optional).toBe(false);
  });

  it("formats command names as Python bytes reprs, as Twisted's UNHANDLED description does", () => {
    expect(pythonBytesRepr('Sum')).toBe("b'Sum'");
    expect(pythonBytesRepr("it's")).toBe('b"it\'s"');
    expect(pythonBytesRepr('a\'b"c\\\n\x00\xff')).toBe("b'a\\'b\"c\\\\\\n\\x00\\xff'");
  });
});

describe('a user-defined Argument', () => {
  /** A point as "x,y" (Twisted users subclass amp.Argument the same way). */
  class Point<O extends boolean = false> extends Argument<{ x: number; y: number }, { x: number; y: number }, O> {
    toBytes(value: { x: number; y: number }): Buffer {
      if (!Number.isInteger(value.x) || !Number.isInteger(value.y)) throw new InvalidArgValueError('a Point has integer coordinates');
      return Buffer.from(`${value.x},${value.y}`, 'latin1');
    }
    fromBytes(data: Buffer): { x: number; y: number } {
      const m = /^(-?\d+),(-?\d+)$/.exec(data.toString('latin1'));
      if (m === null) throw new MalformedAmpValue(`not a point: ${pythonBytesRepr(data.toString('latin1'))}`);
      return { x: Number(m[1]), y: Number(m[2]) };
    }
  }
  const Move = new Command({
    name: 'Move',
    arguments: { from: new Point(), by: new Point({ optional: true }) },
    response: { to: new Point() },
  });

  it('encodes and decodes through a Command, optional or not, on both sides of a call', async () => {
    expect(new Point().optional).toBe(false);
    expect(new Point({ optional: true }).optional).toBe(true);
    const server = new AMP();
    const seen: unknown[] = [];
    server.respond(Move, ({ from, by }) => {
      seen.push({ from, by });
      return { to: { x: from.x + (by?.x ?? 0), y: from.y + (by?.y ?? 0) } };
    });
    const { a, wire } = loopbackPair(new AMP(), server);
    expect(await a.callRemote(Move, { from: { x: 1, y: -2 }, by: { x: 10, y: 10 } })).toEqual({ to: { x: 11, y: 8 } });
    expect(await a.callRemote(Move, { from: { x: 5, y: 5 } })).toEqual({ to: { x: 5, y: 5 } });
    expect(seen).toEqual([
      { from: { x: 1, y: -2 }, by: { x: 10, y: 10 } },
      { from: { x: 5, y: 5 }, by: undefined },
    ]);
    // On the wire, the argument's own bytes.
    expect(Buffer.concat(wire.a).toString('latin1')).toContain('\x00\x04from\x00\x041,-2');
    a.transport.loseConnection();
  });

  it('refuses a value it cannot encode before anything is sent', async () => {
    const { a, wire } = loopbackPair(new AMP(), new AMP());
    const err = await Promise.resolve(a.callRemote(Move, { from: { x: 0.5, y: 0 } })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidArgValueError);
    expect(wire.a).toEqual([]);
    a.transport.loseConnection();
  });
});
