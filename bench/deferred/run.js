'use strict';
// Microbenchmark: firing a Deferred through a chain of 1, 10 and 100 callbacks, against a
// native Promise `then` chain doing the same work.
//
//   npm run bench:deferred            (builds lib/ first)
//   node bench/deferred/run.js [--rounds N] [--round-ms MS] [--json]
//
// One operation = build the chain, fire it with 0, and have the last callback run. A Deferred
// runs its callbacks synchronously inside `callback()`, so the operation ends when `callback()`
// returns. A Promise runs them as microtasks, so the operation ends when `await` on the tail of
// the chain returns: the microtask queue has been drained up to the last callback. Both sides
// build their chain inside the timed region, so neither is credited with work done beforehand.
//
// Each case is warmed up, then measured over several rounds that alternate the two sides; the
// table shows the median operations per second, the spread (min..max of the rounds, as a
// percentage of the median), and the median of the per-round ratios Deferred / Promise. This
// is a benchmark, not a test: nothing here asserts on timing.
const path = require('node:path');

const libDir = path.join(__dirname, '..', '..', 'lib');
let lib;
try {
  lib = require(path.join(libDir, 'index.js'));
} catch (e) {
  // The package entry also loads the native addon, which this benchmark does not use: when
  // the addon is not built (or is being rebuilt), measure the Deferred module on its own.
  if (!/native build|\.node\b/.test(String(e && e.message))) throw e;
  console.error(`(native addon unavailable, loading lib/defer directly: ${String(e.message).split('\n')[0]})`);
  lib = require(path.join(libDir, 'defer', 'index.js'));
}
const { Deferred } = lib;
if (typeof Deferred !== 'function') {
  console.error('lib/index.js does not export Deferred; run `npm run build:ts` first.');
  process.exit(1);
}

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}
const ROUNDS = option('--rounds', 9);
const ROUND_MS = option('--round-ms', 150);
const WARMUP_MS = option('--warmup-ms', 300);
const JSON_OUT = process.argv.includes('--json');

const inc = (x) => x + 1;
let sink = 0; // results are consumed so that no engine can drop the work

/** One Deferred operation: chain of n callbacks, fired, last callback has run on return. */
function deferredOnce(n) {
  const d = new Deferred();
  for (let i = 0; i < n; i++) d.addCallback(inc);
  d.addCallback((x) => {
    sink += x;
  });
  d.callback(0);
}

/** One Promise operation: chain of n `then`s, resolved, awaited until the last has run. */
async function promiseOnce(n) {
  let resolve;
  let p = new Promise((r) => {
    resolve = r;
  });
  for (let i = 0; i < n; i++) p = p.then(inc);
  p = p.then((x) => {
    sink += x;
  });
  resolve(0);
  await p;
}

function now() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Runs `ops` synchronous operations; returns elapsed milliseconds. */
function timeSync(fn, n, ops) {
  const t0 = now();
  for (let i = 0; i < ops; i++) fn(n);
  return now() - t0;
}

/** Runs `ops` operations one after another, each awaited; returns elapsed milliseconds. */
async function timeAsync(fn, n, ops) {
  const t0 = now();
  for (let i = 0; i < ops; i++) await fn(n);
  return now() - t0;
}

/** Picks an operation count so that one round lasts about ROUND_MS. */
async function calibrate(time, fn, n) {
  let ops = 64;
  for (;;) {
    const ms = await time(fn, n, ops);
    if (ms >= 20 || ops >= 1 << 26) return Math.max(1, Math.round((ops * ROUND_MS) / Math.max(ms, 0.001)));
    ops *= 4;
  }
}

function summary(rates) {
  const sorted = rates.slice().sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  return { median, min: sorted[0], max: sorted[sorted.length - 1], spreadPct: ((sorted[sorted.length - 1] - sorted[0]) / median) * 100 };
}

/**
 * Measures both sides for one chain length. Rounds alternate Deferred and Promise (and which
 * goes first), so that load from elsewhere on the machine hits both alike; the ratio is the
 * median of the per-round ratios.
 */
async function measurePair(n) {
  const dOps = await calibrate(timeSync, deferredOnce, n);
  const pOps = await calibrate(timeAsync, promiseOnce, n);
  const warmUntil = now() + WARMUP_MS;
  while (now() < warmUntil) {
    timeSync(deferredOnce, n, Math.max(1, dOps >> 3));
    await timeAsync(promiseOnce, n, Math.max(1, pOps >> 3));
  }
  const dRates = [];
  const pRates = [];
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    let d;
    let p;
    if (r % 2 === 0) {
      d = (dOps * 1000) / timeSync(deferredOnce, n, dOps);
      p = (pOps * 1000) / (await timeAsync(promiseOnce, n, pOps));
    } else {
      p = (pOps * 1000) / (await timeAsync(promiseOnce, n, pOps));
      d = (dOps * 1000) / timeSync(deferredOnce, n, dOps);
    }
    dRates.push(d);
    pRates.push(p);
    ratios.push(d / p);
  }
  return { callbacks: n, deferred: summary(dRates), promise: summary(pRates), ratio: summary(ratios).median };
}

function fmtRate(r) {
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)} M`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)} k`;
  return r.toFixed(0);
}

function pad(s, w, right = false) {
  s = String(s);
  return right ? s.padEnd(w) : s.padStart(w);
}

async function main() {
  const rows = [];
  for (const n of [1, 10, 100]) {
    rows.push(await measurePair(n));
  }
  if (JSON_OUT) {
    console.log(JSON.stringify({ node: process.version, rounds: ROUNDS, roundMs: ROUND_MS, rows, sink }, null, 2));
    return;
  }
  console.log(
    `Deferred vs Promise chains  (node ${process.version}, ${ROUNDS} rounds of ~${ROUND_MS} ms, median ops/s, spread = (max-min)/median, ratio = median of per-round ratios)`,
  );
  const header = [
    pad('callbacks', 9, true),
    pad('Deferred ops/s', 15),
    pad('spread', 7),
    pad('Promise ops/s', 15),
    pad('spread', 7),
    pad('Deferred/Promise', 17),
  ];
  console.log(header.join('  '));
  console.log('-'.repeat(header.join('  ').length));
  for (const r of rows) {
    console.log(
      [
        pad(r.callbacks, 9, true),
        pad(fmtRate(r.deferred.median), 15),
        pad(`${r.deferred.spreadPct.toFixed(0)}%`, 7),
        pad(fmtRate(r.promise.median), 15),
        pad(`${r.promise.spreadPct.toFixed(0)}%`, 7),
        pad(`${r.ratio.toFixed(2)}x`, 17),
      ].join('  '),
    );
  }
  const TARGET = 3;
  const below = rows.filter((r) => r.ratio < TARGET).map((r) => r.callbacks);
  console.log(
    below.length === 0
      ? `target (Deferred >= ${TARGET}x Promise): met for every chain length`
      : `target (Deferred >= ${TARGET}x Promise): not met for ${below.join(', ')} callback(s)`,
  );
  if (sink === 42) console.log(''); // keeps `sink` observable
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
