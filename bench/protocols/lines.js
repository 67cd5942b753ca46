'use strict';
// Lines per second through a line echo server: ioreactor's LineReceiver (and LineOnlyReceiver)
// against Twisted's LineReceiver on python3, measured in the same run, over 1 connection and
// over 100.
//
//   npm run build:ts && node bench/protocols/lines.js [--seconds S] [--line-bytes N] [--in-flight B]
//                                                     [--trigger level|edge|oneshot] [--json]
//
// Each server runs in its own process on 127.0.0.1 and echoes every line with sendLine. The
// load generator (this process, node:net) keeps B batches (default 8) of lines in flight per connection
// and counts the echoed bytes (lines have a fixed size, so bytes / size = lines). After a
// warm-up, it counts for S seconds (default 3) and also samples the server's CPU time from
// /proc, to show lines per CPU-second: when a server saturates one core that is its real
// throughput, whatever the generator does. Twisted is found as the interop tests find it:
// $IOREACTOR_PYTHON, else python3, else /usr/bin/python3, with `import twisted`; without it
// the Twisted rows say why. This is a benchmark, not a test: nothing asserts on timing.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

// ---- the ioreactor servers (this file, run with --serve) ------------------------------------

function serve(kind, trigger) {
  const lib = require(path.join(__dirname, '..', '..', 'lib', 'index.js'));
  const Base = kind === 'lineonly' ? lib.LineOnlyReceiver : lib.LineReceiver;
  if (typeof Base !== 'function') {
    console.error('lib/ does not export LineReceiver: run `npm run build:ts` first');
    process.exit(1);
  }
  class Echo extends Base {
    lineReceived(line) {
      this.sendLine(line);
    }
  }
  const reactor = new lib.Reactor(trigger ? { trigger } : {});
  const port = reactor.listenTCP(0, lib.Factory.forProtocol(Echo), { interface: '127.0.0.1', backlog: 512 });
  process.stdout.write(`${port.getHost().port}\n`);
  process.once('SIGTERM', () => reactor.stop());
  reactor.run().then(() => reactor.close());
}

const TWISTED_SERVER = `
import sys
from twisted.internet import reactor, protocol
from twisted.protocols import basic
class Echo(basic.LineReceiver):
    def lineReceived(self, line):
        self.sendLine(line)
f = protocol.Factory.forProtocol(Echo)
p = reactor.listenTCP(0, f, interface="127.0.0.1", backlog=512)
sys.stdout.write("%d\\n" % p.getHost().port)
sys.stdout.flush()
reactor.run()
`;

function findTwisted() {
  const explicit = process.env.IOREACTOR_PYTHON;
  const tried = [];
  for (const python of explicit ? [explicit] : ['python3', '/usr/bin/python3']) {
    const r = spawnSync(python, ['-c', 'import twisted, twisted.internet.reactor; print(twisted.__version__, type(twisted.internet.reactor).__name__)'], {
      encoding: 'utf8',
    });
    if (r.status === 0) return { python, version: r.stdout.trim() };
    tried.push(`${python}: ${r.error ? r.error.code : 'no twisted'}`);
  }
  return { python: undefined, why: `no Python with Twisted (${tried.join('; ')})` };
}

// ---- the load generator -------------------------------------------------------------------

