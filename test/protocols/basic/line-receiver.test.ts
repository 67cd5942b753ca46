// Twisted's LineReceiverTests, LineReceiverLineLengthExceededTests and ProducerTests
// (twisted/protocols/test/test_basic.py), over an in-memory transport.
import { describe, expect, it } from 'vitest';
import { Clock, LineReceiver, NotImplementedError } from '../../../src/index';
import { b, connectString, pieces, StringTransport, strs } from './string-transport';

/** Twisted's LineTester: acts on some lines (pause, rawpause, stop, len N, produce, unproduce). */
class LineTester extends LineReceiver {
  override delimiter = b('\n');
  override MAX_LENGTH = 64;
  received: Buffer[] = [];
  length = 0;
  constructor(private readonly clock?: Clock) {
    super();
  }
  override connectionMade(): void {
    this.received = [];
  }
  override lineReceived(line: Buffer): void {
    this.received.push(line);
    const s = line.toString('latin1');
    if (s === '') this.setRawMode();
    else if (s === 'pause') {
      this.pauseProducing();
      this.clock!.callLater(0, () => this.resumeProducing());
    } else if (s === 'rawpause') {
      this.pauseProducing();
      this.setRawMode();
      this.received.push(b(''));
      this.clock!.callLater(0, () => this.resumeProducing());
    } else if (s === 'stop') this.stopProducing();
    else if (s.startsWith('len ')) this.length = Number(s.slice(4));
    else if (s.startsWith('produce')) (this.transport as unknown as StringTransport).registerProducer(this, false);
    else if (s.startsWith('unproduce')) (this.transport as unknown as StringTransport).unregisterProducer();
  }
  override rawDataReceived(data: Buffer): void {
    const take = data.subarray(0, this.length);
    const rest = data.subarray(this.length);
    this.length -= take.length;
    this.received[this.received.length - 1] = Buffer.concat([this.received[this.received.length - 1]!, take]);
    if (this.length === 0) this.setLineMode(rest);
  }
  override lineLengthExceeded(line: Buffer): void {
    if (line.length > this.MAX_LENGTH + 1) this.setLineMode(line.subarray(this.MAX_LENGTH + 1));
  }
}

const BUFFER = b(
  'len 10\n\n0123456789len 5\n\n1234\nlen 20\nfoo 123\n\n0123456789\n012345678len 0\nfoo 5\n\n' +
    '1234567890123456789012345678901234567890123456789012345678901234567890\nlen 1\n\na',
);
const OUTPUT = ['len 10', '0123456789', 'len 5', '1234\n', 'len 20', 'foo 123', '0123456789\n012345678', 'len 0', 'foo 5', '', '67890', 'len 1', 'a'];

function feed(p: LineReceiver, data: Buffer, size: number): void {
  for (const piece of pieces(data, size)) p.dataReceived(piece);
}

