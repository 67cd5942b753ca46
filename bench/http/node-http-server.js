'use strict';
// The reference for bench/http/run.js: plain node:http with the handler of
// examples/http-server.js (GET: a short text answer; POST: the body echoed), on node:net's
// own sockets. PORT=0 picks a free port; the line it prints has the same shape as the example's.
const http = require('node:http');

const server = http.createServer((req, res) => {
  if (req.method === 'POST') {
    req.pipe(res);
    return;
  }
  res.setHeader('content-type', 'text/plain');
  res.end('hello from node:http (libuv)\n');
});
server.listen(Number(process.env.PORT ?? 8081), '127.0.0.1', () => {
  console.log(`http server on 127.0.0.1:${server.address().port}`);
});
