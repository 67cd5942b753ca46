// LineReceiver's modes, pausing and closing rules, and StatefulStringProtocol, over real
// connections on every backend x trigger (TCP4).
import { describe, expect, it } from 'vitest';
import { Int32StringReceiver, LineReceiver, StatefulStringProtocol } from '../../../src/index';
import { expectLogged } from '../../support/logged';
import { VARIANTS } from '../../support/reactors';
import { session } from './net';

class Lines extends LineReceiver {
  got: string[] = [];
  onLine?: (line: string) => void;
  override lineReceived(line: Buffer): void {
    this.got.push(line.toString());
    this.onLine?.(line.toString());
  }
}

/** Echoes lines, pausing after each and resuming on a timer. */
class PausingEcho extends LineReceiver {
  pauses = 0;
  override lineReceived(line: Buffer): void {
    this.sendLine(line);
    this.pauseProducing();
    this.pauses++;
    setImmediate(() => this.resumeProducing());
  }
}

/** `len N` switches to raw mode for N bytes, echoed back as one line `raw:<bytes>`. */
class RawSwitching extends LineReceiver {
  private want = 0;
  private raw: Buffer[] = [];
  override lineReceived(line: Buffer): void {
    const s = line.toString();
    if (s.startsWith('len ')) {
      this.want = Number(s.slice(4));
      this.raw = [];
      this.setRawMode();
    } else this.sendLine(Buffer.from(`line:${s}`));
  }
  override rawDataReceived(data: Buffer): void {
    const take = data.subarray(0, this.want);
    this.raw.push(Buffer.from(take));
    this.want -= take.length;
    if (this.want === 0) {
      this.sendLine(Buffer.concat([Buffer.from('raw:'), ...this.raw]));
      this.setLineMode(data.subarray(take.length));
    }
  }
}

class Login extends StatefulStringProtocol(Int32StringReceiver) {
  private user = '';
  proto_init(name: Buffer): string {
    this.user = name.toString();
    return 'password';
  }
  proto_password(pw: Buffer): string {
    if (pw.toString() !== 'sesame') {
      this.sendString(Buffer.from('denied'));
      return 'done';
    }
    this.sendString(Buffer.from(`welcome ${this.user}`));
    return 'command';
  }
  proto_command(cmd: Buffer): string {
    this.sendString(Buffer.from(`${this.user}> ${cmd}`));
    return 'command';
  }
}

class Strings extends Int32StringReceiver {
  got: string[] = [];
  onString?: () => void;
  override stringReceived(s: Buffer): void {
    this.got.push(s.toString());
    this.onString?.();
  }
}

const frame = (s: string): Buffer => {
  const b = Buffer.from(s);
  const h = Buffer.alloc(4);
  h.writeUInt32BE(b.length);
  return Buffer.concat([h, b]);
};

describe.each(VARIANTS)('LineReceiver and StatefulStringProtocol behaviour on $name', (variant) => {
  it('a server pausing after every line still answers every line, in order', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
    let server: PausingEcho | undefined;
    const logger = await session(
      variant,
      () => (server = new PausingEcho()),
      () => new Lines(),
      ({ client, done }) => {
        client.onLine = () => {
          if (client.got.length === lines.length) done();
        };
        client.transport.write(Buffer.from(lines.map((l) => `${l}\r\n`).join('')));
      },
    );
    expect(logger.errors).toEqual([]);
    expect(server!.pauses).toBe(lines.length);
  });

  it('switches to raw mode and back, with the switch anywhere in a read', async () => {
    const stream = 'hello\r\nlen 5\r\n12345after\r\nlen 3\r\n\n\rxmore\r\n';
    const expected = ['line:hello', 'raw:12345', 'line:after', 'raw:\n\rx', 'line:more'];
    for (const split of [1, 3, 7, stream.length]) {
      let client: Lines | undefined;
      await session(
        variant,
        () => new RawSwitching(),
        () => (client = new Lines()),
        ({ client: c, done }) => {
          c.onLine = () => {
            if (c.got.length === expected.length) done();
          };
          const bytes = Buffer.from(stream);
          for (let i = 0; i < bytes.length; i += split) c.transport.write(bytes.subarray(i, i + split));
        },
      );
      expect(client!.got).toEqual(expected);
    }
  });

  it('delivers no line after the server closes on one, even from the same read', async () => {
    let server: Lines | undefined;
    let closed = false;
    await session(
      variant,
      () => {
        const s = new Lines();
        s.onLine = (l) => {
          if (l === 'quit') s.transport.loseConnection();
        };
        return (server = s);
      },
      () => new Lines(),
      ({ client, done }) => {
        const lost = client.connectionLost.bind(client);
        client.connectionLost = (r) => {
          closed = true;
          lost(r);
          done();
        };
        client.transport.write(Buffer.from('a\r\nb\r\nquit\r\nc\r\nd\r\n'));
      },
    );
    expect([server!.got, closed]).toEqual([['a', 'b', 'quit'], true]);
  });

  it('keeps lines intact with borrowData over many reads', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `borrowed line ${i}`);
    let server: Lines | undefined;
    await session(
      variant,
      () => {
        const s = new Lines();
        s.borrowData = true;
        return (server = s);
      },
      () => new Lines(),
      ({ client, done }) => {
        server!.onLine = () => {
          if (server!.got.length === lines.length) done();
        };
        const bytes = Buffer.from(lines.map((l) => `${l}\r\n`).join(''));
        for (let i = 0; i < bytes.length; i += 997) client.transport.write(bytes.subarray(i, i + 997));
      },
    );
    expect(server!.got).toEqual(lines);
  });

  it('runs a StatefulStringProtocol dialogue and closes on done', async () => {
    let ok: Strings | undefined;
    await session(
      variant,
      () => new Login(),
      () => (ok = new Strings()),
      ({ client, done }) => {
        client.onString = () => {
          if (client.got.length === 3) done();
        };
        client.transport.write(Buffer.concat(['alice', 'sesame', 'ls', 'pwd'].map(frame)));
      },
    );
    expect(ok!.got).toEqual(['welcome alice', 'alice> ls', 'alice> pwd']);
    let denied: Strings | undefined;
    let lost = false;
    // 'ls' comes in the same read as the wrong password: the state is already 'done' and has no
    // handler, which StatefulStringProtocol reports (Twisted: log.msg('callback', 'done', 'not
    // found')) and drops. This was the "callback done not found" every run printed.
    expectLogged(/^\[consoleLogger\] Login: callback done not found$/);
    await session(
      variant,
      () => new Login(),
      () => (denied = new Strings()),
      ({ client, done }) => {
        const l = client.connectionLost.bind(client);
        client.connectionLost = (r) => {
          lost = true;
          l(r);
          done();
        };
        client.transport.write(Buffer.concat(['bob', 'guess', 'ls'].map(frame)));
      },
    );
    expect([denied!.got, lost]).toEqual([['denied'], true]);
  });
});
