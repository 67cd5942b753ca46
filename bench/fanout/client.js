'use strict';
// The fan-out load generator: N connections to a chat server, one of them the sender. Every
// message the sender writes must reach all N connections (the sender's own included), byte
// for byte and in order; a message is complete when the last connection has all of it.
// Closed loop: `depth` messages in flight, each completed one replaced at once.
//   node bench/fanout/client.js --port P [--connections N] [--size S] [--depth D]
//                               [--duration SECONDS] [--warmup SECONDS]
// Same protocol as the native load generator: `phase warmup|measure|end` on stderr, one
// JSON line on stdout. `messages` counts deliveries (message x connection), so msgs_per_sec is
// deliveries per second; `broadcasts` counts messages the sender sent that reached everyone.
// Exit status 3 on errors or connect failures.
const net = require('node:net');
const { performance } = require('node:perf_hooks');

const opts = { port: 0, connections: 100, size: 64, depth: 8, duration: 5, warmup: 1 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const k = argv[i].replace(/^--/, '');
  if (!(k in opts)) {
    console.error(`fanout client: unknown option ${argv[i]}`);
    process.exit(2);
  }
  opts[k] = Number(argv[i + 1]);
}
const { port, connections: N, size, depth } = opts;

// Byte i of the sender's stream is i % 251 (prime: no message size lines a shifted stream
// up with itself). A receiver compares each chunk with the pattern at its own offset.
const PERIOD = 251;
const CHUNK = 65536;
const PATTERN = Buffer.alloc(PERIOD + CHUNK + size);
for (let i = 0; i < PATTERN.length; i++) PATTERN[i] = i % PERIOD;
const RING = 4096;
const sentAt = new Float64Array(RING);
const arrived = new Uint32Array(RING); // receivers that have message m (m % RING) complete

let errors = 0;
let connectFailures = 0;
let nextToSend = 0;
let phase = 'connect';
let measureStart = 0;
let measuredBroadcasts = 0;
let measuredBytes = 0;
const latencies = [];
const socks = [];

function message(m) {
  const off = (m * size) % PERIOD;
  return PATTERN.subarray(off, off + size);
}

function sendNext(sender) {
  const m = nextToSend++;
  sentAt[m % RING] = performance.now();
  sender.write(message(m));
}

function complete(m) {
  const lat = performance.now() - sentAt[m % RING];
  arrived[m % RING] = 0;
  if (phase === 'measure') {
    measuredBroadcasts++;
    latencies.push(lat);
  }
  if (phase !== 'end') sendNext(socks[0]);
}

function receiver(sock) {
  let welcomed = false;
  let off = 0; // bytes of the broadcast stream received
  let bad = false;
  sock.on('data', (chunk) => {
    if (!welcomed) {
      if (chunk[0] !== 0x21) {
        errors++;
        bad = true;
      }
      welcomed = true;
      chunk = chunk.subarray(1);
      sock.emit('welcome');
      if (chunk.length === 0) return;
    }
    if (!bad) {
      for (let at = 0; at < chunk.length; at += CHUNK) {
        const piece = chunk.subarray(at, at + CHUNK);
        const p = (off + at) % PERIOD;
        if (!piece.equals(PATTERN.subarray(p, p + piece.length))) {
          errors++;
          bad = true;
          break;
        }
      }
    }
    const first = Math.floor(off / size);
    off += chunk.length;
    if (phase === 'measure') measuredBytes += chunk.length;
    const last = Math.floor(off / size);
    for (let m = first; m < last; m++) if (++arrived[m % RING] === N) complete(m);
  });
  sock.on('error', () => {});
  sock.on('close', () => {
    if (phase !== 'end') errors++;
  });
}

function connectAll() {
  return Promise.all(
    Array.from(
      { length: N },
      () =>
        new Promise((resolve) => {
          const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
          s.setNoDelay(true);
          receiver(s);
          socks.push(s);
          s.once('welcome', () => resolve(true));
          s.once('error', () => {
            connectFailures++;
            resolve(false);
          });
        }),
    ),
  );
}

function pct(sorted, q) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 1000 : 0;
}

async function main() {
  const t0 = performance.now();
  await connectAll();
  const connectS = (performance.now() - t0) / 1000;
  if (connectFailures) {
    console.log(JSON.stringify({ mode: 'fanout', connections: N, errors, connect_failures: connectFailures }));
    process.exit(3);
  }
  phase = 'warmup';
  console.error('phase warmup');
  for (let i = 0; i < depth; i++) sendNext(socks[0]);
  await new Promise((r) => setTimeout(r, opts.warmup * 1000));
  phase = 'measure';
  console.error('phase measure');
  measureStart = performance.now();
  await new Promise((r) => setTimeout(r, opts.duration * 1000));
  phase = 'end';
  const seconds = (performance.now() - measureStart) / 1000;
  console.error('phase end');
  latencies.sort((a, b) => a - b);
  const deliveries = measuredBroadcasts * N;
  const out = {
    mode: 'fanout',
    connections: N,
    receivers: N,
    size,
    depth,
    threads: 1,
    warmup: opts.warmup,
    seconds,
    messages: deliveries,
    broadcasts: measuredBroadcasts,
    bytes: measuredBytes,
    msgs_per_sec: deliveries / seconds,
    broadcasts_per_sec: measuredBroadcasts / seconds,
    mb_per_sec: measuredBytes / seconds / 1e6,
    p50_us: pct(latencies, 0.5),
    p90_us: pct(latencies, 0.9),
    p99_us: pct(latencies, 0.99),
    p999_us: pct(latencies, 0.999),
    max_us: latencies.length ? latencies[latencies.length - 1] * 1000 : 0,
    mean_us: latencies.length ? (latencies.reduce((a, b) => a + b, 0) / latencies.length) * 1000 : 0,
    errors,
    connect_failures: connectFailures,
    connect_seconds: connectS,
  };
  process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(errors ? 3 : 0));
  for (const s of socks) s.destroy();
}

main().catch((e) => {
  console.error(`fanout client: ${e.stack || e}`);
  process.exit(1);
});
