'use strict';
// The node:net echo on N processes with node:cluster, as a Node user would scale it: the
// primary owns the listening socket and hands connections to the workers (round-robin, the
// default everywhere but Windows).
//   node bench/echo/servers/node-net-cluster.js <workers> [port]
// Prints "listening <port>" once every worker listens; exits (and so do the workers) when
// stdin ends.
const cluster = require('node:cluster');
const net = require('node:net');

if (cluster.isPrimary) {
  const workers = Number(process.argv[2] || 2);
  const port = Number(process.argv[3] || 0);
  let listening = 0;
  cluster.setupPrimary({ args: [String(workers), String(port)] });
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('listening', (address) => {
      if (++listening === workers) console.log(`listening ${address.port}`);
    });
  }
  process.stdin.on('end', () => process.exit(0)).resume();
} else {
  const server = net.createServer((s) => {
    s.on('data', (d) => s.write(d));
    s.on('error', () => s.destroy());
  });
  server.listen(Number(process.argv[3] || 0), '127.0.0.1');
}