describe('LineReceiver (Twisted LineReceiverTests)', () => {
  it('buffers across every packet size from 1 to 9', () => {
    for (let size = 1; size < 10; size++) {
      const { protocol } = connectString(new LineTester());
      feed(protocol, BUFFER, size);
      expect(strs(protocol.received)).toEqual(OUTPUT);
    }
  });

  it('pauses inside dataReceived and resumes with the clock', () => {
    const buf = b('twiddle1\ntwiddle2\npause\ntwiddle3\n');
    for (let size = 1; size < 10; size++) {
      const clock = new Clock();
      const { protocol } = connectString(new LineTester(clock));
      feed(protocol, buf, size);
      expect(strs(protocol.received)).toEqual(['twiddle1', 'twiddle2', 'pause']);
      clock.advance(0);
      expect(strs(protocol.received)).toEqual(['twiddle1', 'twiddle2', 'pause', 'twiddle3']);
    }
  });

  it('pauses inside raw data receiving', () => {
    const buf = b('twiddle1\ntwiddle2\nlen 5\nrawpause\n12345twiddle3\n');
    for (let size = 1; size < 10; size++) {
      const clock = new Clock();
      const { protocol } = connectString(new LineTester(clock));
      feed(protocol, buf, size);
      expect(strs(protocol.received)).toEqual(['twiddle1', 'twiddle2', 'len 5', 'rawpause', '']);
      clock.advance(0);
      expect(strs(protocol.received)).toEqual(['twiddle1', 'twiddle2', 'len 5', 'rawpause', '12345', 'twiddle3']);
    }
  });

  it('stops delivering after stopProducing', () => {
    const buf = b('twiddle1\ntwiddle2\nstop\nmore\nstuff\n');
    for (let size = 1; size < 10; size++) {
      const { protocol, transport } = connectString(new LineTester());
      feed(protocol, buf, size);
      expect(strs(protocol.received)).toEqual(['twiddle1', 'twiddle2', 'stop']);
      expect(transport.producerState).toBe('stopped');
    }
  });

  it('works as a producer of its transport', () => {
    const { protocol } = connectString(new LineTester());
    protocol.dataReceived(b('produce\nhello world\nunproduce\ngoodbye\n'));
    expect(strs(protocol.received)).toEqual(['produce', 'hello world', 'unproduce', 'goodbye']);
  });

  it('clearLineBuffer returns and drops what is buffered, from inside lineReceived', () => {
    class Clearing extends LineReceiver {
      line = b('');
      rest = b('');
      override lineReceived(line: Buffer): void {
        this.line = line;
        this.rest = this.clearLineBuffer();
      }
    }
    const p = new Clearing();
    p.dataReceived(b('foo\r\nbar\r\nbaz'));
    expect([p.line.toString(), p.rest.toString()]).toEqual(['foo', 'bar\r\nbaz']);
    p.dataReceived(b('quux\r\n'));
    expect([p.line.toString(), p.rest.toString()]).toEqual(['quux', '']);
  });

  it('switches modes many times on the same data without deep recursion', () => {
    class Flipping extends LineReceiver {
      override delimiter = b('\n');
      lines: Buffer[] = [];
      override lineReceived(line: Buffer): void {
        this.lines.push(line);
        this.setRawMode();
      }
      override rawDataReceived(data: Buffer): void {
        this.setLineMode(data.subarray(1));
      }
    }
    const { protocol } = connectString(new Flipping());
    const n = 20_000;
    protocol.dataReceived(b('x\nx'.repeat(n)));
    expect(Buffer.concat(protocol.lines).toString()).toBe('x'.repeat(n));
  });

  it('disconnects on a line longer than MAX_LENGTH', () => {
    const { protocol, transport } = connectString(
      new (class extends LineReceiver {
        override lineReceived(): void {}
      })(),
    );
    protocol.dataReceived(Buffer.concat([Buffer.alloc(protocol.MAX_LENGTH + 1, 'x'), b('\r\nr')]));
    expect(transport.disconnecting).toBe(true);
  });

  it('does not disconnect when a delimiter split across reads completes a MAX_LENGTH line', () => {
    const { protocol, transport } = connectString(new LineTester());
    protocol.MAX_LENGTH = 4;
    const line = b('xxx');
    protocol.dataReceived(line);
    protocol.dataReceived(b(''));
    protocol.dataReceived(Buffer.concat([b('\n'), line]));
    expect(transport.disconnecting).toBe(false);
    expect(strs(protocol.received)).toEqual(['xxx']);
  });

  it('does not disconnect on MAX_LENGTH bytes plus part of the delimiter', () => {
    const { protocol, transport } = connectString(new (class extends LineReceiver {})());
    protocol.dataReceived(Buffer.concat([Buffer.alloc(protocol.MAX_LENGTH, 'x'), b('\r')]));
    expect(transport.disconnecting).toBe(false);
    protocol.dataReceived(b('y'));
    expect(transport.disconnecting).toBe(true);
  });

  it('returns what rawDataReceived returns', () => {
    const oops = new Error('oops');
    const p = new (class extends LineReceiver {
      override rawDataReceived(): unknown {
        return oops;
      }
    })();
    connectString(p);
    p.setRawMode();
    expect(p.dataReceived(b('data'))).toBe(oops);
  });

  it('throws NotImplementedError from lineReceived and rawDataReceived when not overridden', () => {
    const p = new LineReceiver();
    expect(() => p.lineReceived(b('foo'))).toThrow(NotImplementedError);
    expect(() => p.rawDataReceived(b('foo'))).toThrow(NotImplementedError);
  });
});

