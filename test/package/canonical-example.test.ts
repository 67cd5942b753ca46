// The canonical echo server from the README runs exactly as written, as CommonJS and as an
// ES module (examples/echo-server.js and .mjs, which import 'ioreactor' by name). Only its port
// differs: test/support/example-port.cjs, preloaded, turns the README's 8007 into a port the
// kernel picks and reports it, so no other process on 8007 can answer for the example.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');

async function echoOnce(port: number, message: string): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.on('connect', () => socket.write(message));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.length >= message.length) socket.end();
    });
    socket.on('close', () => resolve(reply));
    socket.on('error', reject);
  });
}

/** Resolves with the port the example reports once it listens (see example-port.cjs). */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the example never listened (stdout: ${out})`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /example listening on (\d+)\n/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the example exited (${code}) before listening`));
    });
  });
}

describe.each(['echo-server.js', 'echo-server.mjs'])('examples/%s', (file) => {
  it('echoes on 127.0.0.1, on the port it listens on (8007 in the README)', async () => {
    const preload = path.join(root, 'test', 'support', 'example-port.cjs');
    const child = spawn(process.execPath, ['--require', preload, path.join(root, 'examples', file)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const port = await listeningPort(child);
      expect(port).toBeGreaterThan(0);
      expect(await echoOnce(port, 'hello, canonical example')).toBe('hello, canonical example');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(stderr).toBe('');
  });
});
