// Runs the native Poller contract test (poller_test.cc) against this platform's backend and
// poll(2). It is compiled here with the platform's backend file, as the addon's build chooses
// it, and with the sanitizers when the compiler has them. The compiler is $CXX, else c++, else
// g++.
//
// The kqueue backend is not built on Linux. To check it there, point IOREACTOR_LIBKQUEUE at an
// installed libkqueue (a prefix holding include/kqueue/sys/event.h and lib/libkqueue.so); the
// same test is then also built with poller_kqueue.cc against it. libkqueue's own descriptor
// cannot be polled, hence --no-notify.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');
const out = path.join(root, 'build', 'native-tests');
const platformFile = process.platform === 'linux' ? 'native/poller_epoll.cc' : 'native/poller_kqueue.cc';
const libkqueue = process.env.IOREACTOR_LIBKQUEUE;

/** The C++ compiler: $CXX, else c++ (clang on macOS, usually g++ on Linux), else g++. */
function compiler(): string {
  if (process.env.CXX) return process.env.CXX;
  return ['c++', 'g++'].find((name) => spawnSync(name, ['--version'], { encoding: 'utf8' }).status === 0) ?? 'c++';
}
const cxx = compiler();

function compile(binary: string, backend: string, sanitize: boolean, extra: string[] = []): ReturnType<typeof spawnSync> {
  const flags = sanitize ? ['-fsanitize=address,undefined', '-fno-sanitize-recover=undefined', '-fno-omit-frame-pointer'] : [];
  return spawnSync(
    cxx,
    [
      '-std=c++17',
      '-Wall',
      '-Wextra',
      '-O1',
      '-g',
      ...flags,
      'test/native/poller_test.cc',
      backend,
      'native/poller_poll.cc',
      '-o',
      binary,
      '-lpthread',
      ...extra,
    ],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
}

function buildAndRun(binary: string, backend: string, extra: string[], args: string[]): void {
  mkdirSync(out, { recursive: true });
  let build = compile(binary, backend, true, extra);
  if (build.status !== 0) build = compile(binary, backend, false, extra); // no sanitizer runtime on this compiler
  expect(build.stderr, 'compile errors').not.toMatch(/error/);
  expect(build.status).toBe(0);
  const run = spawnSync(binary, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LD_PRELOAD: '' } });
  const lines = run.stdout.split('\n');
  expect(
    lines.filter((l) => l.startsWith('not ok')),
    run.stderr,
  ).toEqual([]);
  expect(lines.filter((l) => l.startsWith('ok')).length).toBeGreaterThan(100);
  expect(run.status).toBe(0);
}

describe('native Poller contract', () => {
  it('passes every check for the platform backend and poll(2), each trigger mode', () => {
    buildAndRun(path.join(out, 'poller_test'), platformFile, [], []);
  }, 180_000);

  it.skipIf(libkqueue === undefined || process.platform !== 'linux')(
    'passes every check for kqueue under libkqueue (IOREACTOR_LIBKQUEUE)',
    () => {
      const prefix = libkqueue ?? '';
      const lib = path.join(prefix, 'lib');
      buildAndRun(
        path.join(out, 'poller_test_libkqueue'),
        'native/poller_kqueue.cc',
        [`-I${path.join(prefix, 'include', 'kqueue')}`, `-L${lib}`, '-lkqueue', `-Wl,-rpath,${lib}`],
        ['--no-notify'],
      );
    },
    180_000,
  );
});
