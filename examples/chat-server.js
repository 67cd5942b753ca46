// A chat server: the first line a client sends is its name, every later line goes out to
// every other connected client as "<name> text". Joins and leaves are announced.
//
//   node examples/chat-server.js [port]     (default 8011; 0 picks a free port)
//   then, in several terminals: nc 127.0.0.1 8011
//
// At most 10 connections per peer host (LimitConnectionsByPeer); lines up to 1024 bytes.
const { Reactor, Factory, LineReceiver, LimitConnectionsByPeer } = require('ioreactor');

class Chat extends LineReceiver {
  constructor() {
    super();
    this.MAX_LENGTH = 1024;
    this.name = null;
  }

  connectionMade() {
    this.say("What's your name?");
  }

  lineReceived(line) {
    const text = line.toString('utf8');
    if (this.name === null) return this.choose(text.trim());
    this.factory.broadcast(this, `<${this.name}> ${text}`);
  }

  choose(name) {
    const users = this.factory.users;
    if (name === '' || users.has(name)) return this.say('Name taken or empty, please choose another.');
    this.name = name;
    users.set(name, this);
    this.say(`Welcome, ${name}! ${users.size - 1} other(s) here.`);
    this.factory.broadcast(this, `* ${name} joined`);
  }

  connectionLost() {
    if (this.name === null) return;
    this.factory.users.delete(this.name);
    this.factory.broadcast(this, `* ${this.name} left`);
  }

  say(text) {
    this.sendLine(Buffer.from(text, 'utf8'));
  }
}

class ChatFactory extends Factory {
  constructor() {
    super();
    this.protocol = Chat;
    /** name -> protocol, for everyone who has chosen a name. */
    this.users = new Map();
  }

  /** Sends `text` to every named client but `from`. */
  broadcast(from, text) {
    for (const user of this.users.values()) if (user !== from) user.say(text);
  }
}

const port = Number(process.argv[2] ?? process.env.PORT ?? 8011);
const reactor = new Reactor();
const factory = new LimitConnectionsByPeer(new ChatFactory(), { maxConnectionsPerPeer: 10 });
const listening = reactor.listenTCP(port, factory, { interface: '127.0.0.1' });
console.log(`chat-server listening on 127.0.0.1:${listening.getHost().port}`);

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => reactor.stop());
reactor.run().then(() => reactor.close());
