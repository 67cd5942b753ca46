// The AMP commands the coordinator and its workers speak.
const { AmpList, Command, Integer, Unicode } = require('ioreactor');

/** Map step: count the words of one chunk of text. */
const CountWords = new Command({
  name: 'CountWords',
  arguments: { chunk: new Unicode() },
  response: { counts: new AmpList({ word: new Unicode(), count: new Integer() }) },
});

/** Ask a worker to exit once it has answered. */
const Shutdown = new Command({ name: 'Shutdown' });

/** The words of `text`: lower-cased runs of letters, digits and apostrophes. */
function words(text) {
  return text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

module.exports = { CountWords, Shutdown, words };
