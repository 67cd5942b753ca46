'use strict';
// What the Duplex bridge costs: the same node:tls client load against two TLS echo servers, an
// ioreactor listenSSL server (node:tls over a DuplexProtocol over an ioreactor connection) and
// a node:tls server (node:tls over node:net). Each server runs alone in a child process; the
// clients run here.
//
//   npm run bench:tls                       (builds lib/ first)
//   node bench/tls/run.js [--connections N] [--seconds S]
//
// Two loads, S seconds each: ping-pong (every connection sends 64 B and waits for the echo,
// again and again: messages/s) and bulk (the same with 64 KiB: MB/s echoed). The certificate
// is made with the openssl command line in a temporary directory, removed at the end. This is a
// benchmark, not a test: nothing asserts on timing. The clients share this process, so on a small
// machine they may be what limits the rates; the server's CPU time per message (from
// process.cpuUsage in the server, start-up and handshakes included) is the bridge's cost.
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}
const CONNECTIONS = option('--connections', 50);
const SECONDS = option('--seconds', 3);

function makeCertificate(dir) {
  const run = (args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.crt'].concat([
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]),
  );
  return fs.readFileSync(path.join(dir, 'server.crt'));
}

/** Starts a server; `stop()` resolves with the CPU microseconds it used. */
function startServer(kind, dir) {
  const child = spawn(process.execPath, [path.join(__dirname, 'server.js'), kind, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  const stop = () => new Promise((resolve) => (child.once('close', () => resolve(Number(output.split('\n')[1]))), child.stdin.end()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', () => resolve({ port: Number(output.split('\n')[0]), stop }));
  });
}

/** Every connection echoes `size`-byte messages one at a time for SECONDS; returns messages done. */
async function load(port, ca, size) {
  const message = Buffer.alloc(size, 0x61);
  const sockets = await Promise.all(
    Array.from(
      { length: CONNECTIONS },
      () =>
        new Promise((resolve, reject) => {
          const s = tls.connect({ host: '127.0.0.1', port, ca }, () => resolve(s));
          s.once('error', reject);
        }),
    ),
  );
  let messages = 0;
  let running = true;
  const finished = sockets.map(
    (s) =>
      new Promise((resolve) => {
        let pending = 0;
        s.on('data', (chunk) => {
          pending -= chunk.length;
          if (pending > 0) return;
          messages++;
          if (!running) return resolve();
          pending = size;
          s.write(message);
        });
        pending = size;
        s.write(message);
      }),
  );
  const start = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  running = false;
  await Promise.all(finished);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await Promise.all(sockets.map((s) => new Promise((r) => (s.once('close', r), s.end()))));
  return { messages, rate: messages / seconds };
}

/** One load against a fresh server: the rate, and the server's CPU microseconds per message (handshakes included). */
async function measure(kind, dir, ca, size) {
  const server = await startServer(kind, dir);
  let result;
  try {
    result = await load(server.port, ca, size);
  } finally {
    result = { ...result, cpu: (await server.stop()) / (result?.messages ?? NaN) };
  }
  return result;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ioreactor-bench-tls-'));
  try {
    const ca = makeCertificate(dir);
    const results = {};
    for (const kind of ['ioreactor', 'node']) {
      results[kind] = { ping: await measure(kind, dir, ca, 64), bulk: await measure(kind, dir, ca, 64 * 1024) };
    }
    const io = results.ioreactor;
    const nd = results.node;
    console.log(`TLS echo, ${CONNECTIONS} connections, ${SECONDS} s per load, node ${process.version}, ${os.cpus().length} CPUs`);
    console.log('load                      ioreactor listenSSL   node tls.createServer   ratio');
    const row = (name, a, b, unit) =>
      console.log(
        `${name.padEnd(26)}${`${a.toFixed(unit === 'msg/s' ? 0 : 1)} ${unit}`.padStart(19)}${`${b.toFixed(unit === 'msg/s' ? 0 : 1)} ${unit}`.padStart(24)}${(a / b).toFixed(2).padStart(8)}`,
      );
    row('ping-pong 64 B', io.ping.rate, nd.ping.rate, 'msg/s');
    row('  server CPU per message', io.ping.cpu, nd.ping.cpu, 'us');
    row('bulk 64 KiB', (io.bulk.rate * 65536) / 1e6, (nd.bulk.rate * 65536) / 1e6, 'MB/s');
    row('  server CPU per message', io.bulk.cpu, nd.bulk.cpu, 'us');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
