'use strict';
// What the Duplex bridge costs: the same node:tls client load against two TLS echo servers, an
// ioreactor listenSSL server (node:tls over a DuplexProtocol over an ioreactor connection) and
// a node:tls server (node:tls over node:net). The server and the clients each run in a child
// process of their own (server.js, client.js), so neither's CPU time is the other's.
//
//   npm run bench:tls                       (builds lib/ first)
//   node bench/tls/run.js [--connections N] [--seconds S] [--rounds R]
//
// Three loads, S seconds each: ping-pong (every connection sends 64 B and waits for the echo,
// again and again: messages/s) and bulk (the same with 16 KiB and with 64 KiB: MB/s echoed).
// R rounds (default 3) alternate the two servers for every load; the table shows medians. The
// server's CPU time per message (process.cpuUsage in the server from the moment it listens:
// handshakes included, start-up and module loading not) is the bridge's cost. The certificate is made with the openssl command line in a
// temporary directory, removed at the end. This is a benchmark, not a test: nothing asserts on
// timing.
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}
const CONNECTIONS = option('--connections', 50);
const SECONDS = option('--seconds', 3);
const ROUNDS = option('--rounds', 3);

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

/** Runs client.js against `port`: messages echoed and the rate. */
function load(port, dir, size) {
  const args = [path.join(__dirname, 'client.js'), String(port), path.join(dir, 'server.crt'), String(size), String(CONNECTIONS), String(SECONDS)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(JSON.parse(output)) : reject(new Error(`client.js exited with ${code}`))));
  });
}

/** One load against a fresh server: the rate, and the server's CPU microseconds per message (handshakes included, start-up not). */
async function measure(kind, dir, size) {
  const server = await startServer(kind, dir);
  let result;
  try {
    result = await load(server.port, dir, size);
  } finally {
    result = { ...result, cpu: (await server.stop()) / (result?.messages ?? NaN) };
  }
  return result;
}

const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ioreactor-bench-tls-'));
  try {
    makeCertificate(dir);
    const sizes = [64, 16 * 1024, 64 * 1024];
    const runs = { ioreactor: sizes.map(() => []), node: sizes.map(() => []) };
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < sizes.length; i++) {
        // Alternate which server goes first, so a drift of the machine's load falls on both.
        const order = round % 2 === 0 ? ['ioreactor', 'node'] : ['node', 'ioreactor'];
        for (const kind of order) runs[kind][i].push(await measure(kind, dir, sizes[i]));
      }
    }
    const summary = (kind, i) => ({ rate: median(runs[kind][i].map((r) => r.rate)), cpu: median(runs[kind][i].map((r) => r.cpu)) });
    console.log(
      `TLS echo, ${CONNECTIONS} connections, ${SECONDS} s per load, medians of ${ROUNDS} alternating rounds, node ${process.version}, ${os.cpus().length} CPUs`,
    );
    console.log('load                      ioreactor listenSSL   node tls.createServer   ratio');
    const row = (name, a, b, unit) =>
      console.log(
        `${name.padEnd(26)}${`${a.toFixed(unit === 'msg/s' ? 0 : 1)} ${unit}`.padStart(19)}${`${b.toFixed(unit === 'msg/s' ? 0 : 1)} ${unit}`.padStart(24)}${(a / b).toFixed(2).padStart(8)}`,
      );
    sizes.forEach((size, i) => {
      const io = summary('ioreactor', i);
      const nd = summary('node', i);
      if (size < 1024) row(`ping-pong ${size} B`, io.rate, nd.rate, 'msg/s');
      else row(`bulk ${size / 1024} KiB`, (io.rate * size) / 1e6, (nd.rate * size) / 1e6, 'MB/s');
      row('  server CPU per message', io.cpu, nd.cpu, 'us');
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
