import { NotImplementedError } from '../../errors';
import { PausableReceiver, transportDisconnecting } from './pausable';
import { findDelimiter, frame, ReceiveBuffer } from './receive-buffer';
import { checkDelimiter, checkMaxLength, EMPTY, toBuffer } from './receiver-arguments';

const CRLF = Buffer.from('\r\n');

/**
 * A protocol that receives lines and/or raw data, depending on mode: Twisted's
 * `twisted.protocols.basic.LineReceiver`.
 *
 * In line mode each line, without its delimiter, goes to {@link lineReceived}; in raw mode
 * every chunk goes to {@link rawDataReceived}. {@link setLineMode} and {@link setRawMode}
 * switch between the two, also from inside a callback (the rest of the buffer is then
 * delivered in the new mode).
 *
 * - `delimiter` (default `\r\n`) and `MAX_LENGTH` (default 16384) may be overridden by a
 *   subclass field or set on an instance, as Twisted's class attributes.
 * - A line longer than MAX_LENGTH, or more than MAX_LENGTH + delimiter bytes without a
 *   delimiter, goes to {@link lineLengthExceeded} (default: `transport.loseConnection()`),
 *   with everything buffered from its start on; the buffer is then empty. So the receiver
 *   never holds more than MAX_LENGTH + delimiter bytes plus one read, whatever the peer sends.
 * - Pausing ({@link pauseProducing}) stops line delivery at once, mid-buffer, and the
 *   transport's reads; {@link resumeProducing} delivers the held lines, then reads again.
 * - After `transport.loseConnection()` no further line is delivered.
 * - A callback returning a truthy value stops delivery; dataReceived returns that value
 *   (Twisted's convention).
 *
 * Lines are Buffer views of the received bytes: yours to keep, and nothing writes to them, but
 * a view keeps its whole read alive; copy (`Buffer.from(line)`) small lines you keep for long.
 * With `borrowData = true` they are views of the reactor's read arena, valid only during the
 * call, like the data itself.
 *
 * @example
 * ```ts
 * class Echo extends LineReceiver {
 *   override lineReceived(line: Buffer) { this.sendLine(line); }
 * }
 * ```
 */
export class LineReceiver extends PausableReceiver {
  /** The line delimiter (non-empty bytes). */
  delimiter: Uint8Array = CRLF;
  /** The longest line accepted, in bytes, delimiter excluded. */
  MAX_LENGTH = 16384;

  readonly #buffer = new ReceiveBuffer();
  #busyReceiving = false;
  #inLineMode = true;
  // The delimiter and MAX_LENGTH last validated, re-checked only when the property changes.
  #delimiterSeen: unknown = undefined;
  #delimiterBytes: Buffer = CRLF;
  #maxSeen: unknown = undefined;
  #maxLength = 16384;

  /** True in line mode, false in raw mode. */
  get lineMode(): boolean {
    return this.#inLineMode;
  }

  /** How many received bytes are held, not yet delivered (at most MAX_LENGTH + delimiter + one read unless paused). */
  get bufferedLength(): number {
    return this.#buffer.length;
  }

  /** Splits received bytes into lines (or raw chunks) and delivers them. Takes ownership of `data`. */
  override dataReceived(data: Buffer): unknown {
    const chunk = toBuffer(data, 'LineReceiver.dataReceived(data)');
    if (this.#busyReceiving) {
      // Re-entered from a callback (setLineMode(extra), resumeProducing): the running loop
      // will get to these bytes, in order.
      this.#buffer.push(chunk);
      return undefined;
    }
    this.#busyReceiving = true;
    try {
      this.#buffer.push(chunk);
      return this.#deliver();
    } finally {
      this.#busyReceiving = false;
      if (this.borrowData) this.#buffer.own();
    }
  }

  #deliver(): unknown {
    const buffer = this.#buffer;
    while (buffer.start < buffer.data.length && !this.paused) {
      if (!this.#inLineMode) {
        const why = this.rawDataReceived(buffer.clear());
        if (why) return why;
        continue;
      }
      const delimiter = this.delimiter === this.#delimiterSeen ? this.#delimiterBytes : this.#updateDelimiter();
      const max = this.MAX_LENGTH === this.#maxSeen ? this.#maxLength : this.#updateMaxLength();
      const data = buffer.data;
      const dl = delimiter.length;
      const from = buffer.scan > buffer.start ? buffer.scan : buffer.start;
      const at = findDelimiter(data, delimiter, from);
      if (at < 0) {
        if (data.length - buffer.start >= max + dl) return this.lineLengthExceeded(buffer.clear());
        // The next search need only look at the bytes that could still start a delimiter.
        buffer.scan = Math.max(buffer.start, data.length - dl + 1);
        return undefined;
      }
      if (at - buffer.start > max) return this.lineLengthExceeded(buffer.clear());
      const line = data.subarray(buffer.start, at);
      buffer.start = buffer.scan = at + dl;
      const why = this.lineReceived(line);
      if (why || transportDisconnecting(this)) return why;
    }
    return undefined;
  }

  #updateDelimiter(): Buffer {
    this.#delimiterBytes = checkDelimiter(this.delimiter, `${this.constructor.name}.delimiter`);
    this.#delimiterSeen = this.delimiter;
    // A new delimiter may start anywhere in what is held: search it from the start again.
    this.#buffer.scan = this.#buffer.start;
    return this.#delimiterBytes;
  }

  #updateMaxLength(): number {
    this.#maxLength = checkMaxLength(this.MAX_LENGTH, `${this.constructor.name}.MAX_LENGTH`);
    this.#maxSeen = this.MAX_LENGTH;
    return this.#maxLength;
  }

  /**
   * Switches to line mode. `extra` (bytes a rawDataReceived did not consume) is parsed for
   * lines before anything received later. Do not pass `extra` from inside lineReceived.
   */
  setLineMode(extra?: Uint8Array): unknown {
    const bytes = extra === undefined ? EMPTY : toBuffer(extra, 'setLineMode(extra)');
    this.#inLineMode = true;
    if (bytes.length > 0) return this.dataReceived(bytes);
    return undefined;
  }

  /** Switches to raw mode: what follows goes to rawDataReceived, the rest of this buffer included. */
  setRawMode(): void {
    this.#inLineMode = false;
  }

  /** Removes and returns everything buffered and not yet delivered (callable from a callback). */
  clearLineBuffer(): Buffer {
    return this.#buffer.clear();
  }

  /** Writes `line` followed by the delimiter, in one write. */
  sendLine(line: Uint8Array): void {
    const bytes = toBuffer(line, 'sendLine(line)');
    const delimiter = this.delimiter === this.#delimiterSeen ? this.#delimiterBytes : this.#updateDelimiter();
    this.transport.write(frame(bytes, delimiter));
  }

  /** Override: a line arrived (a view, delimiter removed). A truthy return stops delivery. */
  lineReceived(_line: Buffer): unknown {
    throw new NotImplementedError(`${this.constructor.name} must override lineReceived`);
  }

  /** Override: raw-mode bytes arrived. A truthy return stops delivery. */
  rawDataReceived(_data: Buffer): unknown {
    throw new NotImplementedError(`${this.constructor.name} must override rawDataReceived to use raw mode`);
  }

  /**
   * A line is too long. `line` is everything that was buffered from the start of the long line
   * on (it may hold more lines, or only part of the long one). The default closes the
   * connection; an override may instead resynchronise, with setLineMode(rest of `line`).
   */
  lineLengthExceeded(_line: Buffer): unknown {
    this.transport.loseConnection();
    return undefined;
  }
}
