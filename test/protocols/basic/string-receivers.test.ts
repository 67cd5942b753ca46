// Twisted's LineOnlyReceiverTests, NetstringReceiverTests, Int8/16/32Tests and the
// StatefulStringProtocol (twisted/protocols/test/test_basic.py), over an in-memory transport.
import { describe, expect, it } from 'vitest';
import {
  Int16StringReceiver,
  Int32StringReceiver,
  Int8StringReceiver,
  IntNStringReceiver,
  LineOnlyReceiver,
  NetstringParseError,
  NetstringReceiver,
  NotImplementedError,
  StatefulStringProtocol,
  StringTooLongError,
  type Logger,
} from '../../../src/index';
import { b, connectString, pieces, strs } from './string-transport';

class LineOnlyTester extends LineOnlyReceiver {
  override delimiter = b('\n');
  override MAX_LENGTH = 64;
  received: Buffer[] = [];
  override lineReceived(line: Buffer): void {
    this.received.push(line);
  }
}

describe('LineOnlyReceiver (Twisted LineOnlyReceiverTests)', () => {
  const buffer = b('foo\n    bleakness\n    desolation\n    plastic forks\n    ');
  it('buffers a byte at a time', () => {
    const { protocol } = connectString(new LineOnlyTester());
    for (const c of pieces(buffer, 1)) protocol.dataReceived(c);
    expect(strs(protocol.received)).toEqual(buffer.toString().split('\n').slice(0, -1));
  });
  it('disconnects on a line longer than MAX_LENGTH + delimiter', () => {
    const { protocol, transport } = connectString(new LineOnlyTester());
    protocol.dataReceived(Buffer.concat([Buffer.alloc(64 + 1 + 1, 'x'), b('\r\nr')]));
    expect(transport.disconnecting).toBe(true);
  });
  it('disconnects on an unfinished line longer than MAX_LENGTH, and drops it', () => {
    const { protocol, transport } = connectString(new LineOnlyTester());
    protocol.dataReceived(Buffer.alloc(64, 'x'));
    expect(transport.disconnecting).toBe(false);
    protocol.dataReceived(b('x'));
    expect(transport.disconnecting).toBe(true);
    expect(protocol.bufferedLength).toBe(0);
  });
  it('drops the complete lines of a read after the transport started closing', () => {
    const { protocol } = connectString(
      new (class extends LineOnlyTester {
        override lineReceived(line: Buffer): void {
          super.lineReceived(line);
          if (line.toString() === 'quit') this.transport.loseConnection();
        }
      })(),
    );
    protocol.dataReceived(b('a\nquit\nb\nc\npart'));
    expect(strs(protocol.received)).toEqual(['a', 'quit']);
    expect(protocol.bufferedLength).toBe(4);
  });
  it('hands a long line inside a read to lineLengthExceeded and keeps only the unfinished tail', () => {
    const long: string[] = [];
    const { protocol } = connectString(
      new (class extends LineOnlyTester {
        override lineLengthExceeded(line: Buffer): void {
          long.push(line.toString());
        }
      })(),
    );
    protocol.dataReceived(b(`ok\n${'y'.repeat(65)}\nlost\ntail`));
    expect([strs(protocol.received), long, protocol.bufferedLength]).toEqual([['ok'], ['y'.repeat(65)], 4]);
  });
  it('closing on a long line inside a read holds none of that read, not even an unfinished tail longer than MAX_LENGTH', () => {
    const { protocol, transport } = connectString(new LineOnlyTester());
    protocol.dataReceived(b(`${'y'.repeat(65)}\n${'z'.repeat(100)}`));
    expect(transport.disconnecting).toBe(true);
    expect(protocol.bufferedLength).toBe(0);
  });
  it('sendLine writes line and delimiter; lineReceived must be overridden', () => {
    const { protocol, transport } = connectString(new LineOnlyTester());
    protocol.sendLine(b('hi'));
    expect(transport.value().toString()).toBe('hi\n');
    expect(() => new LineOnlyReceiver().lineReceived(b('x'))).toThrow(NotImplementedError);
    expect(() => protocol.sendLine(7 as never)).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_DATA' }));
  });
});

class TestNetstring extends NetstringReceiver {
  override MAX_LENGTH = 50;
  received: Buffer[] = [];
  errors: NetstringParseError[] = [];
  override stringReceived(s: Buffer): void {
    this.received.push(s);
    this.transport.write(s);
  }
  override handleParseError(error: NetstringParseError): void {
    this.errors.push(error);
    super.handleParseError(error);
  }
}

