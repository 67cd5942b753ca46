'use strict';
// AMP calls per second: ioreactor's AMP against Twisted's twisted.protocols.amp on python3,
// measured in the same run, over 1 connection and over 100, every client with every server.
//
//   npm run build:ts && node bench/protocols/amp.js [--seconds S] [--warmup S] [--window W1,W100]
//                                                   [--trigger level|edge|oneshot] [--nodelay] [--json]
//
// One call is Sum(a, b) -> total (two Integer arguments, one Integer answer: about 40 bytes each
// way). Servers and clients each run in their own process on 127.0.0.1. A client keeps W calls
// outstanding per connection (default 64 on 1 connection, 8 on each of 100) and starts a new
// call whenever one is answered; after a warm-up (default 0.5 s) it counts answers for S
// seconds (default 3). The server's CPU time over the same window is read from /proc, so the
// table also shows calls per server CPU-second: when the client is the bottleneck (a Twisted
// client is), that column still tells the servers apart. Twisted is found as the interop tests
// find it: $IOREACTOR_PYTHON, else python3, else /usr/bin/python3, with `import twisted`;
// without it the Twisted rows say why. Neither library sets TCP_NODELAY by default, so neither
// does this benchmark; --nodelay sets it on every connection, on both sides. This is a
// benchmark, not a test: nothing asserts.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const LIB = path.join(__dirname, '..', '..', 'lib', 'index.js');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function loadLib() {
  const lib = require(LIB);
  if (typeof lib.AMP !== 'function') {
    console.error('lib/ does not export AMP: run `npm run build:ts` first');
    process.exit(1);
  }
  return lib;
}

function sumCommand(lib) {
  return new lib.Command({ name: 'Sum', arguments: { a: new lib.Integer(), b: new lib.Integer() }, response: { total: new lib.Integer() } });
}

// ---- ioreactor server and client (this file, run with --serve / --client) -------------------

const NODELAY = process.argv.includes('--nodelay');

function serve(trigger) {
  const lib = loadLib();
  const Sum = sumCommand(lib);
  class Server extends lib.AMP {
    connectionMade() {
      if (NODELAY) this.transport.setTcpNoDelay(true);
    }
  }
  Sum.responder(Server, ({ a, b }) => ({ total: a + b }));
  const reactor = new lib.Reactor(trigger ? { trigger } : {});
  const port = reactor.listenTCP(0, lib.Factory.forProtocol(Server), { interface: '127.0.0.1', backlog: 512 });
  process.stdout.write(`PORT ${port.getHost().port}\n`);
  process.once('SIGTERM', () => reactor.stop());
  reactor.run().then(() => reactor.close());
}

function client(port, conns, window, warmup, seconds, trigger) {
  const lib = loadLib();
  const Sum = sumCommand(lib);
  const reactor = new lib.Reactor(trigger ? { trigger } : {});
  const state = { count: 0, measuring: false, done: false, start: 0 };
  const fire = (p) => {
    p.callRemote(Sum, { a: 1, b: 2 }).addCallbacks(
      () => {
        if (state.measuring) state.count++;
        if (!state.done) fire(p);
      },
      () => undefined,
    );
  };
  reactor.callWhenRunning(async () => {
    const creator = new lib.ClientCreator(reactor, lib.AMP);
    const ps = await Promise.all(Array.from({ length: conns }, () => creator.connectTCP('127.0.0.1', port)));
    for (const p of ps) {
      if (NODELAY) p.transport.setTcpNoDelay(true);
      for (let i = 0; i < window; i++) fire(p);
    }
    reactor.callLater(warmup, () => {
      process.stdout.write('MEASURE\n');
      state.measuring = true;
      state.start = process.hrtime.bigint();
    });
    reactor.callLater(warmup + seconds, () => {
      const elapsed = Number(process.hrtime.bigint() - state.start) / 1e9;
      state.measuring = false;
      state.done = true;
      process.stdout.write(`${JSON.stringify({ calls: state.count, seconds: elapsed })}\n`);
      for (const p of ps) p.transport.loseConnection();
      reactor.callLater(0.05, () => reactor.stop());
    });
  });
  reactor.run().then(() => reactor.close());
}

