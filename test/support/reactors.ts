// The backend x trigger matrix every conformance suite runs over, and a bounded way to run a
// reactor inside a test.
import { closeSync } from 'node:fs';
import { failureFor, recordLogged, watchUnexpected } from './logged';
import { availableBackends, backendSupports, Reactor, ReactorNotRunning, type Backend, type Logger, type ReactorOptions, type Trigger } from '../../src/index';

export interface Variant {
  name: string;
  backend: Backend;
  trigger: Trigger;
}

const TRIGGERS: Trigger[] = ['level', 'edge', 'oneshot'];

/** Every available backend with every trigger mode it supports: epoll x 3 and poll-level here. */
export const ALL_VARIANTS: readonly Variant[] = availableBackends().flatMap((backend) =>
  TRIGGERS.filter((trigger) => backendSupports(backend, trigger)).map((trigger) => ({ name: `${backend}-${trigger}`, backend, trigger })),
);

/**
 * The variants `spec` names, for IOREACTOR_VARIANTS: a comma-separated list of variant names
 * ("epoll-edge", "poll-level,epoll-oneshot"), kept in matrix order. Unset or blank selects every
 * variant. A name that is not in `all` throws, listing the valid ones, so a typo cannot quietly
 * run nothing.
 */
export function selectVariants(all: readonly Variant[], spec: string | undefined, source = 'IOREACTOR_VARIANTS'): Variant[] {
  if (spec === undefined || spec.trim() === '') return all.slice();
  const wanted = spec
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const valid = all.map((v) => v.name);
  const unknown = wanted.filter((name) => !valid.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `${source}: unknown variant${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => JSON.stringify(n)).join(', ')}; valid here: ${valid.join(', ')}`,
    );
  }
  if (wanted.length === 0) throw new Error(`${source} names no variant; valid here: ${valid.join(', ')}`);
  return all.filter((v) => wanted.includes(v.name));
}

/**
 * The matrix the suites run over: ALL_VARIANTS, or only those IOREACTOR_VARIANTS names
 * (`IOREACTOR_VARIANTS=epoll-edge npx vitest run test/transport`).
 */
export const VARIANTS: Variant[] = selectVariants(ALL_VARIANTS, process.env.IOREACTOR_VARIANTS);

/**
 * A logger that keeps what it is told, for assertions. Every entry also goes to the shared
 * record of test/support/logged.ts, so an error the test did not declare with `expectLogged`
 * fails it: keeping the entries here is not enough to make them expected.
 */
export class RecordingLogger implements Logger {
  readonly errors: { message: string; error: unknown }[] = [];
  constructor(readonly name = 'RecordingLogger') {}
  error(message: string, error?: unknown): void {
    this.errors.push({ message, error });
    recordLogged(this.name, message, error);
  }
}

/**
 * Runs `body` once `reactor` is running and resolves when the test calls `done()`, or rejects
 * when it calls `fail()`, or after `timeoutSeconds`. The reactor is closed in every case.
 */
export async function runReactor(reactor: Reactor, body: (done: () => void, fail: (err: unknown) => void) => void, timeoutSeconds = 10): Promise<void> {
  let failure: unknown;
  let stopRequested = false;
  const finish = (err?: unknown): void => {
    if (err !== undefined && failure === undefined) failure = err;
    // Never throws: finish can run inside a logger call, and an exception from there would go
    // back into the reactor (and be logged again).
    if (stopRequested || !reactor.running) return;
    stopRequested = true;
    try {
      reactor.stop();
    } catch (stopError) {
      // ReactorNotRunning: the test stopped it itself. Anything else is a failure of its own.
      if (!(stopError instanceof ReactorNotRunning) && failure === undefined) failure = stopError;
    }
  };
  const guard = reactor.callLater(timeoutSeconds, () => finish(new Error(`test did not finish within ${timeoutSeconds}s`)));
  // An error a callback threw and a logger caught ends the run at once, with that error.
  const unwatch = watchUnexpected((entry) => finish(failureFor(entry)));
  reactor.callWhenRunning(() => {
    try {
      body(() => finish(), finish);
    } catch (err) {
      finish(err);
    }
  });
  try {
    await reactor.run();
  } finally {
    unwatch();
    if (guard.active()) guard.cancel();
    reactor.close();
  }
  if (failure !== undefined) throw failure;
}

/**
 * Calls `then` once `ready()` holds, asking every 5 ms on `reactor`'s clock: for a test that must
 * wait for the other side (a server's connectionLost after the client's) where a fixed delay
 * races a loaded machine. Bounded: after `seconds` it calls `then` anyway, and the test's own
 * assertions report the state that never came.
 */
export function waitUntil(reactor: Reactor, ready: () => boolean, then: () => void, seconds = 10): void {
  const deadline = reactor.seconds() + seconds;
  const poll = (): void => {
    if (ready() || reactor.seconds() >= deadline) then();
    else reactor.callLater(0.005, poll);
  };
  poll();
}

export function newReactor(variant: Variant, options: ReactorOptions = {}): Reactor {
  return new Reactor({ backend: variant.backend, trigger: variant.trigger, ...options });
}

/** Closes descriptors a test opened, ignoring ones already closed. */
export function closeAll(fds: number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      // already closed by the test
    }
  }
}
