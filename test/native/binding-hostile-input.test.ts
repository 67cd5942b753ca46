// The native binding below the TypeScript checks, fed what no caller of ours sends: wrong types,
// huge and fractional numbers, views over shared memory, stale and invented names. Whatever
// arrives, a call returns a number (or a value) and never leaves an exception behind that a
// later conversion would turn into a fatal error: the process must survive its own internals
// being misused.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binding } from '../../src/binding';

const hostile: unknown[] = [
  0,
  1,
  -1,
  3,
  2 ** 31,
  2 ** 32,
  2 ** 32 + 5,
  2 ** 53,
  -(2 ** 53),
  NaN,
  Infinity,
  -Infinity,
  1.5,
  -0,
  '3',
  '127.0.0.1',
  '::1',
  '',
  null,
  undefined,
  true,
  false,
  {},
  [],
  Symbol('s'),
  7n,
  () => 1,
  Buffer.alloc(3),
  new Uint8Array(new SharedArrayBuffer(8)),
  new DataView(new ArrayBuffer(4)),
  new Float64Array(2),
  new ArrayBuffer(4),
];
// adopt, datagramAdopt and add are left out: given a real descriptor number they would take over one of the
// test runner's own sockets. Everything else only ever acts on what the reactor itself owns.
const methods = [
  'modify',
  'remove',
  'listen',
  'connect',
  'write',
  'closeStream',
  'setReading',
  'setHalfClose',
  'requestDrain',
  'resumeListener',
  'closeListener',
  'socketOption',
  'address',
  'pending',
  'datagramOpen',
  'datagramConnect',
  'datagramWrite',
  'datagramClose',
  'datagramOption',
  'datagramMembership',
  'datagramInterface',
  'datagramAddress',
] as const;

describe('native binding under hostile input', () => {
  it.each(['epoll', 'poll'].filter((b) => binding.backends.includes(b)))('%s: 20 000 random calls return without throwing or crashing', (backend) => {
    const native = new binding.NativeReactor(() => 0) as unknown as Record<string, (...a: unknown[]) => unknown> & {
      open(b: string): number;
      close(): void;
      registrationCount: number;
    };
    expect(native.open(backend)).toBe(0);
    try {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.constantFrom(...methods), fc.array(fc.constantFrom(...hostile), { minLength: 7, maxLength: 7 })), {
            minLength: 1,
            maxLength: 100,
          }),
          (calls) => {
            for (const [method, args] of calls) {
              const result = native[method](...args);
              // Listening on something a hostile value happened to spell must still be a name or -errno.
              if (method === 'listen' || method === 'connect' || method === 'datagramOpen') expect(typeof result).toBe('number');
            }
          },
        ),
        { numRuns: 200, seed: 20261130 },
      );
    } finally {
      native.close();
    }
    expect(native.registrationCount).toBe(0);
  });

  it('open and close take hostile arguments too, and a closed reactor cannot be reopened', () => {
    const native = new binding.NativeReactor(() => 0) as unknown as { open(b: unknown): number; close(): void };
    for (const value of hostile) {
      if (value === 'epoll' || value === 'poll') continue;
      expect(native.open(value)).toBeLessThan(0);
    }
    native.close();
    expect(native.open('poll')).toBeLessThan(0);
    expect(() => new (binding.NativeReactor as unknown as new (x: unknown) => unknown)(42)).toThrow(TypeError);
  });
});
