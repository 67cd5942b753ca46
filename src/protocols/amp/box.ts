/**
 * AMP's wire format: a box is a sequence of key/value pairs, each a 2-byte big-endian length
 * and that many bytes (keys 1-255 bytes, values 0-65 535 bytes), ended by an empty key (two
 * zero bytes). See Twisted's `twisted.protocols.amp` module docstring.
 *
 * Keys are handled as latin1 strings (one character per byte), so any byte sequence a peer
 * sends survives as a key and keys sort byte-wise with the ordinary string comparison.
 */
import { InvalidArgTypeError } from '../../errors';
import { MalformedAmpBox, TooLong } from './errors';
import { describe } from '../../util/validate';

/** An AMP box: latin1 keys to byte values (Twisted's `AmpBox`, a dict of bytes to bytes). */
export type AmpBox = Map<string, Buffer>;

/** The longest key AMP allows (its length prefix's high byte must be zero). */
export const MAX_KEY_LENGTH = 0xff;
/** The longest value AMP allows. */
export const MAX_VALUE_LENGTH = 0xffff;
/**
 * Default for {@link BoxParser}'s `maxBoxBytes`: 4 MiB. Twisted sets no limit on a box; one
 * is needed so that a peer streaming keys without ever ending a box cannot exhaust memory.
 */
export const DEFAULT_MAX_BOX_BYTES = 4 * 1024 * 1024;
/**
 * Bookkeeping each pair is charged on top of its wire bytes when checking `maxBoxBytes`, so
 * that a flood of tiny pairs (whose Map entries cost far more than their 4-6 wire bytes) is
 * bounded too.
 */
export const PAIR_OVERHEAD = 64;

const TERMINATOR = Buffer.alloc(2);

/**
 * Builds a box from an object of keys to bytes or latin1 strings: `makeBox({ _command: 'Sum' })`.
 * Strings are stored as latin1 bytes (one byte per character, as Twisted's native-string keys).
 */
export function makeBox(entries: Record<string, Uint8Array | string>): AmpBox {
  const box: AmpBox = new Map();
  for (const key of Object.keys(entries)) {
    const v = entries[key];
    if (typeof v === 'string') box.set(key, Buffer.from(v, 'latin1'));
    else if (v instanceof Uint8Array) box.set(key, Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    else throw new InvalidArgTypeError(`box value for ${JSON.stringify(key)} must be bytes or a string, received ${describe(v)}`);
  }
  return box;
}

/** Checks a key given by a program (a command, argument or error code name). */
export function assertKey(key: unknown, what: string): asserts key is string {
  if (typeof key !== 'string') throw new InvalidArgTypeError(`${what} must be a string, received ${describe(key)}`);
  // Keys travel as latin1: a character above U+00FF could not be sent as one byte.
  // eslint-disable-next-line no-control-regex -- the whole latin1 range, NUL included, is allowed
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !/^[\x00-\xff]*$/.test(key)) {
    throw new TooLong('key', true, Buffer.byteLength(key, 'utf8'));
  }
}

/**
 * Serializes `box` with its keys in byte order, as Twisted does (so both produce the same
 * bytes for the same box).
 *
 * @throws TooLong (local) for a key over 255 bytes, an empty key or a value over 65 535 bytes.
 */
export function serializeBox(box: AmpBox): Buffer {
  const keys = [...box.keys()].sort();
  let size = 2;
  for (const k of keys) {
    if (k.length === 0 || k.length > MAX_KEY_LENGTH) throw new TooLong('key', true, k.length);
    const v = box.get(k)!;
    if (v.length > MAX_VALUE_LENGTH) throw new TooLong('value', true, v.length, k);
    size += 4 + k.length + v.length;
  }
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  for (const k of keys) {
    const v = box.get(k)!;
    out.writeUInt16BE(k.length, off);
    out.write(k, off + 2, 'latin1');
    off += 2 + k.length;
    out.writeUInt16BE(v.length, off);
    v.copy(out, off + 2);
    off += 2 + v.length;
  }
  TERMINATOR.copy(out, off);
  return out;
}

/** Serializes several boxes back to back (an AmpList's value, a pipeline of boxes). */
export function serializeBoxes(boxes: Iterable<AmpBox>): Buffer {
  const parts: Buffer[] = [];
  for (const b of boxes) parts.push(serializeBox(b));
  return Buffer.concat(parts);
}

/**
 * Parses `data`, which must hold whole boxes only (an AmpList's value).
 *
 * @throws MalformedAmpBox if the data ends inside a box; TooLong for a key length over 255.
 */
export function parseBoxes(data: Buffer): AmpBox[] {
  const boxes: AmpBox[] = [];
  const parser = new BoxParser((b) => boxes.push(b), Infinity);
  const err = parser.feed(data);
  if (err !== undefined) throw err;
  if (!parser.idle) throw new MalformedAmpBox(`nested AMP data ends inside a box (${parser.bufferedBytes} bytes left over)`);
  return boxes;
}

