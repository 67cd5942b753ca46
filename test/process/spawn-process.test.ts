// reactor.spawnProcess on every backend x trigger: output, input, exit status, signals,
// environment, extra descriptors, and what a finished child leaves behind (nothing).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  ConnectionDone,
  ConnectionLost,
  ProcessDone,
  ProcessExitedAlready,
  ProcessTerminated,
  openPipe,
  type Reactor,
  type SpawnProcessOptions,
} from '../../src/index';
import { expectLogged } from '../support/logged';
import { closeAll, newReactor, runReactor, VARIANTS, type Variant } from '../support/reactors';
import { RecordingProcess } from './process-recorder';

const SH = '/bin/sh';

/** Runs one child to its processEnded on a fresh reactor and returns what its protocol saw. */
async function runChild(
  variant: Variant,
  args: string[],
  options?: SpawnProcessOptions,
  onMade?: (self: RecordingProcess, reactor: Reactor) => void,
  executable = args[0],
): Promise<RecordingProcess> {
  const reactor = newReactor(variant);
  let recorder: RecordingProcess | undefined;
  await runReactor(reactor, (done) => {
    recorder = new RecordingProcess(
      () => done(),
      (self) => onMade?.(self, reactor),
    );
    reactor.spawnProcess(recorder, executable, args, options);
  });
  return recorder!;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe.each(VARIANTS)('spawnProcess on $name', (variant) => {
  it('delivers stdout and stderr, then processExited and processEnded once each, with ProcessDone', async () => {
    const p = await runChild(variant, [SH, '-c', 'printf out; printf err >&2']);
    expect(p.text(1)).toBe('out');
    expect(p.text(2)).toBe('err');
    expect(p.events.filter((e) => e === 'exited')).toHaveLength(1);
    expect(p.events.filter((e) => e === 'ended')).toHaveLength(1);
    expect(p.events.at(-1)).toBe('ended');
    expect(p.events).toEqual(expect.arrayContaining(['made', 'lost 0', 'lost 1', 'lost 2']));
    expect(p.endedReason?.value).toBeInstanceOf(ProcessDone);
    expect(p.endedReason?.value).toBeInstanceOf(ConnectionDone);
    expect(p.exitedReason?.value).toBe(p.endedReason?.value);
    expect((p.endedReason?.value as ProcessDone).code).toBe('ERR_IOREACTOR_PROCESS_DONE');
  });

  it('round-trips stdin through cat, and closeStdin gives the child end of file', async () => {
    const p = await runChild(variant, ['cat'], undefined, (self) => {
      self.transport.write(Buffer.from('hello '));
      self.transport.writeSequence([Buffer.from('child'), new Uint8Array([10])]);
      self.transport.closeStdin();
      self.transport.write(Buffer.from('dropped: stdin is closing'));
    });
    expect(p.text(1)).toBe('hello child\n');
    expect(p.endedReason?.value).toBeInstanceOf(ProcessDone);
  });

  it('tells the child end of file only when closeStdin is called', async () => {
    const p = await runChild(variant, [SH, '-c', 'cat >/dev/null; echo saw-eof'], undefined, (self, reactor) => {
      self.transport.write(Buffer.from('some input'));
      reactor.callLater(0.05, () => {
        self.events.push('closing stdin');
        self.transport.closeStdin();
      });
    });
    expect(p.text(1)).toBe('saw-eof\n');
    expect(p.events.indexOf('closing stdin')).toBeLessThan(p.events.indexOf('exited'));
  });

  it('moves several megabytes through cat whole, in both directions', async () => {
    const input = randomBytes(6 * 1024 * 1024);
    const p = await runChild(variant, ['cat'], undefined, (self) => {
      self.transport.write(input);
      self.transport.closeStdin();
    });
    const output = p.bytes(1);
    expect(output.length).toBe(input.length);
    expect(sha256(output)).toBe(sha256(input));
  });

  it('reports a non-zero exit code as ProcessTerminated with exitCode', async () => {
    const p = await runChild(variant, [SH, '-c', 'exit 7']);
    const reason = p.endedReason?.value as ProcessTerminated;
    expect(reason).toBeInstanceOf(ProcessTerminated);
    expect(reason).toBeInstanceOf(ConnectionLost);
    expect(reason.code).toBe('ERR_IOREACTOR_PROCESS_TERMINATED');
    expect(reason.exitCode).toBe(7);
    expect(reason.signal).toBeNull();
  });

  it("signalProcess('KILL') ends the child with ProcessTerminated carrying the signal; later signals throw ProcessExitedAlready", async () => {
    let pid: number | null = null;
    const p = await runChild(variant, ['sleep', '30'], undefined, (self) => {
      pid = self.transport.pid;
      self.transport.signalProcess('KILL');
    });
    const reason = p.endedReason?.value as ProcessTerminated;
    expect(reason).toBeInstanceOf(ProcessTerminated);
    expect(reason.signal).toBe(9);
    expect(reason.exitCode).toBeNull();
    expect(typeof pid).toBe('number');
    expect(p.transport.pid).toBeNull();
    let thrown: unknown;
    try {
      p.transport.signalProcess('TERM');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ProcessExitedAlready);
    expect((thrown as ProcessExitedAlready).code).toBe('ERR_IOREACTOR_PROCESS_EXITED_ALREADY');
  });

  it('signals by number too (15: TERM)', async () => {
    const p = await runChild(variant, ['sleep', '30'], undefined, (self) => self.transport.signalProcess(15));
    expect((p.endedReason?.value as ProcessTerminated).signal).toBe(15);
  });

  it('gives the child the env and working directory asked for, and an empty environment by default (as Twisted)', async () => {
    const dir = realpathSync(tmpdir());
    const p = await runChild(variant, [SH, '-c', 'echo "$GREETING"; pwd'], { env: { GREETING: 'hi there' }, path: dir });
    expect(p.text(1)).toBe(`hi there\n${dir}\n`);
    const empty = await runChild(variant, ['env']);
    expect(empty.text(1)).toBe('');
    const inherited = await runChild(variant, ['env'], { env: null });
    expect(inherited.text(1)).toContain(`PATH=${process.env.PATH}`);
  });

  it('connects extra childFDs: one the parent reads (3) and one it writes (4)', async () => {
    const p = await runChild(variant, [SH, '-c', 'echo three >&3; cat <&4'], { childFDs: { 0: 'w', 1: 'r', 2: 'r', 3: 'r', 4: 'w' } }, (self) => {
      self.transport.writeToChild(4, Buffer.from('four'));
      self.transport.closeChildFD(4);
    });
    expect(p.text(3)).toBe('three\n');
    expect(p.text(1)).toBe('four');
    expect(p.events).toEqual(expect.arrayContaining(['lost 3', 'lost 4']));
  });

  it('hands an inherited descriptor of this process to the child under the number asked for', async () => {
    const [readEnd, writeEnd] = openPipe();
    try {
      const p = await runChild(variant, [SH, '-c', 'echo inherited >&3'], { childFDs: { 0: 'w', 1: 'r', 2: 'r', 3: writeEnd } });
      expect(p.endedReason?.value).toBeInstanceOf(ProcessDone);
      const got = Buffer.alloc(64);
      const n = readSync(readEnd, got);
      expect(got.subarray(0, n).toString()).toBe('inherited\n');
    } finally {
      closeAll([readEnd, writeEnd]);
    }
  });

  it('notices the child closing its stdin (inConnectionLost) without a write', async () => {
    const p = await runChild(variant, [SH, '-c', 'exec 0<&-; exec sleep 30'], undefined, (self) => {
      const lost = self.childConnectionLost.bind(self);
      self.childConnectionLost = (fd: number) => {
        lost(fd);
        if (fd === 0) self.transport.signalProcess('KILL');
      };
    });
    expect(p.events.indexOf('lost 0')).toBeLessThan(p.events.indexOf('exited'));
    expect((p.endedReason?.value as ProcessTerminated).signal).toBe(9);
  });

  it('gives the child default signal handling: closeStdout makes a writer die of SIGPIPE (Node itself ignores it)', async () => {
    const p = await runChild(variant, ['yes'], undefined, (self) => self.transport.closeStdout());
    expect((p.endedReason?.value as ProcessTerminated).signal).toBe(13);
    expect(p.events.indexOf('lost 1')).toBeLessThan(p.events.indexOf('exited'));
  });

  it('leaves no zombie: the child is reaped by processEnded', async () => {
    let pid = -1;
    await runChild(variant, [SH, '-c', 'exit 0'], undefined, (self) => {
      pid = self.transport.pid!;
    });
    expect(pid).toBeGreaterThan(0);
    if (existsSync('/proc/self')) expect(existsSync(`/proc/${pid}`)).toBe(false);
    let thrown: unknown;
    try {
      process.kill(pid, 0);
    } catch (err) {
      thrown = err;
    }
    expect((thrown as NodeJS.ErrnoException | undefined)?.code).toBe('ESRCH');
  });

  it('gives the child only the descriptors asked for', async () => {
    if (!existsSync('/proc/self/fd')) return; // listing another process's descriptors needs /proc
    // ls's own descriptors: 0, 1, 2 and the directory it reads (3).
    const p = await runChild(variant, ['ls', '/proc/self/fd'], { childFDs: { 0: 'w', 1: 'r', 2: 'r' } });
    expect(p.text(1).trim().split('\n').map(Number)).toEqual([0, 1, 2, 3]);
  });

  it('reports what the protocol throws and keeps the process going to processEnded', async () => {
    const logged = expectLogged(/Unhandled error in processExited of .*RecordingProcess.*boom/);
    const p = await runChild(variant, [SH, '-c', 'exit 0'], undefined, (self) => {
      self.processExited = () => {
        throw new Error('boom');
      };
    });
    expect(p.events.at(-1)).toBe('ended');
    expect(logged.entries).toHaveLength(1);
  });
});
