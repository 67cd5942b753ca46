import { NotImplementedError } from '../../errors';
import { Protocol } from '../../protocol/protocol';
import { transportDisconnecting } from './pausable';
import { findDelimiter, frame, ReceiveBuffer } from './receive-buffer';
import { checkDelimiter, checkMaxLength, toBuffer } from './receiver-arguments';

const CRLF = Buffer.from('\r\n');

/**
 * A protocol that receives only lines: Twisted's `twisted.protocols.basic.LineOnlyReceiver`,
 * a leaner LineReceiver without raw mode or pausing.
 *
 * Each read is split at once: every complete line in it goes to {@link lineReceived}, unless
 * the transport started closing (then the remaining complete lines of that read are dropped).
 * A line longer than MAX_LENGTH, or MAX_LENGTH + delimiter bytes held without a delimiter, goes
 * to {@link lineLengthExceeded} (default: `transport.loseConnection()`).
 *
 * Two differences from Twisted, both so that the limit is exact and bounded:
 * - Twisted counts a partly received delimiter against MAX_LENGTH, so a line of exactly
 *   MAX_LENGTH bytes is refused when its delimiter is split across reads; here, as in
 *   LineReceiver, an unfinished line is too long only at MAX_LENGTH + delimiter bytes.
 * - Twisted keeps an overlong unfinished line buffered (and hands it, ever longer, to
 *   lineLengthExceeded at each read if the override does not close); here the bytes passed to
 *   lineLengthExceeded are dropped, so the buffer never exceeds MAX_LENGTH + delimiter.
 *
 * Lines are views of the received bytes, as with {@link LineReceiver}.
 */
export class LineOnlyReceiver extends Protocol {
  /** The line delimiter (non-empty bytes). */
  delimiter: Uint8Array = CRLF;
  /** The longest line accepted, in bytes, delimiter excluded. */
  MAX_LENGTH = 16384;

  readonly #buffer = new ReceiveBuffer();
  #busyReceiving = false;
  #delimiterSeen: unknown = undefined;
  #delimiterBytes: Buffer = CRLF;
  #maxSeen: unknown = undefined;
  #maxLength = 16384;

  /** How many received bytes are held (the unfinished last line). */
  get bufferedLength(): number {
    return this.#buffer.length;
  }

  /** Splits received bytes into lines and delivers them. Takes ownership of `data`. */
  override dataReceived(data: Buffer): unknown {
    const chunk = toBuffer(data, 'LineOnlyReceiver.dataReceived(data)');
    const buffer = this.#buffer;
    buffer.push(chunk);
    // Re-entered from lineReceived: the running loop sees the new bytes.
    if (this.#busyReceiving) return undefined;
    this.#busyReceiving = true;
    try {
      return this.#deliver();
    } finally {
      this.#busyReceiving = false;
      if (this.borrowData) buffer.own();
    }
  }

  #deliver(): unknown {
    const buffer = this.#buffer;
    if (this.delimiter !== this.#delimiterSeen) {
      this.#delimiterBytes = checkDelimiter(this.delimiter, `${this.constructor.name}.delimiter`);
      this.#delimiterSeen = this.delimiter;
      buffer.scan = buffer.start;
    }
    if (this.MAX_LENGTH !== this.#maxSeen) {
      this.#maxLength = checkMaxLength(this.MAX_LENGTH, `${this.constructor.name}.MAX_LENGTH`);
      this.#maxSeen = this.MAX_LENGTH;
    }
    const delimiter = this.#delimiterBytes;
    const dl = delimiter.length;
    const max = this.#maxLength;
    for (;;) {
      const data = buffer.data;
      const from = buffer.scan > buffer.start ? buffer.scan : buffer.start;
      const at = findDelimiter(data, delimiter, from);
      if (at < 0) {
        buffer.scan = Math.max(buffer.start, data.length - dl + 1);
        break;
      }
      const line = data.subarray(buffer.start, at);
      if (transportDisconnecting(this)) {
        // Twisted splits the whole read first and stops at the first line after a close: what
        // stays buffered is only the read's unfinished last line.
        this.#skipCompleteLines(at, delimiter);
        return undefined;
      }
      if (line.length > max) {
        this.#skipCompleteLines(at, delimiter);
        const result = this.lineLengthExceeded(line);
        // Closing (the default): no line will be delivered again, so the read's unfinished
        // last line, which may be longer than MAX_LENGTH, is not held either.
        if (transportDisconnecting(this)) buffer.clear();
        return result;
      }
      buffer.start = buffer.scan = at + dl;
      this.lineReceived(line);
    }
    // A partly received delimiter does not count against MAX_LENGTH (see the class notes).
    if (buffer.length >= max + dl) return this.lineLengthExceeded(buffer.clear());
    return undefined;
  }

  /** Drops every complete line from the one ending at `at` on. */
  #skipCompleteLines(at: number, delimiter: Buffer): void {
    const buffer = this.#buffer;
    let end = at + delimiter.length;
    for (let next = findDelimiter(buffer.data, delimiter, end); next >= 0; next = findDelimiter(buffer.data, delimiter, end)) {
      end = next + delimiter.length;
    }
    buffer.start = buffer.scan = end;
  }

  /** Writes `line` followed by the delimiter, in one write. */
  sendLine(line: Uint8Array): void {
    const bytes = toBuffer(line, 'sendLine(line)');
    if (this.delimiter !== this.#delimiterSeen) {
      this.#delimiterBytes = checkDelimiter(this.delimiter, `${this.constructor.name}.delimiter`);
      this.#delimiterSeen = this.delimiter;
      this.#buffer.scan = this.#buffer.start;
    }
    this.transport.write(frame(bytes, this.#delimiterBytes));
  }

  /** Override: a line arrived (a view, delimiter removed). */
  lineReceived(_line: Buffer): unknown {
    throw new NotImplementedError(`${this.constructor.name} must override lineReceived`);
  }

  /** A line is too long (`line` is it, or the unfinished bytes held). Default: close the connection. */
  lineLengthExceeded(_line: Buffer): unknown {
    this.transport.loseConnection();
    return undefined;
  }
}
