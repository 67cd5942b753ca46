import { NetstringParseError } from './errors';
import { NotImplementedError } from '../../errors';
import { Protocol } from '../../protocol/protocol';
import { checkMaxLength, EMPTY, toBuffer } from './receiver-arguments';

const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

// Twisted's messages, word for word.
const MISSING_LENGTH = 'The received netstring does not start with a length specification.';
const TOO_LONG = (max: number): string => `The received netstring is longer than the maximum ${max} specified by self.MAX_LENGTH`;
const MISSING_COMMA = 'The received netstring is not terminated by a comma.';

/**
 * A protocol that sends and receives netstrings (`<length>:<bytes>,`, see
 * http://cr.yp.to/proto/netstrings.txt): Twisted's `twisted.protocols.basic.NetstringReceiver`.
 *
 * Parsing is strict, as Twisted's: the length is decimal digits without leading zeros
 * (`0` alone is fine), at most MAX_LENGTH (default 99999), followed by `:`; the payload must be
 * followed by `,`. Anything else is a {@link NetstringParseError}: `brokenPeer` becomes true and
 * {@link handleParseError} runs (default: `transport.loseConnection()`); no string is delivered
 * after that, and each later read reports the same error again (as Twisted re-parses the same
 * bad bytes).
 *
 * The receiver is a state machine over each read: the length is parsed digit by digit (a
 * length that cannot fit MAX_LENGTH is refused at the digit that makes it too long, before
 * any payload is buffered), and a payload split across reads is assembled in a buffer of
 * exactly its size. It never holds more than MAX_LENGTH bytes. Strings are views of the
 * received bytes (see LineReceiver). Twisted's Python `$` accepted a newline after a partial
 * length until the next read; here it is refused at once.
 */
export class NetstringReceiver extends Protocol {
  /** The largest length accepted. */
  MAX_LENGTH = 99999;
  /** True once the peer sent something that is not a netstring. */
  brokenPeer = false;

  #parsingPayload = false;
  #length = 0;
  #digits = 0;
  #payload: Buffer | null = null;
  #received = 0;
  #error: NetstringParseError | undefined;
  #busyReceiving = false;
  #queued: Buffer[] = [];

  /** How many received bytes are held: the digits of a length, or the part of a payload received. */
  get bufferedLength(): number {
    return this.#parsingPayload ? this.#received : this.#digits;
  }

  /** Parses netstrings out of received bytes and delivers them. */
  override dataReceived(data: Buffer): unknown {
    const chunk = toBuffer(data, `${this.constructor.name}.dataReceived(data)`);
    if (this.#busyReceiving) {
      // Re-entered from stringReceived: handled in order once the current read is done.
      if (chunk.length > 0) this.#queued.push(this.borrowData ? Buffer.from(chunk) : chunk);
      return undefined;
    }
    this.#busyReceiving = true;
    try {
      this.#consume(chunk);
      while (this.#queued.length > 0) this.#consume(this.#queued.shift()!);
    } finally {
      this.#busyReceiving = false;
      this.#queued.length = 0;
    }
    return undefined;
  }

  #consume(data: Buffer): void {
    if (data.length === 0) return;
    if (this.#error !== undefined) {
      this.handleParseError(this.#error);
      return;
    }
    const max = checkMaxLength(this.MAX_LENGTH, `${this.constructor.name}.MAX_LENGTH`);
    const n = data.length;
    let i = 0;
    while (i < n) {
      if (!this.#parsingPayload) {
        const c = data[i]!;
        if (c >= ZERO && c <= NINE) {
          // A leading zero is only valid as the whole length ("0:").
          if (this.#digits > 0 && this.#length === 0) return this.#fail('missing-length', MISSING_LENGTH);
          this.#length = this.#length * 10 + (c - ZERO);
          this.#digits++;
          if (this.#length > max) return this.#fail('too-long', TOO_LONG(max));
          i++;
          continue;
        }
        if (c !== COLON || this.#digits === 0) return this.#fail('missing-length', MISSING_LENGTH);
        i++;
        this.#parsingPayload = true;
        this.#received = 0;
        continue;
      }
      const need = this.#length - this.#received;
      if (this.#payload === null && n - i > need) {
        // The whole payload and its comma are in this read: deliver a view, no copy.
        if (data[i + need] !== COMMA) return this.#fail('missing-comma', MISSING_COMMA);
        const string = data.subarray(i, i + need);
        i += need + 1;
        this.#startLength();
        this.stringReceived(string);
        if (this.#error !== undefined) return;
        continue;
      }
      if (need > 0) {
        this.#payload ??= Buffer.allocUnsafe(this.#length);
        const take = Math.min(need, n - i);
        data.copy(this.#payload, this.#received, i, i + take);
        this.#received += take;
        i += take;
        if (i === n) return;
      }
      if (data[i] !== COMMA) return this.#fail('missing-comma', MISSING_COMMA);
      i++;
      const string = this.#payload ?? EMPTY;
      this.#startLength();
      this.stringReceived(string);
      if (this.#error !== undefined) return;
    }
  }

  #startLength(): void {
    this.#parsingPayload = false;
    this.#length = 0;
    this.#digits = 0;
    this.#payload = null;
    this.#received = 0;
  }

  #fail(reason: NetstringParseError['reason'], message: string): void {
    this.#error = new NetstringParseError(reason, message);
    this.#startLength();
    this.brokenPeer = true;
    this.handleParseError(this.#error);
  }

  /** Sends `string` as a netstring, in one write. */
  sendString(string: Uint8Array): void {
    const bytes = toBuffer(string, 'sendString(string)');
    const head = Buffer.from(`${bytes.length}:`, 'latin1');
    const frame = Buffer.allocUnsafe(head.length + bytes.length + 1);
    head.copy(frame, 0);
    bytes.copy(frame, head.length);
    frame[frame.length - 1] = COMMA;
    this.transport.write(frame);
  }

  /** Override: a complete netstring arrived (its payload, as a view). */
  stringReceived(_string: Buffer): unknown {
    throw new NotImplementedError(`${this.constructor.name} must override stringReceived`);
  }

  /**
   * The peer sent something that is not a netstring (Twisted's `_handleParseError`).
   * `brokenPeer` is already true. The default closes the connection.
   */
  handleParseError(_error: NetstringParseError): void {
    this.transport.loseConnection();
  }
}
