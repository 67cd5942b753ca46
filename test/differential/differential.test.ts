// Differential check against real Twisted: every scenario of twisted_*.py (run once,
// by one Python process) is replayed by its ioreactor twin, and the two traces must be equal.
//
// Without a Python that has Twisted the suite is skipped, with the reason printed, unless
// IOREACTOR_REQUIRE_TWISTED=1 (CI), in which case it fails.
import { describe, expect, it } from 'vitest';
import { SCENARIOS } from './scenarios';
import { fmtExc } from './trace';
import { runTwistedScenarios } from './twisted';

const run = runTwistedScenarios();
const required = process.env.IOREACTOR_REQUIRE_TWISTED === '1';

if (!run.ok && run.missing && !required) {
  console.warn(`[differential] skipped: ${run.reason}`);
}

describe.skipIf(!run.ok && run.missing && !required)('differential: ioreactor vs Twisted', () => {
  if (!run.ok) {
    it('runs the Twisted side', () => {
      expect.fail(`${required && run.missing ? 'IOREACTOR_REQUIRE_TWISTED=1 but ' : ''}${run.reason}`);
    });
    return;
  }
  const twisted = run.traces;

  it('both sides define the same scenarios (at least 25)', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual(Object.keys(twisted).sort());
    expect(Object.keys(twisted).length).toBeGreaterThanOrEqual(25);
  });

  for (const name of Object.keys(twisted)) {
    it.skipIf(!(name in SCENARIOS))(name, () => {
      const trace: string[] = [];
      try {
        SCENARIOS[name](trace);
      } catch (e) {
        trace.push(`EXCEPTION ${fmtExc(e)}`);
      }
      expect(trace).toEqual(twisted[name]);
    });
  }
});
