'use strict';
// Command line and scenarios. A scenario is a named set of load parameters; command-line
// values override them for every scenario selected.

const SCENARIOS = {
  pingpong: { kind: 'load', title: 'ping-pong: 64 B, 100 connections, 1 in flight each', connections: 100, size: 64, depth: 1 },
  pipelined: { kind: 'load', title: 'pipelined: 64 B, 100 connections, 16 in flight each', connections: 100, size: 64, depth: 16 },
  bulk: { kind: 'load', title: 'bulk: 16 KiB messages, 100 connections, 1 in flight each (MB/s matters)', connections: 100, size: 16384, depth: 1 },
  'bulk-64k': { kind: 'load', title: 'bulk-64k: 64 KiB messages, 10 connections, 4 in flight each (MB/s matters)', connections: 10, size: 65536, depth: 4 },
  'bulk-1m': { kind: 'load', title: 'bulk-1m: 1 MiB messages, 10 connections, 1 in flight each (MB/s matters)', connections: 10, size: 1048576, depth: 1 },
  stream: {
    kind: 'load',
    stream: true,
    title:
      'stream: the server writes 64 KiB chunks continuously to 10 connections, the client reads and discards (MB/s received; a "message" is a 64 KiB chunk)',
    connections: 10,
    size: 65536,
    depth: 1,
  },
  churn: {
    kind: 'load',
    churn: true,
    title: 'churn: connect, one 64 B echo, close, reconnect; 32 connections at a time (connections/s)',
    connections: 32,
    size: 64,
    depth: 1,
  },
  sweep: { kind: 'load', sweep: [1, 100, 1000, 10000], quickSweep: [1, 100, 1000], title: 'connection sweep: ping-pong 64 B', size: 64, depth: 1 },
  c10k: { kind: 'load', title: 'c10k: ping-pong 64 B over 10 000 connections (CPU per message)', connections: 10000, size: 64, depth: 1 },
  'idle-heavy': {
    kind: 'load',
    title: 'idle-heavy: ping-pong 64 B on 100 active connections beside 10 000 idle ones (opened, echoed once, silent)',
    connections: 100,
    size: 64,
    depth: 1,
    idleConnections: 10000,
  },
  fanout: {
    kind: 'load',
    fanout: true,
    title: 'fan-out (chat): 100 clients, one sends 64 B messages (8 in flight), the server writes each to all 100; rate = deliveries/s',
    connections: 100,
    size: 64,
    depth: 8,
  },
  scale: {
    kind: 'load',
    scale: true,
    title:
      'scale: ping-pong 64 B, 100 connections, on 1 and 2 reactors (serve() in threads and processes) beside node:net alone and with cluster (2 workers); servers unpinned, CPU summed over their processes',
    connections: 100,
    size: 64,
    depth: 1,
  },
  // Datagrams: 32 sockets, closed loop. 64 B: 4 in flight each. 1 400 B: 2 each, so the 64 in
  // flight (2.3 KiB of kernel memory apiece) fit a default 208 KiB receive buffer and a loss
  // means the server fell behind, not that the load overflowed it by construction.
  'udp-64': {
    kind: 'load',
    udp: true,
    title: 'udp-64: 64 B datagrams echoed, 32 sockets, 4 in flight each (datagrams/s; lost = not echoed within 200 ms)',
    connections: 32,
    size: 64,
    depth: 4,
  },
  'udp-1400': {
    kind: 'load',
    udp: true,
    title: 'udp-1400: 1 400 B datagrams echoed, 32 sockets, 2 in flight each (datagrams/s; lost = not echoed within 200 ms)',
    connections: 32,
    size: 1400,
    depth: 2,
  },
  idle: { kind: 'idle', title: 'idle memory: 10 000 connections that echoed once and went quiet', connections: 10000, size: 64, depth: 1 },
};

