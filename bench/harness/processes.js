'use strict';
// Child processes of the harness: spawned pinned to a CPU, tracked, and always killed.
//
// Servers run on CPU 0 and the load generator on CPU 1 (via taskset, when there is more
// than one CPU), so neither steals cycles from the other and the server's CPU time per
// message means something. Every child is registered in `live`; the harness kills them
// all on normal exit, on an uncaught error and on SIGINT/SIGTERM. The native tools also
// ask the kernel for SIGTERM when the harness dies (PR_SET_PDEATHSIG) and the Node servers
// exit when their stdin closes, so even a SIGKILLed harness leaves no orphans.
const { spawn, execFileSync } = require('node:child_process');
const os = require('node:os');
const readline = require('node:readline');

const live = new Set();

function hasTaskset() {
  if (process.platform !== 'linux' || os.cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const pinning = { enabled: hasTaskset(), serverCpu: 0, clientCpu: 1 };

/**
 * Starts `cmd args` on `cpu` (ignored without taskset), with `env` added to ours. taskset execs the command, so the
 * child's pid is the benchmarked process's pid, which is what /proc sampling needs.
 */
function spawnPinned(cmd, args, cpu, env) {
  const argv = pinning.enabled && cpu !== undefined ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
  const child = spawn(argv[0], argv[1], { stdio: ['pipe', 'pipe', 'pipe'], env: env ? { ...process.env, ...env } : process.env });
  live.add(child);
  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.on('error', (err) => {
      live.delete(child);
      child.spawnError = err;
      resolve({ code: null, signal: null, error: err });
    });
  });
  child.stderrTail = [];
  child.stdoutLines = readline.createInterface({ input: child.stdout });
  child.stderrLines = readline.createInterface({ input: child.stderr });
  // Keep the last few stderr lines: they are the reason shown when a server fails.
  child.stderrLines.on('line', (line) => {
    child.stderrTail.push(line);
    if (child.stderrTail.length > 20) child.stderrTail.shift();
  });
  child.stdin.on('error', () => {}); // a child that exits early closes its end; not our error
  return child;
}

/** The most telling line of a failed child's stderr (the exception, not the stack). */
function failureReason(child, fallback) {
  if (child.spawnError) return child.spawnError.message;
  const lines = child.stderrTail.filter((l) => l.trim() !== '');
  const thrown = lines.find((l) => /^\w*(Error|Exception)\b|^Error:|is not a function|Cannot find/.test(l.trim()));
  return (thrown || lines[lines.length - 1] || fallback).trim();
}

/** Resolves with the first stdout line matching `re` (its match), or rejects on exit/timeout. */
function waitForLine(child, re, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${what}: no output matching ${re} within ${timeoutMs} ms`)), timeoutMs);
    const onLine = (line) => {
      const m = re.exec(line);
      if (m) finish(null, m);
    };
    const onExit = () => finish(new Error(failureReason(child, `${what} exited before it was ready`)));
    function finish(err, m) {
      clearTimeout(timer);
      child.stdoutLines.off('line', onLine);
      child.off('exit', onExit);
      child.off('error', onExit);
      if (err) reject(err);
      else resolve(m);
    }
    child.stdoutLines.on('line', onLine);
    child.once('exit', onExit);
    child.once('error', onExit);
  });
}

/** Asks a child to stop (stdin closed, SIGTERM), then kills it if it has not gone in `graceMs`. */
async function stop(child, graceMs = 2000) {
  if (!live.has(child)) return child.exited;
  child.stdin.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const result = await child.exited;
  clearTimeout(timer);
  return result;
}

function killAll() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

let installed = false;
/** Makes sure no child survives the harness, however it ends. */
function installCleanup() {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      killAll();
      process.stderr.write(`\ninterrupted (${sig}); all benchmark processes killed\n`);
      process.exit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    killAll();
    console.error(err);
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    killAll();
    console.error(err);
    process.exit(1);
  });
}

module.exports = { pinning, spawnPinned, waitForLine, stop, killAll, installCleanup, failureReason, live };
