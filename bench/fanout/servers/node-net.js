'use strict';
// The node:net fan-out (chat) server: every chunk one client sends is written to every
// connected client, the sender included; a new client first gets one welcome byte ('!').
//   node bench/fanout/servers/node-net.js [port]
const net = require('node:net');

const port = Number(process.argv[2] || 0);
const WELCOME = Buffer.from('!');
const clients = new Set();

const server = net.createServer((s) => {
  clients.add(s);
  s.write(WELCOME);
  s.on('data', (d) => {
    for (const c of clients) c.write(d);
  });
  s.on('close', () => clients.delete(s));
  s.on('error', () => s.destroy());
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`));

process.stdin.on('end', () => process.exit(0)).resume();