// The main job (no flag): every server on the headline scenarios, in about three minutes
// (udp-64 adds ~30 s to the ~142 s of the others when no round is re-run).
const DEFAULTS = {
  scenarios: ['pingpong', 'pipelined', 'bulk', 'udp-64', 'idle'],
  duration: 1.5,
  warmup: 0.5,
  rounds: 2,
  threads: 1,
  retries: 1,
  settleMs: 400,
  idleConnections: 5000,
};
// --full: every scenario, longer and more rounds (40 to 45 minutes on two cores; the datagram scenarios are ~4 of them). c10k is the
// sweep's last point; it stays selectable on its own (--scenario c10k).
const FULL = {
  scenarios: ['pingpong', 'pipelined', 'bulk', 'bulk-64k', 'bulk-1m', 'stream', 'churn', 'sweep', 'idle-heavy', 'fanout', 'udp-64', 'udp-1400', 'idle'],
  duration: 5,
  warmup: 1,
  rounds: 3,
  idleConnections: undefined,
};
// --quick: the whole `npm run bench -- --quick` (tsc included) stays under a minute.
const QUICK = { scenarios: ['pingpong', 'pipelined', 'idle'], duration: 1, warmup: 0.5, rounds: 1, retries: 0, settleMs: 300, idleConnections: 2000 };

const HELP = `ioreactor-bench: the echo benchmark of the trigger-mode harness

usage: node bench/run.js [options]        (or: npm run bench -- [options])

  (no flag)               the main job: ${DEFAULTS.scenarios.join(', ')}; ${DEFAULTS.duration} s rounds, ${DEFAULTS.rounds} rounds,
                          ${DEFAULTS.idleConnections} idle connections (about three minutes)
  --full                  every scenario (${FULL.scenarios.join(', ')}),
                          ${FULL.duration} s rounds, ${FULL.rounds} rounds (40 to 45 minutes)
  --quick                 short run: ${QUICK.scenarios.join(', ')}; ${QUICK.duration} s rounds, 1 round, ${QUICK.idleConnections} idle connections
                          (other scenarios may be named with --scenario; the sweep then stops at 1 000)
  --scenario LIST         comma list of ${Object.keys(SCENARIOS).join(', ')}
                          (default: as above)
  --servers LIST          comma list of server names or prefixes, e.g. c,node-net,ioreactor-epoll
                          (default: all; --list-servers shows them)
  --connections N         connections per scenario (overrides its preset)
  --size BYTES            message size (default 64; stream: the chunk the rate is counted in,
                          the servers always write 64 KiB buffers)
  --depth D               messages in flight per connection
  --duration SECONDS      measured window per round (default ${DEFAULTS.duration})
  --warmup SECONDS        unmeasured load before each window (default ${DEFAULTS.warmup})
  --rounds N              rounds per server; servers alternate A B C A B C (default ${DEFAULTS.rounds})
  --threads N             load generator threads (default 1, on one pinned core)
  --retries N             run a round again when other processes took >= 10% of a core
                          during it, at most N times (default ${DEFAULTS.retries}; --quick: 0)
  --json FILE             write every round, the summaries, parameters and machine info
                          (and the SVG report next to it, FILE with .svg, unless --svg says where)
  --svg FILE              write the SVG report: sweep lines (rate and p99 vs connections),
                          a bar chart of the rate per server for every other load scenario
  --crosscheck            cross-check the harness: ping-pong 64 B, 100 connections against c
                          and node-net, with the servers also counting the bytes they echo
                          (printed on SIGUSR2 at the window's edges, timed by the harness);
                          prints both rates, their ratio, PASS/FAIL against 15 %
  --borrow-data           ioreactor's echo protocols (TCP and UDP) borrow their reads (borrowData: a view of the
                          read arena, valid during the call), as a relay may; default: it gets
                          bytes of its own to keep
  --baseline DIR          also measure the ioreactor of another checkout (its own lib/ and
                          build/, e.g. a git worktree of the previous commit), as servers named
                          baseline-<backend>-<trigger>: before and after a change in one run
  --list-servers          print the servers available here and exit
  --help                  this text

Scenarios:
${Object.entries(SCENARIOS)
  .map(([n, s]) => `  ${n.padEnd(11)} ${s.title}`)
  .join('\n')}

The scale scenario is not in the default list (--scenario scale); it runs its own servers
(node-net, node-net-cluster-2, ioreactor-serve-1-thread, -2-threads, -2-processes; --servers
picks among them), unpinned, since one CPU cannot show scaling.

The datagram scenarios (udp-64, udp-1400) run their own servers too: udp-c (C recvmmsg/
sendmmsg), udp-node-dgram, udp-ioreactor-<backend>-<trigger> (listenUDP); --servers names
them (the prefix udp picks them all). Their generator is udp_load_generator: --connections
is the number of UDP sockets, --depth the datagrams in flight on each.

Each round starts a fresh server pinned to CPU 0 (taskset) and the native load generator on
CPU 1; the server's CPU time is read from /proc over the measured window. Linux only.

syscalls/msg: the C server and the ioreactor servers count their own system calls (waits,
reads, writes, accepts, poller changes); the harness asks them ("stats" on their stdin) at
the start and end of the measured window and divides the difference by the window's
messages (stream: 64 KiB chunks). node:net and Twisted keep no counters: "-".
`;

