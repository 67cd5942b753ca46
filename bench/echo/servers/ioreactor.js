'use strict';
// The canonical ioreactor echo server, exactly as a user would write it.
//   node bench/echo/servers/ioreactor.js <backend> <trigger> [port]
const { Reactor, Protocol, Factory } = require('../../../lib/index.js');

const [backend = 'auto', trigger = 'level', portArg = '0'] = process.argv.slice(2);
const port = Number(portArg);

class Echo extends Protocol { dataReceived(data) { this.transport.write(data); } }
const reactor = new Reactor({ backend, trigger });
const listening = reactor.listenTCP(port, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
reactor.run();

// IListeningPort.getHost() knows the port the kernel picked when we asked for 0.
console.log(`listening ${listening && typeof listening.getHost === 'function' ? listening.getHost().port : port}`);

// The harness holds our stdin: when it goes away (even killed), so do we.
process.stdin.on('end', () => process.exit(0)).resume();
