// Runs a node script in a child process and reports how it ended: an abort in the child (a
// fatal N-API error, a crash) shows up here as a signal or exit code instead of killing vitest.
import { spawn } from 'node:child_process';

export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The JSON after "RESULT " on stdout, if the script printed one. */
  result: Record<string, unknown> | undefined;
}

export function runNodeScript(script: string, options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${options.timeoutMs} ms; stderr:\n${stderr.slice(-4000)}`));
    }, options.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      resolve({ code, signal, stdout, stderr, result: line === undefined ? undefined : JSON.parse(line.slice('RESULT '.length)) });
    });
  });
}

/** The tail of a child's stderr, for assertion messages. */
export function tail(text: string, chars = 3000): string {
  return text.length > chars ? `...${text.slice(-chars)}` : text;
}
