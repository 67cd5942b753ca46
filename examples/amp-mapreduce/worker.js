// An AMP map worker: listens on 127.0.0.1 (port 0), prints "PORT <n>", counts the words of the
// chunks it is sent, and exits when told to (Shutdown) or when its parent goes away (stdin closes).
const { AMP, Factory, Reactor } = require('ioreactor');
const { CountWords, Shutdown, words } = require('./commands');

const reactor = new Reactor();
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  reactor.stop();
};

class Worker extends AMP {}

CountWords.responder(Worker, ({ chunk }) => {
  const counts = new Map();
  for (const w of words(chunk)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return { counts: [...counts].map(([word, count]) => ({ word, count })) };
});

Shutdown.responder(Worker, function () {
  // Answer first; stop once the answer has been written.
  reactor.callLater(0, stop);
  return {};
});

const port = reactor.listenTCP(0, Factory.forProtocol(Worker), { interface: '127.0.0.1' });
process.stdout.write(`PORT ${port.getHost().port}\n`);
// An orphaned worker must not linger: the coordinator holds our stdin open for as long as it runs.
process.stdin.on('end', () => reactor.callWhenRunning(stop)).resume();
reactor.run().then(() => {
  reactor.close();
  process.stdin.destroy();
});
