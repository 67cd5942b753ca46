'use strict';
// The progress line: "[ 7/24] bulk  node-net  round 2/3  0:41 elapsed, ~1:50 left".
// On a terminal it is one line rewritten in place on stdout (cleared before any other
// output, redrawn after it); otherwise each update is a plain line on stderr, so logs stay
// readable and stdout holds only the results.

function clock(s) {
  const t = Math.max(0, Math.round(s));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
}

function createProgress(total, { stream = process.stdout, errStream = process.stderr } = {}) {
  const tty = !!stream.isTTY;
  const started = Date.now();
  let done = 0;
  let current = '';
  let shown = false;
  const clear = () => {
    if (tty && shown) stream.write('\r\x1b[K');
    shown = false;
  };
  const draw = () => {
    if (!current) return;
    if (tty) {
      const width = (stream.columns || 100) - 1;
      stream.write(`\r\x1b[K${current.length > width ? current.slice(0, width) : current}`);
      shown = true;
    }
  };
  if (tty) {
    // Any other output first clears the line, then the line comes back under it.
    const original = console.log;
    console.log = (...args) => {
      clear();
      original(...args);
      draw();
    };
  }
  return {
    /** A round starts: what is running now. */
    start(scenario, server, round, rounds) {
      const elapsed = (Date.now() - started) / 1000;
      const left = done > 0 ? (elapsed / done) * (total - done) : null;
      const w = String(total).length;
      current =
        `[${String(done + 1).padStart(w)}/${total}] ${scenario}  ${server}  round ${round}/${rounds}  ${clock(elapsed)} elapsed` +
        (left === null ? '' : `, ~${clock(left)} left`);
      if (tty) draw();
      else errStream.write(`progress: ${current}\n`);
    },
    /** A round finished. */
    step() {
      done++;
    },
    /** The run is over: remove the line. */
    end() {
      clear();
      current = '';
    },
  };
}

module.exports = { createProgress };
