'use strict';
// The echo servers the harness can measure, by name:
//   c, c-edge                 the hand-written C epoll server, level- or edge-triggered
//   node-net                  node:net, written idiomatically
//   ioreactor-<backend>-<trigger>   one per backend x trigger this build of ioreactor has
//   twisted-epoll             Twisted's epollreactor (python3 with Twisted; skipped when absent)
//   baseline-<backend>-<trigger>    another checkout's ioreactor (--baseline DIR)
// and, for the datagram scenarios (udp-64, udp-1400), servers of their own (udpServers):
//   udp-c, udp-node-dgram, udp-ioreactor-<backend>-<trigger>, udp-baseline-<backend>-<trigger>
// Each entry knows how to start its process; the harness waits for "listening <port>".
// `streamStart` starts its stream mode (the stream scenario); `stats: true` marks servers
// that answer a "stats" line on stdin with "stats {json}" (their syscall counters).
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const TRIGGERS = ['level', 'edge', 'oneshot'];
const REFERENCE = 'c';
const NODE_NET = 'node-net';
const TWISTED = 'twisted-epoll';
const UDP_REFERENCE = 'udp-c';
const NODE_DGRAM = 'udp-node-dgram';

/**
 * The backend x trigger pairs ioreactor offers here, from the library itself. When lib/ is
 * not built, or the addon is missing, fall back to the platform's usual list so the rows
 * still appear (and then report why they are unavailable).
 */
function ioreactorVariants(root) {
  try {
    const lib = require(path.join(root, 'lib', 'index.js'));
    const variants = [];
    for (const backend of lib.availableBackends()) {
      for (const trigger of TRIGGERS) if (lib.backendSupports(backend, trigger)) variants.push({ backend, trigger });
    }
    return { variants, problem: null };
  } catch (e) {
    const backends = process.platform === 'linux' ? ['epoll', 'poll'] : ['kqueue', 'poll'];
    const variants = [];
    for (const backend of backends) {
      for (const trigger of TRIGGERS) if (backend !== 'poll' || trigger === 'level') variants.push({ backend, trigger });
    }
    return { variants, problem: `cannot load lib/index.js (${String(e.message).split('\n')[0]}); run \`npm run build\`` };
  }
}

/**
 * A python3 that can `import twisted`: $IOREACTOR_PYTHON if set, else /usr/bin/python3.
 * Returns { python } or { problem }.
 */
function findTwistedPython() {
  const python = process.env.IOREACTOR_PYTHON || '/usr/bin/python3';
  try {
    execFileSync(python, ['-c', 'import twisted.internet.epollreactor'], { stdio: 'ignore', timeout: 10000 });
    return { python };
  } catch {
    return { problem: `no python3 with Twisted (tried ${python}; set IOREACTOR_PYTHON)` };
  }
}

