// node:http's server on ioreactor connections, through the Duplex bridge:
// `node examples/http-server.js`, then `curl http://127.0.0.1:8080/`. PORT=0 picks a free port.
const http = require('node:http');
const { Reactor, DuplexProtocol } = require('ioreactor');

const server = http.createServer((req, res) => {
  if (req.method === 'POST') {
    req.pipe(res); // echo the body, with backpressure through the bridge
    return;
  }
  res.setHeader('content-type', 'text/plain');
  res.end(`hello from ioreactor (${reactor.backend})\n`);
});

const reactor = new Reactor();
// Each accepted connection becomes a Duplex that node:http serves as if it were a socket.
const port = reactor.listenTCP(
  Number(process.env.PORT ?? 8080),
  DuplexProtocol.factory((stream) => server.emit('connection', stream)),
  {
    interface: '127.0.0.1',
  },
);
console.log(`http server on 127.0.0.1:${port.getHost().port}`);
reactor.run();
