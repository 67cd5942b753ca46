// The package as its users load it: require() and import of 'ioreactor' by name, resolved
// through package.json "exports" to the built lib/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, mkdirSync, writeFileSync } from 'node:fs';
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

// What a TypeScript user compiles against: the published declarations, with skipLibCheck off,
// from an ES module and a CommonJS file, under each module resolution a project may choose.
// Internal names stripped from the declarations but still referenced by them broke this.
describe('published declarations', () => {
  const use = `
    const reactor = new Reactor({ trigger: 'edge' });
    const d = new Deferred<number>();
    d.addCallback((n: number) => n + 1);
    d.callback(1);
    class Echo extends Protocol { override dataReceived(data: Buffer): void { this.transport.write(data); } }
    const port: IListeningPort = reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
    const stats: ReactorStats = reactor.stats();
    void port; void stats; reactor.close();
  `;
  const esm = `import { Reactor, Deferred, Protocol, Factory, type IListeningPort, type ReactorStats } from 'ioreactor';\n${use}`;
  const cjs = `import ioreactor = require('ioreactor');
    import Reactor = ioreactor.Reactor;
    import Deferred = ioreactor.Deferred;
    import Protocol = ioreactor.Protocol;
    import Factory = ioreactor.Factory;
    type IListeningPort = ioreactor.IListeningPort;
    type ReactorStats = ioreactor.ReactorStats;
    ${use}`;

  it.each([
    ['node16', 'node16', 'node16'],
    ['nodenext', 'nodenext', 'nodenext'],
    ['bundler', 'esnext', 'bundler'],
  ])(
    'type-check with skipLibCheck false under %s resolution',
    (name, module, moduleResolution) => {
      const dir = path.join(consumer, `types-${name}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'esm.mts'), esm);
      writeFileSync(path.join(dir, 'cjs.cts'), cjs);
      const config = {
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          target: 'es2022',
          module,
          moduleResolution,
          types: ['node'],
          typeRoots: [path.join(root, 'node_modules', '@types')],
        },
        // A bundler project is ECMAScript modules only.
        files: moduleResolution === 'bundler' ? ['esm.mts'] : ['esm.mts', 'cjs.cts'],
      };
      writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config));
      const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8', timeout: 60_000 });
      expect(tsc.stdout + tsc.stderr).toBe('');
      expect(tsc.status).toBe(0);
    },
    90_000,
  );
});
