'use strict';
// What the harness reads from the kernel about a process and the machine: CPU time and
// resident memory from /proc (Linux), and the machine description stored with every result.
const fs = require('node:fs');
const os = require('node:os');
const { execFileSync } = require('node:child_process');

function tryExec(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

// utime and stime are in clock ticks (USER_HZ); 100 on every mainstream Linux, but ask.
const CLK_TCK = Number(tryExec('getconf', ['CLK_TCK'])) || 100;

/** { user, system } CPU seconds a process has used so far, or null if it is gone. */
function cpuTimes(pid) {
  let stat;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: split after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
  return { user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK };
}

/** `pid` and every process descended from it (cluster workers, serve()'s child processes). */
function processTree(pid) {
  const children = new Map();
  let names;
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [pid];
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Field 4 (ppid) follows the state, after the parenthesised command name.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  const out = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift();
    out.push(p);
    queue.push(...(children.get(p) || []));
  }
  return out;
}

/**
 * { user, system } CPU seconds of `pid` and its live descendants, or null if `pid` is gone.
 * A process's own times include all its threads; its children's are only added here.
 */
function treeCpuTimes(pid) {
  const total = cpuTimes(pid);
  if (!total) return null;
  for (const child of processTree(pid).slice(1)) {
    const t = cpuTimes(child);
    if (t) {
      total.user += t.user;
      total.system += t.system;
    }
  }
  return total;
}

/** CPU seconds (user + system) of every process on the machine: Map pid -> seconds. */
function allProcessesCpu() {
  const out = new Map();
  let names;
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const t = cpuTimes(name);
    if (t) out.set(Number(name), t.user + t.system);
  }
  return out;
}

/** Resident set size in KiB (VmRSS), or null if the process is gone. */
function rssKiB(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Per-CPU tick counters from /proc/stat, in seconds: { cpu0: { task, softirq, steal, idle } }.
 * `task` is user+nice+system. A process's stime also holds the softirq ticks that hit while
 * it ran (the loopback TCP receive path, mostly), which /proc/stat files under softirq.
 */
function cpuStat() {
  let text;
  try {
    text = fs.readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^(cpu\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = m[2].split(/\s+/).map((x) => Number(x) / CLK_TCK);
    out[m[1]] = { task: user + nice + system, softirq: softirq + irq, steal, idle: idle + iowait };
  }
  return out;
}

function readSysctl(name) {
  try {
    return fs
      .readFileSync(`/proc/sys/${name.replace(/\./g, '/')}`, 'utf8')
      .trim()
      .replace(/\s+/g, ' ');
  } catch {
    return null;
  }
}

/** The machine and software a result was measured on. */
function machineInfo(root) {
  const cpus = os.cpus();
  return {
    cpuModel: cpus.length ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    platform: process.platform,
    arch: process.arch,
    kernel: os.release(),
    node: process.version,
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    clockTicksPerSecond: CLK_TCK,
    somaxconn: readSysctl('net.core.somaxconn'),
    localPortRange: readSysctl('net.ipv4.ip_local_port_range'),
    openFilesLimit: tryExec('sh', ['-c', 'ulimit -n']),
    gitCommit: tryExec('git', ['-C', root, 'rev-parse', '--short', 'HEAD']),
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

module.exports = { cpuTimes, treeCpuTimes, processTree, cpuStat, allProcessesCpu, rssKiB, machineInfo, CLK_TCK };
