// What stopping and closing a reactor does to the children it watches: no descriptor is left
// behind, an exited child is reaped, a running one is left running (as Twisted leaves it).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeDescriptor, openPipe, ProcessExitedAlready, ProcessProtocol } from '../../src/index';
import { fdSet, fdTarget, isOpen } from '../fixtures/open-descriptors';
import { newReactor, runReactor, VARIANTS, waitUntil } from '../support/reactors';
import { RecordingProcess } from './process-recorder';

const HAS_PROC = existsSync('/proc/self/stat');

/** The state letter of /proc/<pid>/stat ('Z' for a zombie), or undefined once it is gone. */
function procState(pid: number): string | undefined {
  try {
    return /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.each(VARIANTS)('child processes and the reactor lifecycle on $name', (variant) => {
  it('close() reaps a child that has exited but was not yet seen, and leaves no descriptor', async () => {
    if (!HAS_PROC) return; // needs /proc to see the zombie state
    const reactor = newReactor(variant);
    const p = new RecordingProcess(() => undefined);
    const transport = reactor.spawnProcess(p, '/bin/sh', ['sh', '-c', 'exit 0']);
    const pid = transport.pid!;
    // The reactor never runs: the child exits and waits as a zombie for its status to be taken.
    const deadline = Date.now() + 10_000;
    while (procState(pid) !== 'Z' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(procState(pid)).toBe('Z');
    reactor.close();
    expect(procState(pid)).toBeUndefined();
    expect(p.events).toEqual(['made']); // the protocol is not told
    expect(transport.status).toEqual({ exitCode: 0, signal: null });
    expect(transport.pid).toBeNull();
  });

  it('close() leaves a running child running, unwatched, with none of its descriptors open here', async () => {
    const reactor = newReactor(variant);
    const p = new RecordingProcess(() => undefined);
    const transport = reactor.spawnProcess(p, 'sleep', ['sleep', '30']);
    const pid = transport.pid!;
    reactor.close();
    expect(alive(pid)).toBe(true);
    expect(p.events).toEqual(['made']);
    // Still signallable through its transport; reaped once it exits.
    transport.signalProcess('KILL');
  });

  it('a child left running by close() is reaped once it exits, never left a zombie', async () => {
    if (!HAS_PROC) return; // needs /proc to see the zombie state
    const reactor = newReactor(variant);
    const p = new RecordingProcess(() => undefined);
    const transport = reactor.spawnProcess(p, 'sleep', ['sleep', '0.3']);
    const pid = transport.pid!;
    reactor.close();
    expect(alive(pid)).toBe(true); // left running, as Twisted does
    // It exits after 0.3 s; how soon it is reaped after that depends on the machine's load.
    const deadline = Date.now() + 10_000;
    while (procState(pid) !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(procState(pid)).toBeUndefined(); // exited and reaped: neither running nor a zombie
    expect(p.events).toEqual(['made']); // the protocol is not told
    expect(() => transport.signalProcess('TERM')).toThrow(ProcessExitedAlready); // its pid is not ours any more
  });

  it('stopping the reactor closes the pipes (childConnectionLost) and stops watching, without processEnded', async () => {
    const reactor = newReactor(variant);
    const p = new RecordingProcess(() => undefined);
    await runReactor(reactor, (done) => {
      reactor.spawnProcess(p, 'sleep', ['sleep', '30']);
      waitUntil(reactor, () => p.events.includes('made'), done);
    });
    expect(p.events).toEqual(expect.arrayContaining(['made', 'lost 0', 'lost 1', 'lost 2']));
    expect(p.events).not.toContain('ended');
    expect(p.transport.pid).toBeGreaterThan(0);
    p.transport.signalProcess('KILL');
  });

  // The core closes a child's descriptors itself only if it closes while they are registered
  // (a collected reactor, a terminated worker): ones the process code already removed and
  // closed must never be closed again, since their numbers may belong to someone else by then.
  it("close() after processEnded leaves descriptors opened since (on the pipes' old numbers) open", async () => {
    const reactor = newReactor(variant);
    const before = fdSet();
    const payload = Buffer.alloc(1 << 20, 0x61); // more than a pipe takes: stdin waits for write interest
    let childFds: number[] = [];
    let spares: number[] = [];
    let targets: (string | undefined)[] = [];
    const p = new RecordingProcess(() => {
      // The child's pipes and exit watcher are closed now: their numbers are free, and the
      // spares opened here are likely to take them.
      spares = [...openPipe(), ...openPipe(), ...openPipe()];
      targets = spares.map(fdTarget);
    });
    await runReactor(reactor, (done) => {
      reactor.spawnProcess(p, 'cat', ['cat']);
      childFds = [...fdSet()].filter((fd) => !before.has(fd));
      p.transport.write(payload);
      p.transport.closeStdin();
      waitUntil(reactor, () => spares.length > 0, done);
    });
    expect(p.bytes(1).equals(payload)).toBe(true);
    expect(p.events).toContain('ended');
    try {
      expect(spares.filter((fd) => childFds.includes(fd)).length).toBeGreaterThan(0);
      // runReactor closed the reactor: the spares are still open and still what they were.
      for (const fd of spares) expect(isOpen(fd), `descriptor ${fd}`).toBe(true);
      expect(spares.map(fdTarget)).toEqual(targets);
    } finally {
      for (const fd of spares) closeDescriptor(fd);
    }
  });

  it('runs many children at once, each to its own processEnded', async () => {
    const reactor = newReactor(variant);
    const outputs = new Map<number, string>();
    await runReactor(reactor, (done) => {
      let ended = 0;
      for (let i = 0; i < 20; i++) {
        const p = new RecordingProcess((self) => {
          outputs.set(i, self.text(1));
          if (++ended === 20) done();
        });
        reactor.spawnProcess(p, '/bin/sh', ['sh', '-c', `echo child-${i}`]);
      }
    });
    expect([...outputs.keys()].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    for (const [i, text] of outputs) expect(text).toBe(`child-${i}\n`);
  });

  it('a ProcessProtocol without overrides runs a child to its end', async () => {
    const reactor = newReactor(variant);
    await runReactor(reactor, (done) => {
      const p = new ProcessProtocol();
      p.processEnded = () => done();
      reactor.spawnProcess(p, '/bin/sh', ['sh', '-c', 'echo out; echo err >&2']);
    });
  });
});
