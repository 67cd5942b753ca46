'use strict';
// A first look at the trigger modes: round trips over UNIX socketpairs driven through the raw
// descriptor API (addReader), for every backend x trigger mode this machine has. Each pair
// bounces a 64-byte message back and forth; the table shows round trips per second.
//
//   node examples/fdset-pingpong.js [pairs=100] [seconds=1]
//
// This is a quick demo, not the benchmark: the stream transports' echo benchmark, with
// node:net and a C reference measured alongside, is the project's benchmark harness.
const fs = require('node:fs');
const { Reactor, availableBackends, backendSupports, openSocketPair, closeDescriptor } = require('../lib/index.js');

const pairs = Number(process.argv[2] ?? 100);
const seconds = Number(process.argv[3] ?? 1);
const message = Buffer.alloc(64, 0x2a);
const scratch = Buffer.alloc(65536);

function readAvailable(fd) {
  let total = 0;
  for (;;) {
    try {
      const n = fs.readSync(fd, scratch, 0, scratch.length, null);
      if (n === 0) return total;
      total += n;
    } catch (err) {
      if (err.code === 'EAGAIN') return total;
      throw err;
    }
  }
}

async function measure(backend, trigger) {
  const reactor = new Reactor({ backend, trigger });
  const fds = [];
  let roundTrips = 0;
  for (let i = 0; i < pairs; i++) {
    const [a, b] = openSocketPair();
    fds.push(a, b);
    let pending = 0; // bytes of the current message still to arrive at a
    reactor.addReader({
      fileno: () => b,
      doRead() {
        const n = readAvailable(b);
        if (n > 0) fs.writeSync(b, scratch, 0, n);
      },
      connectionLost() {},
    });
    reactor.addReader({
      fileno: () => a,
      doRead() {
        pending -= readAvailable(a);
        if (pending <= 0) {
          roundTrips++;
          pending = message.length;
          fs.writeSync(a, message);
        }
      },
      connectionLost() {},
    });
    reactor.callWhenRunning(() => {
      pending = message.length;
      fs.writeSync(a, message);
    });
  }
  let started = 0;
  reactor.callWhenRunning(() => {
    started = reactor.seconds();
    roundTrips = 0;
  });
  reactor.callLater(seconds, () => reactor.stop());
  await reactor.run();
  const elapsed = reactor.seconds() - started;
  reactor.close();
  for (const fd of fds) closeDescriptor(fd);
  return roundTrips / elapsed;
}

async function main() {
  const rows = [];
  for (const backend of availableBackends()) {
    for (const trigger of ['level', 'edge', 'oneshot']) {
      if (!backendSupports(backend, trigger)) continue;
      rows.push({ mode: `${backend}-${trigger}`, rate: await measure(backend, trigger) });
    }
  }
  const best = Math.max(...rows.map((r) => r.rate));
  console.log(`socketpair ping-pong, ${pairs} pairs, 64-byte messages, ${seconds}s per mode\n`);
  console.log('mode             round trips/s   vs best');
  console.log('---------------  -------------   -------');
  for (const r of rows) {
    console.log(`${r.mode.padEnd(15)}  ${Math.round(r.rate).toLocaleString('en-US').padStart(13)}   ${(r.rate / best).toFixed(2).padStart(7)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