describe('NetstringReceiver (Twisted NetstringReceiverTests)', () => {
  const strings = ['hello', 'world', 'how', 'are', 'you123', ':today', 'a'.repeat(515)];
  const illegal = ['9999999999999999999999', 'abc', '4:abcde', '51:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab,'];

  it('receives strings in chunks of every size from 1 to 9', () => {
    for (let size = 1; size < 10; size++) {
      const { protocol, transport } = connectString(new TestNetstring());
      protocol.MAX_LENGTH = 699;
      for (const s of strings) protocol.sendString(b(s));
      const out = transport.value();
      for (const p of pieces(out, size)) protocol.dataReceived(p);
      expect(strs(protocol.received)).toEqual(strings);
    }
  });

  it('closes the connection on illegal strings fed a byte at a time', () => {
    for (const s of illegal) {
      const { protocol, transport } = connectString(new TestNetstring());
      for (const c of pieces(b(s), 1)) protocol.dataReceived(c);
      expect(transport.disconnecting, s).toBe(true);
      expect(protocol.brokenPeer).toBe(true);
      expect(protocol.errors[0]).toBeInstanceOf(NetstringParseError);
      expect(protocol.errors[0]!.code).toBe('ERR_IOREACTOR_NETSTRING_PARSE');
    }
  });

  const cases: [string, string[]][] = [
    ['0:,', ['']],
    ['1:a,', ['a']],
    ['2:ab,', ['ab']],
    ['4:1:a,,', ['1:a,']],
  ];
  for (const [input, output] of cases) {
    it(`receives ${JSON.stringify(input)}`, () => {
      const { protocol } = connectString(new TestNetstring());
      protocol.dataReceived(b(input));
      expect(strs(protocol.received)).toEqual(output);
    });
  }

  const refused: [string, string, NetstringParseError['reason']][] = [
    ['more data than specified', '2:aaa,', 'missing-comma'],
    ['data in an empty netstring', '0:a,', 'missing-comma'],
    ['a missing number', ':aaa,', 'missing-length'],
    ['a missing colon', '3aaa,', 'missing-length'],
    ['missing number and colon', 'aaa,', 'missing-length'],
    ['only data', 'aaa', 'missing-length'],
    ['a leading zero', '01:a,', 'missing-length'],
    ['a length above MAX_LENGTH', `51:${'a'.repeat(51)},`, 'too-long'],
  ];
  for (const [what, input, reason] of refused) {
    it(`refuses ${what}`, () => {
      const { protocol, transport } = connectString(new TestNetstring());
      protocol.dataReceived(b(input));
      expect(transport.disconnecting).toBe(true);
      expect(protocol.errors.map((e) => e.reason)).toEqual([reason]);
      expect(protocol.received).toEqual([]);
    });
  }

  it('receives netstrings in portions, the length split too', () => {
    for (const parts of [
      ['4:aa', 'aa,'],
      ['1', '0:01234', '56789', ','],
      ['2', ':', 'a', 'b', ','],
    ]) {
      const { protocol } = connectString(new TestNetstring());
      for (const p of parts) protocol.dataReceived(b(p));
      expect(strs(protocol.received)).toEqual([parts.join('').replace(/^\d+:/, '').slice(0, -1)]);
    }
  });

  it('receives two netstrings when the first read ends inside the second length', () => {
    const { protocol } = connectString(new TestNetstring());
    protocol.dataReceived(b('1:a,1'));
    expect(strs(protocol.received)).toEqual(['a']);
    protocol.dataReceived(b(':b,'));
    expect(strs(protocol.received)).toEqual(['a', 'b']);
  });

  it('accepts a length of exactly MAX_LENGTH and refuses MAX_LENGTH + 1 at its last digit', () => {
    const ok = connectString(new TestNetstring());
    ok.protocol.MAX_LENGTH = 12;
    ok.protocol.dataReceived(b(`12:${'x'.repeat(12)},`));
    expect(ok.protocol.received.length).toBe(1);
    const bad = connectString(new TestNetstring());
    bad.protocol.MAX_LENGTH = 11;
    bad.protocol.dataReceived(b('1'));
    expect(bad.transport.disconnecting).toBe(false);
    bad.protocol.dataReceived(b('2'));
    expect(bad.transport.disconnecting).toBe(true);
  });

  it('reports the same error again on each later read, and delivers nothing more', () => {
    const { protocol } = connectString(new TestNetstring());
    protocol.dataReceived(b('x'));
    protocol.dataReceived(b('1:a,'));
    expect(protocol.errors.length).toBe(2);
    expect(protocol.errors[1]).toBe(protocol.errors[0]);
    expect(protocol.received).toEqual([]);
  });

  it('stringReceived must be overridden; sendString takes bytes only', () => {
    expect(() => new NetstringReceiver().stringReceived(b('foo'))).toThrow(NotImplementedError);
    const { protocol } = connectString(new TestNetstring());
    expect(() => protocol.sendString('x' as never)).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_DATA' }));
  });
});

