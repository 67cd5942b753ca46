// Children of a worker thread whose environment ends while they run (terminate(), process.exit
// inside the worker, a reactor never closed) must not stay zombies: once they exit, something
// in this process waits for them. test/fixtures/orphan-worker.js leaves three behind per worker:
// `sleep 0.3` and `true` on its running reactor, `sleep 0.3` on a reactor it closed (in its
// orphan reaper). Runs in this process, so no-leaks.ts also sees every descriptor closed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { runNodeScript } from '../support/child-run';
import { cutShort, type Cut } from '../support/cut-short';
import { VARIANTS, type Variant } from '../support/reactors';

const FIXTURE = join(__dirname, '..', 'fixtures', 'orphan-worker.js');
const MODES = ['terminate', 'callback', 'exit', 'unclosed'] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 'running', 'zombie', or 'gone' (no such process, or no longer a child of this one). */
function childState(pid: number): 'running' | 'zombie' | 'gone' {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 'gone';
  }
  // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
  const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (Number(ppid) !== process.pid) return 'gone';
  return state === 'Z' ? 'zombie' : 'running';
}

/** Runs the fixture in `mode`, ends it, and returns its children's pids and the worker's exit code. */
async function leaveChildren(variant: Variant, mode: (typeof MODES)[number]): Promise<{ pids: number[]; exitCode: number; errors: unknown[] }> {
  const worker = new Worker(FIXTURE, { workerData: { variant: { backend: variant.backend, trigger: variant.trigger }, mode } });
  const errors: unknown[] = [];
  worker.on('error', (err) => errors.push(err));
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const pids = await new Promise<number[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker posted no pids within 10 s')), 10_000);
    worker.once('message', (m: { pids: number[] }) => {
      clearTimeout(timer);
      resolve(m.pids);
    });
  });
  if (mode === 'terminate' || mode === 'callback') await worker.terminate();
  return { pids, exitCode: await exited, errors };
}

/** Waits (up to 10 s) until none of `pids` is running or a zombie; returns those still left. */
async function waitGone(pids: number[]): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const left = pids.map((pid) => ({ pid, state: childState(pid) })).filter((c) => c.state !== 'gone');
    if (left.length === 0 || Date.now() > deadline) return left.map((c) => `${c.pid} ${c.state}`);
    await sleep(25);
  }
}

describe.skipIf(process.platform !== 'linux').each(VARIANTS)('children of an ended worker on $name', (variant) => {
  it.each(MODES)(
    'are reaped once they exit when the worker ends by %s',
    async (mode) => {
      const { pids, exitCode, errors } = await leaveChildren(variant, mode);
      expect(pids).toHaveLength(3);
      expect(pids.every((pid) => Number.isInteger(pid) && pid > 0)).toBe(true);
      expect(errors).toEqual([]);
      expect(exitCode).toBe(mode === 'terminate' || mode === 'callback' ? 1 : 0);
      expect(await waitGone(pids)).toEqual([]);
    },
    20_000,
  );
});

// A worker can be terminated between any two JavaScript statements: also between the calls that
// learn of a child's end and close its descriptors. At each such instant every descriptor still
// has a holder that closes it (native/child_descriptors.h); no-leaks.ts checks this process's
// descriptors. `true` exits at once: it is reaped, then its two output pipes and its exit
// watcher are each taken off the core (remove) and closed; its stdin pipe was never registered.
const CUTS: (Cut & { name: string })[] = [
  { name: 'reapChild has reported the exit', scenario: 'childExits', call: 'reapChild', nth: 1 },
  ...[1, 2, 3].map((nth) => ({ name: `descriptor ${nth} of 3 is off the core, not yet closed`, scenario: 'childExits', call: 'remove', nth })),
];

describe.skipIf(process.platform !== 'linux').each(VARIANTS)('a worker terminated while its reactor ends a child, on $name', (variant) => {
  it.each(CUTS)(
    'leaves no descriptor when cut short once $name',
    async (cut) => {
      const { exitCode, errors, pid } = await cutShort(variant, cut);
      expect(exitCode).toBe(1);
      expect(errors).toEqual([]);
      expect(pid).toBeGreaterThan(0);
      expect(await waitGone([pid!])).toEqual([]);
    },
    20_000,
  );
});

// Node unloads an addon with the last environment that loaded it: here only the worker did, so
// the reaper must keep it loaded while it runs (or it would crash in unmapped code).
describe.skipIf(process.platform !== 'linux')('children of an ended worker, the only one that loaded the addon', () => {
  it.each(['terminate', 'exit'])(
    'are reaped once they exit when the worker ends by %s, without a crash',
    async (mode) => {
      const outcome = await runNodeScript(join(__dirname, '..', 'fixtures', 'orphans-addon-unloaded.js'), {
        env: { IOREACTOR_ORPHAN_MODE: mode },
        timeoutMs: 30_000,
      });
      expect({ code: outcome.code, signal: outcome.signal }, outcome.stderr).toEqual({ code: 0, signal: null });
      const r = outcome.result as { pids: number[]; left: number[]; leakedFds: string[] };
      expect(r.pids).toHaveLength(3);
      expect(r.left).toEqual([]);
      expect(r.leakedFds).toEqual([]);
    },
    40_000,
  );
});
