// Trace helpers shared by the ioreactor side of the differential scenarios. fmt() mirrors the
// Python fmt() in twisted_trace.py: both must render the same value to the same string.
// Imported from the modules rather than src/index, so that the differential check does not
// need the native addon.
import { Deferred, Failure } from '../../src/defer';
import { FirstError } from '../../src/defer/errors';
import { LoopingCall } from '../../src/task';

/** The scenarios' own error: its message is part of the trace. */
export class Boom extends Error {
  override get name(): string {
    return 'Boom';
  }
}

/** Stands in for an error class that does not match (Python's KeyError in the twin). */
export class Other extends Error {}

export function fmtExc(e: unknown): string {
  if (e instanceof Boom) return `Boom:${e.message}`;
  if (e instanceof FirstError) return `FirstError(${e.index}, ${fmt(e.subFailure)})`;
  if (e instanceof Error) return e.name;
  return typeof e;
}

/** A language-neutral rendering of a value; mirrors fmt() in twisted_trace.py. */
export function fmt(v: unknown): string {
  if (v === undefined || v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return '[' + v.map(fmt).join(', ') + ']';
  if (v instanceof Failure) return `Failure(${fmtExc(v.value)})`;
  if (v instanceof Error) return fmtExc(v);
  if (v instanceof Deferred) return 'Deferred';
  if (v instanceof LoopingCall) return 'LoopingCall';
  return (v as object).constructor?.name ?? typeof v;
}

export type Trace = string[];

/** A callback/errback that records what it sees and passes it on. */
export function tracer(t: Trace, label: string) {
  return <R>(r: R): R => {
    t.push(`${label} ${fmt(r)}`);
    return r;
  };
}

/** An errback/both that records what it sees and swallows it (returns undefined). */
export function catcher(t: Trace, label: string) {
  return (r: unknown): undefined => {
    t.push(`${label} ${fmt(r)}`);
    return undefined;
  };
}

/** Calls f(...args), recording 'label ok' or 'label raised <Error>'. */
export function attempt<A extends unknown[]>(t: Trace, label: string, f: (...args: A) => unknown, ...args: A): void {
  try {
    f(...args);
    t.push(`${label} ok`);
  } catch (e) {
    t.push(`${label} raised ${fmtExc(e)}`);
  }
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** One scenario: appends its events to the trace. */
export type Scenario = (t: Trace) => void;

/** Every scenario of the ioreactor side, by name (filled in by the scenarios-*.ts modules). */
export const SCENARIOS: Record<string, Scenario> = {};

/** Registers a scenario; names must be unique and match the Python twin. */
export function scenario(name: string, f: Scenario): void {
  if (name in SCENARIOS) throw new Error(`duplicate scenario ${name}`);
  SCENARIOS[name] = f;
}
