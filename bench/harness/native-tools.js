'use strict';
// Finds the native benchmark tools (the C echo servers, TCP and UDP, and the load generators). `npx node-gyp rebuild` (or `npm run build:native`)
// builds them into build/Release next to the addon, `npm run build:cmake` into build-cmake. If they are missing or older than their
// sources (someone edited the C and only ran `npm run bench`), compile them directly with
// the system C compiler into build/bench-native, which is quicker than a full rebuild.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const TOOLS = {
  server: { target: 'ioreactor_c_echo_server', source: 'c_echo_server.c', libs: [] },
  loadgen: { target: 'ioreactor_load_generator', source: 'load_generator.c', libs: ['-pthread'] },
  udpServer: { target: 'ioreactor_c_udp_echo_server', source: 'c_udp_echo_server.c', libs: [] },
  udpLoadgen: { target: 'ioreactor_udp_load_generator', source: 'udp_load_generator.c', libs: [] },
};

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** Newest modification time of the tool's sources (the .c and the headers beside it). */
function sourceTime(dir, source) {
  const headers = fs.readdirSync(dir).filter((f) => f.endsWith('.h'));
  return Math.max(mtime(path.join(dir, source)), ...headers.map((h) => mtime(path.join(dir, h))));
}

function compile(cc, src, out, libs) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  execFileSync(cc, ['-O2', '-Wall', '-Wextra', '-o', out, src, ...libs], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Absolute paths of { server, loadgen, udpServer, udpLoadgen }; throws with a clear message when impossible. */
function locateNativeTools(root, log = () => {}) {
  if (process.platform !== 'linux') {
    throw new Error(`the C echo servers and load generators use epoll and are built on Linux only (this is ${process.platform})`);
  }
  const srcDir = path.join(root, 'bench', 'native');
  const found = {};
  for (const [key, tool] of Object.entries(TOOLS)) {
    const fresh = sourceTime(srcDir, tool.source);
    const out = path.join(root, 'build', 'bench-native', tool.target);
    // node-gyp's output, cmake-js's (`npm run build:cmake`), then our own fallback build.
    const candidates = [path.join(root, 'build', 'Release', tool.target), path.join(root, 'build-cmake', tool.target), out];
    found[key] = candidates.find((p) => mtime(p) >= fresh);
    if (found[key]) continue;
    const cc = process.env.CC || 'cc';
    try {
      log(`(compiling ${tool.source} with ${cc}: build/Release/${tool.target} is missing or older than its source)`);
      compile(cc, path.join(srcDir, tool.source), out, tool.libs);
      found[key] = out;
    } catch (e) {
      const stale = candidates.find((p) => mtime(p) >= 0);
      if (!stale) throw new Error(`cannot build ${tool.target} (${String(e.stderr || e.message).trim()}); run \`npx node-gyp rebuild\``, { cause: e });
      log(`(could not compile ${tool.source}; using the older ${path.relative(root, stale)})`);
      found[key] = stale;
    }
  }
  return found;
}

/**
 * Copies the tools and the addon into a private directory for the duration of the run, so a
 * `node-gyp rebuild` started by someone else mid-run (it deletes build/ first) cannot take
 * them away, and every round measures the same build. Returns the copies' paths (`addon`
 * is null when there is no built addon) and a function that removes them.
 */
function snapshotTools(root, tools) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ioreactor-bench-'));
  const copy = (from) => {
    const to = path.join(dir, path.basename(from));
    fs.copyFileSync(from, to);
    fs.chmodSync(to, 0o755);
    return to;
  };
  const addonSrc = path.join(root, 'build', 'Release', 'ioreactor.node');
  const snap = { addon: mtime(addonSrc) >= 0 ? copy(addonSrc) : null };
  for (const key of Object.keys(TOOLS)) snap[key] = copy(tools[key]);
  snap.sources = { ...tools, addon: snap.addon ? addonSrc : null };
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  return { tools: snap, remove };
}

module.exports = { locateNativeTools, snapshotTools };