/** Every server this machine could run, in display order; `baseline` adds another checkout's ioreactor. */
function catalogue(root, tools, baseline, borrow = false) {
  const extra = borrow ? ['--borrow'] : [];
  const node = process.execPath;
  const list = [
    {
      name: REFERENCE,
      label: 'C epoll (level)',
      stats: true,
      start: (port) => [tools.server, ['--port', String(port)]],
      streamStart: (port) => [tools.server, ['--stream', '--port', String(port)]],
    },
    {
      name: 'c-edge',
      label: 'C epoll (edge)',
      stats: true,
      start: (port) => [tools.server, ['--edge', '--port', String(port)]],
      streamStart: (port) => [tools.server, ['--stream', '--edge', '--port', String(port)]],
    },
    {
      name: NODE_NET,
      label: 'node:net',
      start: (port) => [node, [path.join(root, 'bench', 'echo', 'servers', 'node-net.js'), String(port)]],
      streamStart: (port) => [node, [path.join(root, 'bench', 'echo', 'servers', 'node-net.js'), String(port), '--stream']],
      fanoutStart: (port) => [node, [path.join(root, 'bench', 'fanout', 'servers', 'node-net.js'), String(port)]],
    },
  ];
  const { variants, problem } = ioreactorVariants(root);
  const script = path.join(root, 'bench', 'echo', 'servers', 'ioreactor.js');
  const fanoutScript = path.join(root, 'bench', 'fanout', 'servers', 'ioreactor.js');
  for (const { backend, trigger } of variants) {
    list.push({
      name: `ioreactor-${backend}-${trigger}`,
      label: `ioreactor ${backend} ${trigger}${borrow ? ' (borrowData)' : ''}`,
      unavailable: problem,
      stats: true,
      start: (port) => [node, [script, backend, trigger, String(port), ...extra]],
      streamStart: (port) => [node, [script, backend, trigger, String(port), '--stream']],
      fanoutStart: (port) => [node, [fanoutScript, backend, trigger, String(port)]],
      // The run's private copy of the addon (see snapshotTools), read by src/binding.ts.
      env: tools.addon ? { IOREACTOR_ADDON: tools.addon } : undefined,
    });
  }
  if (baseline) {
    const other = ioreactorVariants(baseline);
    const otherScript = path.join(baseline, 'bench', 'echo', 'servers', 'ioreactor.js');
    // An older checkout's server may predate --stream and "stats": look before asking.
    let text = '';
    try {
      text = fs.readFileSync(otherScript, 'utf8');
    } catch {
      /* unavailable below */
    }
    for (const { backend, trigger } of other.variants) {
      // No IOREACTOR_ADDON: the baseline loads the addon its own checkout built.
      list.push({
        name: `baseline-${backend}-${trigger}`,
        label: `baseline ${backend} ${trigger}`,
        unavailable: other.problem,
        stats: text.includes("'stats'"),
        start: (port) => [node, [otherScript, backend, trigger, String(port)]],
        streamStart: text.includes('--stream') ? (port) => [node, [otherScript, backend, trigger, String(port), '--stream']] : undefined,
      });
    }
  }
  const tw = findTwistedPython();
  list.push({
    name: TWISTED,
    label: 'Twisted epollreactor (Python)',
    skipped: tw.problem || null,
    start: (port) => [tw.python, [path.join(root, 'bench', 'echo', 'servers', 'twisted_echo.py'), String(port)]],
  });
  return list;
}

// Servers without a fan-out (chat) variant, and why; their fanout rows read "n/a: <why>".
const NO_FANOUT = {
  c: 'no C fan-out server yet (the C echo server has no connection set or per-peer write queues to share)',
  'c-edge': 'no C fan-out server yet (see c)',
  [TWISTED]: 'no Twisted fan-out server yet',
};

/** The servers as fan-out (chat) servers: same names, the fan-out script, or n/a with why. */
function fanoutServers(servers) {
  return servers.map((s) =>
    s.fanoutStart ? { ...s, start: s.fanoutStart, stats: false } : { ...s, unavailable: s.unavailable || `n/a: ${NO_FANOUT[s.name] || 'no fan-out server'}` },
  );
}

/** The servers in stream mode: same names, their stream start, or n/a when they have none. */
function streamServers(servers) {
  return servers.map((s) =>
    s.streamStart
      ? { ...s, start: s.streamStart }
      : { ...s, unavailable: s.unavailable || `n/a: no stream mode${s.name === TWISTED ? ' in twisted_echo.py yet' : ' in this checkout'}` },
  );
}

/**
 * The servers of the scale scenario: node:net on one process and with cluster (2 workers),
 * ioreactor's serve() with 1 and 2 reactors in threads and 2 in processes. Unpinned (every
 * CPU), and measured with their child processes (`tree`).
 */
function scaleServers(root) {
  const node = process.execPath;
  const dir = path.join(root, 'bench', 'echo', 'servers');
  const { problem } = ioreactorVariants(root);
  const serveServer = (workers, mode) => ({
    name: `ioreactor-serve-${workers}-${mode}${workers > 1 ? (mode === 'thread' ? 's' : 'es') : ''}`,
    label: `ioreactor serve(), ${workers} reactor${workers > 1 ? 's' : ''} in ${mode === 'thread' ? 'worker threads' : 'child processes'}, epoll level`,
    unavailable: problem,
    unpinned: true,
    tree: true,
    start: (port) => [node, [path.join(dir, 'ioreactor-serve.js'), String(workers), mode, 'auto', 'level', String(port)]],
  });
  return [
    { name: NODE_NET, label: 'node:net, one process', unpinned: true, start: (port) => [node, [path.join(dir, 'node-net.js'), String(port)]] },
    {
      name: 'node-net-cluster-2',
      label: 'node:net with cluster, 2 workers (the primary hands connections round-robin)',
      unpinned: true,
      tree: true,
      start: (port) => [node, [path.join(dir, 'node-net-cluster.js'), '2', String(port)]],
    },
    serveServer(1, 'thread'),
    serveServer(2, 'thread'),
    serveServer(2, 'process'),
  ];
}

