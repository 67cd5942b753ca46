// AMP over a pair of byte streams that are not a socket: the glue both sides of the example use.
// An AMP instance needs only a transport to write to and to be fed the bytes that arrive; here
// that is a child's stdin/stdout pipes (coordinator side) or this process's own (worker side).
const { ConnectionDone, Failure } = require('ioreactor');

/**
 * Connects `amp` to a transport made of `write(bytes)` and `close()`. Returns the functions to
 * call with the bytes that arrive and when the incoming stream ends.
 */
function connectAmp(amp, { write, close }) {
  let open = true;
  let lost = false;
  const finish = () => {
    if (!open) return;
    open = false;
    close();
  };
  amp.makeConnection({
    connected: true,
    write: (data) => open && write(data),
    writeSequence: (chunks) => {
      for (const chunk of chunks) if (open) write(chunk);
    },
    loseConnection: finish,
    abortConnection: finish,
    getPeer: () => ({ type: 'pipe' }),
    getHost: () => ({ type: 'pipe' }),
  });
  return {
    received: (data) => amp.dataReceived(data),
    ended: () => {
      open = false;
      if (lost) return;
      lost = true;
      amp.connected = false;
      amp.connectionLost(new Failure(new ConnectionDone('the pipe was closed')));
    },
  };
}

module.exports = { connectAmp };
