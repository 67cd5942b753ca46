'use strict';
// ioreactor's echo on N reactors: serve() with N workers (threads or child processes), each
// listening on the same port with reusePort.
//   node bench/echo/servers/ioreactor-serve.js <workers> <thread|process> [backend] [trigger] [port]
// Prints "listening <port>" once every worker's reactor runs; exits when stdin ends.
const net = require('node:net');
const path = require('node:path');
const { serve } = require('../../../lib/index.js');

const [workersArg = '2', mode = 'thread', backend = 'auto', trigger = 'level', portArg = '0'] = process.argv.slice(2);

/** A port free a moment ago: every worker must bind the same one, so 0 cannot be passed on. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Free ports tried before giving up: another process may take one before the workers bind it. */
const PORT_ATTEMPTS = 5;

function addressInUse(err) {
  return err?.code === 'ERR_IOREACTOR_WORKER_SETUP_FAILED' && err.cause?.code === 'EADDRINUSE';
}

/** serve() on `portArg`, or on a free port (another one if that was taken meanwhile); once ready. */
async function start() {
  for (let attempt = 1; ; attempt++) {
    const port = Number(portArg) || (await freePort());
    const handle = serve(path.join(__dirname, 'ioreactor-serve-echo.js'), { workers: Number(workersArg), mode, reactor: { backend, trigger }, data: { port } });
    try {
      await handle.ready;
      return { handle, port };
    } catch (err) {
      await handle.stop({ deadline: 0 });
      if (Number(portArg) !== 0 || attempt === PORT_ATTEMPTS || !addressInUse(err)) throw err;
    }
  }
}

async function main() {
  const { handle, port } = await start();
  console.log(`listening ${port}`);
  // The harness holds our stdin: when it goes away (even killed), so do we.
  process.stdin.on('end', () => handle.stop({ deadline: 0 }).then(() => process.exit(0))).resume();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
