'use strict';
// The node:net echo server, written as a Node user would: no tuning, no pooling.
//   node bench/echo/servers/node-net.js [port]
const net = require('node:net');

const port = Number(process.argv[2] || 0);

// Bytes echoed, printed as "count <bytes>" on SIGUSR2: the harness's server-side
// cross-check (--crosscheck) of the load generator's own count.
let echoed = 0;
process.on('SIGUSR2', () => process.stdout.write(`count ${echoed}\n`));

const server = net.createServer((s) => {
  s.on('data', (d) => {
    echoed += d.length;
    s.write(d);
  });
  // A benchmark client that exits mid-stream resets its connections; without a listener
  // that ECONNRESET would be an uncaught exception and take the whole server down.
  s.on('error', () => s.destroy());
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`));

// The harness holds our stdin: when it goes away (even killed), so do we.
process.stdin.on('end', () => process.exit(0)).resume();
