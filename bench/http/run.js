'use strict';
// node:http served through ioreactor's Duplex bridge (examples/http-server.js) against plain
// node:http with the same handler (bench/http/node-http-server.js), measured with wrk.
//
//   npm run bench:http                       (builds lib/ first; needs `wrk`: apt-get install wrk)
//   node bench/http/run.js [--rounds N] [--duration S] [--connections N] [--threads N]
//
// Each server runs in its own process, both started once and kept up for the whole run. Every
// round runs `wrk -t2 -c100 -d5s --latency` (keep-alive, HTTP/1.1) against each server in turn,
// the order alternating from round to round so neither always goes first on a warmer machine.
// A one-second wrk run against each before the first round warms the JIT and is not counted.
// The table shows each round, then the median round; "ratio" is ioreactor's requests/s over
// node:http's. This is a benchmark, not a test: nothing asserts on the figures.
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}
const ROUNDS = option('--rounds', 3);
const DURATION = option('--duration', 5);
const CONNECTIONS = option('--connections', 100);
const THREADS = option('--threads', 2);

const root = path.join(__dirname, '..', '..');
const SERVERS = [
  { name: 'ioreactor bridge', script: path.join(root, 'examples', 'http-server.js') },
  { name: 'node:http', script: path.join(__dirname, 'node-http-server.js') },
];

/** Starts a server script with PORT=0 and resolves with its process and the port it prints. */
function startServer(server) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [server.script], {
      cwd: root,
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${server.name} did not report its port within 15 s (stdout: ${out})`));
    }, 15_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /http server on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ ...server, child, port: Number(m[1]) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${server.name} exited (${code}) before listening`));
    });
  });
}

const UNIT = { us: 1e-3, ms: 1, s: 1e3 };
/** wrk's "12.34ms" as milliseconds. */
function milliseconds(text) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (m === null) throw new Error(`unreadable wrk latency '${text}'`);
  return Number(m[1]) * UNIT[m[2]];
}

function runWrk(port, seconds) {
  const args = [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}/`];
  const result = spawnSync('wrk', args, { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`wrk ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  const out = result.stdout;
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /^\s+50%\s+(\S+)$/m.exec(out);
  const p99 = /^\s+99%\s+(\S+)$/m.exec(out);
  if (rps === null || p50 === null || p99 === null) throw new Error(`unreadable wrk output:\n${out}`);
  // Socket errors or non-2xx answers would make the figures meaningless: say so loudly.
  const errors = /Socket errors:.*|Non-2xx or 3xx responses:.*/g;
  const problems = out.match(errors);
  if (problems !== null) throw new Error(`wrk reported ${problems.join('; ')}`);
  return { rps: Number(rps[1]), p50: milliseconds(p50[1]), p99: milliseconds(p99[1]) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function row(label, ioreactor, node) {
  const cell = (r) => `${Math.round(r.rps).toString().padStart(8)}  ${r.p50.toFixed(2).padStart(6)}  ${r.p99.toFixed(2).padStart(6)}`;
  return `${label.padEnd(8)}  ${cell(ioreactor)}    ${cell(node)}    ${(ioreactor.rps / node.rps).toFixed(2)}`;
}

async function main() {
  if (spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error !== undefined) {
    console.error('wrk is not installed (Debian: apt-get install wrk)');
    process.exit(1);
  }
  const servers = [];
  try {
    for (const server of SERVERS) servers.push(await startServer(server));
    for (const server of servers) runWrk(server.port, 1);
    const results = new Map(servers.map((s) => [s.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) results.get(server.name).push(runWrk(server.port, DURATION));
    }
    const [ioreactor, node] = servers.map((s) => results.get(s.name));
    console.log(`wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s --latency (keep-alive), GET /, ${ROUNDS} rounds, order alternating`);
    console.log(`${''.padEnd(8)}  ${'ioreactor bridge'.padEnd(24)}    ${'node:http'.padEnd(24)}`);
    console.log(
      `${'round'.padEnd(8)}  ${'req/s'.padStart(8)}  ${'p50 ms'.padStart(6)}  ${'p99 ms'.padStart(6)}    ${'req/s'.padStart(8)}  ${'p50 ms'.padStart(6)}  ${'p99 ms'.padStart(6)}    ratio`,
    );
    for (let round = 0; round < ROUNDS; round++) console.log(row(String(round + 1), ioreactor[round], node[round]));
    const mid = (runs) => ({ rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)) });
    console.log(row('median', mid(ioreactor), mid(node)));
  } finally {
    for (const server of servers) server.child.kill();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
