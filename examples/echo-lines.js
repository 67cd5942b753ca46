// A line echo server on Twisted's LineReceiver: every line comes back as it went out.
//
//   node examples/echo-lines.js [port]      (default 8010; 0 picks a free port)
//   then: nc 127.0.0.1 8010
//
// Lines are split on \r\n (LineReceiver's default delimiter); a line longer than MAX_LENGTH
// (16384 bytes) closes the connection.
const { Reactor, Factory, LineReceiver } = require('ioreactor');

class EchoLines extends LineReceiver {
  lineReceived(line) {
    this.sendLine(line);
  }
}

const port = Number(process.argv[2] ?? process.env.PORT ?? 8010);
const reactor = new Reactor();
const listening = reactor.listenTCP(port, Factory.forProtocol(EchoLines), { interface: '127.0.0.1' });
console.log(`echo-lines listening on 127.0.0.1:${listening.getHost().port}`);

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => reactor.stop());
reactor.run().then(() => reactor.close());
