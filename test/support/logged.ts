// Errors that reach a logger fail the test that caused them.
//
// The reactor, AMP, the stateful string protocols and the Deferred machinery catch what user
// callbacks throw and hand it to a Logger instead of raising it. In a test that turns a failing
// `expect` inside `dataReceived` into a timeout, or into nothing at all. Here every such report is
// recorded: `consoleLogger` (the default of every Reactor, AMP and Deferred report) is redirected
// into the record while the tests run, and every `RecordingLogger` (test/support/reactors.ts)
// writes into it as well.
//
// An entry is either expected — the test declared it beforehand with `expectLogged(pattern)` —
// or it fails the test: at once, when a `runReactor` is running (the reactor stops and the test
// fails with the logged error itself, an assertion's message included), and otherwise in the
// `afterEach` below. An expectation that was not met by the end of the test fails it too.
//
// This module is loaded for every test file by test/support/no-leaks.ts (the setup file).
import { afterAll, afterEach } from 'vitest';
import { forceGarbageCollection } from '../../src/defer/unhandled';
import { consoleLogger, type Logger } from '../../src/log/logger';

export interface LoggedEntry {
  /** Which logger received it: 'consoleLogger' or a RecordingLogger's name. */
  readonly source: string;
  readonly message: string;
  readonly error: unknown;
  /** `[source] message` and the error's `name: message`: what patterns are matched against. */
  readonly text: string;
  /** Set once the entry has failed a test (so it is reported once). */
  reported: boolean;
}

export interface LoggedExpectation {
  readonly pattern: RegExp;
  /** Exactly this many matching entries, or any number (`undefined`). */
  readonly times: number | undefined;
  /** The entries this expectation consumed, in order, for further assertions. */
  readonly entries: LoggedEntry[];
  /** The errors of those entries. */
  readonly errors: unknown[];
}

const unexpected: LoggedEntry[] = [];
let expectations: LoggedExpectation[] = [];
const watchers = new Set<(entry: LoggedEntry) => void>();

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (error === undefined) return '';
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

/** Records one report; RecordingLogger and the redirected consoleLogger call this. */
export function recordLogged(source: string, message: string, error?: unknown): void {
  const text = `[${source}] ${message}${error === undefined ? '' : ` ${describeError(error)}`}`;
  const entry: LoggedEntry = { source, message, error, text, reported: false };
  for (const x of expectations) {
    if (x.pattern.test(text) && (x.times === undefined || x.entries.length < x.times)) {
      x.entries.push(entry);
      x.errors.push(error);
      return;
    }
  }
  unexpected.push(entry);
  for (const watch of watchers) watch(entry);
}

/**
 * Declares that the current test will make a logger report `times` errors matching `pattern`
 * (matched against `[source] message` followed by the error's `name: message`, source being
 * 'consoleLogger' or the RecordingLogger's name). Call it before the
 * code that logs. The returned handle collects the matching entries for further assertions.
 * Fewer or more matches than `times` fail the test.
 */
export function expectLogged(pattern: RegExp, times = 1): LoggedExpectation {
  const x: LoggedExpectation = { pattern, times, entries: [], errors: [] };
  expectations.push(x);
  return x;
}

/**
 * Like {@link expectLogged}, for reports whose number the test cannot fix (zero included): a
 * race the test provokes on purpose. Prefer `expectLogged` wherever the count is known.
 */
export function allowLogged(pattern: RegExp): LoggedExpectation {
  const x: LoggedExpectation = { pattern, times: undefined, entries: [], errors: [] };
  expectations.push(x);
  return x;
}

/** Calls `watch` with every unexpected entry until the returned function is called. */
export function watchUnexpected(watch: (entry: LoggedEntry) => void): () => void {
  watchers.add(watch);
  return () => watchers.delete(watch);
}

/** The error a test fails with for `entry`: the logged error itself when it is an Error. */
export function failureFor(entry: LoggedEntry): unknown {
  entry.reported = true;
  if (entry.error instanceof Error) return entry.error;
  return new Error(`logged and not expected: ${entry.text}`);
}

/** Entries not matched by an expectation and not yet reported, then forgets everything. */
function takeProblems(): string[] {
  const problems: string[] = [];
  for (const e of unexpected) {
    if (!e.reported) problems.push(`logged and not expected: ${e.text}`);
  }
  for (const x of expectations) {
    if (x.times !== undefined && x.entries.length !== x.times) {
      problems.push(`expected ${x.times} logged error(s) matching ${String(x.pattern)}, got ${x.entries.length}`);
    }
  }
  unexpected.length = 0;
  expectations = [];
  return problems;
}

function check(): void {
  const firstError = unexpected.find((e) => !e.reported)?.error;
  const problems = takeProblems();
  if (problems.length > 0) {
    throw new Error(`logged errors the test did not declare, or declared and missing:\n  ${problems.join('\n  ')}`, { cause: firstError });
  }
}

// A Deferred whose chain ends in a Failure nobody handled (an `expect` that failed inside
// `addCallback`, say) is reported through consoleLogger when it is collected. Collecting after
// each test attributes the report to the test that dropped it.
async function collectThenCheck(): Promise<void> {
  forceGarbageCollection();
  // FinalizationRegistry callbacks run in a task of their own after the collection.
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  check();
}

afterEach(collectThenCheck);
afterAll(collectThenCheck);

const printToConsole = consoleLogger.error;

/** consoleLogger as shipped (console.error), for the test of consoleLogger itself. */
export function withRealConsoleLogger<T>(body: () => T): T {
  (consoleLogger as { error: Logger['error'] }).error = printToConsole;
  try {
    return body();
  } finally {
    (consoleLogger as { error: Logger['error'] }).error = redirected;
  }
}

const redirected: Logger['error'] = (message, error) => recordLogged('consoleLogger', message, error);
(consoleLogger as { error: Logger['error'] }).error = redirected;
