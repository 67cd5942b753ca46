// What a call throws, for tests that check an error's class and code without try/catch in each.
import { expect } from 'vitest';
import { EndpointStringError } from '../../src/index';

/** The value `f` throws, or undefined when it returns. */
export function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}

/** The code of the EndpointStringError `f` throws (failing the test if it throws anything else). */
export function endpointErrorCode(f: () => unknown): string | undefined {
  const error = thrownBy(f);
  if (error === undefined) return undefined;
  expect(error).toBeInstanceOf(EndpointStringError);
  return (error as EndpointStringError).code;
}
