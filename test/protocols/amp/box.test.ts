// The box wire format: serialization (byte-identical to Twisted's), incremental parsing under
// any split, and bounded, throw-free handling of malformed input (property tests).
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoxParser, makeBox, parseBoxes, serializeBox, serializeBoxes, TooLong, MalformedAmpBox, type AmpBox } from '../../../src/index';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('serializeBox', () => {
  it('writes length-prefixed keys and values in byte order, ended by an empty key (as Twisted)', () => {
    // Twisted: AmpBox(_command=b'Sum', _ask=b'1', b=b'2', a=b'1').serialize()
    const box = makeBox({ _command: 'Sum', _ask: '1', b: '2', a: '1' });
    expect(serializeBox(box)).toEqual(b('\x00\x04_ask\x00\x011\x00\x08_command\x00\x03Sum\x00\x01a\x00\x011\x00\x01b\x00\x012\x00\x00'));
    expect(serializeBox(new Map())).toEqual(b('\x00\x00'));
  });

  it('sorts keys byte-wise, high bytes last', () => {
    const box = makeBox({ '\xff': 'x', B: 'y', a: 'z', _: 'w' });
    expect(parseBoxes(serializeBox(box))[0]).toEqual(box);
    expect([...parseBoxesKeys(serializeBox(box))]).toEqual(['B', '_', 'a', '\xff']);
  });

  it('refuses keys over 255 bytes and values over 65 535 bytes (local TooLong)', () => {
    expect(() => serializeBox(makeBox({ ['k'.repeat(256)]: 'v' }))).toThrow(TooLong);
    const err = (() => {
      try {
        serializeBox(new Map([['big', Buffer.alloc(65536)]]));
      } catch (e) {
        return e as TooLong;
      }
    })();
    expect(err).toMatchObject({ kind: 'value', isLocal: true, keyName: 'big', code: 'ERR_IOREACTOR_AMP_TOO_LONG' });
    expect(serializeBox(makeBox({ ['k'.repeat(255)]: Buffer.alloc(65535) })).length).toBe(2 + 255 + 2 + 65535 + 2);
  });
});

function parseBoxesKeys(data: Buffer): string[] {
  return [...parseBoxes(data)[0].keys()].sort();
}

const keyArb = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 12 });
const valueArb = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 60000, max: 65535 }).map((n) => new Uint8Array(n).fill(n & 0xff)) },
);
const boxArb = fc.dictionary(keyArb, valueArb, { maxKeys: 6 }).map((o) => makeBox(o));

/** Cuts `data` at the given (sorted, deduplicated) offsets. */
function split(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((x, y) => x - y);
  const parts: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    parts.push(Buffer.from(data.subarray(last, p)));
    last = p;
  }
  parts.push(Buffer.from(data.subarray(last)));
  return parts;
}

