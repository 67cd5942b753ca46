#!/usr/bin/env node
'use strict';
// ioreactor's echo benchmark: the C epoll server (the physical limit), node:net, and
// ioreactor in each backend x trigger mode, driven by the native closed-loop load generator;
// for datagrams, the C recvmmsg server, node:dgram and ioreactor's listenUDP.
// `node bench/run.js --help` for options; bench/README.md for the method.
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs, plan, HELP } = require('./harness/options');
const { installCleanup, pinning, killAll } = require('./harness/processes');
const { machineInfo } = require('./harness/procfs');
const { locateNativeTools, snapshotTools } = require('./harness/native-tools');
const {
  catalogue,
  selectServers,
  pickServers,
  checkServerNames,
  fanoutServers,
  streamServers,
  scaleServers,
  udpServers,
  REFERENCE,
  NODE_NET,
  UDP_REFERENCE,
  NODE_DGRAM,
} = require('./harness/servers');
const { loadRound, idleRound } = require('./harness/rounds');
const { renderSvg } = require('./harness/svg');
const { createProgress } = require('./harness/progress');
const { median, idleHeavyLine, summarise, loadTable, idleTable, generatorCeiling, ceilingLine, TCP_BASES } = require('./harness/report');

const fmt = (n) => Number(n).toLocaleString('en-US');
// The rows the datagram scenarios' ratios divide by.
const UDP_BASES = { reference: UDP_REFERENCE, node: NODE_DGRAM, nodeLabel: 'node:dgram' };
const ROOT = path.resolve(__dirname, '..');
// A round in which other processes (or the hypervisor) took this much of a core from the
// benchmark's two CPUs is flagged: its numbers say more about the neighbours than the server.
const DISTURBED_PCT = 10;

function isDisturbed(r) {
  return (r.other_cpu_pct || 0) + (r.steal_pct || 0) >= DISTURBED_PCT;
}

function describeRound(kind, r) {
  if (r.error) return `error: ${r.error}`;
  if (kind === 'idle') {
    const per = r.bytes_per_conn === null ? '-' : `${(r.bytes_per_conn / 1024).toFixed(2)} KiB/conn`;
    return `${r.established} idle, ${per}`;
  }
  const cpu =
    (r.server_us_per_msg === null ? '' : `, srv ${r.server_us_per_msg.toFixed(2)} µs/msg`) +
    (r.syscalls_per_msg === null || r.syscalls_per_msg === undefined ? '' : `, ${r.syscalls_per_msg.toFixed(2)} syscalls/msg`);
  const bad = r.errors || r.connect_failures ? `, ${r.errors} errors, ${r.connect_failures} connect failures` : '';
  const lost = r.mode === 'udp' ? `, lost ${r.lost} (${r.loss_pct.toFixed(2)}%)` : '';
  const noise = isDisturbed(r) ? `  (disturbed: ${Math.round(r.other_cpu_pct + (r.steal_pct || 0))}% of a core went to other processes)` : '';
  const unit = r.mode === 'churn' ? 'conns/s' : r.mode === 'udp' ? 'dgrams/s' : 'msgs/s';
  const per = r.mode === 'churn' ? 'conn' : r.mode === 'udp' ? 'dgram' : 'msg';
  return `${Math.round(r.msgs_per_sec).toLocaleString('en-US')} ${unit}${r.mode === 'churn' ? '' : `, ${r.mb_per_sec.toFixed(1)} MB/s`}, p99 ${Math.round(r.p99_us)} µs${lost}${cpu.replace(/msg/g, per)}${bad}${noise}`;
}

// The largest disagreement between the generator's rate and the server's own count.
const CROSSCHECK_TOLERANCE = 0.15;

/**
 * --crosscheck: per server, the generator's msgs/s against the server's own count of echoed
 * bytes over the same window (timed by the harness), as medians over the rounds; PASS when
 * they agree within 15 %.
 */
