// The canonical echo server: `node examples/echo-server.js`, then `nc 127.0.0.1 8007`.
const { Reactor, Protocol, Factory } = require('ioreactor');
class Echo extends Protocol {
  dataReceived(data) {
    this.transport.write(data);
  }
}
const reactor = new Reactor({ trigger: 'edge' });
reactor.listenTCP(8007, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
reactor.run();
