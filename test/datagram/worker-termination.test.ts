// The lifecycle contract's worker clause for datagram ports: a worker terminated while its
// reactor is delivering a datagram batch (inside datagramReceived, with echoes queued for the
// batch's sendmmsg) never aborts the process and leaves no descriptor: the environment's cleanup
// hook closes its UDP and UNIX datagram sockets. test/fixtures/datagram-termination.js runs it in
// a child process, every backend x trigger, IOREACTOR_DATAGRAM_TERMINATIONS rounds each (4).
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNodeScript, tail } from '../support/child-run';

const script = path.join(__dirname, '..', 'fixtures', 'datagram-termination.js');

describe('worker termination during datagram delivery', () => {
  it('terminating a datagram echo worker mid-batch never aborts and leaves no descriptor', async () => {
    const outcome = await runNodeScript(script, { timeoutMs: 110_000 });
    const why = `child stderr:\n${tail(outcome.stderr)}`;
    expect(outcome.stderr, why).not.toMatch(/FATAL ERROR|Aborted|Segmentation/);
    expect({ code: outcome.code, signal: outcome.signal }, why).toEqual({ code: 0, signal: null });
    const result = outcome.result as { rounds: number; cutInBatch: number; echoes: number; exitCodes: number[]; leaked: string[]; workerErrors: string[] };
    expect(result, why).toBeDefined();
    expect(result.rounds).toBeGreaterThan(0);
    // terminate() ended every worker: exit code 1, as Node reports a terminated worker.
    expect(result.exitCodes).toEqual(new Array<number>(result.rounds).fill(1));
    expect(result.workerErrors).toEqual([]);
    expect(result.leaked, 'descriptors left open after a round').toEqual([]);
    // The scenario is the one named: most terminations cut the worker inside datagramReceived.
    expect(result.cutInBatch, `${result.cutInBatch}/${result.rounds} terminations landed inside a batch`).toBeGreaterThanOrEqual(Math.ceil(result.rounds / 2));
  }, 120_000);
});
