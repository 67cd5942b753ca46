'use strict';
// Preloaded (node --require) into the README's example servers by
// test/package/canonical-example.test.ts. The examples listen on the fixed port 8007 of the
// README; under test, another process could hold that port or answer on it. This turns that one
// listenTCP(8007, ...) into a listen on a port the kernel picks, and tells the test which one
// on stdout. Nothing else about the example changes.
const path = require('node:path');
const { Reactor } = require(path.join(__dirname, '..', '..', 'lib', 'index.js'));

const listenTCP = Reactor.prototype.listenTCP;
Reactor.prototype.listenTCP = function (port, ...rest) {
  const listening = listenTCP.call(this, port === 8007 ? 0 : port, ...rest);
  if (port === 8007) process.stdout.write(`example listening on ${listening.getHost().port}\n`);
  return listening;
};
