// The canonical echo server: `node examples/echo-server.js`, then `nc 127.0.0.1 8007`.
const { Reactor, Protocol, Factory } = require('ioreactor');
class Echo extends Protocol {
  dataReceived(data) {
    this.transport.write(data);
  }
}
const reactor = new Reactor({ trigger: 'edge' });
// PORT=0 picks a free port; the line below says which.
const port = reactor.listenTCP(Number(process.env.PORT ?? 8007), Factory.forProtocol(Echo), { interface: '127.0.0.1' });
console.log(`echo server on 127.0.0.1:${port.getHost().port}`);
reactor.run();