class TestInt32 extends Int32StringReceiver {
  override MAX_LENGTH = 50;
  received: Buffer[] = [];
  override stringReceived(s: Buffer): void {
    this.received.push(s);
  }
}
class TestInt16 extends Int16StringReceiver {
  override MAX_LENGTH = 50;
  received: Buffer[] = [];
  override stringReceived(s: Buffer): void {
    this.received.push(s);
  }
}
class TestInt8 extends Int8StringReceiver {
  override MAX_LENGTH = 50;
  received: Buffer[] = [];
  override stringReceived(s: Buffer): void {
    this.received.push(s);
  }
}

const INT_CASES = [
  {
    name: 'Int32',
    make: () => new TestInt32(),
    prefix: 4,
    illegal: '\x10\x00\x00\x00aaaaaa',
    partial: ['\x00\x00\x00', 'hello there', ''],
    data: '\x00\x00\x00\x04ubar',
    sent: '\x00\x00\x00\x03foo',
  },
  {
    name: 'Int16',
    make: () => new TestInt16(),
    prefix: 2,
    illegal: '\x10\x00aaaaaa',
    partial: ['\x00', 'hello there', ''],
    data: '\x00\x04ubar',
    sent: '\x00\x03foo',
  },
  { name: 'Int8', make: () => new TestInt8(), prefix: 1, illegal: '\x00\x00aaaaaa', partial: ['\x08', 'dzadz', ''], data: '\x04ubar', sent: '\x03foo' },
];

function frame(prefix: number, s: Buffer): Buffer {
  const head = Buffer.alloc(prefix);
  head.writeUIntBE(s.length, 0, prefix);
  return Buffer.concat([head, s]);
}

