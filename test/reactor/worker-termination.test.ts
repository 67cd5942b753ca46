// The lifecycle contract's worker clause: "A worker thread can be terminated at any instant,
// even inside a batch: the process never aborts, and every descriptor is closed by the
// environment's cleanup hook."
//
// test/fixtures/worker-termination.js runs in a child process (so an abort is an exit signal
// here, not the end of vitest): an ioreactor echo server in a worker thread, node:net clients
// churning connections through it from the child's main thread, and worker.terminate() while
// the worker is inside dataReceived, round after round. Counts come from the environment:
// IOREACTOR_TERMINATIONS (50), IOREACTOR_TERMINATION_CONNECTIONS (10000), see the fixture.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNodeScript, tail } from '../support/child-run';

const script = path.join(__dirname, '..', 'fixtures', 'worker-termination.js');
const ROUNDS = Number(process.env.IOREACTOR_TERMINATIONS || 50);
const TOTAL = Number(process.env.IOREACTOR_TERMINATION_CONNECTIONS || 10000);

interface Round {
  round: number;
  variant: string;
  exitCode: number;
  askedInsideBatch: boolean;
  cutInBatch: boolean;
  completed: number;
  mismatched: number;
  cut: number;
  earlyErrors: string[];
  earlyErrorCount: number;
  hung: number;
  fdCount: number;
  leakedFds: string[];
  workerErrors: string[];
}

describe('worker termination under traffic', () => {
  it(`terminating an echo worker ${ROUNDS} times mid-batch never aborts and leaves no descriptor`, async () => {
    const outcome = await runNodeScript(script, {
      env: { IOREACTOR_TERMINATIONS: String(ROUNDS), IOREACTOR_TERMINATION_CONNECTIONS: String(TOTAL) },
      timeoutMs: 170_000,
    });
    const why = `child stderr:\n${tail(outcome.stderr)}`;
    expect(outcome.stderr, why).not.toMatch(/FATAL ERROR|Aborted|Segmentation/);
    expect({ code: outcome.code, signal: outcome.signal }, why).toEqual({ code: 0, signal: null });
    expect(outcome.result, why).toBeDefined();
    const result = outcome.result as { seed: number; rounds: Round[]; baselineFdCount: number; totalCompleted: number; cutInBatch: number };
    const seed = `seed ${result.seed} (IOREACTOR_TERMINATION_SEED replays it)`;
    expect(result.rounds, seed).toHaveLength(ROUNDS);
    for (const r of result.rounds) {
      const label = `round ${r.round} (${r.variant}), ${seed}`;
      // terminate() ended the worker: exit code 1, as Node reports a terminated worker.
      expect(r.exitCode, label).toBe(1);
      expect(r.workerErrors, label).toEqual([]);
      // The server echoed every byte it was given until then, and refused nobody early.
      expect(r.mismatched, label).toBe(0);
      expect(r.earlyErrors, label).toEqual([]);
      // Every client connection it held was closed by its teardown (none left waiting)...
      expect(r.hung, `${label}: client connections the terminated server never closed`).toBe(0);
      // ...and this process is back to the descriptors it had before the round.
      expect(r.leakedFds, `${label}: descriptors left open`).toEqual([]);
      expect(r.fdCount, label).toBe(result.baselineFdCount);
    }
    expect(result.totalCompleted).toBeGreaterThanOrEqual(TOTAL);
    // The scenario is the one the contract names: most terminations must have cut the worker
    // inside dataReceived (the flag it raises there was still up after it exited).
    expect(result.cutInBatch, `${result.cutInBatch}/${ROUNDS} terminations landed inside a batch; ${seed}`).toBeGreaterThanOrEqual(Math.ceil(ROUNDS / 2));
  }, 180_000);
});

// A terminated worker's reactor closes its children's pipes too (they are the reactor's own,
// unlike raw descriptors) and hands their exit watchers to the orphan reaper, which reaps the
// children once they exit. test/fixtures/abandoned-process.js runs cat and sleep on a reactor in
// a worker per variant, terminates it once cat has echoed a line, then kills the children.
describe('worker termination with child processes', () => {
  it('terminating a worker whose reactor runs children leaves none of their descriptors open and no zombie', async () => {
    const outcome = await runNodeScript(path.join(__dirname, '..', 'fixtures', 'abandoned-process.js'), {
      env: { IOREACTOR_ABANDON_MODE: 'worker' },
      timeoutMs: 60_000,
    });
    const why = `child stderr:\n${tail(outcome.stderr)}`;
    expect(outcome.stderr, why).not.toMatch(/FATAL ERROR|Aborted|Segmentation/);
    expect({ code: outcome.code, signal: outcome.signal }, why).toEqual({ code: 0, signal: null });
    const r = outcome.result as { rounds: { variant: string; exitCode: number; errors: string[]; leakedFds: string[]; zombies: number[] }[] };
    expect(r.rounds.length).toBeGreaterThan(0);
    for (const round of r.rounds) {
      expect(round.exitCode, round.variant).toBe(1);
      expect(round.errors, round.variant).toEqual([]);
      expect(round.leakedFds, `${round.variant}: descriptors left open`).toEqual([]);
      expect(round.zombies, `${round.variant}: children left zombies`).toEqual([]);
    }
  }, 70_000);
});
