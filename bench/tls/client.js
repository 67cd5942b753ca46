'use strict';
// The client load of bench/tls/run.js, in its own process so that its CPU never competes with
// the server's inside one process: `node client.js <port> <ca file> <size> <connections>
// <seconds>` opens the node:tls connections, then every connection sends `size` bytes and waits
// for all of them to come back, again and again, for `seconds`. Prints one JSON line: messages
// echoed and messages per second (handshakes not included in the timing).
const fs = require('node:fs');
const tls = require('node:tls');

const [port, caFile, size, connections, seconds] = process.argv.slice(2);
const SIZE = Number(size);
const ca = fs.readFileSync(caFile);

async function main() {
  const message = Buffer.alloc(SIZE, 0x61);
  const sockets = await Promise.all(
    Array.from(
      { length: Number(connections) },
      () =>
        new Promise((resolve, reject) => {
          const s = tls.connect({ host: '127.0.0.1', port: Number(port), ca }, () => resolve(s));
          s.once('error', reject);
        }),
    ),
  );
  let messages = 0;
  let running = true;
  const finished = sockets.map(
    (s) =>
      new Promise((resolve) => {
        let pending = SIZE;
        s.on('data', (chunk) => {
          pending -= chunk.length;
          if (pending > 0) return;
          messages++;
          if (!running) return resolve();
          pending = SIZE;
          s.write(message);
        });
        s.write(message);
      }),
  );
  const start = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
  running = false;
  await Promise.all(finished);
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  await Promise.all(sockets.map((s) => new Promise((r) => (s.once('close', r), s.end()))));
  process.stdout.write(`${JSON.stringify({ messages, rate: messages / elapsed })}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
