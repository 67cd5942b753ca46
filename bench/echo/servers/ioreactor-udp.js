'use strict';
// The ioreactor datagram echo server, exactly as a user would write it.
//   node bench/echo/servers/ioreactor-udp.js <backend> <trigger> [port] [--borrow]
//
// A DatagramProtocol whose datagramReceived writes the datagram back to the address it came
// from (the Address given to datagramReceived is accepted by write as is), on a port from
// reactor.listenUDP on 127.0.0.1. maxPacketSize 2048, as the C reference's slots: the
// scenarios send at most 1 400 bytes.
//
// --borrow: the protocol sets borrowData, as a relay that writes what it reads straight back
// may: each datagram is a view of the reactor's read arena, valid during the call, instead of
// bytes of its own to keep (the default, one allocation and copy per datagram).
//
// A line "stats" on stdin is answered with "stats <json of reactor.stats()>" on stdout: the
// harness's syscall counters, read at the edges of the measured window.
const { Reactor, DatagramProtocol } = require('../../../lib/index.js');
const { answerStatsRequests } = require('./stats-requests.js');

const args = process.argv.slice(2);
const borrow = args.includes('--borrow');
const [backend = 'auto', trigger = 'level', portArg = '0'] = args.filter((a) => !a.startsWith('--'));

class Echo extends DatagramProtocol {
  constructor() {
    super();
    this.borrowData = borrow;
  }
  datagramReceived(data, addr) {
    this.transport.write(data, addr);
  }
}

const reactor = new Reactor({ backend, trigger });
const port = reactor.listenUDP(Number(portArg), new Echo(), { interface: '127.0.0.1', maxPacketSize: 2048 });
reactor.run();
console.log(`listening ${port.getHost().port}`);

// The harness holds our stdin: "stats" lines ask for the counters; when it goes away, so do we.
answerStatsRequests(reactor);
