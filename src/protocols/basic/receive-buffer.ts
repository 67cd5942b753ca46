// The byte queue under the line and length-prefixed receivers.
//
// Hot-path rules it exists for:
// - No re-concatenation per read: when nothing is held, a received chunk is adopted as it is
//   (no copy); when something is held, the chunk is appended into a store with spare room that
//   grows by doubling, so a long message arriving in small reads costs O(n), not O(n^2).
// - Views handed out stay valid: a store is only ever written past the bytes it already holds,
//   and is never compacted in place (a new store is allocated instead), so a line or string
//   given to the application as a view is never overwritten behind its back.
// - Scanning resumes where it stopped: `scan` remembers how far a delimiter search got.
import { EMPTY } from './receiver-arguments';

/** @internal */
export class ReceiveBuffer {
  /** The bytes held are `data[start .. data.length)`. */
  data: Buffer = EMPTY;
  start = 0;
  /** Where the next delimiter search may begin (an index into `data`, >= start). */
  scan = 0;
  /** Capacity to allocate at the next growth, when the caller knows how much it needs. */
  want = 0;
  /** The store `data` lies in, when this buffer allocated it (and may write past data.length). */
  private store: Buffer | null = null;

  /** How many bytes are held. */
  get length(): number {
    return this.data.length - this.start;
  }

  /**
   * Appends `chunk`. When nothing is held the chunk itself becomes the buffer (no copy): the
   * caller hands over ownership, as the transport does with each read.
   */
  push(chunk: Buffer): void {
    const n = chunk.length;
    if (n === 0) return;
    const end = this.data.length;
    const held = end - this.start;
    if (held === 0) {
      this.data = chunk;
      this.start = 0;
      this.scan = 0;
      this.store = null;
      return;
    }
    const store = this.store;
    if (store !== null && end + n <= store.length) {
      chunk.copy(store, end);
      this.data = store.subarray(0, end + n);
      return;
    }
    const size = held + n;
    // Exactly the announced size when the caller knows it, else room to double.
    const next = Buffer.allocUnsafe(this.want >= size ? this.want : Math.max(size * 2, 256));
    this.data.copy(next, 0, this.start, end);
    chunk.copy(next, held);
    this.scan = Math.max(0, this.scan - this.start);
    this.start = 0;
    this.store = next;
    this.data = next.subarray(0, size);
  }

  /** Removes and returns the next `n` bytes (n <= length), as a view. */
  take(n: number): Buffer {
    const start = this.start;
    this.start = start + n;
    if (this.scan < this.start) this.scan = this.start;
    return this.data.subarray(start, start + n);
  }

  /** Removes and returns everything held, as a view. */
  clear(): Buffer {
    const rest = this.start === 0 ? this.data : this.data.subarray(this.start);
    this.data = EMPTY;
    this.start = 0;
    this.scan = 0;
    this.store = null;
    return rest;
  }

  /**
   * Copies what is held into a store of its own when it still lies in a chunk the buffer
   * adopted: for protocols that borrow the reactor's read arena (borrowData), whose chunks are
   * only valid during the call.
   */
  own(): void {
    if (this.store !== null || this.start === this.data.length) return;
    const held = this.data.length - this.start;
    const next = Buffer.allocUnsafe(Math.max(held, this.want));
    this.data.copy(next, 0, this.start);
    this.scan = Math.max(0, this.scan - this.start);
    this.start = 0;
    this.store = next;
    this.data = next.subarray(0, held);
  }
}

/**
 * The index of the first `delimiter` in `data` starting at or after `from`, or -1.
 *
 * Searching for the delimiter's last byte as a number (memchr in Node's native code) and
 * checking the bytes before it is several times faster than `indexOf(delimiter)` with a
 * Buffer needle for the short lines of typical protocols. Candidates are tried by increasing
 * end, and every occurrence has the same length, so the first match found is the first
 * occurrence, also for delimiters that overlap themselves.
 * @internal
 */
export function findDelimiter(data: Buffer, delimiter: Buffer, from: number): number {
  const dl = delimiter.length;
  const last = delimiter[dl - 1]!;
  if (dl === 1) return data.indexOf(last, from);
  for (let end = from + dl - 1; ; end++) {
    end = data.indexOf(last, end);
    if (end < 0) return -1;
    let k = dl - 2;
    let p = end - 1;
    while (k >= 0 && data[p] === delimiter[k]) {
      k--;
      p--;
    }
    if (k < 0) return end - dl + 1;
  }
}

/**
 * `bytes` followed by `tail`, in one new Buffer (one write for the transport). Cheaper than
 * Buffer.concat for the small frames protocols send line by line.
 * @internal
 */
export function frame(bytes: Buffer, tail: Buffer): Buffer {
  const n = bytes.length;
  const out = Buffer.allocUnsafe(n + tail.length);
  out.set(bytes, 0);
  for (let i = 0; i < tail.length; i++) out[n + i] = tail[i]!;
  return out;
}
