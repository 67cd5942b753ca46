'use strict';
// The harness's side channel to an ioreactor echo server: it holds the server's stdin and
// writes a line "stats" to ask for the counters, answered with "stats <json of
// reactor.stats()>" on stdout (null from a build without stats). When the harness goes away
// (even killed), stdin ends, and so does the server.

/** Answers the harness's "stats" lines for `reactor` until stdin ends, then exits. */
function answerStatsRequests(reactor) {
  let pendingInput = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (text) => {
    pendingInput += text;
    let nl;
    while ((nl = pendingInput.indexOf('\n')) >= 0) {
      const line = pendingInput.slice(0, nl).trim();
      pendingInput = pendingInput.slice(nl + 1);
      if (line === 'stats') process.stdout.write(`stats ${JSON.stringify(typeof reactor.stats === 'function' ? reactor.stats() : null)}\n`);
    }
  });
  process.stdin.on('end', () => process.exit(0));
}

module.exports = { answerStatsRequests };