function startServer(command, args) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, port: Number(out.slice(0, nl)) });
    });
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code} before listening`)));
  });
}

/** Batches kept in flight per connection: enough that the server never waits for the generator. */
const IN_FLIGHT = Number(option('--in-flight', '8'));

function cpuSeconds(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

async function measure(server, connections, lineBytes, seconds) {
  const line = Buffer.alloc(lineBytes, 'x');
  line.write('\r\n', lineBytes - 2);
  const perBatch = Math.max(8, Math.floor(2000 / connections));
  const batch = Buffer.concat(Array.from({ length: perBatch }, () => line));
  let echoedBytes = 0;
  const sockets = await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise((resolve, reject) => {
          const s = net.connect(server.port, '127.0.0.1', () => resolve(s));
          s.once('error', reject);
        }),
    ),
  );
  for (const s of sockets) {
    let pending = 0;
    s.setNoDelay(true);
    s.on('data', (d) => {
      echoedBytes += d.length;
      pending += d.length;
      while (pending >= batch.length) {
        pending -= batch.length;
        s.write(batch);
      }
    });
    for (let i = 0; i < IN_FLIGHT; i++) s.write(batch);
  }
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));
  await pause(Math.min(1000, seconds * 300)); // warm-up: JITs, buffers, congestion windows
  const bytes0 = echoedBytes;
  const cpu0 = cpuSeconds(server.child.pid);
  const t0 = process.hrtime.bigint();
  await pause(seconds * 1000);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const lines = (echoedBytes - bytes0) / lineBytes;
  const cpu = cpuSeconds(server.child.pid) - cpu0;
  for (const s of sockets) s.destroy();
  await pause(100);
  return {
    linesPerSecond: lines / elapsed,
    mbPerSecond: (echoedBytes - bytes0) / elapsed / 1e6,
    cpuPercent: (100 * cpu) / elapsed,
    linesPerCpuSecond: lines / cpu,
  };
}

async function main() {
  const seconds = Number(option('--seconds', process.argv.includes('--quick') ? '1' : '3'));
  const lineBytes = Number(option('--line-bytes', '32'));
  const trigger = option('--trigger', undefined);
  const twisted = findTwisted();
  const servers = [
    { name: 'ioreactor LineReceiver', start: () => startServer(process.execPath, [__filename, '--serve', 'line', ...(trigger ? ['--trigger', trigger] : [])]) },
    {
      name: 'ioreactor LineOnlyReceiver',
      start: () => startServer(process.execPath, [__filename, '--serve', 'lineonly', ...(trigger ? ['--trigger', trigger] : [])]),
    },
    {
      name: `Twisted ${twisted.version ?? ''} LineReceiver`.replace('  ', ' '),
      start: twisted.python ? () => startServer(twisted.python, ['-c', TWISTED_SERVER]) : undefined,
    },
  ];
  const rows = [];
  for (const connections of [1, 100]) {
    for (const s of servers) {
      if (s.start === undefined) {
        rows.push({ server: s.name, connections, skipped: twisted.why });
        continue;
      }
      const server = await s.start();
      try {
        rows.push({ server: s.name, connections, ...(await measure(server, connections, lineBytes, seconds)) });
      } finally {
        server.child.kill('SIGTERM');
        await new Promise((r) => (server.child.exitCode !== null ? r() : server.child.once('exit', r)));
      }
    }
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ lineBytes, seconds, rows }, null, 2));
    return;
  }
  const fmt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
  console.log(`Line echo, ${lineBytes}-byte lines (CRLF included), ${seconds} s per row, node ${process.version}${trigger ? `, trigger ${trigger}` : ''}\n`);
  const header = ['server', 'conns', 'lines/s', 'MB/s', 'server CPU %', 'lines per CPU-s'];
  const table = rows.map((r) =>
    r.skipped
      ? [r.server, String(r.connections), `skipped: ${r.skipped}`, '', '', '']
      : [r.server, String(r.connections), fmt(r.linesPerSecond), r.mbPerSecond.toFixed(1), fmt(r.cpuPercent), fmt(r.linesPerCpuSecond)],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const print = (cells) => console.log(cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  print(header);
  print(widths.map((w) => '-'.repeat(w)));
  for (const row of table) print(row);
  const by = (name, c) => rows.find((r) => r.server.startsWith(name) && r.connections === c && !r.skipped);
  for (const c of [1, 100]) {
    const mine = by('ioreactor LineReceiver', c);
    const theirs = by('Twisted', c);
    if (mine && theirs)
      console.log(
        `\n${c} connection(s): ioreactor LineReceiver ${(mine.linesPerSecond / theirs.linesPerSecond).toFixed(1)}x Twisted's lines/s, ${(mine.linesPerCpuSecond / theirs.linesPerCpuSecond).toFixed(1)}x per CPU-second`,
      );
  }
}

if (process.argv.includes('--serve')) serve(option('--serve', 'line'), option('--trigger', undefined));
else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
