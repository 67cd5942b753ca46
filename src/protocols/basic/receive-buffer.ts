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
import { EMPTY } from './validate';

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
