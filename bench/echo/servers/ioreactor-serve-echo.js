'use strict';
// The user module of ioreactor-serve.js: what each worker's setup does. An echo on
// 127.0.0.1:data.port with reusePort, so every worker has its own listening socket.
const { Protocol, Factory } = require('../../../lib/index.js');

class Echo extends Protocol {
  dataReceived(data) {
    this.transport.write(data);
  }
}

exports.setup = (reactor, { data }) => {
  reactor.listenTCP(data.port, Factory.forProtocol(Echo), { interface: '127.0.0.1', reusePort: true, backlog: 1024 });
};
