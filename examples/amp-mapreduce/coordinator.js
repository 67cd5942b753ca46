// AMP map-reduce: starts N worker processes (worker.js) with reactor.spawnProcess, speaks AMP to
// each over its stdin and stdout, sends each a share of a text's chunks to count words in
// (CountWords, with callRemote), gathers the answers with a DeferredList and adds them up.
//
//   node examples/amp-mapreduce/coordinator.js [--workers N] [--json] [file]
//
// Without a file it counts sample.txt beside this script.
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { AMP, Deferred, DeferredList, ProcessProtocol, Reactor } = require('ioreactor');
const { CountWords, Shutdown } = require('./commands');
const { connectAmp } = require('./amp-over-stdio');

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

/**
 * A worker process seen by the reactor: its stdout feeds an AMP instance, the AMP instance
 * writes to its stdin. `ended` fires with the reason the process ended (ProcessDone or
 * ProcessTerminated).
 */
class WorkerProcess extends ProcessProtocol {
  constructor() {
    super();
    this.amp = new AMP();
    this.ended = new Deferred();
  }

  connectionMade() {
    this.stdio = connectAmp(this.amp, {
      write: (data) => this.transport.write(data),
      close: () => this.transport.closeStdin(),
    });
  }

  outReceived(data) {
    this.stdio.received(data);
  }

  outConnectionLost() {
    this.stdio.ended();
  }

  processEnded(reason) {
    this.stdio.ended();
    this.ended.callback(reason.value);
  }
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
  const running = reactor.run();
  const workers = [];
  try {
    // Each worker's stdin and stdout are pipes driven by this reactor; its stderr is ours.
    for (let i = 0; i < opts.workers; i++) {
      const worker = new WorkerProcess();
      reactor.spawnProcess(worker, process.execPath, [process.execPath, path.join(__dirname, 'worker.js')], {
        env: process.env,
        childFDs: { 0: 'w', 1: 'r', 2: 2 },
      });
      workers.push(worker);
    }

    // Map: chunk i goes to worker i mod N; every call is in flight at once.
    const parts = chunks(text, opts.workers * 4);
    const calls = parts.map((chunk, i) => workers[i % workers.length].amp.callRemote(CountWords, { chunk }));
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
      const pids = workers.map((w) => w.transport.pid);
      process.stdout.write(
        `${JSON.stringify({ workers: opts.workers, pids, chunks: parts.length, total, distinct: sorted.length, counts: Object.fromEntries(sorted) })}\n`,
      );
    } else {
      console.log(`${total} words (${sorted.length} distinct) in ${parts.length} chunks over ${opts.workers} workers; the most frequent:`);
      for (const [word, count] of sorted.slice(0, 10)) console.log(`  ${String(count).padStart(6)}  ${word}`);
    }
    await new DeferredList(
      workers.map((w) => w.amp.callRemote(Shutdown, {})),
      { fireOnOneErrback: true, consumeErrors: true },
    );
  } finally {
    // Whatever happened, no worker outlives us: closing stdin tells them; a kill makes sure.
    for (const w of workers) w.transport.closeStdin();
    const kill = reactor.callLater(5, () => workers.forEach((w) => w.transport.pid !== null && w.transport.signalProcess('KILL')));
    const ends = await new DeferredList(
      workers.map((w) => w.ended),
      { consumeErrors: true },
    );
    if (kill.active()) kill.cancel();
    for (const [, reason] of ends) if (reason.code !== 'ERR_IOREACTOR_PROCESS_DONE') console.error(`a worker ended badly: ${reason.message}`);
    reactor.stop();
    await running;
    reactor.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
