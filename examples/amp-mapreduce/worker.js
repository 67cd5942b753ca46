// An AMP map worker: speaks AMP over its standard input and output (the coordinator starts it
// with reactor.spawnProcess), counts the words of the chunks it is sent, and exits when told to
// (Shutdown) or when its standard input closes, so a worker never outlives its coordinator.
const { AMP } = require('ioreactor');
const { CountWords, Shutdown, words } = require('./commands');
const { connectAmp } = require('./amp-over-stdio');

class Worker extends AMP {}

CountWords.responder(Worker, ({ chunk }) => {
  const counts = new Map();
  for (const w of words(chunk)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return { counts: [...counts].map(([word, count]) => ({ word, count })) };
});

// Nothing is left to do once stdin is closed: Node exits when its loop is empty.
const stop = () => process.stdin.destroy();

Shutdown.responder(Worker, () => {
  // Answer first (the answer is written before the next turn), then stop listening.
  setImmediate(stop);
  return {};
});

const amp = new Worker();
const stdio = connectAmp(amp, { write: (data) => process.stdout.write(data), close: stop });
process.stdin.on('data', stdio.received).on('end', stdio.ended).on('close', stdio.ended);