describe('BoxParser', () => {
  it('yields the same boxes for any split of a valid stream', () => {
    fc.assert(
      fc.property(fc.array(boxArb, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 30 }), (boxes, cuts) => {
        const stream = Buffer.concat(boxes.map(serializeBox));
        const got: AmpBox[] = [];
        const parser = new BoxParser((box) => got.push(box));
        for (const part of split(stream, cuts)) expect(parser.feed(part)).toBeUndefined();
        // Serialization is canonical (sorted keys), so equal bytes mean equal boxes; comparing
        // 64 KiB Buffers with toEqual would be slow.
        expect(got.length).toBe(boxes.length);
        expect(Buffer.concat(got.map(serializeBox)).equals(stream)).toBe(true);
        expect(parser.idle).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('yields the same boxes fed one byte at a time', () => {
    const boxes = [makeBox({ _command: 'Sum', _ask: '1', a: '1' }), makeBox({ x: Buffer.alloc(300, 7) }), new Map()];
    const got: AmpBox[] = [];
    const parser = new BoxParser((box) => got.push(box));
    for (const byte of Buffer.concat(boxes.map(serializeBox))) parser.feed(Buffer.from([byte]));
    expect(got).toEqual(boxes);
  });

  it('assembles a 65 535-byte value dribbled one byte at a time in one buffer of its size', () => {
    const box = makeBox({ big: Buffer.alloc(65535, 9) });
    const got: AmpBox[] = [];
    const parser = new BoxParser((b) => got.push(b));
    const stream = serializeBox(box);
    let most = 0;
    for (let i = 0; i < stream.length; i++) {
      parser.feed(stream.subarray(i, i + 1));
      most = Math.max(most, parser.bufferedBytes);
    }
    expect(most).toBeLessThanOrEqual(4 + 3 + 65535 + 64 + 2); // the pair as accounted, and the next prefix
    expect(got.length).toBe(1);
    expect(got[0].get('big')!.equals(box.get('big')!)).toBe(true);
  });

  it('reports a key length over 255 as a remote TooLong before reading the key', () => {
    const parser = new BoxParser(() => {});
    expect(parser.feed(b('\x00\x01a\x00\x00'))).toBeUndefined();
    const err = parser.feed(b('\x01\x00'));
    expect(err).toBeInstanceOf(TooLong);
    expect(err).toMatchObject({ kind: 'key', isLocal: false, length: 256, isKey: true });
    expect(parser.feed(b('\x00\x00'))).toBe(err);
  });

  it("reports a box over maxBoxBytes as TooLong, counting each pair's overhead", () => {
    const parser = new BoxParser(() => {}, 1000);
    let err: Error | undefined;
    for (let i = 0; i < 100 && err === undefined; i++) err = parser.feed(b('\x00\x01k\x00\x00'));
    expect(err).toMatchObject({ kind: 'box', isLocal: false });
  });

  it('never throws, never buffers past its limit, and sticks to its first error, whatever the input', () => {
    const limit = 4096;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 300 }),
            boxArb.map(serializeBox).map((x) => new Uint8Array(x)),
          ),
          { maxLength: 20 },
        ),
        fc.array(fc.nat(), { maxLength: 20 }),
        (pieces, cuts) => {
          const stream = Buffer.concat(pieces);
          const parser = new BoxParser(() => {}, limit);
          let first: Error | undefined;
          for (const part of split(stream, cuts)) {
            const err = parser.feed(part);
            if (first === undefined) first = err;
            else expect(err).toBe(first);
            expect(parser.bufferedBytes).toBeLessThanOrEqual(limit + 2 + 65535);
          }
          if (first !== undefined) expect(first).toBeInstanceOf(TooLong);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parseBoxes refuses data that ends inside a box', () => {
    expect(() => parseBoxes(b('\x00\x01a\x00\x01x'))).toThrow(MalformedAmpBox);
    expect(() => parseBoxes(b('\x00\x01a'))).toThrow(MalformedAmpBox);
    expect(parseBoxes(b('\x00\x00\x00\x00'))).toEqual([new Map(), new Map()]);
  });
});

describe('serializeBoxes', () => {
  it('writes each box in order, back to back, as Twisted writes an AmpList value', () => {
    const one = makeBox({ a: '1' });
    const two = makeBox({ bb: '22' });
    // Twisted: b''.join(box.serialize() for box in boxes).
    expect(serializeBoxes([one, two]).toString('latin1')).toBe('\x00\x01a\x00\x011\x00\x00' + '\x00\x02bb\x00\x0222\x00\x00');
    expect(serializeBoxes([]).length).toBe(0);
    // Any iterable, read once.
    function* gen(): Generator<AmpBox> {
      yield two;
      yield one;
    }
    expect(parseBoxes(serializeBoxes(gen()))).toEqual([two, one]);
  });

  it('round-trips through parseBoxes for any list of boxes', () => {
    fc.assert(
      fc.property(fc.array(boxArb, { maxLength: 5 }), (boxes) => {
        const data = serializeBoxes(boxes);
        expect(data.length).toBe(boxes.reduce((n, box) => n + serializeBox(box).length, 0));
        expect(parseBoxes(data)).toEqual(boxes);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses the whole list when one box cannot be written (local TooLong)', () => {
    expect(() => serializeBoxes([makeBox({ ok: '1' }), makeBox({ big: Buffer.alloc(65536) })])).toThrow(TooLong);
  });
});
