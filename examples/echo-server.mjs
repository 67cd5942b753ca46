// The canonical echo server as an ES module: `node examples/echo-server.mjs`.
import { Reactor, Protocol, Factory } from 'ioreactor';
class Echo extends Protocol {
  dataReceived(data) {
    this.transport.write(data);
  }
}
const reactor = new Reactor({ trigger: 'edge' });
reactor.listenTCP(8007, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
reactor.run();
