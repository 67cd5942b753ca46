// Runs receive_datagrams_test.cc: the portable receive path (one recvmsg per datagram, as on
// macOS and the BSDs) keeps an error met after some datagrams for the socket's next read, as
// recvmmsg does. Built with IOREACTOR_PORTABLE_FALLBACKS and a scripted recvmsg, since the
// order of an error and datagrams cannot be arranged through a real socket on Linux (its
// recvmsg reports a pending error before queued datagrams). The compiler is $CXX, else c++, else g++.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');
const out = path.join(root, 'build', 'native-tests');

function compiler(): string {
  if (process.env.CXX) return process.env.CXX;
  return ['c++', 'g++'].find((name) => spawnSync(name, ['--version'], { encoding: 'utf8' }).status === 0) ?? 'c++';
}

describe('portable datagram receive loop', () => {
  it('returns an error met after some datagrams from the next call on that socket only', () => {
    mkdirSync(out, { recursive: true });
    const binary = path.join(out, 'receive_datagrams_test');
    const sources = ['test/native/receive_datagrams_test.cc', 'native/datagram_ops.cc', 'native/socket_ops.cc'];
    const build = spawnSync(
      compiler(),
      ['-std=c++17', '-Wall', '-Wextra', '-O1', '-g', '-DIOREACTOR_PORTABLE_FALLBACKS', '-Inative', ...sources, '-o', binary],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(build.stderr, 'compile errors').not.toMatch(/error/);
    expect(build.status).toBe(0);
    const run = spawnSync(binary, [], { encoding: 'utf8', timeout: 30_000 });
    const lines = run.stdout.split('\n');
    expect(
      lines.filter((l) => l.startsWith('not ok')),
      run.stderr,
    ).toEqual([]);
    expect(lines.filter((l) => l.startsWith('ok')).length).toBe(8);
    expect(run.status).toBe(0);
  }, 180_000);
});
