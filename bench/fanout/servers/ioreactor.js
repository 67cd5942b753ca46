'use strict';
// The ioreactor fan-out (chat) server: every byte one client sends is written to every
// connected client, the sender included. A new client first gets one welcome byte ('!'), so
// the load generator knows the server has it in its set before the broadcast starts.
//   node bench/fanout/servers/ioreactor.js <backend> <trigger> [port]
const { Reactor, Protocol, Factory } = require('../../../lib/index.js');

const [backend = 'auto', trigger = 'level', portArg = '0'] = process.argv.slice(2);
const port = Number(portArg);
const WELCOME = Buffer.from('!');
const clients = new Set();

class Chat extends Protocol {
  connectionMade() {
    clients.add(this);
    this.transport.write(WELCOME);
  }
  connectionLost() {
    clients.delete(this);
  }
  dataReceived(data) {
    for (const c of clients) c.transport.write(data);
  }
}
const reactor = new Reactor({ backend, trigger });
const listening = reactor.listenTCP(port, Factory.forProtocol(Chat), { interface: '127.0.0.1' });
reactor.run();

console.log(`listening ${listening && typeof listening.getHost === 'function' ? listening.getHost().port : port}`);

// The harness holds our stdin: when it goes away (even killed), so do we.
process.stdin.on('end', () => process.exit(0)).resume();
