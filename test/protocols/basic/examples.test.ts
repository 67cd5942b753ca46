// The protocol examples run as written (`node examples/<file> 0`, requiring 'ioreactor' by
// name, so lib/ must be built): each prints its port, and behaves as its header says.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..', '..');

interface Running {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  stop: () => Promise<number | null>;
}

async function start(file: string): Promise<Running> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const built = require(path.join(root, 'lib', 'index.js')) as Record<string, unknown>;
  if (typeof built.LineReceiver !== 'function') throw new Error('lib/ is stale: run `npm run build:ts` first');
  const child = spawn(process.execPath, [path.join(root, 'examples', file), '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((code) => reject(new Error(`${file} exited (${code}) before listening: ${stderr}`)));
  });
  return {
    child,
    port,
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A line client: `lines()` waits for the next `n` lines. */
class LineClient {
  private buffer = '';
  private readonly queue: string[] = [];
  private waiter: (() => void) | undefined;
  readonly socket: Socket;
  closed: Promise<void>;
  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (d: string) => {
      this.buffer += d;
      let i: number;
      while ((i = this.buffer.indexOf('\r\n')) >= 0) {
        this.queue.push(this.buffer.slice(0, i));
        this.buffer = this.buffer.slice(i + 2);
      }
      this.waiter?.();
    });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }
  send(...lines: string[]): void {
    this.socket.write(lines.map((l) => `${l}\r\n`).join(''));
  }
  async lines(n: number): Promise<string[]> {
    while (this.queue.length < n) await new Promise<void>((r) => (this.waiter = r));
    return this.queue.splice(0, n);
  }
  async close(): Promise<void> {
    this.socket.end();
    await this.closed;
  }
}

describe('examples', () => {
  it('echo-lines.js echoes lines and closes on a line over MAX_LENGTH', async () => {
    const ex = await start('echo-lines.js');
    try {
      const c = new LineClient(ex.port);
      c.send('hello', '', 'héllo wörld', 'x'.repeat(16384));
      expect(await c.lines(4)).toEqual(['hello', '', 'héllo wörld', 'x'.repeat(16384)]);
      c.send('y'.repeat(16385));
      await c.closed;
    } finally {
      expect(await ex.stop()).toBe(0);
    }
    expect(ex.stderr()).toBe('');
  });

  it('chat-server.js fans every line out to every other client', async () => {
    const ex = await start('chat-server.js');
    try {
      const [a, b, c] = [new LineClient(ex.port), new LineClient(ex.port), new LineClient(ex.port)];
      expect(await a.lines(1)).toEqual(["What's your name?"]);
      a.send('alice');
      expect(await a.lines(1)).toEqual(['Welcome, alice! 0 other(s) here.']);
      await b.lines(1);
      b.send('alice', 'bob');
      expect(await b.lines(2)).toEqual(['Name taken or empty, please choose another.', 'Welcome, bob! 1 other(s) here.']);
      expect(await a.lines(1)).toEqual(['* bob joined']);
      await c.lines(1);
      c.send('carol');
      await c.lines(1);
      expect(await a.lines(1)).toEqual(['* carol joined']);
      expect(await b.lines(1)).toEqual(['* carol joined']);
      a.send('hi all');
      expect([await b.lines(1), await c.lines(1)]).toEqual([['<alice> hi all'], ['<alice> hi all']]);
      c.send('hello alice');
      expect([await a.lines(1), await b.lines(1)]).toEqual([['<carol> hello alice'], ['<carol> hello alice']]);
      await b.close();
      expect([await a.lines(1), await c.lines(1)]).toEqual([['* bob left'], ['* bob left']]);
      await Promise.all([a.close(), c.close()]);
    } finally {
      expect(await ex.stop()).toBe(0);
    }
    expect(ex.stderr()).toBe('');
  });

  it('kv-server.js answers SET, GET and DEL', async () => {
    const ex = await start('kv-server.js');
    try {
      const c = new LineClient(ex.port);
      c.send('GET a', 'SET a 1', 'GET a', 'SET greeting hello there', 'get greeting', 'DEL a', 'DEL a', 'GET a', 'SET x', 'FLY away');
      expect(await c.lines(10)).toEqual([
        'NOT_FOUND',
        'OK',
        'VALUE 1',
        'OK',
        'VALUE hello there',
        'DELETED',
        'NOT_FOUND',
        'NOT_FOUND',
        'ERROR usage: SET <key> <value>',
        'ERROR unknown command "FLY"',
      ]);
      const other = new LineClient(ex.port);
      other.send('GET greeting');
      expect(await other.lines(1)).toEqual(['VALUE hello there']);
      await Promise.all([c.close(), other.close()]);
    } finally {
      expect(await ex.stop()).toBe(0);
    }
    expect(ex.stderr()).toBe('');
  });
});
