'use strict';
// Worker pool overhead: ioreactor's WorkerPool against piscina, on a task that does almost
// nothing (add two numbers), so what is measured is the pool itself.
//
//   npm run bench:workers                    (builds lib/ first)
//   node bench/workers/run.js [--size N] [--rounds N] [--latency-tasks N] [--throughput-tasks N] [--window N]
//
// Two measures per pool, same pool size, same process, alternating which pool goes first in
// each round; the table shows the median of the rounds and the spread (min..max):
//   round trip   one task at a time, awaited before the next: microseconds per task (median of
//                slices of `--latency-tasks` / 10 tasks, the pools taking turns slice by slice);
//   throughput   `--window` tasks kept in flight until `--throughput-tasks` are done: tasks/s,
//                and the caller thread's busy time per task then (its event loop utilisation).
// A third row runs ioreactor's throughput with a single worker: it tells whether the shared
// queue (one queue on the caller's thread feeding every worker) costs anything as workers are
// added. This is a benchmark, not a test: nothing asserts on timing.
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { availableParallelism } = require('node:os');

const { WorkerPool } = require(path.join(__dirname, '..', '..', 'lib', 'index.js'));
let Piscina;
try {
  ({ Piscina } = require('piscina'));
} catch {
  console.error('(piscina is not installed: only ioreactor is measured; `npm install` adds it)');
}

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}
const SIZE = option('--size', Math.min(4, availableParallelism()));
const ROUNDS = option('--rounds', 5);
const LATENCY_TASKS = option('--latency-tasks', 3000);
const LATENCY_SLICES = 10;
const THROUGHPUT_TASKS = option('--throughput-tasks', 40000);
const WINDOW = option('--window', 64);

const TASKS = path.join(__dirname, 'tasks.mjs');
const TASKS_URL = pathToFileURL(TASKS).href;

/** Both pools behind one shape: submit(pair) returns something awaitable. */
function ioreactorPool(size) {
  const pool = new WorkerPool({ size, maxQueue: Infinity });
  return { submit: (pair) => pool.run(TASKS_URL, 'add', [pair]), close: () => pool.close() };
}
function piscinaPool(size) {
  const pool = new Piscina({ filename: TASKS, name: 'add', minThreads: size, maxThreads: size, maxQueue: Infinity });
  return { submit: (pair) => pool.run(pair), close: () => pool.destroy() };
}

async function roundTripMicros(pool, n) {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += await pool.submit([i, 1]);
  const elapsed = Number(process.hrtime.bigint() - start) / 1e3;
  if (sink !== (n * (n - 1)) / 2 + n) throw new Error('wrong sum');
  return elapsed / n;
}

async function tasksPerSecond(pool, n, window) {
  let submitted = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const loopBefore = performance.eventLoopUtilization();
  await new Promise((resolve, reject) => {
    let done = 0;
    const submitOne = () => {
      const i = submitted++;
      Promise.resolve(pool.submit([i, 1])).then((v) => {
        sink += v;
        if (++done === n) resolve();
        else if (submitted < n) submitOne();
      }, reject);
    };
    for (let k = 0; k < Math.min(window, n); k++) submitOne();
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const loop = performance.eventLoopUtilization(loopBefore);
  if (sink !== (n * (n - 1)) / 2 + n) throw new Error('wrong sum');
  // The caller's thread time per task (event loop active time): where a shared queue would cost.
  return { perSecond: n / seconds, callerMicros: (loop.active * 1000) / n };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const pools = { ioreactor: ioreactorPool(SIZE) };
  if (Piscina) pools.piscina = piscinaPool(SIZE);
  pools['ioreactor (1 worker)'] = ioreactorPool(1);
  const names = Object.keys(pools);
  // Warm up: start every worker, load the module, let both sides' code get optimised.
  for (const name of names) {
    await tasksPerSecond(pools[name], 4000, WINDOW);
    await roundTripMicros(pools[name], 500);
  }
  const results = Object.fromEntries(names.map((n) => [n, { rtt: [], tps: [], caller: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    // Round trips are measured in short slices taken in turn, so that a burst of load from
    // elsewhere on the machine lands on every pool alike rather than on one pool's whole run.
    for (let slice = 0; slice < LATENCY_SLICES; slice++) {
      for (const name of order) results[name].rtt.push(await roundTripMicros(pools[name], Math.ceil(LATENCY_TASKS / LATENCY_SLICES)));
    }
    for (const name of order) {
      const { perSecond, callerMicros } = await tasksPerSecond(pools[name], THROUGHPUT_TASKS, WINDOW);
      results[name].tps.push(perSecond);
      results[name].caller.push(callerMicros);
    }
  }
  for (const name of names) await pools[name].close();

  const spread = (xs, digits) => `${Math.min(...xs).toFixed(digits)}..${Math.max(...xs).toFixed(digits)}`;
  const rows = names.map((name) => {
    const { rtt, tps, caller } = results[name];
    return [name, median(rtt).toFixed(1), spread(rtt, 1), Math.round(median(tps)).toString(), spread(tps, 0), median(caller).toFixed(1)];
  });
  const header = ['pool', 'round trip µs', '(min..max)', 'tasks/s', '(min..max)', 'caller µs/task'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`node ${process.version}, pool size ${SIZE}, ${ROUNDS} rounds (median), window ${WINDOW}, ${availableParallelism()} cores`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  if (results.piscina) {
    const ratio = median(results.ioreactor.tps) / median(results.piscina.tps);
    console.log(
      `throughput ioreactor / piscina: ${ratio.toFixed(2)}x; round trip piscina / ioreactor: ${(median(results.piscina.rtt) / median(results.ioreactor.rtt)).toFixed(2)}x`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
