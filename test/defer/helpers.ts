// Synchronous inspection of Deferreds, after Twisted's SynchronousTestCase helpers
// (successResultOf, failureResultOf, assertNoResult).
import { expect } from 'vitest';
import { Deferred } from '../../src/defer/deferred';
import { Failure, type ErrorType } from '../../src/defer/failure';

const NONE = Symbol('no result');

/** The current result of `d`, which must have succeeded. The result passes on unchanged. */
export function successResultOf<T>(d: Deferred<T>): T {
  let seen: unknown = NONE;
  d.addBoth((r) => {
    seen = r;
    return r;
  });
  if (seen === NONE) throw new Error(`successResultOf: ${d} has no result`);
  if (seen instanceof Failure) {
    // Consume it so it is not reported later.
    d.addErrback(() => undefined);
    throw new Error(`successResultOf: ${d} failed with ${seen.toString()}`);
  }
  return seen as T;
}

/**
 * The current Failure of `d`, which must have failed (with one of `types`, if given). Like
 * Twisted's failureResultOf, this consumes the failure: `d` continues with undefined.
 */
export function failureResultOf(d: Deferred<unknown>, ...types: ErrorType[]): Failure {
  let seen: unknown = NONE;
  d.addBoth((r) => {
    seen = r;
    return r instanceof Failure ? undefined : r;
  });
  if (seen === NONE) throw new Error(`failureResultOf: ${d} has no result`);
  if (!(seen instanceof Failure)) throw new Error(`failureResultOf: ${d} succeeded with ${String(seen)}`);
  if (types.length > 0 && seen.check(...types) === null) {
    throw new Error(`failureResultOf: ${seen.toString()} is none of ${types.map((t) => t.name).join(', ')}`);
  }
  return seen;
}

/** Asserts that `d` has no result yet (adds a link that records, but does not change, anything). */
export function assertNoResult(d: Deferred<unknown>): void {
  let seen: unknown = NONE;
  d.addBoth((r) => {
    seen = r;
    return r;
  });
  expect(seen === NONE, `${d} has a result`).toBe(true);
}

/** Calls `f` and returns what it throws (failing the test if it does not throw). */
export function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an exception');
}

export class GenericError extends Error {
  override get name(): string {
    return 'GenericError';
  }
}
