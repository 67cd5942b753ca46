import { InvalidArgValueError, NotImplementedError } from '../../errors';
import { StringTooLongError } from './errors';
import { PausableReceiver } from './pausable';
import { ReceiveBuffer } from './receive-buffer';
import { checkMaxLength, toBuffer } from './receiver-arguments';

/**
 * The base of the length-prefixed receivers: Twisted's
 * `twisted.protocols.basic.IntNStringReceiver`. Each message is an unsigned big-endian length
 * of {@link prefixLength} bytes followed by that many bytes; each goes to
 * {@link stringReceived}. Use {@link Int8StringReceiver}, {@link Int16StringReceiver} or
 * {@link Int32StringReceiver}, or set `prefixLength` (1 to 6) in a subclass.
 *
 * - A length above MAX_LENGTH (default 99999) goes to {@link lengthLimitExceeded} (default:
 *   `transport.loseConnection()`) before any of its bytes are buffered; the stream cannot be
 *   resynchronised after that, so, as in Twisted, every later dataReceived reports the same
 *   length again. Unlike Twisted, which keeps the unparsed bytes, they are dropped: the
 *   receiver never holds more than prefix + MAX_LENGTH bytes plus one read.
 * - Pausing ({@link pauseProducing}) stops delivery at once, mid-buffer; resumeProducing
 *   delivers the held messages.
 * - Strings are views of the received bytes (see LineReceiver); a message split across reads
 *   is assembled in a buffer of exactly its size.
 * - Twisted's deprecated `recvd` attribute is not provided.
 */
export class IntNStringReceiver extends PausableReceiver {
  /** The largest length accepted. */
  MAX_LENGTH = 99999;
  /** Bytes in the length prefix. */
  prefixLength = 0;

  readonly #buffer = new ReceiveBuffer();
  #busyReceiving = false;
  /** The length that exceeded MAX_LENGTH, once one did (-1 before). */
  #exceededLength = -1;

  /** How many received bytes are held, not yet delivered. */
  get bufferedLength(): number {
    return this.#buffer.length;
  }

  /** Splits received bytes into strings and delivers them. Takes ownership of `data`. */
  override dataReceived(data: Buffer): unknown {
    const chunk = toBuffer(data, `${this.constructor.name}.dataReceived(data)`);
    if (this.#exceededLength >= 0) {
      if (!this.paused) this.lengthLimitExceeded(this.#exceededLength);
      return undefined;
    }
    const buffer = this.#buffer;
    buffer.push(chunk);
    if (this.#busyReceiving) return undefined;
    this.#busyReceiving = true;
    try {
      this.#deliver();
    } finally {
      this.#busyReceiving = false;
      if (this.borrowData) buffer.own();
    }
    return undefined;
  }

  #deliver(): void {
    const buffer = this.#buffer;
    const prefix = this.#checkedPrefixLength();
    const max = checkMaxLength(this.MAX_LENGTH, `${this.constructor.name}.MAX_LENGTH`);
    while (!this.paused) {
      const data = buffer.data;
      const start = buffer.start;
      if (data.length - start < prefix) break;
      const length =
        prefix === 4 ? data.readUInt32BE(start) : prefix === 2 ? data.readUInt16BE(start) : prefix === 1 ? data[start]! : data.readUIntBE(start, prefix);
      if (length > max) {
        this.#exceededLength = length;
        buffer.clear();
        this.lengthLimitExceeded(length);
        return;
      }
      if (data.length - start < prefix + length) {
        // Wait for the rest, and make the next growth exactly the message's size.
        buffer.want = prefix + length;
        break;
      }
      buffer.want = 0;
      buffer.take(prefix);
      this.stringReceived(buffer.take(length));
      if (this.#exceededLength >= 0) return;
    }
  }

  #checkedPrefixLength(): number {
    const prefix = this.prefixLength;
    if (!Number.isInteger(prefix) || prefix < 1 || prefix > 6) {
      throw new InvalidArgValueError(`${this.constructor.name}.prefixLength must be an integer from 1 to 6, received ${String(prefix)}`);
    }
    return prefix;
  }

  /**
   * Sends `string` with its length prefix, in one write.
   *
   * @throws StringTooLongError if the length does not fit the prefix (256 bytes or more for
   *   Int8, 65536 for Int16, 2**32 for Int32).
   */
  sendString(string: Uint8Array): void {
    const bytes = toBuffer(string, 'sendString(string)');
    const prefix = this.#checkedPrefixLength();
    const limit = 2 ** (8 * prefix);
    if (bytes.length >= limit) throw new StringTooLongError(bytes.length, limit - 1);
    const frame = Buffer.allocUnsafe(prefix + bytes.length);
    frame.writeUIntBE(bytes.length, 0, prefix);
    frame.set(bytes, prefix);
    this.transport.write(frame);
  }

  /** Override: a complete string arrived (a view, prefix removed). */
  stringReceived(_string: Buffer): unknown {
    throw new NotImplementedError(`${this.constructor.name} must override stringReceived`);
  }

  /** A length prefix above MAX_LENGTH arrived. The default closes the connection. */
  lengthLimitExceeded(_length: number): void {
    this.transport.loseConnection();
  }
}

/** Strings prefixed by a 1-byte length (so at most 255 bytes): Twisted's `Int8StringReceiver`. */
export class Int8StringReceiver extends IntNStringReceiver {
  override prefixLength = 1;
}

/** Strings prefixed by a 2-byte big-endian length: Twisted's `Int16StringReceiver`. */
export class Int16StringReceiver extends IntNStringReceiver {
  override prefixLength = 2;
}

/** Strings prefixed by a 4-byte big-endian length: Twisted's `Int32StringReceiver`. */
export class Int32StringReceiver extends IntNStringReceiver {
  override prefixLength = 4;
}
