'use strict';
// Summaries (median and spread over rounds) and the tables printed for people.
const { REFERENCE, NODE_NET } = require('./servers');

// The rows the ratio columns divide by: C and node:net, or for datagrams udp-c and node:dgram.
const TCP_BASES = { reference: REFERENCE, node: NODE_NET, nodeLabel: 'node:net' };

function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** { median, min, max } of one metric over the successful rounds. */
function spread(rounds, key) {
  const v = rounds.map((r) => r[key]).filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return { median: null, min: null, max: null, n: 0 };
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length };
}

const LOAD_METRICS = [
  'msgs_per_sec',
  'mb_per_sec',
  'p50_us',
  'p99_us',
  'max_us',
  'server_us_per_msg',
  'client_us_per_msg',
  'server_cpu_pct',
  'client_cpu_pct',
  'client_user_pct',
  'other_cpu_pct',
  'steal_pct',
  'softirq_pct',
  'errors',
  'connect_failures',
  'server_rss_kib',
  'syscalls_per_msg',
  'waits_per_msg',
  'reads_per_msg',
  'writes_per_msg',
  'accepts_per_msg',
  'poller_changes_per_msg',
  'loss_pct',
];
const IDLE_METRICS = ['bytes_per_conn', 'rss_before_kib', 'rss_after_kib', 'established', 'connect_failures'];

/**
 * Per server: its rounds, medians and spreads, and ratios against the reference (C) and Node
 * rows that `bases` names (ratio_vs_node_net is against node:dgram for datagrams).
 */
function summarise(kind, results, bases = TCP_BASES) {
  const metrics = kind === 'idle' ? IDLE_METRICS : LOAD_METRICS;
  const out = {};
  for (const [name, entry] of Object.entries(results)) {
    const ok = entry.rounds.filter((r) => !r.error);
    const s = { label: entry.label, unavailable: entry.unavailable || null, roundsOk: ok.length, roundsFailed: entry.rounds.length - ok.length };
    if (ok.length < entry.rounds.length) s.lastError = entry.rounds.filter((r) => r.error).pop().error;
    for (const m of metrics) s[m] = spread(ok, m);
    out[name] = s;
  }
  if (kind !== 'idle') {
    const base = (n) => (out[n] && out[n].msgs_per_sec.median) || null;
    for (const s of Object.values(out)) {
      const mine = s.msgs_per_sec.median;
      s.ratio_vs_c = mine && base(bases.reference) ? mine / base(bases.reference) : null;
      s.ratio_vs_node_net = mine && base(bases.node) ? mine / base(bases.node) : null;
      // CPU per message relative to C: barely moved by neighbours, unlike msgs/s.
      const cCost = out[bases.reference] && out[bases.reference].server_us_per_msg.median;
      s.cost_vs_c = cCost && s.server_us_per_msg.median ? s.server_us_per_msg.median / cCost : null;
    }
  }
  return out;
}

