// examples/amp-mapreduce runs as documented: the coordinator starts its AMP workers, gets the
// right word counts back, and leaves no worker process behind.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..');
const COORDINATOR = join(ROOT, 'examples', 'amp-mapreduce', 'coordinator.js');
const dir = mkdtempSync(join(tmpdir(), 'ioreactor-mapreduce-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [COORDINATOR, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Counts words independently of the example's own code. */
function expectedCounts(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const w of text.toLowerCase().split(/[^\p{L}\p{N}']+/u)) if (w !== '') counts[w] = (counts[w] ?? 0) + 1;
  return counts;
}

describe('examples/amp-mapreduce', () => {
  it('counts the words of a generated text across 3 workers and leaves none running', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `Word${i % 37} common ÉTÉ line-${i % 5}`);
    const text = lines.join('\n');
    const file = join(dir, 'text.txt');
    writeFileSync(file, text);
    const r = await run(['--workers', '3', '--json', file]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { workers: number; pids: number[]; total: number; counts: Record<string, number> };
    expect(out.workers).toBe(3);
    expect(out.counts).toEqual(expectedCounts(text));
    expect(out.counts.common).toBe(2000);
    expect(out.total).toBe(2000 * 5);
    expect(out.pids).toHaveLength(3);
    for (const pid of out.pids) expect(alive(pid), `worker ${pid} still running`).toBe(false);
  });

  it('runs as documented, with its sample text and a human-readable table', async () => {
    const r = await run([]);
    expect(r.code, r.stderr).toBe(0);
    const total = Object.values(expectedCounts(readFileSync(join(ROOT, 'examples', 'amp-mapreduce', 'sample.txt'), 'utf8'))).reduce((a, b) => a + b, 0);
    expect(r.stdout).toContain(`${total} words`);
    expect(r.stdout).toMatch(/over 4 workers/);
    expect(r.stdout).toMatch(/^\s+13\s+that$/m);
  });
});
