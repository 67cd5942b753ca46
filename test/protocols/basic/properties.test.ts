// Property-based tests (fast-check) for every parser: any split of a valid stream into reads
// yields the same messages; oversize or malformed input ends in the documented callback and a
// closing transport, dataReceived never throws, and the bytes held stay under the limit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Int16StringReceiver,
  Int32StringReceiver,
  Int8StringReceiver,
  LineOnlyReceiver,
  LineReceiver,
  NetstringReceiver,
  type NetstringParseError,
  type Protocol,
} from '../../../src/index';
import { StringTransport } from './string-transport';

const RUNS = { numRuns: 150 };

interface Harness {
  protocol: Protocol & { bufferedLength: number };
  transport: StringTransport;
  got: Buffer[];
  refused: unknown[];
  /** The most the parser may hold between reads. */
  bound: number;
}

function connectedHarness(protocol: Protocol & { bufferedLength: number }, got: Buffer[], refused: unknown[], bound: number): Harness {
  const transport = new StringTransport();
  protocol.makeConnection(transport as never);
  return { protocol, transport, got, refused, bound };
}

function lineHarness(Base: typeof LineReceiver | typeof LineOnlyReceiver, delimiter: Buffer, max: number): Harness {
  const got: Buffer[] = [];
  const refused: unknown[] = [];
  const p = new (class extends (Base as typeof LineReceiver) {
    override delimiter = delimiter;
    override MAX_LENGTH = max;
    override lineReceived(line: Buffer): void {
      got.push(Buffer.from(line));
    }
    override lineLengthExceeded(line: Buffer): unknown {
      refused.push(line.length);
      return super.lineLengthExceeded(line);
    }
  })();
  return connectedHarness(p, got, refused, max + delimiter.length);
}

function netstringHarness(max: number): Harness {
  const got: Buffer[] = [];
  const refused: unknown[] = [];
  const p = new (class extends NetstringReceiver {
    override MAX_LENGTH = max;
    override stringReceived(s: Buffer): void {
      got.push(Buffer.from(s));
    }
    override handleParseError(e: NetstringParseError): void {
      refused.push(e.reason);
      super.handleParseError(e);
    }
  })();
  return connectedHarness(p, got, refused, max);
}

const INT_BASES = { 1: Int8StringReceiver, 2: Int16StringReceiver, 4: Int32StringReceiver } as const;

function intHarness(prefix: 1 | 2 | 4, max: number): Harness {
  const got: Buffer[] = [];
  const refused: unknown[] = [];
  const p = new (class extends (INT_BASES[prefix] as typeof Int32StringReceiver) {
    override MAX_LENGTH = max;
    override stringReceived(s: Buffer): void {
      got.push(Buffer.from(s));
    }
    override lengthLimitExceeded(n: number): void {
      refused.push(n);
      super.lengthLimitExceeded(n);
    }
  })();
  return connectedHarness(p, got, refused, prefix + max);
}

/**
 * Feeds `stream` in reads of the given sizes (cycled), checking the bound after each. Like a
 * transport, it stops reading once the protocol called loseConnection.
 */
function feed(h: Harness, stream: Buffer, sizes: number[]): void {
  let i = 0;
  let k = 0;
  while (i < stream.length && !h.transport.disconnecting) {
    const n = sizes[k++ % sizes.length]!;
    const chunk = Buffer.from(stream.subarray(i, i + n)); // a fresh read, as the transport gives
    i += n;
    expect(() => h.protocol.dataReceived(chunk)).not.toThrow();
    expect(h.protocol.bufferedLength).toBeLessThanOrEqual(h.bound);
  }
}

const sizesArb = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 });
const garbageArb = fc.uint8Array({ minLength: 1, maxLength: 600 }).map((a) => Buffer.from(a));

interface ParserCase {
  name: string;
  /** A valid framed stream and the messages it carries. */
  valid: fc.Arbitrary<{ make: () => Harness; messages: Buffer[]; stream: Buffer; max: number }>;
  /** Framed bytes that break the limit or the grammar. */
  bad: (max: number) => fc.Arbitrary<Buffer>;
}

const DELIMITERS = [Buffer.from('\r\n'), Buffer.from('\n'), Buffer.from('||'), Buffer.from('\0\0\0'), Buffer.from('aba')];

