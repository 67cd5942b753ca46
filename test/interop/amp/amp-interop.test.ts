// AMP against real Twisted: the scenario of twisted_amp.py (every argument type, declared,
// fatal, undeclared and UNHANDLED errors, 65 535-byte values and 255-byte keys, 1000 concurrent
// calls, requiresAnswer=false) is run by a Twisted client against a Twisted server (the
// reference trace), by an ioreactor client against a Twisted server, by a Twisted client
// against an ioreactor server, and by ioreactor against itself; every trace must equal the
// reference.
//
// Python is found as the differential suite finds it (test/differential/twisted.ts): without a
// Python that has Twisted the suite is skipped with the reason, unless IOREACTOR_REQUIRE_TWISTED=1.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Factory, IPv4Address, type Port } from '../../../src/index';
import { runTwistedScenarios } from '../../differential/twisted';
import { expectLogged } from '../../support/logged';
import { newReactor, RecordingLogger, runReactor, VARIANTS } from '../../support/reactors';
import { InteropServer, scenario } from './scenario';

const SCRIPT = join(__dirname, 'twisted_amp.py');
const required = process.env.IOREACTOR_REQUIRE_TWISTED === '1';
const probe = runTwistedScenarios();
const python = probe.ok ? probe.python : undefined;
const skip = python === undefined && !(probe.ok === false && !probe.missing) && !required;
if (skip && !probe.ok) console.warn(`[amp interop] skipped: ${probe.reason}`);

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** The port number of a port listening on 127.0.0.1 (so its host is an IPv4Address). */
function ipv4PortNumber(port: Port): number {
  const host = port.getHost();
  if (!(host instanceof IPv4Address)) throw new Error(`expected an IPv4 port, got ${host}`);
  return host.port;
}

/** Runs the script with `args` without blocking the loop (the reactor serves meanwhile). */
function runPython(args: string[], onStdout?: (text: string) => void): { done: Promise<Run>; closeStdin: () => void } {
  const child = spawn(python!, [SCRIPT, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    onStdout?.(stdout);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    }),
  );
  return { done, closeStdin: () => child.stdin.end() };
}

function parseTrace(run: Run, what: string): string[] {
  expect(run.code, `${what} exited with ${run.code}:\n${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout) as string[];
}

describe.skipIf(skip)('AMP interop with Twisted', () => {
  if (python === undefined) {
    it('finds a Python with Twisted', () => {
      expect.fail(`${required ? 'IOREACTOR_REQUIRE_TWISTED=1 but ' : ''}${probe.ok ? '' : probe.reason}`);
    });
    return;
  }

  const gold = spawnSync(python, [SCRIPT, 'selftest'], { encoding: 'utf8', timeout: 15_000 });
  const reference = (): string[] => parseTrace({ stdout: gold.stdout, stderr: gold.stderr, code: gold.status }, 'the Twisted self-test');

  it('the reference trace (Twisted against Twisted) covers the scenario', () => {
    const trace = reference();
    expect(trace.length).toBe(19);
    expect(trace[3]).toContain('-00:00');
    expect(trace).toContain("Missing error UnhandledCommand Unhandled Command: b'Missing'");
    expect(trace).toContain('Concurrent 1000 in order');
    expect(trace).toContain('Blob 65535 reversed');
  });

  describe.each(VARIANTS)('$name', (variant) => {
    it('ioreactor client, Twisted server', async () => {
      const reactor = newReactor(variant);
      let trace: string[] = [];
      let server!: ReturnType<typeof runPython>;
      await runReactor(
        reactor,
        (done, fail) => {
          let started = false;
          server = runPython(['server'], (out) => {
            const m = /PORT (\d+)/.exec(out);
            if (m === null || started) return;
            started = true;
            scenario(reactor, Number(m[1]))
              .then((t) => (trace = t))
              .then(done, fail);
          });
          server.done.then((r) => started || fail(new Error(`the Twisted server exited early (${r.code}):\n${r.stderr}`)));
        },
        18,
      );
      server.closeStdin();
      const r = await server.done;
      expect(r.code, r.stderr).toBe(0);
      expect(trace).toEqual(reference());
    });

    it('Twisted client, ioreactor server', async () => {
      const reactor = newReactor(variant);
      const logger = new RecordingLogger();
      const undeclared = expectLogged(/^\[RecordingLogger\] Unhandled error in the AMP responder to Explode: Error: not declared$/);
      let run!: Run;
      await runReactor(
        reactor,
        (done, fail) => {
          const port = reactor.listenTCP(
            0,
            new (class extends Factory<InteropServer> {
              override buildProtocol(): InteropServer {
                return new InteropServer({ logger });
              }
            })(),
            { interface: '127.0.0.1' },
          );
          runPython(['client', String(ipv4PortNumber(port))])
            .done.then((r) => {
              run = r;
              return port.stopListening();
            })
            .then(done, fail);
        },
        18,
      );
      expect(parseTrace(run, 'the Twisted client')).toEqual(reference());
      // The undeclared error is logged on the responding side, as Twisted's log.err does.
      expect(logger.errors.map((e) => String(e.error))).toEqual(['Error: not declared']);
      expect(undeclared.entries).toHaveLength(1);
    });
  });

  it('ioreactor client, ioreactor server', async () => {
    const reactor = newReactor(VARIANTS[0]);
    let trace: string[] = [];
    // The responder side logs the undeclared error, as with a Twisted client.
    expectLogged(/^\[RecordingLogger\] Unhandled error in the AMP responder to Explode: Error: not declared$/);
    await runReactor(reactor, (done, fail) => {
      const port = reactor.listenTCP(
        0,
        new (class extends Factory<InteropServer> {
          override buildProtocol(): InteropServer {
            return new InteropServer({ logger: new RecordingLogger() });
          }
        })(),
        { interface: '127.0.0.1' },
      );
      scenario(reactor, ipv4PortNumber(port))
        .then((t) => (trace = t))
        .then(() => port.stopListening())
        .then(done, fail);
    });
    expect(trace).toEqual(reference());
  });
});
