// The lifecycle contract's lifetime clause: "A reactor is reachable only through what the user
// holds: nothing native keeps its own JavaScript object alive, so an unclosed reactor is
// collected (finalizer closes every descriptor) and a closed one releases its arena, buffers
// and callback at once."
//
// test/fixtures/reactor-collection.js runs in a child process started with --expose-gc (see its
// header for the phases and the IOREACTOR_COLLECT_* counts); this file judges its figures.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNodeScript, tail } from '../support/child-run';

const script = path.join(__dirname, '..', 'fixtures', 'reactor-collection.js');
const CLOSED = Number(process.env.IOREACTOR_COLLECT_CLOSED || 1000);
const DROPPED = Number(process.env.IOREACTOR_COLLECT_DROPPED || 1000);
const HELD = 64;
const MiB = 1;
// Under scripts/test-asan.sh the sanitizer's allocator (with its quarantine of freed blocks)
// replaces glibc's, so RSS says nothing about the addon there; every other check still holds.
const SANITIZED = /lib(a|ub)san/.test(process.env.LD_PRELOAD ?? '');

interface Delta {
  rssMiB: number;
  vmSizeMiB: number;
  arrayBuffersMiB: number;
  externalMiB: number;
  fdCount: number;
  leakedFdCount: number;
  leakedFds: string[];
}
interface Result {
  closed: Delta;
  dropped: Delta;
  held: Delta;
  heldNative: Delta;
  heldCount: number;
  heldNativeCount: number;
  heldStillClosed: boolean;
  finalized: { closed: number; dropped: number };
}

describe('reactor collection', () => {
  let result: Result | undefined;
  let failure: string | undefined;
  async function run(): Promise<Result> {
    if (result !== undefined) return result;
    if (failure !== undefined) throw new Error(failure);
    const outcome = await runNodeScript(script, {
      nodeArgs: ['--expose-gc'],
      env: { IOREACTOR_COLLECT_CLOSED: String(CLOSED), IOREACTOR_COLLECT_DROPPED: String(DROPPED), IOREACTOR_COLLECT_HELD: String(HELD) },
      timeoutMs: 120_000,
    });
    if (outcome.code !== 0 || outcome.signal !== null || outcome.result === undefined) {
      failure = `collection child ended with code ${outcome.code}, signal ${outcome.signal}:\n${tail(outcome.stderr)}`;
      throw new Error(failure);
    }
    result = outcome.result as unknown as Result;
    return result;
  }

  it(`${CLOSED} reactors opened, used and closed leave no descriptor, no arena and no RSS growth`, async () => {
    const r = await run();
    const figures = JSON.stringify(r.closed);
    expect(r.closed.leakedFds, figures).toEqual([]);
    expect(r.closed.fdCount, figures).toBe(0);
    // Each reactor's read arena is 1 MiB of ArrayBuffer memory: four left alive would show.
    // `external` counts it too if it is ever allocated outside V8's ArrayBuffer allocator (and
    // reported with napi_adjust_external_memory, as memory the GC must know about should be).
    expect(r.closed.arrayBuffersMiB, figures).toBeLessThan(4 * MiB);
    expect(r.closed.externalMiB, figures).toBeLessThan(4 * MiB);
    if (!SANITIZED) expect(r.closed.rssMiB, figures).toBeLessThan(20 * MiB);
  }, 130_000);

  it(`${DROPPED} reactors used and dropped unclosed are collected and their finalizers close every descriptor`, async () => {
    const r = await run();
    const figures = JSON.stringify({ ...r.dropped, finalized: r.finalized });
    expect(r.finalized.dropped, `${r.finalized.dropped}/${DROPPED} dropped reactors collected; ${figures}`).toBe(DROPPED);
    // Closed and dropped reactors are collectable too: nothing native holds them.
    expect(r.finalized.closed, `${r.finalized.closed}/${CLOSED} closed reactors collected`).toBe(CLOSED);
    expect(r.dropped.leakedFdCount, figures).toBe(0);
    expect(r.dropped.leakedFds, figures).toEqual([]);
    expect(r.dropped.arrayBuffersMiB, figures).toBeLessThan(4 * MiB);
    expect(r.dropped.externalMiB, figures).toBeLessThan(4 * MiB);
    if (!SANITIZED) expect(r.dropped.rssMiB, figures).toBeLessThan(20 * MiB);
  }, 130_000);

  it(`${HELD} closed reactors still referenced hold no arena`, async () => {
    const r = await run();
    const figures = JSON.stringify(r.held);
    expect(r.heldCount).toBe(HELD);
    expect(r.heldStillClosed).toBe(true);
    expect(r.held.leakedFds, figures).toEqual([]);
    // 64 arenas would be 64 MiB, mapped (VmSize) even if barely touched; allow a few MiB of
    // unrelated churn.
    expect(r.held.arrayBuffersMiB, figures).toBeLessThan(4 * MiB);
    expect(r.held.externalMiB, figures).toBeLessThan(4 * MiB);
    expect(r.held.vmSizeMiB, figures).toBeLessThan(8 * MiB);
  }, 130_000);

  it(`${HELD} closed native reactors still referenced hold no arena (the native close lets it go)`, async () => {
    const r = await run();
    const figures = JSON.stringify(r.heldNative);
    expect(r.heldNativeCount).toBe(HELD);
    expect(r.heldNative.leakedFds, figures).toEqual([]);
    expect(r.heldNative.arrayBuffersMiB, figures).toBeLessThan(4 * MiB);
    expect(r.heldNative.externalMiB, figures).toBeLessThan(4 * MiB);
    expect(r.heldNative.vmSizeMiB, figures).toBeLessThan(8 * MiB);
  }, 130_000);
});

// Child processes' pipes and exit watchers are the reactor's own (unlike raw descriptors): a
// reactor collected unclosed must close its children's pipes and hand their exit watchers to
// the orphan reaper, which reaps each child once it exits. test/fixtures/abandoned-process.js
// spawns cat and sleep on reactors of every variant that are then dropped, never closed, and
// kills the children after the collection.
describe('collection of a reactor with child processes', () => {
  it('an unclosed reactor running children is collected; its pipes are closed, its children reaped once killed', async () => {
    const outcome = await runNodeScript(path.join(__dirname, '..', 'fixtures', 'abandoned-process.js'), {
      nodeArgs: ['--expose-gc'],
      env: { IOREACTOR_ABANDON_MODE: 'collect' },
      timeoutMs: 60_000,
    });
    const why = `child stderr:\n${tail(outcome.stderr)}`;
    expect({ code: outcome.code, signal: outcome.signal }, why).toEqual({ code: 0, signal: null });
    const r = outcome.result as { reactors: number; finalized: number; leakedFds: string[]; zombies: number[] };
    expect(r.reactors).toBeGreaterThan(0);
    expect(r.finalized, JSON.stringify(r)).toBe(r.reactors);
    expect(r.leakedFds, JSON.stringify(r)).toEqual([]);
    expect(r.zombies, JSON.stringify(r)).toEqual([]);
  }, 70_000);
});
