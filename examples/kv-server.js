// A key-value server with a line protocol:
//
//   SET <key> <value>   ->  OK
//   GET <key>           ->  VALUE <value>   or  NOT_FOUND
//   DEL <key>           ->  DELETED         or  NOT_FOUND
//   anything else       ->  ERROR <reason>
//
// Keys have no spaces; a value is the rest of the line (spaces included). Connections idle
// for 5 minutes are closed (TimeoutMixin on the reactor's clock).
//
//   node examples/kv-server.js [port]       (default 8012; 0 picks a free port)
//   then: printf 'SET a 1\r\nGET a\r\n' | nc 127.0.0.1 8012
const { Reactor, Factory, LineReceiver, TimeoutMixin } = require('ioreactor');

const IDLE_SECONDS = 300;

class KV extends TimeoutMixin(LineReceiver) {
  connectionMade() {
    this.setTimeout(IDLE_SECONDS); // the clock is the factory's: see KVFactory
  }

  lineReceived(line) {
    this.resetTimeout();
    const text = line.toString('utf8');
    const space = text.indexOf(' ');
    const command = (space < 0 ? text : text.slice(0, space)).toUpperCase();
    const args = space < 0 ? '' : text.slice(space + 1);
    const store = this.factory.store;
    switch (command) {
      case 'SET': {
        const split = args.indexOf(' ');
        if (split <= 0) return this.reply('ERROR usage: SET <key> <value>');
        store.set(args.slice(0, split), args.slice(split + 1));
        return this.reply('OK');
      }
      case 'GET':
        if (args === '' || args.includes(' ')) return this.reply('ERROR usage: GET <key>');
        return this.reply(store.has(args) ? `VALUE ${store.get(args)}` : 'NOT_FOUND');
      case 'DEL':
        if (args === '' || args.includes(' ')) return this.reply('ERROR usage: DEL <key>');
        return this.reply(store.delete(args) ? 'DELETED' : 'NOT_FOUND');
      default:
        return this.reply(`ERROR unknown command ${JSON.stringify(command)}`);
    }
  }

  reply(text) {
    this.sendLine(Buffer.from(text, 'utf8'));
  }
}

class KVFactory extends Factory {
  constructor(clock) {
    super();
    this.protocol = KV;
    this.clock = clock; // TimeoutMixin schedules on the factory's clock
    this.store = new Map();
  }
}

const port = Number(process.argv[2] ?? process.env.PORT ?? 8012);
const reactor = new Reactor();
const listening = reactor.listenTCP(port, new KVFactory(reactor), { interface: '127.0.0.1' });
console.log(`kv-server listening on 127.0.0.1:${listening.getHost().port}`);

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => reactor.stop());
reactor.run().then(() => reactor.close());
