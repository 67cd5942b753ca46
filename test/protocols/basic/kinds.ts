// The receivers as echo servers and collecting clients, one pair per kind, for the suites
// that run them over real connections.
import {
  IntNStringReceiver,
  Int16StringReceiver,
  Int32StringReceiver,
  Int8StringReceiver,
  LineOnlyReceiver,
  LineReceiver,
  NetstringReceiver,
  type NetstringParseError,
  type Protocol,
} from '../../../src/index';

/** What every collecting client and echoing server records. */
export interface Collecting {
  got: Buffer[];
  /** What the documented oversize/malformed callback was called with. */
  refused: unknown[];
  onMessage?: () => void;
}

type Receiver = Protocol & Collecting & { send(m: Buffer): void; MAX_LENGTH: number };

export interface Kind {
  name: string;
  /** MAX_LENGTH the servers use in the suites. */
  max: number;
  echo(): Receiver;
  collect(): Receiver;
  /** Frames a message as the peer would send it. */
  frame(m: Buffer): Buffer;
  /** Bytes that break the server's limit or grammar. */
  oversize: Buffer;
  /** A byte the message bodies may not contain (lines), or undefined. */
  forbidden?: number;
}

function prefixed(n: number, m: Buffer): Buffer {
  const head = Buffer.alloc(n);
  head.writeUIntBE(m.length, 0, n);
  return Buffer.concat([head, m]);
}

class LineEcho extends LineReceiver implements Collecting {
  got: Buffer[] = [];
  refused: unknown[] = [];
  override lineReceived(line: Buffer): void {
    this.got.push(line);
    this.sendLine(line);
  }
  override lineLengthExceeded(line: Buffer): unknown {
    this.refused.push(line.length);
    return super.lineLengthExceeded(line);
  }
  send(m: Buffer): void {
    this.sendLine(m);
  }
}
class LineCollect extends LineEcho {
  onMessage?: () => void;
  override lineReceived(line: Buffer): void {
    this.got.push(line);
    this.onMessage?.();
  }
}
class LineOnlyEcho extends LineOnlyReceiver implements Collecting {
  got: Buffer[] = [];
  refused: unknown[] = [];
  override lineReceived(line: Buffer): void {
    this.got.push(line);
    this.sendLine(line);
  }
  override lineLengthExceeded(line: Buffer): unknown {
    this.refused.push(line.length);
    return super.lineLengthExceeded(line);
  }
  send(m: Buffer): void {
    this.sendLine(m);
  }
}
class LineOnlyCollect extends LineOnlyEcho {
  onMessage?: () => void;
  override lineReceived(line: Buffer): void {
    this.got.push(line);
    this.onMessage?.();
  }
}
class NetstringEcho extends NetstringReceiver implements Collecting {
  got: Buffer[] = [];
  refused: unknown[] = [];
  override stringReceived(s: Buffer): void {
    this.got.push(s);
    this.sendString(s);
  }
  override handleParseError(error: NetstringParseError): void {
    this.refused.push(error.reason);
    super.handleParseError(error);
  }
  send(m: Buffer): void {
    this.sendString(m);
  }
}
class NetstringCollect extends NetstringEcho {
  onMessage?: () => void;
  override stringReceived(s: Buffer): void {
    this.got.push(s);
    this.onMessage?.();
  }
}

function intPair(Base: typeof IntNStringReceiver, max: number) {
  class Echo extends Base implements Collecting {
    override MAX_LENGTH = max;
    got: Buffer[] = [];
    refused: unknown[] = [];
    override stringReceived(s: Buffer): void {
      this.got.push(s);
      this.sendString(s);
    }
    override lengthLimitExceeded(length: number): void {
      this.refused.push(length);
      super.lengthLimitExceeded(length);
    }
    send(m: Buffer): void {
      this.sendString(m);
    }
  }
  class Collect extends Echo {
    onMessage?: () => void;
    override stringReceived(s: Buffer): void {
      this.got.push(s);
      this.onMessage?.();
    }
  }
  return { echo: () => new Echo(), collect: () => new Collect() };
}

const CRLF = Buffer.from('\r\n');

export const KINDS: Kind[] = [
  {
    name: 'LineReceiver',
    max: 16384,
    echo: () => new LineEcho(),
    collect: () => new LineCollect(),
    frame: (m) => Buffer.concat([m, CRLF]),
    oversize: Buffer.concat([Buffer.alloc(16385, 'x'), CRLF]),
    forbidden: 0x0a,
  },
  {
    name: 'LineOnlyReceiver',
    max: 16384,
    echo: () => new LineOnlyEcho(),
    collect: () => new LineOnlyCollect(),
    frame: (m) => Buffer.concat([m, CRLF]),
    oversize: Buffer.alloc(16385, 'x'),
    forbidden: 0x0a,
  },
  {
    name: 'NetstringReceiver',
    max: 99999,
    echo: () => new NetstringEcho(),
    collect: () => new NetstringCollect(),
    frame: (m) => Buffer.concat([Buffer.from(`${m.length}:`), m, Buffer.from(',')]),
    oversize: Buffer.from('100000:'),
  },
  { name: 'Int8StringReceiver', max: 200, ...intPair(Int8StringReceiver, 200), frame: (m) => prefixed(1, m), oversize: Buffer.from([201]) },
  { name: 'Int16StringReceiver', max: 60000, ...intPair(Int16StringReceiver, 60000), frame: (m) => prefixed(2, m), oversize: Buffer.from([0xff, 0xff]) },
  { name: 'Int32StringReceiver', max: 99999, ...intPair(Int32StringReceiver, 99999), frame: (m) => prefixed(4, m), oversize: Buffer.from([0, 1, 0x86, 0xa0]) },
];

/** Deterministic messages for `kind`: empty, tiny, and at and just under its limit, plus a spread. */
export function messagesFor(kind: Kind, count = 60): Buffer[] {
  const sizes = [0, 1, 2, kind.max - 1, kind.max, 3, 100, Math.floor(kind.max / 2)];
  let seed = 12345;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  while (sizes.length < count) sizes.push(Math.floor(rand() * Math.min(kind.max, 300)));
  return sizes.map((n, i) => {
    const m = Buffer.alloc(n);
    for (let j = 0; j < n; j++) m[j] = kind.forbidden === undefined ? (i * 31 + j * 7) & 0xff : 0x61 + ((i + j) % 26);
    return m;
  });
}