function linesCase(name: string, Base: typeof LineReceiver | typeof LineOnlyReceiver): ParserCase {
  return {
    name,
    valid: fc
      .record({
        delimiter: fc.constantFrom(...DELIMITERS),
        max: fc.integer({ min: 1, max: 80 }),
        lines: fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 30 }),
      })
      .map(({ delimiter, max, lines }) => {
        // Bodies avoid every delimiter byte, so framing is unambiguous; and fit MAX_LENGTH.
        const messages = lines.map((l) => Buffer.from(l.filter((c) => !delimiter.includes(c)).slice(0, max)));
        const stream = Buffer.concat(messages.flatMap((m) => [m, delimiter]));
        return { make: () => lineHarness(Base, delimiter, max), messages, stream, max };
      }),
    bad: (max) => fc.integer({ min: 1, max: 3 }).map((extra) => Buffer.alloc(max + 3 + extra, 'x')),
  };
}

function intCase(prefix: 1 | 2 | 4): ParserCase {
  const frame = (m: Buffer): Buffer => {
    const h = Buffer.alloc(prefix);
    h.writeUIntBE(m.length, 0, prefix);
    return Buffer.concat([h, m]);
  };
  return {
    name: `Int${prefix * 8}StringReceiver`,
    valid: fc
      .record({ max: fc.integer({ min: 0, max: 250 }), strings: fc.array(fc.uint8Array({ maxLength: 250 }), { maxLength: 30 }) })
      .map(({ max, strings }) => {
        const messages = strings.map((s) => Buffer.from(s.slice(0, max)));
        return { make: () => intHarness(prefix, max), messages, stream: Buffer.concat(messages.map(frame)), max };
      }),
    bad: (max) =>
      fc.integer({ min: max + 1, max: 2 ** (8 * prefix) - 1 }).map((n) => {
        const h = Buffer.alloc(prefix);
        h.writeUIntBE(n, 0, prefix);
        return Buffer.concat([h, Buffer.alloc(Math.min(n, 300), 'y')]);
      }),
  };
}

const NETSTRING_BAD = (max: number): fc.Arbitrary<Buffer> =>
  fc.oneof(
    fc.integer({ min: max + 1, max: max * 1000 + 1 }).map((n) => Buffer.from(`${n}:`)), // too long
    fc.constantFrom('01:a,', ':a,', 'x', '3aaa,', '-1:', ' 1:a,').map((s) => Buffer.from(s)), // no valid length
    fc.integer({ min: 0, max }).map((n) => Buffer.concat([Buffer.from(`${n}:`), Buffer.alloc(n, 'z'), Buffer.from(';')])), // no comma
  );

const CASES: ParserCase[] = [
  linesCase('LineReceiver', LineReceiver),
  linesCase('LineOnlyReceiver', LineOnlyReceiver),
  {
    name: 'NetstringReceiver',
    valid: fc
      .record({ max: fc.integer({ min: 1, max: 300 }), strings: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 30 }) })
      .map(({ max, strings }) => {
        const messages = strings.map((s) => Buffer.from(s.slice(0, max)));
        const stream = Buffer.concat(messages.flatMap((m) => [Buffer.from(`${m.length}:`), m, Buffer.from(',')]));
        return { make: () => netstringHarness(max), messages, stream, max };
      }),
    bad: NETSTRING_BAD,
  },
  intCase(1),
  intCase(2),
  intCase(4),
];

describe.each(CASES)('$name properties', (c) => {
  it('any split of a valid stream yields the same messages', () => {
    fc.assert(
      fc.property(c.valid, sizesArb, ({ make, messages, stream }, sizes) => {
        const h = make();
        feed(h, stream, sizes);
        expect(h.got).toEqual(messages);
        expect([h.refused, h.transport.disconnecting, h.protocol.bufferedLength]).toEqual([[], false, 0]);
      }),
      RUNS,
    );
  });

  it('oversize or malformed input after valid messages closes through the documented callback', () => {
    fc.assert(
      fc.property(
        c.valid.chain((v) => c.bad(v.max).map((bad) => ({ ...v, bad }))),
        sizesArb,
        fc.uint8Array({ maxLength: 100 }),
        ({ make, messages, stream, bad }, sizes, after) => {
          const h = make();
          feed(h, Buffer.concat([stream, bad, Buffer.from(after)]), sizes);
          expect(h.got).toEqual(messages);
          expect(h.refused.length).toBeGreaterThanOrEqual(1);
          expect(h.transport.disconnecting).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('arbitrary bytes never throw, and the bytes held stay under the limit', () => {
    fc.assert(
      fc.property(c.valid, garbageArb, sizesArb, ({ make }, garbage, sizes) => {
        const h = make();
        feed(h, garbage, sizes);
        if (h.refused.length > 0) expect(h.transport.disconnecting).toBe(true);
      }),
      RUNS,
    );
  });
});
