'use strict';
// The canonical ioreactor echo server, exactly as a user would write it.
//   node bench/echo/servers/ioreactor.js <backend> <trigger> [port] [--stream] [--borrow]
//
// --borrow: the echo protocol sets borrowData, as a relay that writes what it reads straight
// back may: it gets a view of the reactor's read arena, valid during the call, instead of
// bytes of its own to keep (the default), so no memory is handed out per read.
//
// --stream: instead of echoing, each connection, once the client has sent anything (the load
// generator's --sink sends one start byte), is sent one preallocated 64 KiB buffer over and
// over by a streaming (push) producer: transport.registerProducer(producer, true). The
// transport pauses the producer when more than its high-water mark (64 KiB) is queued and
// resumes it once everything is sent.
//
// A line "stats" on stdin is answered with "stats <json of reactor.stats()>" on stdout: the
// harness's syscall counters, read at the edges of the measured window.
const { Reactor, Protocol, Factory } = require('../../../lib/index.js');
const { answerStatsRequests } = require('./stats-requests.js');

const args = process.argv.slice(2);
const stream = args.includes('--stream');
const borrow = args.includes('--borrow');
const [backend = 'auto', trigger = 'level', portArg = '0'] = args.filter((a) => !a.startsWith('--'));
const port = Number(portArg);

class Echo extends Protocol {
  constructor() {
    super();
    this.borrowData = borrow;
  }
  dataReceived(data) {
    this.transport.write(data);
  }
}

// The stream every client checks (load_generator.c --sink): byte k is (k + (k >> 8) * 31) & 255.
const CHUNK = Buffer.alloc(65536);
for (let k = 0; k < CHUNK.length; k++) CHUNK[k] = (k + (k >> 8) * 31) & 255;
// Writes per resumeProducing call at most: the kernel's socket buffer usually fills (and the
// transport pauses us) well before; if it does not, the rest waits for the next turn of the
// reactor instead of spinning here.
const WRITES_PER_TURN = 64;

class ChunkProducer {
  constructor(transport) {
    this.transport = transport;
    this.paused = false;
    this.stopped = false;
    this.scheduled = false;
  }

  pauseProducing() {
    this.paused = true;
  }

  resumeProducing() {
    this.paused = false;
    for (let i = 0; i < WRITES_PER_TURN && !this.paused && !this.stopped; i++) this.transport.write(CHUNK);
    if (!this.paused && !this.stopped && !this.scheduled) {
      this.scheduled = true;
      reactor.callLater(0, () => {
        this.scheduled = false;
        if (!this.paused && !this.stopped) this.resumeProducing();
      });
    }
  }

  stopProducing() {
    this.stopped = true;
  }
}

class Streamer extends Protocol {
  dataReceived() {
    if (this.producer) return; // the start byte came; anything later is discarded
    this.producer = new ChunkProducer(this.transport);
    this.transport.registerProducer(this.producer, true);
    this.producer.resumeProducing();
  }
}

const reactor = new Reactor({ backend, trigger });
const listening = reactor.listenTCP(port, Factory.forProtocol(stream ? Streamer : Echo), { interface: '127.0.0.1' });
reactor.run();

// IListeningPort.getHost() knows the port the kernel picked when we asked for 0.
console.log(`listening ${listening && typeof listening.getHost === 'function' ? listening.getHost().port : port}`);

// The harness holds our stdin: "stats" lines ask for the counters; when it goes away, so do we.
answerStatsRequests(reactor);