class Catcher extends LineReceiver {
  longLines: string[] = [];
  override MAX_LENGTH = 6;
  override lineReceived(): void {}
  override lineLengthExceeded(line: Buffer): void {
    this.longLines.push(line.toString());
  }
}

describe('LineReceiver.lineLengthExceeded (Twisted LineReceiverLineLengthExceededTests)', () => {
  const excessive = 'x'.repeat(6 * 2 + 2);
  it('gets all of a long unfinished line', () => {
    const { protocol } = connectString(new Catcher());
    protocol.dataReceived(b(excessive));
    expect(protocol.longLines).toEqual([excessive]);
    expect(protocol.bufferedLength).toBe(0);
  });
  it('gets the bytes after a short line', () => {
    const { protocol } = connectString(new Catcher());
    protocol.dataReceived(b(`x\r\n${excessive}`));
    expect(protocol.longLines).toEqual([excessive]);
  });
  it('gets the whole input when the first delimiter comes after MAX_LENGTH', () => {
    const { protocol } = connectString(new Catcher());
    const data = `${excessive}\r\n${excessive}`;
    protocol.dataReceived(b(data));
    expect(protocol.longLines).toEqual([data]);
  });
  it('gets several long lines at once', () => {
    const { protocol } = connectString(new Catcher());
    const data = `${excessive}\r\n`.repeat(2);
    protocol.dataReceived(b(data));
    expect(protocol.longLines).toEqual([data]);
  });
  it('disconnects by default on an unfinished line of MAX_LENGTH + delimiter bytes', () => {
    const { protocol, transport } = connectString(new (class extends LineReceiver {})());
    protocol.dataReceived(Buffer.alloc(protocol.MAX_LENGTH + 2, 'x'));
    expect(transport.disconnecting).toBe(true);
  });
});

/** Twisted's ConsumingProtocol: pauses itself after every line. */
class Consuming extends LineReceiver {
  override lineReceived(line: Buffer): void {
    this.transport.write(line);
    this.pauseProducing();
  }
}

describe('LineReceiver pausing (Twisted ProducerTests)', () => {
  it('holds lines while paused and delivers them one per resume', () => {
    const { protocol: p, transport: t } = connectString(new Consuming());
    const data = (): string[] => strs(t.written);
    p.dataReceived(b('hello, '));
    expect([data(), t.producerState, p.paused]).toEqual([[], 'producing', false]);
    p.dataReceived(b('world\r\n'));
    expect([data(), t.producerState, p.paused]).toEqual([['hello, world'], 'paused', true]);
    p.resumeProducing();
    expect([data(), t.producerState, p.paused]).toEqual([['hello, world'], 'producing', false]);
    p.dataReceived(b('hello\r\nworld\r\n'));
    expect([data(), t.producerState, p.paused]).toEqual([['hello, world', 'hello'], 'paused', true]);
    p.resumeProducing();
    expect([data(), t.producerState, p.paused]).toEqual([['hello, world', 'hello', 'world'], 'paused', true]);
    p.dataReceived(b('goodbye\r\n'));
    expect(data()).toEqual(['hello, world', 'hello', 'world']);
    p.resumeProducing();
    expect([data(), t.producerState, p.paused]).toEqual([['hello, world', 'hello', 'world', 'goodbye'], 'paused', true]);
    p.resumeProducing();
    expect([data(), t.producerState, p.paused]).toEqual([['hello, world', 'hello', 'world', 'goodbye'], 'producing', false]);
  });
});