const NUMERIC = {
  '--connections': 'connections',
  '--size': 'size',
  '--depth': 'depth',
  '--duration': 'duration',
  '--warmup': 'warmup',
  '--rounds': 'rounds',
  '--threads': 'threads',
  '--retries': 'retries',
};

function parseArgs(argv) {
  const o = { overrides: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      return argv[++i];
    };
    if (flag === '--help' || flag === '-h') o.help = true;
    else if (flag === '--quick') o.quick = true;
    else if (flag === '--full') o.full = true;
    else if (flag === '--crosscheck') o.crosscheck = true;
    else if (flag === '--list-servers') o.listServers = true;
    else if (flag === '--scenario' || flag === '--scenarios')
      o.scenarios = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (flag === '--servers') o.servers = value();
    else if (flag === '--baseline') o.baseline = value();
    else if (flag === '--borrow-data') o.borrow = true;
    else if (flag === '--json') o.json = value();
    else if (flag === '--svg') o.svg = value();
    else if (flag in NUMERIC) {
      const raw = value();
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0 || (n === 0 && flag !== '--retries')) throw new Error(`${flag} must be a positive number, got '${raw}'`);
      o.overrides[NUMERIC[flag]] = n;
    } else throw new Error(`unknown option '${a}' (see --help)`);
  }
  for (const s of o.scenarios || []) {
    if (!SCENARIOS[s]) throw new Error(`unknown scenario '${s}'; known: ${Object.keys(SCENARIOS).join(', ')}`);
  }
  for (const k of ['connections', 'size', 'depth', 'rounds', 'threads', 'retries']) {
    if (k in o.overrides && !Number.isInteger(o.overrides[k])) throw new Error(`--${k} must be an integer`);
  }
  return o;
}

/** The concrete plan: which scenarios, each with its full parameter set. */
function plan(o) {
  const base = o.quick ? { ...DEFAULTS, ...QUICK } : o.full ? { ...DEFAULTS, ...FULL } : { ...DEFAULTS };
  const names = o.crosscheck ? ['pingpong'] : o.scenarios || base.scenarios;
  const common = { duration: base.duration, warmup: base.warmup, rounds: base.rounds, threads: base.threads, retries: base.retries, settleMs: base.settleMs };
  const out = [];
  for (const name of names) {
    const preset = { ...SCENARIOS[name] };
    if (name === 'idle' && base.idleConnections !== undefined) preset.connections = base.idleConnections;
    if (name === 'idle')
      preset.title = preset.title.replace('10 000', (o.overrides.connections || preset.connections).toLocaleString('en-US').replace(',', ' '));
    // A sweep is one load scenario per connection count (its points win over --connections).
    const points = preset.sweep ? (o.quick ? preset.quickSweep : preset.sweep) : [null];
    for (const n of points) {
      const p = { name, ...preset, ...common, ...o.overrides };
      delete p.quickSweep;
      if (n !== null) {
        Object.assign(p, {
          name: `${name}-${n}`,
          group: name,
          connections: n,
          title: `${preset.title}, ${n.toLocaleString('en-US')} connection${n === 1 ? '' : 's'}`,
        });
        delete p.sweep;
      }
      if (o.crosscheck) Object.assign(p, { crosscheck: true, title: `cross-check: ${p.title}; servers count echoed bytes too` });
      if (p.threads > p.connections) p.threads = p.connections;
      out.push(p);
    }
  }
  return out;
}

module.exports = { parseArgs, plan, HELP, SCENARIOS };
