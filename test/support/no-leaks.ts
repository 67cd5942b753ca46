// Every test must end with no live descriptors or handles of its own. This snapshot of the
// process's open descriptors and active libuv resources is taken before each test and compared
// after it (libuv's rule for its own test suite).
import { afterEach, beforeEach, expect } from 'vitest';
// /proc/self/fd, or /dev/fd where there is no /proc (macOS): the rule lives in one place.
import { openFds as openDescriptors } from '../fixtures/open-descriptors';
// Errors reported to a logger fail the test that caused them (see logged.ts).
import './logged';

function resources(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => r !== 'TTYWrap')
    .sort();
}

let fdsBefore: Set<number>;
let resourcesBefore: string[];

beforeEach(() => {
  fdsBefore = new Set(openDescriptors());
  resourcesBefore = resources();
});

afterEach(async () => {
  // Handles closed in the test finish closing on the next loop turns.
  for (let i = 0; i < 20; i++) {
    const leakedFds = openDescriptors().filter((fd) => !fdsBefore.has(fd));
    if (leakedFds.length === 0 && resources().length <= resourcesBefore.length) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  const leaked = openDescriptors().filter((fd) => !fdsBefore.has(fd));
  expect(leaked, 'descriptors left open by the test').toEqual([]);
  expect(resources(), 'libuv resources left active by the test').toEqual(resourcesBefore);
});
