'use strict';
// The node:dgram echo server, written as a Node user would: no tuning, no batching.
//   node bench/echo/servers/node-dgram.js [port]
const dgram = require('node:dgram');

const port = Number(process.argv.slice(2).filter((a) => !a.startsWith('--'))[0] || 0);

const s = dgram.createSocket('udp4');
s.on('message', (m, r) => s.send(m, r.port, r.address));
// A send to a client that has gone (the generator exits at the end of a round) may fail;
// without a listener that error would take the whole server down.
s.on('error', () => {});
s.bind(port, '127.0.0.1', () => console.log(`listening ${s.address().port}`));

// The harness holds our stdin: when it goes away (even killed), so do we.
process.stdin.on('end', () => process.exit(0)).resume();
