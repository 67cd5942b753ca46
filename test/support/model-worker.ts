// The worker part of the model-based test: a worker thread runs a reactor with live traffic
// (echo connections over TCP, adopted socketpairs, a raw reader fed by the parent, timers) and
// is terminated at a random instant, possibly inside a batch. The process must not abort, the
// worker must exit, and every descriptor its reactor owned must be closed by the cleanup hook.
//
// A worker that takes the process down (a fatal N-API error) must not take the test runner with
// it, so each case runs in a child process of its own that reports what it saw as JSON.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Violation } from './model-harness';
import type { Variant } from './reactors';

const LIB = path.join(__dirname, '..', '..', 'lib', 'index.js');
/** Where the child finds its open descriptors (/proc/self/fd or /dev/fd). */
const DESCRIPTORS = path.join(__dirname, '..', 'fixtures', 'open-descriptors.js');

// Plain JavaScript, run with `eval: true` (the compiled lib/, as the fixture worker uses).
const WORKER_SOURCE = `(function () {
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { Reactor, Factory, ClientFactory, Protocol, openSocketPair, closeDescriptor } = require(workerData.lib);
const { backend, trigger, conns, pairs, fds, dry } = workerData;
// A dry run (no reactor) lets Node open what it keeps for the process's life before counting.
if (dry) { parentPort.postMessage({ running: true }); setInterval(() => {}, 1000); return; }
const reactor = new Reactor({ backend, trigger, logger: { error() {} } });
class Echo extends Protocol {
  dataReceived(d) { this.transport.write(d); }
}
class Pinger extends Protocol {
  connectionMade() { this.transport.write(Buffer.alloc(4096, 0x61)); }
  dataReceived(d) { this.transport.write(d); }
}
const server = new Factory(); server.protocol = Echo;
const client = new ClientFactory(); client.protocol = Pinger;
const port = reactor.listenTCP(0, server, { interface: '127.0.0.1' });
for (let i = 0; i < conns; i++) reactor.connectTCP('127.0.0.1', port.getHost().port, client);
for (let i = 0; i < pairs; i++) {
  const [a, b] = openSocketPair();
  reactor.adoptStreamConnection(a, 'UNIX', server);
  reactor.adoptStreamConnection(b, 'UNIX', client);
  closeDescriptor(a);
  closeDescriptor(b);
}
if (fds) {
  const buf = Buffer.alloc(4096);
  reactor.addReader({
    fileno: () => fds[0],
    doRead() {
      for (let i = 0; i < 16; i++) {
        try { if (fs.readSync(fds[0], buf) === 0) return; } catch { return; }
      }
    },
    connectionLost() {},
  });
}
const tick = () => reactor.callLater(0.001, tick);
tick();
reactor.callWhenRunning(() => parentPort.postMessage({ running: true }));
reactor.run();
})();
`;

export interface WorkerCase {
  /** Index into VARIANTS. */
  variant: number;
  conns: number;
  pairs: number;
  raw: boolean;
  /** Milliseconds between the reactor reporting it runs (or the start, if early) and terminate(). */
  afterRunningMs: number;
  /** Terminate without waiting for the reactor to run. */
  early: boolean;
}

// The child: starts the worker, terminates it, checks its own descriptors, prints one JSON line.
const CHILD_SOURCE = `
const fs = require('node:fs');
const { Worker } = require('node:worker_threads');
const c = JSON.parse(process.argv[1]);
const { openSocketPair } = require(c.lib);
const { openFds: open, isOpen: alive, fdTarget } = require(c.descriptors);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const within = (p, ms, fallback) => { let t; return Promise.race([p, new Promise((r) => (t = setTimeout(() => r(fallback), ms)))]).finally(() => clearTimeout(t)); };
async function once(dry, violations) {
  const fds = c.raw ? openSocketPair() : undefined;
  const worker = new Worker(c.source, { eval: true, workerData: { lib: c.lib, backend: c.backend, trigger: c.trigger, conns: c.conns, pairs: c.pairs, fds, dry } });
  let error;
  worker.on('error', (e) => { error = e; });
  const exited = new Promise((r) => worker.once('exit', r));
  const running = new Promise((r) => worker.once('message', () => r(true)));
  const feeder = fds && setInterval(() => { try { fs.writeSync(fds[1], Buffer.alloc(512, 0x62)); } catch {} }, 1);
  if (!c.early || dry) {
    const ok = await within(Promise.race([running, exited.then(() => false)]), 5000, false);
    if (!ok) violations.push({ inv: 'worker-not-running', msg: "the worker's reactor did not start: " + String(error) });
  }
  await sleep(c.afterRunningMs);
  const terminated = worker.terminate();
  const code = await within(exited, 5000, -999);
  await terminated.catch(() => undefined);
  if (code === -999) violations.push({ inv: 'worker-no-exit', msg: 'the worker did not exit within 5 s of terminate()' });
  if (error !== undefined) violations.push({ inv: 'worker-error', msg: 'the worker reported ' + String(error) });
  if (feeder) clearInterval(feeder);
  if (fds) for (const fd of fds) fs.closeSync(fd);
}
(async () => {
  const violations = [];
  await once(true, []);
  await sleep(20);
  const baseline = new Set(open());
  await once(false, violations);
  let leaked = [];
  for (let i = 0; i < 200; i++) {
    leaked = open().filter((fd) => !baseline.has(fd) && alive(fd)); // (readdir's own descriptor is gone by now)
    if (leaked.length === 0) break;
    await sleep(5);
  }
  if (leaked.length > 0) violations.push({ inv: 'worker-fd-leak', msg: 'descriptors left open after the worker exited: ' + leaked.map((fd) => fd + '=' + (fdTarget(fd) ?? 'closed')).join(', ') });
  process.stdout.write(JSON.stringify({ violations }) + '\\n');
  process.exit(0);
})();
`;

/** Runs one worker case in a child process; returns the broken invariants. */
export async function runWorkerCase(variant: Variant, c: WorkerCase): Promise<Violation[]> {
  const arg = JSON.stringify({ ...c, lib: LIB, descriptors: DESCRIPTORS, source: WORKER_SOURCE, backend: variant.backend, trigger: variant.trigger });
  const child = spawn(process.execPath, ['-e', CHILD_SOURCE, arg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let timer: NodeJS.Timeout | undefined;
  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: null, signal: null, timedOut: true });
    }, 20_000);
    child.once('close', (code, signal) => resolve({ code, signal, timedOut: false }));
  });
  clearTimeout(timer);
  if (outcome.timedOut) return [{ inv: 'worker-hung', msg: `the process did not finish within 20 s; stderr: ${stderr.slice(0, 500)}` }];
  if (outcome.code !== 0 || outcome.signal !== null) {
    const fatal = /FATAL ERROR[^\n]*/.exec(stderr)?.[0] ?? stderr.trim().split('\n')[0] ?? '';
    return [{ inv: 'process-aborted', msg: `the process died (code ${outcome.code}, signal ${outcome.signal}) when the worker was terminated: ${fatal}` }];
  }
  try {
    return (JSON.parse(stdout.trim().split('\n').pop()!) as { violations: Violation[] }).violations;
  } catch {
    return [{ inv: 'worker-report', msg: `unreadable report: ${stdout.slice(0, 200)} ${stderr.slice(0, 200)}` }];
  }
}
