// The canonical echo server from the README runs exactly as written, as CommonJS and as an
// ES module (examples/echo-server.js and .mjs, which import 'ioreactor' by name).
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');

async function echoOnce(message: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      return await new Promise<string>((resolve, reject) => {
        const socket = connect(8007, '127.0.0.1');
        let reply = '';
        socket.on('connect', () => socket.write(message));
        socket.on('data', (d) => {
          reply += d.toString();
          if (reply.length >= message.length) socket.end();
        });
        socket.on('close', () => resolve(reply));
        socket.on('error', reject);
      });
    } catch {
      await new Promise((r) => setTimeout(r, 50)); // not listening yet
    }
  }
  throw new Error('the example never listened on 8007');
}

describe.each(['echo-server.js', 'echo-server.mjs'])('examples/%s', (file) => {
  it('echoes on 127.0.0.1:8007', async () => {
    const child = spawn(process.execPath, [path.join(root, 'examples', file)], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      expect(await echoOnce('hello, canonical example')).toBe('hello, canonical example');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(stderr).toBe('');
  });
});
