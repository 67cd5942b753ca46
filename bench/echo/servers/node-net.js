'use strict';
// The node:net echo server, written as a Node user would: no tuning, no pooling.
//   node bench/echo/servers/node-net.js [port] [--stream]
//
// --stream: instead of echoing, each connection, once the client has sent anything (the load
// generator's --sink sends one start byte), is sent one preallocated 64 KiB Buffer over and
// over, with backpressure: write() returning false waits for 'drain'.
const net = require('node:net');

const args = process.argv.slice(2);
const stream = args.includes('--stream');
const port = Number(args.filter((a) => !a.startsWith('--'))[0] || 0);

// Bytes echoed, printed as "count <bytes>" on SIGUSR2: the harness's server-side
// cross-check (--crosscheck) of the load generator's own count.
let echoed = 0;
process.on('SIGUSR2', () => process.stdout.write(`count ${echoed}\n`));

// The stream every client checks (load_generator.c --sink): byte k is (k + (k >> 8) * 31) & 255.
const CHUNK = Buffer.alloc(65536);
for (let k = 0; k < CHUNK.length; k++) CHUNK[k] = (k + (k >> 8) * 31) & 255;

function streamTo(s) {
  let started = false;
  const pump = () => {
    // write() says false once the queue passes the high-water mark (16 KiB): with 64 KiB
    // chunks that is every write, so this is one write per 'drain'; the bound is a guard.
    for (let i = 0; i < 64 && !s.destroyed; i++) {
      if (!s.write(CHUNK)) {
        s.once('drain', pump);
        return;
      }
    }
    if (!s.destroyed) setImmediate(pump);
  };
  s.on('data', () => {
    if (started) return;
    started = true;
    pump();
  });
}

const server = net.createServer((s) => {
  if (stream) streamTo(s);
  else {
    s.on('data', (d) => {
      echoed += d.length;
      s.write(d);
    });
  }
  // A benchmark client that exits mid-stream resets its connections; without a listener
  // that ECONNRESET would be an uncaught exception and take the whole server down.
  s.on('error', () => s.destroy());
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`));

// The harness holds our stdin: when it goes away (even killed), so do we.
process.stdin.on('end', () => process.exit(0)).resume();