/**
 * An incremental box parser: feed it bytes as they arrive, in any split; it calls `onBox` for
 * each complete box. It never throws on bad input: `feed` returns the error (and the parser
 * refuses further input), so a protocol can close the connection with it.
 *
 * Memory is bounded: besides the box being assembled (at most `maxBoxBytes`, counting each
 * pair as its wire size plus a fixed 64-byte bookkeeping charge), it holds at most one incomplete length
 * prefix and key or value, in one buffer (at most 65 537 bytes).
 */
export class BoxParser {
  private current: AmpBox | null = null;
  private currentBytes = 0;
  private key: string | null = null;
  /**
   * An element (length prefix and key or value) cut by a chunk boundary, assembled in one
   * buffer of its exact size: no list of chunks to grow when a peer dribbles a large value in
   * tiny pieces, and the bytes are copied once.
   */
  private partial: Buffer | null = null;
  private partialLen = 0;
  /** Bytes `partial` must reach: 2 + the element's length, or 2 while the prefix is cut. */
  private need = 0;
  private failed: Error | undefined;

  constructor(
    private readonly onBox: (box: AmpBox) => void,
    readonly maxBoxBytes: number = DEFAULT_MAX_BOX_BYTES,
  ) {}

  /** True when no partial box is buffered (every byte fed so far belonged to complete boxes). */
  get idle(): boolean {
    return this.current === null && this.key === null && this.partial === null;
  }

  /** Bytes held for the box being assembled and the incomplete element. */
  get bufferedBytes(): number {
    return this.currentBytes + (this.partial?.length ?? 0);
  }

  /** The error that stopped this parser, if any. */
  get error(): Error | undefined {
    return this.failed;
  }

  /** Stops parsing: further `feed` calls are ignored (the connection is going away). */
  stop(reason: Error): void {
    this.failed ??= reason;
    this.partial = null;
    this.partialLen = 0;
    this.current = null;
    this.currentBytes = 0;
    this.key = null;
  }

  /**
   * Parses `chunk`, calling `onBox` for every box it completes. Returns the error when the
   * input breaks the format or a limit (and for every later call). If `onBox` calls
   * {@link stop}, parsing stops after that box.
   */
  feed(chunk: Buffer): Error | undefined {
    if (this.failed !== undefined) return this.failed;
    const partial = this.partial;
    if (partial === null) return this.consume(chunk);
    this.partial = null;
    if (this.need === 2) {
      // One byte of a length prefix: join it to the chunk (a copy of at most one chunk).
      return this.consume(Buffer.concat([partial.subarray(0, 1), chunk]));
    }
    const take = Math.min(this.need - this.partialLen, chunk.length);
    chunk.copy(partial, this.partialLen, 0, take);
    this.partialLen += take;
    if (this.partialLen < this.need) {
      this.partial = partial;
      return undefined;
    }
    this.partialLen = 0;
    const err = this.consume(partial); // exactly one element
    if (err !== undefined || take === chunk.length) return err;
    return this.consume(chunk.subarray(take));
  }

  /** Parses the complete elements of `data`; keeps an incomplete last one in `partial`. */
  private consume(data: Buffer): Error | undefined {
    const end = data.length;
    let off = 0;
    while (end - off >= 2) {
      const len = data.readUInt16BE(off);
      if (this.key === null) {
        if (len > MAX_KEY_LENGTH) return this.fail(new TooLong('key', false, len));
        if (len === 0) {
          off += 2;
          const box = this.current ?? new Map<string, Buffer>();
          this.current = null;
          this.currentBytes = 0;
          this.onBox(box);
          if (this.failed !== undefined) return this.failed;
          continue;
        }
      }
      if (end - off - 2 < len) break;
      const start = off + 2;
      off = start + len;
      if (this.key === null) {
        this.key = data.toString('latin1', start, off);
        continue;
      }
      this.currentBytes += 4 + this.key.length + len + PAIR_OVERHEAD;
      if (this.currentBytes > this.maxBoxBytes) return this.fail(new TooLong('box', false, this.currentBytes));
      // A small value is copied so that it does not pin a whole received chunk in memory.
      const value = len * 4 >= data.length ? data.subarray(start, off) : Buffer.from(data.subarray(start, off));
      (this.current ??= new Map()).set(this.key, value);
      this.key = null;
    }
    if (off < end) {
      this.need = end - off >= 2 ? 2 + data.readUInt16BE(off) : 2;
      this.partial = Buffer.allocUnsafe(this.need);
      this.partialLen = data.copy(this.partial, 0, off);
    }
    return undefined;
  }

  private fail(err: Error): Error {
    this.stop(err);
    return err;
  }
}