function crossCheck(results) {
  const out = {};
  const rows = [];
  for (const [name, entry] of Object.entries(results)) {
    const ok = entry.rounds.filter((r) => !r.error && r.server_count_msgs_per_sec);
    if (!ok.length) {
      out[name] = { verdict: 'FAIL', reason: entry.unavailable || entry.rounds.map((r) => r.error || r.server_count_error).filter(Boolean)[0] || 'no counts' };
      rows.push(`${name.padEnd(10)}  FAIL: ${out[name].reason}`);
      continue;
    }
    const gen = median(ok.map((r) => r.msgs_per_sec));
    const srv = median(ok.map((r) => r.server_count_msgs_per_sec));
    const ratio = gen / srv;
    const worst = Math.max(...ok.map((r) => Math.abs(r.msgs_per_sec / r.server_count_msgs_per_sec - 1)));
    const verdict = Math.abs(ratio - 1) <= CROSSCHECK_TOLERANCE ? 'PASS' : 'FAIL';
    out[name] = { generator_msgs_per_sec: gen, server_count_msgs_per_sec: srv, ratio, worst_round_deviation: worst, rounds: ok.length, verdict };
    rows.push(
      `${name.padEnd(10)}  ${fmt(Math.round(gen)).padStart(16)}  ${fmt(Math.round(srv)).padStart(19)}  ${ratio.toFixed(3).padStart(9)}  ${(100 * worst).toFixed(1).padStart(10)}%  ${verdict}`,
    );
  }
  console.log(
    `\ncross-check (tolerance ${CROSSCHECK_TOLERANCE * 100} %): the load generator's count vs the server's own count of echoed bytes / message size, same window (server counts timed by the harness)`,
  );
  console.log(
    `${'server'.padEnd(10)}  ${'generator msgs/s'.padStart(16)}  ${'server-count msgs/s'.padStart(19)}  ${'gen/srv'.padStart(9)}  ${'worst round'.padStart(11)}  verdict`,
  );
  for (const r of rows) console.log(r);
  if (Object.values(out).some((x) => x.verdict !== 'PASS')) process.exitCode = 1;
  return out;
}

