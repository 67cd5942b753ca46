// The addon's process functions below the TypeScript checks: whatever arrives, they return a
// number (or a value) and never throw or crash. readPipe and writePipe are left out: given a
// real descriptor number they would read or write the test runner's own pipes.
import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import { nativeProcess } from '../../src/process/native-process';
import { openFds } from '../fixtures/open-descriptors';

const hostile: unknown[] = [
  0,
  -1,
  1.5,
  2 ** 32,
  NaN,
  '',
  '/bin/true',
  null,
  undefined,
  {},
  [],
  [1],
  ['x'],
  Symbol('s'),
  7n,
  new Int32Array([0, 9, 0]),
  new Int32Array(2),
  Buffer.alloc(3),
];

describe('native process functions under hostile input', () => {
  it('spawnChild refuses malformed arguments with -EINVAL and starts nothing', () => {
    for (const a of hostile) {
      for (const b of hostile) {
        // The fd map is always malformed here (no Int32Array of whole triples with valid kinds)...
        const result = (nativeProcess.spawnChild as (...args: unknown[]) => unknown)(a, b, null, '', new Int32Array([0, 9, 0]));
        expect(typeof result).toBe('number');
        expect(result as number).toBeLessThan(0);
      }
    }
    // ...or the argv is.
    expect((nativeProcess.spawnChild as (...args: unknown[]) => unknown)('/bin/true', [1], null, '', new Int32Array(0))).toBeLessThan(0);
  });

  it('reapChild and signalChild return numbers for any input, and touch no process of ours', () => {
    for (const a of hostile) {
      for (const b of hostile) {
        const reaped = (nativeProcess.reapChild as (...args: unknown[]) => unknown)(a, b);
        expect(typeof reaped === 'number' || Array.isArray(reaped)).toBe(true);
        // Signal 0 only: were a descriptor to name a real process, nothing would be sent.
        expect(typeof (nativeProcess.signalChild as (...args: unknown[]) => unknown)(a, b, 0)).toBe('number');
      }
    }
  });

  it("closeChildDescriptor refuses anything that is not a child's exit watcher or pipe, with an errno, and closes nothing", () => {
    const open = openFds();
    // No child is running here, so nothing names a child's descriptor: not even this process's
    // own open descriptors.
    for (const a of [...hostile, ...open]) {
      expect((nativeProcess.closeChildDescriptor as (...args: unknown[]) => unknown)(a)).toBe(-os.constants.errno.EBADF);
    }
    expect(openFds()).toEqual(open);
  });
});