/**
 * The servers of the datagram scenarios: the C recvmmsg/sendmmsg reference, node:dgram, and
 * ioreactor's listenUDP echo in each backend x trigger (and the --baseline checkout's, when it
 * has the script). An ioreactor without listenUDP (datagrams not built yet) is unavailable.
 * `borrow` (--borrow-data): ioreactor's echo protocols borrow their reads, as in the TCP echo.
 */
function udpServers(root, tools, baseline, borrow = false) {
  const node = process.execPath;
  const extra = borrow ? ['--borrow'] : [];
  const list = [
    { name: UDP_REFERENCE, label: 'C recvmmsg/sendmmsg (epoll level)', stats: true, start: (port) => [tools.udpServer, ['--port', String(port)]] },
    { name: NODE_DGRAM, label: 'node:dgram', start: (port) => [node, [path.join(root, 'bench', 'echo', 'servers', 'node-dgram.js'), String(port)]] },
  ];
  const ioreactor = (checkout, prefix, env) => {
    const { variants, problem } = ioreactorVariants(checkout);
    const script = path.join(checkout, 'bench', 'echo', 'servers', 'ioreactor-udp.js');
    const why = problem || datagramProblem(checkout, script);
    for (const { backend, trigger } of variants) {
      list.push({
        name: `udp-${prefix}-${backend}-${trigger}`,
        label: `${prefix} listenUDP ${backend} ${trigger}${borrow && prefix === 'ioreactor' ? ' (borrowData)' : ''}`,
        unavailable: why,
        stats: true,
        start: (port) => [node, [script, backend, trigger, String(port), ...(prefix === 'ioreactor' ? extra : [])]],
        env,
      });
    }
  };
  ioreactor(root, 'ioreactor', tools.addon ? { IOREACTOR_ADDON: tools.addon } : undefined);
  // No IOREACTOR_ADDON: the baseline loads the addon its own checkout built.
  if (baseline) ioreactor(baseline, 'baseline', undefined);
  return list;
}

/** Why a checkout cannot run the datagram echo (no script, no listenUDP), or null. */
function datagramProblem(checkout, script) {
  if (!fs.existsSync(script)) return `no ${path.relative(checkout, script)} in ${checkout}`;
  try {
    const lib = require(path.join(checkout, 'lib', 'index.js'));
    if (typeof lib.DatagramProtocol !== 'function' || typeof lib.Reactor.prototype.listenUDP !== 'function')
      return 'this build of ioreactor has no DatagramProtocol/listenUDP yet';
    return null;
  } catch (e) {
    return `cannot load lib/index.js (${String(e.message).split('\n')[0]})`;
  }
}

/** Resolves the --servers list ("c,node-net,ioreactor", prefixes allowed) against the catalogue. */
function selectServers(all, spec) {
  if (!spec || spec === 'all') return all;
  const chosen = [];
  for (const want of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const matches = all.filter((s) => s.name === want || (want !== REFERENCE && s.name.startsWith(want)));
    if (matches.length === 0) {
      throw new Error(`unknown server '${want}'; known: ${all.map((s) => s.name).join(', ')}`);
    }
    for (const m of matches) if (!chosen.includes(m)) chosen.push(m);
  }
  return chosen;
}

/**
 * The servers of `all` that the --servers list names (by name or prefix, as selectServers),
 * ignoring names that are not in `all`: a run mixing TCP and datagram scenarios uses one list
 * for both catalogues. No list: all of them.
 */
function pickServers(all, spec) {
  if (!spec || spec === 'all') return all;
  const wanted = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return all.filter((s) => wanted.some((want) => s.name === want || (want !== REFERENCE && want !== UDP_REFERENCE && s.name.startsWith(want))));
}

/** Throws, as selectServers does, when a name in the --servers list is in none of `catalogues`. */
function checkServerNames(catalogues, spec) {
  if (!spec || spec === 'all') return;
  const all = catalogues.flat();
  for (const want of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!pickServers(all, want).length) throw new Error(`unknown server '${want}'; known: ${[...new Set(all.map((s) => s.name))].join(', ')}`);
  }
}

module.exports = {
  fanoutServers,
  streamServers,
  scaleServers,
  udpServers,
  catalogue,
  selectServers,
  pickServers,
  checkServerNames,
  REFERENCE,
  NODE_NET,
  TWISTED,
  UDP_REFERENCE,
  NODE_DGRAM,
};
