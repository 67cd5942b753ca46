// Runs the Twisted side of the differential scenarios (twisted_scenarios.py) and returns its
// traces, or says why it could not.
//
// Which Python: $IOREACTOR_PYTHON if set (and only that one), else the first of `python3`,
// `/usr/bin/python3` that can import Twisted. The scenario script itself is the probe: it exits
// with NO_TWISTED_EXIT when `import twisted` fails, so a machine where the first candidate has
// Twisted spawns Python exactly once.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Exit status twisted_scenarios.py uses when Twisted cannot be imported. */
const NO_TWISTED_EXIT = 3;

export const SCRIPT = join(__dirname, 'twisted_scenarios.py');

export type Traces = Record<string, string[]>;

export type TwistedRun =
  { ok: true; python: string; traces: Traces } | { ok: false; missing: true; reason: string } | { ok: false; missing: false; reason: string };

export function runTwistedScenarios(): TwistedRun {
  const explicit = process.env.IOREACTOR_PYTHON;
  const candidates = explicit ? [explicit] : ['python3', '/usr/bin/python3'];
  const tried: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, [SCRIPT], { encoding: 'utf8', timeout: 20_000, maxBuffer: 16 * 1024 * 1024 });
    if (r.error) {
      tried.push(`${python}: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`);
      continue;
    }
    if (r.status === NO_TWISTED_EXIT) {
      tried.push(`${python}: cannot import twisted`);
      continue;
    }
    if (r.status !== 0) {
      return {
        ok: false,
        missing: false,
        reason: `${python} ${SCRIPT} exited with status ${r.status ?? r.signal}:\n${r.stderr}`,
      };
    }
    try {
      return { ok: true, python, traces: JSON.parse(r.stdout) as Traces };
    } catch (e) {
      return { ok: false, missing: false, reason: `${python} printed output that is not JSON (${String(e)}):\n${r.stdout.slice(0, 2000)}` };
    }
  }
  return {
    ok: false,
    missing: true,
    reason:
      `no Python with Twisted found (${tried.join('; ')}). ` +
      'Install Twisted (e.g. apt-get install python3-twisted, or pip install twisted) or set IOREACTOR_PYTHON to a Python that has it.',
  };
}
