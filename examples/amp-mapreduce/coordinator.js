// AMP map-reduce: starts N worker processes (worker.js), sends each a share of a text's chunks
// to count words in (CountWords, with callRemote), gathers the answers with a DeferredList and
// adds them up.
//
//   node examples/amp-mapreduce/coordinator.js [--workers N] [--json] [file]
//
// Without a file it counts sample.txt beside this script.
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { AMP, ClientCreator, DeferredList, Reactor } = require('ioreactor');
const { CountWords, Shutdown } = require('./commands');

function parseArgs(argv) {
  const opts = { workers: 4, json: false, file: path.join(__dirname, 'sample.txt') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--workers') opts.workers = Number(argv[++i]);
    else if (argv[i] === '--json') opts.json = true;
    else opts.file = argv[i];
  }
  if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new Error('--workers needs a positive integer');
  return opts;
}

/** Starts worker.js and resolves with the child and the port it printed. */
function startWorker() {
  const child = spawn(process.execPath, [path.join(__dirname, 'worker.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), exited: new Promise((r) => child.once('exit', r)) });
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before listening`)));
    child.once('error', reject);
  });
}

/** Cuts `text` into about `n` chunks at line ends (so no word is cut in two). */
function chunks(text, n) {
  const lines = text.split('\n');
  const per = Math.max(1, Math.ceil(lines.length / n));
  const out = [];
  for (let i = 0; i < lines.length; i += per) out.push(lines.slice(i, i + per).join('\n'));
  return out;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const text = readFileSync(opts.file, 'utf8');
  const reactor = new Reactor();
  const workers = [];
  const running = reactor.run();
  try {
    for (let i = 0; i < opts.workers; i++) workers.push(await startWorker());
    const creator = new ClientCreator(reactor, AMP);
    const conns = await Promise.all(workers.map((w) => creator.connectTCP('127.0.0.1', w.port)));

    // Map: chunk i goes to worker i mod N; every call is in flight at once.
    const parts = chunks(text, opts.workers * 4);
    const calls = parts.map((chunk, i) => conns[i % conns.length].callRemote(CountWords, { chunk }));
    const results = await new DeferredList(calls, { consumeErrors: true });

    // Reduce.
    const totals = new Map();
    for (const [ok, value] of results) {
      if (!ok) throw value.value;
      for (const { word, count } of value.counts) totals.set(word, (totals.get(word) ?? 0) + count);
    }
    const sorted = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const total = sorted.reduce((n, [, c]) => n + c, 0);
    if (opts.json) {
      const pids = workers.map((w) => w.child.pid);
      process.stdout.write(
        `${JSON.stringify({ workers: opts.workers, pids, chunks: parts.length, total, distinct: sorted.length, counts: Object.fromEntries(sorted) })}\n`,
      );
    } else {
      console.log(`${total} words (${sorted.length} distinct) in ${parts.length} chunks over ${opts.workers} workers; the most frequent:`);
      for (const [word, count] of sorted.slice(0, 10)) console.log(`  ${String(count).padStart(6)}  ${word}`);
    }

    await Promise.all(conns.map((c) => c.callRemote(Shutdown, {})));
    for (const c of conns) c.transport.loseConnection();
  } finally {
    // Whatever happened, no worker outlives us: closing stdin tells them; a kill makes sure.
    for (const w of workers) w.child.stdin.end();
    const timer = setTimeout(() => workers.forEach((w) => w.child.kill('SIGKILL')), 5000);
    await Promise.all(workers.map((w) => w.exited));
    clearTimeout(timer);
    if (reactor.running) reactor.stop();
    await running;
    reactor.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
