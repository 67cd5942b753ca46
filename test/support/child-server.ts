// Runs test/fixtures/echo-child.js (an ioreactor echo server in its own process) and talks to it.
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { recordLogged } from './logged';
import type { Variant } from './reactors';
import { socketPath, type FamilyName } from './streams';

export interface ChildServer {
  child: ChildProcess;
  /** The TCP port, or the UNIX path. */
  address: number | string;
  messages: Record<string, unknown>[];
  request(cmd: string, reply: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startChildServer(variant: Variant, family: FamilyName): Promise<ChildServer> {
  const script = path.join(__dirname, '..', 'fixtures', 'echo-child.js');
  // The child's argv: backend, trigger, family and, for UNIX, the socket path.
  const args: string[] = [variant.backend, variant.trigger, family];
  if (family === 'UNIX') args.push(socketPath());
  const child = fork(script, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  // The child's logger writes what it cannot report over IPC to stderr: into the shared record
  // (test/support/logged.ts), where it fails the test unless the test declared it.
  child.stderr!.on('data', (d: Buffer) => recordLogged('echo-child', d.toString().trimEnd()));
  const messages: Record<string, unknown>[] = [];
  const waiters: { key: string; resolve: (m: Record<string, unknown>) => void }[] = [];
  child.on('message', (m: Record<string, unknown>) => {
    messages.push(m);
    const i = waiters.findIndex((w) => w.key in m);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(m);
  });
  const address = await new Promise<number | string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child server did not start')), 15_000);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(family === 'UNIX' ? m[1] : Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child server exited with ${code}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    address,
    messages,
    request(cmd, reply) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${reply} from child`)), 15_000);
        waiters.push({ key: reply, resolve: (m) => (clearTimeout(timer), resolve(m)) });
        child.send({ cmd });
      });
    },
    async stop() {
      if (child.exitCode === null) {
        child.send({ cmd: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