function fmt(x, digits = 0) {
  if (x === null || x === undefined) return '-';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function short(x) {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(0)}k`;
  return x.toFixed(0);
}

/** The rounds' range, min–max (one round has none). */
function range(s, unit = short) {
  if (s.median === null || s.n < 2) return '-';
  return `${unit(s.min)}–${unit(s.max)}`;
}

function ratio(x) {
  return x === null || x === undefined ? '-' : `${x.toFixed(2)}x`;
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r.length === 2 && i > 0 ? 0 : String(r[i] ?? '').length))));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  const out = [line(headers), widths.map((w) => '-'.repeat(w)).join('  ')];
  // A two-cell row is a server with a note (unavailable / failed) spanning the table.
  for (const r of rows) out.push(r.length === 2 ? `${String(r[0]).padEnd(widths[0])}  ${r[1]}` : line(r));
  return out.join('\n');
}

/** CPU time other processes and the hypervisor took from the benchmark's cores (max over rounds). */
function otherLoad(s) {
  if (s.other_cpu_pct.max === null) return '-';
  return `${fmt((s.other_cpu_pct.max || 0) + (s.steal_pct.max || 0))}%`;
}

function unavailableNote(s) {
  if (s.unavailable) return `unavailable: ${s.unavailable}`;
  if (s.roundsOk === 0) return `failed: ${s.lastError}`;
  return null;
}

/**
 * `unit` names the rate: 'msgs/s', 'conns/s' for churn (a cycle per connection), 'dgrams/s'
 * for datagrams (which add a loss column and compare with node:dgram: `bases`).
 */
function loadTable(summary, unit = 'msgs/s', bases = TCP_BASES) {
  const per = unit === 'conns/s' ? 'conn' : unit === 'deliv/s' ? 'deliv' : unit === 'dgrams/s' ? 'dgram' : 'msg';
  const loss = unit === 'dgrams/s';
  const headers = [
    'server',
    unit,
    'min–max',
    'MB/s',
    'p50 µs',
    'p99 µs',
    ...(loss ? ['loss'] : []),
    `srv µs/${per}`,
    `syscalls/${per}`,
    'srv CPU',
    'cli CPU',
    'other',
    'vs C',
    `vs ${bases.nodeLabel}`,
    `CPU/${per} vs C`,
  ];
  const rows = Object.entries(summary).map(([name, s]) => {
    const note = unavailableNote(s);
    if (note) return [name, note];
    const flag = s.errors.max || s.connect_failures.max ? ' !' : '';
    return [
      name + flag,
      fmt(s.msgs_per_sec.median),
      range(s.msgs_per_sec),
      fmt(s.mb_per_sec.median, 1),
      fmt(s.p50_us.median),
      fmt(s.p99_us.median),
      ...(loss ? [s.loss_pct.median === null ? '-' : `${fmt(s.loss_pct.median, 2)}%`] : []),
      fmt(s.server_us_per_msg.median, 2),
      fmt(s.syscalls_per_msg.median, 2),
      s.server_cpu_pct.median === null ? '-' : `${fmt(s.server_cpu_pct.median)}%`,
      s.client_cpu_pct.median === null ? '-' : `${fmt(s.client_cpu_pct.median)}%`,
      otherLoad(s),
      ratio(s.ratio_vs_c),
      ratio(s.ratio_vs_node_net),
      ratio(s.cost_vs_c),
    ];
  });
  const notes = Object.entries(summary)
    .filter(([, s]) => !unavailableNote(s) && (s.errors.max || s.connect_failures.max || s.roundsFailed))
    .map(
      ([n, s]) =>
        `  ! ${n}: ${s.errors.max || 0} errors, ${s.connect_failures.max || 0} connect failures, ${s.roundsFailed} failed rounds${s.lastError ? ` (${s.lastError})` : ''}`,
    );
  const uncounted = bases === TCP_BASES ? 'node:net and Twisted keep none' : `${bases.nodeLabel} keeps none`;
  return [table(headers, rows), ...notes, ...syscallLines(summary, per, uncounted)].join('\n');
}

/**
 * Where the syscalls/msg column comes from, per server that counts: the medians of each kind
 * of system call per message (waits, reads, writes, accepts, poller changes).
 */
function syscallLines(summary, per = 'msg', uncounted = 'node:net and Twisted keep none') {
  const counted = Object.entries(summary).filter(([, s]) => !unavailableNote(s) && s.syscalls_per_msg.median !== null);
  if (!counted.length) return [];
  const width = Math.max(...counted.map(([n]) => n.length));
  const f = (x) => (x === null ? '-' : x.toFixed(2));
  return [
    `syscalls/${per}, from the servers' own counters over the measured window (${uncounted}: -):`,
    ...counted.map(
      ([n, s]) =>
        `  ${n.padEnd(width)}  ${f(s.syscalls_per_msg.median).padStart(7)} = ${f(s.waits_per_msg.median)} wait + ${f(s.reads_per_msg.median)} read + ` +
        `${f(s.writes_per_msg.median)} write + ${f(s.accepts_per_msg.median)} accept + ${f(s.poller_changes_per_msg.median)} poller change`,
    ),
  ];
}

function idleTable(summary) {
  const headers = ['server', 'connections', 'RSS before', 'RSS after', 'per connection', 'min–max'];
  const mib = (k) => (k === null ? '-' : `${(k / 1024).toFixed(1)} MiB`);
  const rows = Object.entries(summary).map(([name, s]) => {
    const note = unavailableNote(s);
    if (note) return [name, note];
    const per = s.bytes_per_conn.median;
    return [
      name + (s.connect_failures.max ? ' !' : ''),
      fmt(s.established.median),
      mib(s.rss_before_kib.median),
      mib(s.rss_after_kib.median),
      per === null ? '-' : `${(per / 1024).toFixed(2)} KiB`,
      range(s.bytes_per_conn, (b) => `${(b / 1024).toFixed(2)}`),
    ];
  });
  return table(headers, rows);
}