for (const c of INT_CASES) {
  describe(`${c.name}StringReceiver (Twisted ${c.name}Tests)`, () => {
    const strings = [b('a'), b('b'.repeat(16))];
    it('receives strings fed a byte at a time', () => {
      const { protocol } = connectString(c.make());
      for (const s of strings) for (const x of pieces(frame(c.prefix, s), 1)) protocol.dataReceived(x);
      expect(strs(protocol.received)).toEqual(strs(strings));
    });
    it('delivers nothing for partial data', () => {
      for (const s of c.partial) {
        const { protocol } = connectString(c.make());
        for (const x of pieces(b(s), 1)) protocol.dataReceived(x);
        expect(protocol.received).toEqual([]);
      }
    });
    it('sends a prefixed string', () => {
      const { protocol, transport } = connectString(c.make());
      protocol.sendString(b('b'.repeat(16)));
      expect(transport.value()).toEqual(frame(c.prefix, b('b'.repeat(16))));
      transport.clear();
      protocol.sendString(b('foo'));
      expect(transport.value().toString('latin1')).toBe(c.sent);
      protocol.dataReceived(b(c.data));
      expect(strs(protocol.received)).toEqual(['ubar']);
    });
    it('calls lengthLimitExceeded with a length above MAX_LENGTH, and drops the string', () => {
      const lengths: number[] = [];
      const { protocol } = connectString(c.make());
      protocol.lengthLimitExceeded = (n: number) => void lengths.push(n);
      protocol.MAX_LENGTH = 10;
      protocol.dataReceived(Buffer.concat([frame(c.prefix, b('x'.repeat(11)))]));
      expect(lengths).toEqual([11]);
      expect(protocol.received).toEqual([]);
      expect(protocol.bufferedLength).toBe(0);
      protocol.dataReceived(b('more'));
      expect(lengths).toEqual([11, 11]);
    });
    it('closes the connection on an illegal length by default', () => {
      const { protocol, transport } = connectString(c.make());
      for (const x of pieces(b(c.illegal), 1)) protocol.dataReceived(x);
      expect(transport.disconnecting).toBe(true);
    });
    if (c.prefix < 4) {
      it('refuses to send a string too long for the prefix with StringTooLongError', () => {
        const { protocol, transport } = connectString(c.make());
        const limit = 2 ** (8 * c.prefix);
        const err = (() => {
          try {
            protocol.sendString(Buffer.alloc(limit));
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(err).toBeInstanceOf(StringTooLongError);
        expect(err).toBeInstanceOf(RangeError);
        expect((err as StringTooLongError).code).toBe('ERR_IOREACTOR_STRING_TOO_LONG');
        protocol.sendString(Buffer.alloc(limit - 1));
        expect(transport.value().length).toBe(limit - 1 + c.prefix);
      });
    }
    it('stringReceived must be overridden', () => {
      expect(() => c.make().constructor.prototype.__proto__.stringReceived.call(c.make(), b('x'))).toThrow(NotImplementedError);
    });
  });
}

describe('IntNStringReceiver pausing and validation', () => {
  it('pauses mid-buffer and delivers the held strings on resume', () => {
    const { protocol, transport } = connectString(
      new (class extends TestInt16 {
        override stringReceived(s: Buffer): void {
          super.stringReceived(s);
          this.pauseProducing();
        }
      })(),
    );
    protocol.dataReceived(Buffer.concat([frame(2, b('one')), frame(2, b('two')), frame(2, b('three')).subarray(0, 4)]));
    expect(strs(protocol.received)).toEqual(['one']);
    expect(transport.producerState).toBe('paused');
    protocol.resumeProducing();
    expect(strs(protocol.received)).toEqual(['one', 'two']);
    protocol.dataReceived(b('ree'));
    expect(strs(protocol.received)).toEqual(['one', 'two']);
    protocol.resumeProducing();
    expect(strs(protocol.received)).toEqual(['one', 'two', 'three']);
    expect(protocol.paused).toBe(true);
    protocol.resumeProducing();
    expect(strs(protocol.received)).toEqual(['one', 'two', 'three']);
    expect([protocol.paused, transport.producerState]).toEqual([false, 'producing']);
  });
  it('refuses a bad prefixLength or MAX_LENGTH', () => {
    const p = new (class extends IntNStringReceiver {})();
    expect(() => p.dataReceived(b('abc'))).toThrow(RangeError);
    const q = new TestInt32();
    q.MAX_LENGTH = 1.5;
    expect(() => q.dataReceived(b('abcd'))).toThrow(RangeError);
  });
});

describe('StatefulStringProtocol', () => {
  class Recording implements Logger {
    readonly messages: string[] = [];
    error(message: string): void {
      this.messages.push(message);
    }
  }
  class Login extends StatefulStringProtocol(Int32StringReceiver) {
    trace: string[] = [];
    proto_init(s: Buffer): string {
      this.trace.push(`name ${s}`);
      return 'password';
    }
    proto_password(s: Buffer): string {
      this.trace.push(`password ${s}`);
      return s.toString() === 'bad' ? 'done' : 'ready';
    }
    proto_ready(s: Buffer): string {
      this.trace.push(`cmd ${s}`);
      return s.toString() === 'bogus' ? 'nowhere' : 'ready';
    }
  }
  it('dispatches on state, closes on done, logs missing states', () => {
    const logger = new Recording();
    const { protocol, transport } = connectString(new Login());
    protocol.logger = logger;
    protocol.dataReceived(Buffer.concat(['alice', 'secret', 'ls', 'bogus', 'lost'].map((s) => frame(4, b(s)))));
    expect(protocol.trace).toEqual(['name alice', 'password secret', 'cmd ls', 'cmd bogus']);
    expect(protocol.state).toBe('nowhere');
    expect(logger.messages).toEqual(['Login: callback nowhere not found']);
    expect(transport.disconnecting).toBe(false);
    const second = connectString(new Login());
    second.protocol.dataReceived(Buffer.concat(['bob', 'bad'].map((s) => frame(4, b(s)))));
    expect(second.protocol.state).toBe('done');
    expect(second.transport.disconnecting).toBe(true);
  });
  it('works over netstrings and refuses a class that is not a string receiver', () => {
    class N extends StatefulStringProtocol(NetstringReceiver) {
      got: string[] = [];
      proto_init(s: Buffer): string {
        this.got.push(s.toString());
        return 'init';
      }
    }
    const { protocol } = connectString(new N());
    protocol.dataReceived(b('1:a,1:b,'));
    expect(protocol.got).toEqual(['a', 'b']);
    expect(() => StatefulStringProtocol(class {} as never)).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' }));
  });
});