// ---- the Twisted server and client (python3 -c) ---------------------------------------------

const TWISTED_COMMON = `
import sys, time, json
from twisted.internet import reactor, protocol
from twisted.protocols import amp
class Sum(amp.Command):
    arguments = [(b"a", amp.Integer()), (b"b", amp.Integer())]
    response = [(b"total", amp.Integer())]
`;

const TWISTED_SERVER = `${TWISTED_COMMON}
class Server(amp.AMP):
    def connectionMade(self):
        if "--nodelay" in sys.argv:
            self.transport.setTcpNoDelay(True)
    @Sum.responder
    def sum(self, a, b):
        return {"total": a + b}
p = reactor.listenTCP(0, protocol.Factory.forProtocol(Server), interface="127.0.0.1", backlog=512)
sys.stdout.write("PORT %d\\n" % p.getHost().port)
sys.stdout.flush()
reactor.run()
`;

const TWISTED_CLIENT = `${TWISTED_COMMON}
port, conns, window, warmup, seconds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
state = {"count": 0, "measuring": False, "done": False, "start": 0.0}
protos = []
def fire(p):
    def answered(_):
        if state["measuring"]:
            state["count"] += 1
        if not state["done"]:
            fire(p)
    p.callRemote(Sum, a=1, b=2).addCallbacks(answered, lambda f: None)
def start_measuring():
    sys.stdout.write("MEASURE\\n")
    sys.stdout.flush()
    state["measuring"] = True
    state["start"] = time.monotonic()
def finish():
    elapsed = time.monotonic() - state["start"]
    state["measuring"] = False
    state["done"] = True
    sys.stdout.write(json.dumps({"calls": state["count"], "seconds": elapsed}) + "\\n")
    sys.stdout.flush()
    for p in protos:
        p.transport.loseConnection()
    reactor.callLater(0.05, reactor.stop)
def connected(p):
    if "--nodelay" in sys.argv:
        p.transport.setTcpNoDelay(True)
    protos.append(p)
    for _ in range(window):
        fire(p)
    if len(protos) == conns:
        reactor.callLater(warmup, start_measuring)
        reactor.callLater(warmup + seconds, finish)
creator = protocol.ClientCreator(reactor, amp.AMP)
for _ in range(conns):
    creator.connectTCP("127.0.0.1", port).addCallback(connected)
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

// ---- orchestration --------------------------------------------------------------------------

/** Spawns a process and resolves once a stdout line matches `pattern`, with the match. */
function startProcess(command, args, pattern, onLine) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      buffered += d;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        onLine?.(line);
        const m = pattern.exec(line);
        if (m) resolve({ child, match: m });
      }
    });
    child.once('exit', (code) => reject(new Error(`${path.basename(command)} exited with ${code}`)));
    child.once('error', reject);
  });
}

/** CPU seconds (user + system) used so far by process `pid`. */
function cpuSeconds(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
}

async function measure(serverSpec, clientSpec, conns, window, opts) {
  const server = await startProcess(serverSpec.command, serverSpec.args, /^PORT (\d+)/);
  const port = server.match[1];
  let cpuAtStart = NaN;
  try {
    let result;
    const clientArgs = [...clientSpec.args, port, String(conns), String(window), String(opts.warmup), String(opts.seconds), ...(NODELAY ? ['--nodelay'] : [])];
    const c = spawn(clientSpec.command, clientArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (Number.isNaN(cpuAtStart) && out.includes('MEASURE\n')) cpuAtStart = cpuSeconds(server.child.pid);
      const m = /^\{.*\}$/m.exec(out);
      if (m && result === undefined) result = { ...JSON.parse(m[0]), serverCpu: cpuSeconds(server.child.pid) - cpuAtStart };
    });
    const timer = setTimeout(() => c.kill('SIGKILL'), (opts.warmup + opts.seconds + 30) * 1000);
    await exited(c);
    clearTimeout(timer);
    if (result === undefined) throw new Error(`the ${clientSpec.name} client printed no result`);
    return result;
  } finally {
    server.child.kill('SIGTERM');
    await exited(server.child);
  }
}

async function main() {
  const opts = {
    seconds: Number(option('--seconds', '3')),
    warmup: Number(option('--warmup', '0.5')),
    trigger: option('--trigger', undefined),
    json: process.argv.includes('--json'),
    nodelay: NODELAY,
  };
  const [w1, w100] = option('--window', '64,8').split(',').map(Number);
  loadLib();
  const twisted = findTwisted();
  const self = path.join(__filename);
  const triggerArgs = [...(opts.trigger ? ['--trigger', opts.trigger] : []), ...(NODELAY ? ['--nodelay'] : [])];
  const pyArgs = NODELAY ? ['--nodelay'] : [];
  const impls = [
    {
      name: 'ioreactor',
      server: { command: process.execPath, args: [self, '--serve', ...triggerArgs] },
      client: { name: 'ioreactor', command: process.execPath, args: [self, ...triggerArgs, '--client'] },
    },
    {
      name: `Twisted ${twisted.version ?? ''}`.trim(),
      missing: twisted.python ? undefined : twisted.why,
      server: { command: twisted.python, args: ['-c', TWISTED_SERVER, ...pyArgs] },
      client: { name: 'Twisted', command: twisted.python, args: ['-c', TWISTED_CLIENT] },
    },
  ];
  const rows = [];
  for (const [conns, window] of [
    [1, w1],
    [100, w100],
  ]) {
    for (const c of impls) {
      for (const s of impls) {
        const row = { client: c.name, server: s.name, conns, window };
        if (c.missing || s.missing) row.error = c.missing || s.missing;
        else {
          try {
            const r = await measure(s.server, c.client, conns, window, opts);
            Object.assign(row, { callsPerSecond: r.calls / r.seconds, serverCpu: r.serverCpu, perServerCpuSecond: r.calls / r.serverCpu });
          } catch (e) {
            row.error = String(e.message ?? e);
          }
        }
        rows.push(row);
        if (!opts.json) process.stderr.write('.');
      }
    }
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ options: opts, rows }, null, 2)}\n`);
    return;
  }
  process.stderr.write('\n');
  const fmt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
  console.log(`AMP calls per second: Sum(a, b) -> total over 127.0.0.1, ${opts.seconds} s per cell after ${opts.warmup} s of warm-up`);
  console.log(`(${w1} calls in flight on 1 connection, ${w100} on each of 100; TCP_NODELAY ${NODELAY ? 'on' : 'off'}; server CPU from /proc)\n`);
  const header = ['client', 'server', 'conns', 'in flight', 'calls/s', 'server CPU s', 'calls / server CPU-s'];
  const table = rows.map((r) => [
    r.client,
    r.server,
    String(r.conns),
    String(r.conns * r.window),
    r.error ? `n/a: ${r.error}` : fmt(r.callsPerSecond),
    r.error ? '' : r.serverCpu.toFixed(2),
    r.error ? '' : fmt(r.perServerCpuSecond),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => (t[i].startsWith('n/a') ? 0 : t[i].length))));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const t of table) console.log(t[4].startsWith('n/a') ? `${t[0].padEnd(widths[0])}  ${t[1].padEnd(widths[1])}  ${t[4]}` : line(t));
}

if (process.argv.includes('--serve')) serve(option('--trigger', undefined));
else if (process.argv.includes('--client')) {
  const i = process.argv.indexOf('--client');
  const [port, conns, window, warmup, seconds] = process.argv.slice(i + 1, i + 6).map(Number);
  client(port, conns, window, warmup, seconds, option('--trigger', undefined));
} else {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
