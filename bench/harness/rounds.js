'use strict';
// One measured round: start a fresh server, drive it with the load generator, sample the
// server's (and the generator's) CPU time at the edges of the measured window, stop both.
// A fresh server per round keeps rounds independent: no heap, JIT or socket state carried
// over, and a crash costs one round, not the run.
const { spawnPinned, waitForLine, stop, pinning, failureReason } = require('./processes');
const { cpuTimes, treeCpuTimes, processTree, cpuStat, allProcessesCpu, rssKiB } = require('./procfs');

const { performance } = require('node:perf_hooks');

const START_TIMEOUT_MS = 10000;
const FANOUT_CLIENT = require('node:path').join(__dirname, '..', 'fanout', 'client.js');

async function startServer(server) {
  const [cmd, args] = server.start(0);
  // Servers of several reactors (the scale scenario) get every CPU: pinned to one, they could not scale.
  const child = spawnPinned(cmd, args, server.unpinned ? undefined : pinning.serverCpu, server.env);
  try {
    const m = await waitForLine(child, /^listening (\d+)/, START_TIMEOUT_MS, server.name);
    return { child, port: Number(m[1]) };
  } catch (e) {
    await stop(child, 500);
    throw e;
  }
}

/** CPU seconds between two samples: { total, user }, nulls if either sample is missing. */
function delta(after, before) {
  if (!after || !before) return { total: null, user: null };
  const user = after.user - before.user;
  return { total: user + after.system - before.system, user };
}

/**
 * Runs the generator against `port` for one round of a load scenario. Resolves with the
 * generator's JSON plus CPU seconds used by server and client in the measured window.
 */
