// The canonical echo server as an ES module: `node examples/echo-server.mjs`.
import { Reactor, Protocol, Factory } from 'ioreactor';
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
