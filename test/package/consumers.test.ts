// The package as its users load it: require() and import of 'ioreactor' by name, resolved
// through package.json "exports" to the built lib/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');
let consumer: string;

beforeAll(() => {
  consumer = mkdtempSync(path.join(tmpdir(), 'ioreactor-consumer-'));
  mkdirSync(path.join(consumer, 'node_modules'));
  symlinkSync(root, path.join(consumer, 'node_modules', 'ioreactor'), 'dir');
});

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: consumer, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const program = `
  const reactor = new Reactor({ trigger: 'edge' });
  reactor.callLater(0.01, () => reactor.stop());
  reactor.run().then(() => { reactor.close(); console.log('ok', reactor.backend, typeof Deferred); });
`;

describe('package entry points', () => {
  it('works from CommonJS', () => {
    const r = run(['-e', `const { Reactor, Deferred } = require('ioreactor');${program}`]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toMatch(/^ok (epoll|kqueue) function$/);
  });

  it('works from an ES module, sharing one module instance with CommonJS', () => {
    const source = `import { Reactor, Deferred, reactor as defaultReactor } from 'ioreactor';
      import { createRequire } from 'node:module';
      const cjs = createRequire(import.meta.url)('ioreactor');
      if (cjs.Reactor !== Reactor || cjs.reactor !== defaultReactor) throw new Error('two module instances');
      ${program}`;
    const r = run(['--input-type=module', '-e', source]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toMatch(/^ok (epoll|kqueue) function$/);
  });

  it('runs the canonical default-reactor script and exits when stopped', () => {
    const r = run([
      '-e',
      `const { reactor } = require('ioreactor'); reactor.callLater(0.01, () => reactor.stop()); reactor.run().then(() => console.log('done'));`,
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('done');
  });
});
