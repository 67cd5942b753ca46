// Runs the native Poller contract test (poller_test.cc) against this platform's backend and
// poll(2). It is compiled here with the platform's backend file, as the addon's build chooses
// it, and with the sanitizers when the compiler has them.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');
const out = path.join(root, 'build', 'native-tests');
const binary = path.join(out, 'poller_test');
const platformFile = process.platform === 'linux' ? 'native/poller_epoll.cc' : 'native/poller_kqueue.cc';

function compile(sanitize: boolean): ReturnType<typeof spawnSync> {
  const flags = sanitize ? ['-fsanitize=address,undefined', '-fno-sanitize-recover=undefined', '-fno-omit-frame-pointer'] : [];
  const cxx = process.env.CXX ?? 'g++';
  return spawnSync(cxx, ['-std=c++17', '-Wall', '-Wextra', '-O1', '-g', ...flags, 'test/native/poller_test.cc', platformFile, 'native/poller_poll.cc', '-o', binary, '-lpthread'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('native Poller contract', () => {
  it('passes every check for the platform backend and poll(2), each trigger mode', () => {
    mkdirSync(out, { recursive: true });
    let build = compile(true);
    if (build.status !== 0) build = compile(false); // no sanitizer runtime on this compiler
    expect(build.stderr, 'compile errors').not.toMatch(/error/);
    expect(build.status).toBe(0);
    const run = spawnSync(binary, [], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LD_PRELOAD: '' } });
    const lines = run.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('not ok')), run.stderr).toEqual([]);
    expect(lines.filter((l) => l.startsWith('ok')).length).toBeGreaterThan(60);
    expect(run.status).toBe(0);
  }, 180_000);
});