async function driveLoad(tools, serverPid, port, p, serverChild, wantStats, serverTree) {
  // A server of several processes (cluster, serve() in process mode) is measured whole.
  const serverCpu = serverTree ? treeCpuTimes : cpuTimes;
  let serverPids = [serverPid];
  // What the load generator and the fan-out client both take.
  const load = ['--port', port, '--connections', p.connections, '--size', p.size, '--depth', p.depth, '--duration', p.duration, '--warmup', p.warmup].map(
    String,
  );
  const args = [...load, '--threads', String(p.threads)];
  // Churn: every slot reconnects at once after its cycle, so all of them may connect together.
  if (p.churn) args.push('--churn', '--connect-window', String(p.connections));
  // Stream: the generator sends one start byte per connection, then reads and discards.
  if (p.stream) args.push('--sink');
  // Fan-out: the Node chat client (one sender, every connection a receiver), and datagrams:
  // the UDP generator (one thread; --connections is its sockets), speak the generator's
  // protocol (phases on stderr, one JSON line), so the rest is the same.
  const gen = p.fanout
    ? spawnPinned(process.execPath, [FANOUT_CLIENT, ...load], pinning.clientCpu)
    : p.udp
      ? spawnPinned(tools.udpLoadgen, load, pinning.clientCpu)
      : spawnPinned(tools.loadgen, args, pinning.clientCpu);
  const samples = {};
  // --crosscheck: the server counts the bytes it echoes and prints `count <bytes>` on
  // SIGUSR2; ask at both edges of the window and time the window with our own clock.
  const counts = [];
  if (p.crosscheck && serverChild) {
    serverChild.stdoutLines.on('line', (line) => {
      const m = /^count (\d+)$/.exec(line);
      if (m) counts.push({ bytes: Number(m[1]), at: performance.now() });
    });
  }
  // Servers that count their system calls answer a "stats" line on stdin with
  // "stats {json}"; ask at both edges of the window, in order.
  const stats = [];
  if (wantStats && serverChild) {
    serverChild.stdoutLines.on('line', (line) => {
      const m = /^stats (.*)$/.exec(line);
      if (!m) return;
      try {
        stats.push(JSON.parse(m[1]));
      } catch {
        stats.push(null);
      }
    });
  }
  const askStats = () => {
    if (!wantStats || !serverChild) return;
    try {
      serverChild.stdin.write('stats\n');
    } catch {
      /* gone: no counters */
    }
  };
  const ask = (which) => {
    if (!p.crosscheck || !serverChild) return;
    samples[`${which}_asked`] = performance.now();
    try {
      process.kill(serverPid, 'SIGUSR2');
    } catch {
      /* gone: no count */
    }
  };
  // The generator announces its phases on stderr; sample both processes right then. The
  // pipe adds well under a millisecond, small against a window of seconds.
  gen.stderrLines.on('line', (line) => {
    const m = /^phase (measure|end)$/.exec(line);
    // The two benchmark processes first: the full /proc walk takes a few milliseconds.
    if (m) {
      ask(m[1]);
      askStats();
      if (serverTree) serverPids = processTree(serverPid);
      samples[m[1]] = { ...samples[m[1]], server: serverCpu(serverPid), client: cpuTimes(gen.pid), machine: cpuStat(), others: allProcessesCpu() };
    }
  });
  // Connecting 10 000 sockets and warming up take time of their own; allow for it.
  const limitMs = (p.duration + p.warmup) * 1000 + 60000;
  let result;
  try {
    const m = await waitForLine(gen, /^(\{.*\})$/, limitMs, 'load generator');
    result = JSON.parse(m[1]);
    if (wantStats) {
      // The second answer was asked for before the generator's report; let it arrive.
      for (let i = 0; i < 50 && stats.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      result.server_counters = counterDelta(stats[1], stats[0]);
    }
    if (p.crosscheck) {
      // Let the second count line arrive (it was asked for before the generator's report).
      for (let i = 0; i < 50 && counts.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      if (counts.length >= 2) {
        const secs = (samples.end_asked - samples.measure_asked) / 1000;
        result.server_count_bytes = counts[1].bytes - counts[0].bytes;
        result.server_count_seconds = secs;
        result.server_count_msgs_per_sec = result.server_count_bytes / p.size / secs;
      } else result.server_count_error = `server printed ${counts.length} of 2 counts`;
    }
  } finally {
    await stop(gen, 1000);
  }
  const s0 = samples.measure || {};
  const s1 = samples.end || {};
  const srv = delta(s1.server, s0.server);
  const cli = delta(s1.client, s0.client);
  result.server_cpu_s = srv.total;
  result.server_user_s = srv.user;
  result.client_cpu_s = cli.total;
  result.client_user_s = cli.user;
  const benchS = srv.total === null || cli.total === null ? null : srv.total + cli.total;
  Object.assign(result, interference(s0, s1, [...serverPids, gen.pid, process.pid], result.seconds, benchS));
  return result;
}

/**
 * How much CPU went to anything but the benchmark during the window, in % of one core.
 * `other_processes_pct`: the other processes alive at the end (one born in the window
 * counts in full). With pinning, `other_cpu_pct` is sharper: the benchmark's two CPUs' busy
 * time (from /proc/stat) minus what the server and generator used, which also catches
 * processes that started and exited inside the window. (The kernel charges the softirq
 * ticks it takes while a process runs to that process, so the subtraction balances: about
 * 1-2 % is left over in an undisturbed round.) `steal_pct` is time the hypervisor took.
 * Without pinning, other_cpu_pct falls back to the process count.
 */
function interference(s0, s1, ours, seconds, benchS) {
  const result = { other_cpu_pct: null, other_processes_pct: null, steal_pct: null, softirq_pct: null, idle_pct: null };
  if (!seconds) return result;
  if (s0.others && s1.others) {
    let other = 0;
    for (const [pid, t] of s1.others) if (!ours.includes(pid)) other += t - (s0.others.get(pid) ?? 0);
    result.other_processes_pct = result.other_cpu_pct = (100 * Math.max(0, other)) / seconds;
  }
  if (s0.machine && s1.machine) {
    const cpus = pinning.enabled ? [`cpu${pinning.serverCpu}`, `cpu${pinning.clientCpu}`] : Object.keys(s1.machine);
    const sum = (key) => cpus.reduce((acc, c) => acc + (s1.machine[c] && s0.machine[c] ? s1.machine[c][key] - s0.machine[c][key] : 0), 0);
    result.steal_pct = (100 * sum('steal')) / seconds;
    result.softirq_pct = (100 * sum('softirq')) / seconds;
    result.idle_pct = (100 * sum('idle')) / seconds;
    if (pinning.enabled && benchS !== null) {
      result.other_cpu_pct = (100 * Math.max(0, sum('task') + sum('softirq') - benchS)) / seconds;
    }
  }
  return result;
}

/** The server's counters over the window (end - start), or null without both answers. */
function counterDelta(after, before) {
  if (!after || !before || typeof after.syscalls !== 'number' || typeof before.syscalls !== 'number') return null;
  const d = {};
  for (const k of ['syscalls', 'waits', 'reads', 'writes', 'accepts', 'pollerChanges', 'events', 'bytesRead', 'bytesWritten']) {
    if (typeof after[k] === 'number' && typeof before[k] === 'number') d[k] = after[k] - before[k];
  }
  return d;
}

function perMessage(cpuS, messages) {
  return cpuS === null || !messages ? null : (cpuS * 1e6) / messages;
}

/** A load round (pingpong, pipelined, c10k, udp-64, ...). Never throws: failures become { error }. */
async function loadRound(tools, server, p) {
  let srv;
  try {
    srv = await startServer(server);
  } catch (e) {
    return { error: e.message, startFailed: true };
  }
  let idleGen;
  try {
    // idle-heavy: a second generator process opens the idle connections first (each echoes
    // once, then stays silent until SIGTERM); the measured load runs beside them.
    let idle = null;
    if (p.idleConnections) {
      const args = ['--port', String(srv.port), '--connections', String(p.idleConnections), '--size', String(p.size), '--idle'];
      idleGen = spawnPinned(tools.loadgen, args, pinning.clientCpu);
      const m = await waitForLine(idleGen, /^(\{.*\})$/, 90000, 'load generator (idle)');
      idle = JSON.parse(m[1]);
    }
    const r = await driveLoad(tools, srv.child.pid, srv.port, p, srv.child, Boolean(server.stats), Boolean(server.tree));
    if (idle) {
      r.idle_established = idle.established;
      r.idle_connect_failures = idle.connect_failures || 0;
      // Idle connections that never got through make the round a different load.
      r.connect_failures += r.idle_connect_failures;
    }
    r.server_us_per_msg = perMessage(r.server_cpu_s, r.messages);
    // System calls per message, from the server's own counters (null where it keeps none).
    const sc = r.server_counters;
    const per = (k) => (sc && typeof sc[k] === 'number' && r.messages ? sc[k] / r.messages : null);
    r.syscalls_per_msg = per('syscalls');
    r.waits_per_msg = per('waits');
    r.reads_per_msg = per('reads');
    r.writes_per_msg = per('writes');
    r.poller_changes_per_msg = per('pollerChanges');
    r.accepts_per_msg = per('accepts');
    r.client_us_per_msg = perMessage(r.client_cpu_s, r.messages);
    r.server_cpu_pct = r.server_cpu_s === null ? null : (100 * r.server_cpu_s) / r.seconds;
    r.client_cpu_pct = r.client_cpu_s === null ? null : (100 * r.client_cpu_s) / r.seconds;
    // The generator's own code, as opposed to the kernel's TCP work any client must cause.
    r.client_user_pct = r.client_user_s === null ? null : (100 * r.client_user_s) / r.seconds;
    r.server_rss_kib = rssKiB(srv.child.pid);
    if (srv.child.exitCode !== null || srv.child.signalCode !== null) {
      r.error = `server died during the round: ${failureReason(srv.child, 'no message')}`;
    }
    return r;
  } catch (e) {
    return { error: e.message };
  } finally {
    if (idleGen) await stop(idleGen, 1000);
    await stop(srv.child);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * An idle-memory round: RSS of a fresh server, then K connections that have each echoed one
 * message and gone quiet, then RSS again. (after - before) / K is the cost of a connection.
 */
async function idleRound(tools, server, p) {
  let srv;
  try {
    srv = await startServer(server);
  } catch (e) {
    return { error: e.message, startFailed: true };
  }
  let gen;
  try {
    await sleep(p.settleMs);
    const before = rssKiB(srv.child.pid);
    const args = ['--port', String(srv.port), '--connections', String(p.connections), '--size', String(p.size), '--idle'];
    gen = spawnPinned(tools.loadgen, args, pinning.clientCpu);
    const m = await waitForLine(gen, /^(\{.*\})$/, 90000, 'load generator (idle)');
    const r = JSON.parse(m[1]);
    // Let the server finish whatever it does lazily after accepting (buffers, GC) first.
    await sleep(p.settleMs);
    const after = rssKiB(srv.child.pid);
    r.rss_before_kib = before;
    r.rss_after_kib = after;
    r.bytes_per_conn = before === null || after === null || !r.established ? null : ((after - before) * 1024) / r.established;
    if (srv.child.exitCode !== null || srv.child.signalCode !== null) r.error = `server died: ${failureReason(srv.child, 'no message')}`;
    return r;
  } catch (e) {
    return { error: e.message };
  } finally {
    if (gen) await stop(gen, 1000);
    await stop(srv.child);
  }
}

module.exports = { loadRound, idleRound };
