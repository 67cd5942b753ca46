'use strict';
// Runs the Promises/A+ compliance suite against Deferred's `then` (npm run test:aplus).
// It loads the compiled library: run `npx tsc -p tsconfig.json` (or `npm run build:ts`) first.
const path = require('node:path');
const promisesAplusTests = require('promises-aplus-tests');
const { Deferred, Failure } = require(path.join(__dirname, '..', '..', 'lib', 'index.js'));

const adapter = {
  resolved(value) {
    const d = new Deferred();
    d.callback(value);
    return d;
  },
  rejected(reason) {
    const d = new Deferred();
    // An explicit Failure: `reason` may be anything, undefined included.
    d.errback(new Failure(reason));
    return d;
  },
  deferred() {
    const d = new Deferred();
    return {
      promise: d,
      // A Deferred throws AlreadyCalledError when fired twice; a promise resolver ignores the
      // second call, which is what the suite checks of the adapter.
      resolve(value) {
        if (!d.called) d.callback(value);
      },
      reject(reason) {
        if (!d.called) d.errback(new Failure(reason));
      },
    };
  },
};

promisesAplusTests(adapter, { reporter: 'dot' }, (err) => {
  if (err) {
    console.error('Promises/A+ suite failed:', err);
    process.exit(1);
  }
  process.exit(0);
});