describe('LineReceiver delivery rules', () => {
  it('delivers no further line once the transport is closing', () => {
    const got: string[] = [];
    const { protocol } = connectString(
      new (class extends LineReceiver {
        override lineReceived(line: Buffer): void {
          got.push(line.toString());
          if (line.toString() === 'quit') this.transport.loseConnection();
        }
      })(),
    );
    protocol.dataReceived(b('a\r\nquit\r\nb\r\n'));
    expect(got).toEqual(['a', 'quit']);
  });

  it('stops when lineReceived returns a truthy value and returns it', () => {
    const { protocol } = connectString(
      new (class extends LineReceiver {
        override lineReceived(line: Buffer): unknown {
          return line.toString() === 'stop' ? 'why' : undefined;
        }
      })(),
    );
    expect(protocol.dataReceived(b('a\r\nstop\r\nb\r\n'))).toBe('why');
    expect(protocol.clearLineBuffer().toString()).toBe('b\r\n');
  });

  it('honours a delimiter changed between lines, also one split across reads', () => {
    const got: string[] = [];
    const { protocol } = connectString(
      new (class extends LineReceiver {
        override lineReceived(line: Buffer): void {
          got.push(line.toString());
          if (line.toString() === 'switch') this.delimiter = b('||');
        }
      })(),
    );
    protocol.dataReceived(b('a\r\nswitch\r\nb|'));
    protocol.dataReceived(b('|c||'));
    expect(got).toEqual(['a', 'switch', 'b', 'c']);
  });

  it('keeps lines intact when later reads are appended to the buffer', () => {
    const kept: Buffer[] = [];
    const { protocol } = connectString(
      new (class extends LineReceiver {
        override lineReceived(line: Buffer): void {
          kept.push(line);
        }
      })(),
    );
    for (let i = 0; i < 200; i++) protocol.dataReceived(b(`line-${i}\r\nparti`));
    expect(kept.map((l) => l.toString())).toEqual(Array.from({ length: 200 }, (_, i) => (i === 0 ? 'line-0' : `partiline-${i}`)));
  });

  it('copies held bytes out of a borrowed read', () => {
    const got: string[] = [];
    const { protocol } = connectString(
      new (class extends LineReceiver {
        override borrowData = true;
        override lineReceived(line: Buffer): void {
          got.push(line.toString());
        }
      })(),
    );
    const arena = b('abc\r\ndef');
    protocol.dataReceived(arena);
    arena.fill(0);
    protocol.dataReceived(b('\r\n'));
    expect(got).toEqual(['abc', 'def']);
  });

  it('sendLine writes the line and the delimiter in one write', () => {
    const { protocol, transport } = connectString(
      new (class extends LineReceiver {
        override delimiter = b('\n');
      })(),
    );
    protocol.sendLine(b('hello'));
    expect(strs(transport.written)).toEqual(['hello\n']);
  });

  it('validates its arguments and settings with stable codes', () => {
    const { protocol } = connectString(
      new (class extends LineReceiver {
        override lineReceived(): void {}
      })(),
    );
    expect(() => protocol.sendLine('text' as never)).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_DATA' }));
    expect(() => protocol.dataReceived('text' as never)).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_DATA' }));
    expect(() => protocol.setLineMode(42 as never)).toThrow(TypeError);
    protocol.delimiter = b('');
    expect(() => protocol.dataReceived(b('x'))).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_ARG_VALUE' }));
    protocol.delimiter = b('\n');
    protocol.MAX_LENGTH = -1;
    expect(() => protocol.dataReceived(b('x'))).toThrow(RangeError);
    protocol.MAX_LENGTH = '10' as never;
    expect(() => protocol.dataReceived(b('x'))).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' }));
  });
});