/** Runs one scenario: rounds alternate across servers (A B C A B C ...). */
async function runScenario(p, tools, servers, progress, done = [], serverSpec = undefined) {
  if (p.scale) servers = selectServers(scaleServers(ROOT), serverSpec);
  const bases = p.udp ? UDP_BASES : TCP_BASES;
  if (p.fanout) servers = fanoutServers(servers);
  if (p.stream) servers = streamServers(servers);
  console.log(`\n== ${p.name}: ${p.title}`);
  if (servers.some((s) => s.label.endsWith('(borrowData)'))) console.log('   ioreactor echo servers borrow their reads (--borrow-data)');
  console.log(
    `   connections ${p.connections}, size ${p.size} B` +
      (p.kind === 'load' ? `, depth ${p.depth}, ${p.rounds} x (${p.warmup} s warm-up + ${p.duration} s)` : `, ${p.rounds} rounds`),
  );
  const results = {};
  for (const s of servers) results[s.name] = { label: s.label, unavailable: s.unavailable || null, rounds: [] };
  for (let round = 1; round <= p.rounds; round++) {
    for (const s of servers) {
      const entry = results[s.name];
      if (entry.unavailable) continue;
      const started = Date.now();
      progress.start(p.name, s.name, round, p.rounds);
      const discarded = [];
      let r;
      // A round disturbed by other processes is run again (--retries times at most); the
      // attempts it replaces stay in the JSON, so the noise remains on record.
      for (;;) {
        r = p.kind === 'idle' ? await idleRound(tools, s, p) : await loadRound(tools, s, p);
        if (discarded.length >= p.retries || r.error || !isDisturbed(r)) break;
        discarded.push(r);
        console.log(`   ${s.name.padEnd(24)} round ${round}: ${describeRound(p.kind, r)}, run again`);
      }
      progress.step();
      if (discarded.length) r.discarded_attempts = discarded;
      r.round = round;
      r.wall_s = (Date.now() - started) / 1000;
      // A server that has never started will not start next round either: say why, move
      // on. One that ran before and fails now has a failed round, kept with its reason.
      if (r.startFailed && !entry.rounds.some((x) => !x.startFailed)) {
        entry.unavailable = r.error;
        console.log(`   ${s.name.padEnd(24)} unavailable: ${r.error}`);
        continue;
      }
      entry.rounds.push(r);
      console.log(`   ${s.name.padEnd(24)} round ${round}: ${describeRound(p.kind, r)}`);
    }
  }
  const summary = summarise(p.kind, results, bases);
  console.log('');
  if (p.kind === 'idle') {
    console.log(idleTable(summary));
    return { params: p, results, summary };
  }
  console.log(loadTable(summary, p.churn ? 'conns/s' : p.fanout ? 'deliv/s' : p.udp ? 'dgrams/s' : 'msgs/s', bases));
  if (p.udp)
    console.log(
      `dgrams/s: datagrams echoed and verified per second (${p.connections} sockets, ${p.depth} in flight each); loss: datagrams not echoed within 200 ms, of those sent (each replaced at once, so the loop never stalls); vs C = vs ${UDP_REFERENCE}`,
    );
  if (p.stream)
    console.log(
      'stream: msgs/s = 64 KiB chunks received per second (MB/s is the figure); p50/p99 are the time between two chunks on one connection; every byte is checked against the stream pattern',
    );
  if (p.fanout)
    console.log(
      `deliv/s: messages x ${p.connections} connections (every connection, the sender's too, gets every message, checked byte for byte); srv µs/deliv is the server's CPU per delivered message; generator: bench/fanout/client.js (Node), whose cli CPU may limit the fastest server`,
    );
  if (p.fanout) {
    const sat = Object.entries(summary)
      .filter(([, x]) => x.roundsOk && x.client_cpu_pct.median >= 90)
      .map(([n]) => n);
    if (sat.length)
      console.log(
        `GENERATOR SATURATED (cli CPU >= 90%) against ${sat.join(', ')}: those deliv/s are the Node client's limit, not the server's; compare srv µs/deliv (and srv CPU) instead`,
      );
  }
  if (p.idleConnections) {
    const pp = done.find((x) => x.params.name === 'pingpong');
    const idle = Object.values(results)
      .map((e) => e.rounds.find((r) => r.idle_established !== undefined))
      .find(Boolean);
    if (idle) console.log(`idle connections held beside the load: ${fmt(idle.idle_established)} of ${fmt(p.idleConnections)}`);
    console.log(idleHeavyLine(summary, pp && pp.summary));
  }
  const ceiling = generatorCeiling(results[bases.reference]);
  if (ceiling) console.log(ceilingLine(ceiling, p.udp ? 'UDP' : 'TCP'));
  const crosscheck = p.crosscheck ? crossCheck(results) : undefined;
  return { params: p, results, summary, generatorCeiling: ceiling, crosscheck };
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`ioreactor-bench: ${e.message}`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return;
  }
  installCleanup();
  const snapshot = snapshotTools(
    ROOT,
    locateNativeTools(ROOT, (msg) => console.error(msg)),
  );
  process.on('exit', snapshot.remove);
  const tools = snapshot.tools;
  const baseline = opts.baseline && path.resolve(opts.baseline);
  const all = catalogue(ROOT, tools, baseline, opts.borrow);
  const udpAll = udpServers(ROOT, tools, baseline, opts.borrow);
  if (opts.listServers) {
    for (const s of [...all, ...udpAll]) {
      const note = s.skipped ? `  (skipped: ${s.skipped})` : s.unavailable ? `  (unavailable: ${s.unavailable})` : '';
      console.log(`${s.name.padEnd(28)} ${s.label}${note}`);
    }
    return;
  }
  const scenarios = plan(opts);
  let servers;
  let udpList = [];
  try {
    // The scale scenario has servers of its own: --servers then names those (checked here too).
    const scaleOnly = !opts.crosscheck && (opts.scenarios || []).length > 0 && opts.scenarios.every((s) => s === 'scale');
    if (opts.scenarios && opts.scenarios.includes('scale')) selectServers(scaleServers(ROOT), opts.servers);
    // So have the datagram scenarios; one --servers list then names TCP and UDP servers alike.
    const udp = scenarios.some((p) => p.udp);
    const tcp = scenarios.some((p) => !p.udp && !p.scale);
    if (opts.crosscheck || !udp) servers = scaleOnly ? [] : selectServers(all, opts.crosscheck ? `${REFERENCE},${NODE_NET}` : opts.servers);
    else {
      checkServerNames([tcp ? all : [], udpAll], opts.servers);
      servers = tcp ? pickServers(all, opts.servers) : [];
      udpList = pickServers(udpAll, opts.servers);
    }
  } catch (e) {
    console.error(`ioreactor-bench: ${e.message}`);
    process.exit(2);
  }
  const machine = machineInfo(ROOT);
  const started = new Date();
  console.log(`ioreactor echo benchmark  ${started.toISOString()}`);
  console.log(`${machine.cpuModel}, ${machine.cores} cores, Linux ${machine.kernel}, Node ${machine.node}`);
  console.log(
    pinning.enabled
      ? `servers pinned to CPU ${pinning.serverCpu}, load generator to CPU ${pinning.clientCpu} (taskset)`
      : 'no CPU pinning (taskset missing or a single CPU): numbers are less stable',
  );
  // A server whose runtime is missing here (Twisted without python3) is one line, not a row.
  for (const s of servers.filter((x) => x.skipped))
    console.log(`${s.name}: skipped (${s.skipped.startsWith('no python3 with Twisted') ? 'no python3 with Twisted' : s.skipped})`);
  servers = servers.filter((s) => !s.skipped);
  if (servers.length) console.log(`servers: ${servers.map((s) => s.name).join(', ')}`);
  if (udpList.length) console.log(`datagram servers: ${udpList.map((s) => s.name).join(', ')}`);

  const report = {
    tool: 'ioreactor-bench echo',
    started: started.toISOString(),
    machine,
    pinning,
    argv: process.argv.slice(2),
    binaries: tools.sources,
    scenarios: [],
  };
  const serversOf = (p) => (p.scale ? selectServers(scaleServers(ROOT), opts.servers) : p.udp ? udpList : servers);
  // A --servers list of TCP servers only skips the datagram scenarios of the plan, and the
  // other way round, rather than printing empty tables.
  const runnable = scenarios.filter((p) => {
    if (p.scale || serversOf(p).length) return true;
    console.log(`${p.name}: skipped (--servers names none of its ${p.udp ? 'datagram ' : ''}servers)`);
    return false;
  });
  const progress = createProgress(runnable.reduce((n, p) => n + p.rounds * serversOf(p).filter((s) => !s.unavailable).length, 0));
  for (const p of runnable) report.scenarios.push(await runScenario(p, tools, serversOf(p), progress, report.scenarios, opts.servers));
  progress.end();
  report.finished = new Date().toISOString();
  report.wall_s = (Date.now() - started.getTime()) / 1000;
  console.log(`\ndone in ${report.wall_s.toFixed(1)} s`);
  if (opts.json) {
    fs.writeFileSync(opts.json, JSON.stringify(report, null, 2) + '\n');
    console.log(`results written to ${opts.json}`);
  }
  const svg = opts.svg || (opts.json ? opts.json.replace(/(\.json)?$/i, '.svg') : null);
  if (svg) {
    fs.writeFileSync(svg, renderSvg(report));
    console.log(`SVG report written to ${svg}`);
  }
}

main().then(
  () => killAll(),
  (err) => {
    killAll();
    console.error(`ioreactor-bench: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  },
);
