// examples/http-server.js (node:http on ioreactor connections) answers curl: a GET, a POST whose
// body comes back, and two requests over one kept-alive connection in one curl invocation.
// curl is required, not optional: .ci/run installs it, so a machine without it fails here
// instead of skipping what the README promises.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');

/** Resolves with the port the example prints ("http server on 127.0.0.1:<port>"). */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the example never listened (stdout: ${out})`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http server on 127\.0\.0\.1:(\d+)\n/.exec(out);
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

function curl(args: string[], input?: Buffer): { stdout: Buffer; stderr: string } {
  const result = spawnSync('curl', ['--silent', '--show-error', '--max-time', '20', ...args], { input, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
  if (result.error !== undefined) throw result.error;
  const stderr = result.stderr.toString();
  if (result.status !== 0) throw new Error(`curl ${args.join(' ')} exited ${result.status}: ${stderr}`);
  return { stdout: result.stdout, stderr };
}

describe('examples/http-server.js answers curl', () => {
  let child: ChildProcess;
  let exited: Promise<unknown>;
  let stderr = '';
  let url = '';

  beforeAll(async () => {
    const version = spawnSync('curl', ['--version'], { encoding: 'utf8' });
    if (version.error !== undefined) throw new Error('curl is required for this test (.ci/run installs it: apt-get install curl)');
    child = spawn(process.execPath, [path.join(root, 'examples', 'http-server.js')], {
      cwd: root,
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d) => (stderr += d));
    exited = new Promise((resolve) => child.once('exit', resolve));
    url = `http://127.0.0.1:${await listeningPort(child)}`;
  });

  afterAll(async () => {
    child.kill('SIGTERM');
    await exited;
    expect(stderr).toBe('');
  });

  it('answers a GET', () => {
    expect(curl([`${url}/`]).stdout.toString()).toMatch(/^hello from ioreactor \((epoll|kqueue|poll)\)\n$/);
  });

  it('echoes a POST body of 256 KiB intact', () => {
    const body = randomBytes(256 * 1024);
    const echoed = curl(['--data-binary', '@-', '-H', 'content-type: application/octet-stream', `${url}/echo`], body).stdout;
    expect(echoed.length).toBe(body.length);
    expect(echoed.equals(body)).toBe(true);
  });

  it('answers two requests over one kept-alive connection in one curl invocation', () => {
    // num_connects is 0 for a transfer that reused the connection the one before opened.
    const { stdout } = curl(['--write-out', '[%{http_code} %{num_connects}]\n', `${url}/first`, `${url}/second`]);
    const answers = stdout.toString().match(/\[\d+ \d+\]/g);
    expect(answers).toEqual(['[200 1]', '[200 0]']);
    expect(stdout.toString().match(/hello from ioreactor/g)).toHaveLength(2);
  });
});
