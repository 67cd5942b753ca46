'use strict';
// The echo server of bench/tls/run.js, in its own process: `node server.js ioreactor|node
// <certificate dir>` listens on 127.0.0.1, prints its port, echoes until stdin closes, then
// prints the CPU time it used (user + system, microseconds) from the moment it was listening
// (start-up and module loading left out, the handshakes counted) and exits.
const fs = require('node:fs');
const path = require('node:path');
const tls = require('node:tls');

const [kind, dir] = process.argv.slice(2);
const options = { key: fs.readFileSync(path.join(dir, 'server.key')), cert: fs.readFileSync(path.join(dir, 'server.crt')) };

let atListening;

function listening(port) {
  atListening = process.cpuUsage();
  process.stdout.write(`${port}\n`);
}

function exitWithCpu() {
  const { user, system } = process.cpuUsage(atListening);
  process.stdout.write(`${user + system}\n`, () => process.exit(0));
}

if (kind === 'node') {
  const server = tls.createServer(options, (socket) => {
    socket.pipe(socket);
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1', () => listening(server.address().port));
  process.stdin.on('end', () => exitWithCpu()).resume();
} else {
  const { Reactor, Factory, Protocol } = require(path.join(__dirname, '..', '..', 'lib', 'index.js'));
  class Echo extends Protocol {
    dataReceived(data) {
      this.transport.write(data);
    }
  }
  const reactor = new Reactor();
  const port = reactor.listenSSL(0, Factory.forProtocol(Echo), options, { interface: '127.0.0.1' });
  reactor.callWhenRunning(() => listening(port.getHost().port));
  process.stdin.on('end', () => reactor.stop()).resume();
  reactor.run().then(() => {
    reactor.close();
    exitWithCpu();
  });
}