/**
 * What the generator itself costs, judged on the fastest round against the C server (the one
 * neighbours disturbed least): its CPU per message, the rate one core could therefore
 * sustain, and how busy each side was. Loopback TCP does part of the receiver's work in the
 * sender's system time, so this overstates the generator's own cost.
 */
function generatorCeiling(entry) {
  const rounds = entry ? entry.rounds.filter((r) => !r.error && r.client_us_per_msg) : [];
  if (rounds.length === 0) return null;
  const best = rounds.reduce((a, b) => (b.msgs_per_sec > a.msgs_per_sec ? b : a));
  return {
    round: best.round,
    client_us_per_msg: best.client_us_per_msg,
    client_cpu_pct: best.client_cpu_pct,
    client_user_pct: best.client_user_pct,
    other_pct: best.other_cpu_pct === null ? null : best.other_cpu_pct + (best.steal_pct || 0),
    server_cpu_pct: best.server_cpu_pct,
    ceiling_msgs_per_sec: 1e6 / best.client_us_per_msg,
    c_msgs_per_sec: best.msgs_per_sec,
  };
}

/**
 * Who limited the C rows: a process near 100 % of its core is the bottleneck. The generator
 * does the same system calls per message as the C server, so against C both often saturate
 * together; then the C figure is the limit of the pair, a lower bound for the server alone.
 */
function ceilingLine(g, transport = 'TCP') {
  if (!g) return '';
  const srv = g.server_cpu_pct ?? 0;
  const cli = g.client_cpu_pct ?? 0;
  let verdict;
  if (srv >= 90 && cli >= 90) verdict = 'both cores saturated: the C row is the limit of the pair (a lower bound for the server)';
  else if (srv >= 90) verdict = 'server saturated, generator keeps up';
  else if (cli >= 90) verdict = 'GENERATOR SATURATED before the server: add --threads or a core';
  else if ((g.other_pct ?? 0) >= 10) verdict = `neither saturated: other processes took ${fmt(g.other_pct)}% of a core`;
  else verdict = 'neither saturated: latency-bound';
  return (
    `load generator, best C round (${g.round}): ${fmt(g.client_us_per_msg, 2)} µs CPU/msg, ${fmt(cli)}% of its core (${fmt(g.client_user_pct)}% in its own code, the rest kernel ${transport}; server ${fmt(srv)}%); ` +
    `one core sustains ~${fmt(g.ceiling_msgs_per_sec)} msgs/s vs that round's ${fmt(g.c_msgs_per_sec)}: ${verdict}`
  );
}

/**
 * idle-heavy footer: does poll(2)'s CPU per message grow with the idle descriptors while
 * epoll's stays flat? Compared against the same servers' ping-pong (same 100 active
 * connections, no idle ones) when that ran in this invocation; otherwise poll vs epoll only.
 * Says what the data shows, including when it does not show the effect.
 */
function idleHeavyLine(summary, pingpong) {
  const cost = (sum, n) => (sum && sum[n] && sum[n].roundsOk ? sum[n].server_us_per_msg.median : null);
  const poll = cost(summary, 'ioreactor-poll-level');
  const epoll = cost(summary, 'ioreactor-epoll-level');
  if (poll === null || epoll === null) return 'poll vs epoll: needs both ioreactor-poll-level and ioreactor-epoll-level rows';
  const ppPoll = cost(pingpong, 'ioreactor-poll-level');
  const ppEpoll = cost(pingpong, 'ioreactor-epoll-level');
  const parts = [`srv µs/msg with the idle connections: poll ${fmt(poll, 2)}, epoll ${fmt(epoll, 2)} (poll ${ratio(poll / epoll)} epoll's)`];
  let shows = poll / epoll >= 1.5;
  if (ppPoll !== null && ppEpoll !== null) {
    const gp = poll / ppPoll;
    const ge = epoll / ppEpoll;
    parts.push(`vs ping-pong without them: poll ${ratio(gp)}, epoll ${ratio(ge)}`);
    shows = shows && gp >= 1.5 && ge < 1.25;
  }
  return (
    parts.join('; ') +
    (shows
      ? ': poll(2) pays for every idle descriptor on every wake-up, epoll stays flat'
      : ": this run does not show poll(2)'s cost growing with idle descriptors beyond epoll's")
  );
}

module.exports = { TCP_BASES, idleHeavyLine, summarise, loadTable, idleTable, generatorCeiling, ceilingLine, median };
