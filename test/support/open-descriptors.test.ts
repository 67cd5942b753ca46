// test/fixtures/open-descriptors.js: the one place that lists this process's descriptors (for
// no-leaks.ts, the model harness and the fixtures), from /proc/self/fd or /dev/fd.
import { closeSync, existsSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeFd, FD_DIR, fdSet, fdTarget, isOpen, openFds } from '../fixtures/open-descriptors';
import { openSocketPair } from '../../src/index';

describe('open-descriptors', () => {
  it('lists from /proc/self/fd where it exists, else /dev/fd', () => {
    expect(FD_DIR).toBe(existsSync('/proc/self/fd') ? '/proc/self/fd' : '/dev/fd');
  });

  it('sees a descriptor opened and closed, and describes it while open', () => {
    const [a, b] = openSocketPair();
    const fd = openSync(__filename, 'r');
    try {
      expect(openFds()).toEqual(expect.arrayContaining([0, 1, 2, a, b, fd]));
      expect(fdSet().has(fd)).toBe(true);
      expect(isOpen(a)).toBe(true);
      expect(describeFd(a)).toMatch(new RegExp(`^${a} -> socket`));
      expect(fdTarget(fd)).toMatch(FD_DIR === '/proc/self/fd' ? /open-descriptors\.test\.ts$/ : /^file, inode \d+$/);
    } finally {
      closeSync(a);
      closeSync(b);
      closeSync(fd);
    }
    expect(isOpen(fd)).toBe(false);
    expect(fdTarget(fd)).toBeUndefined();
    expect(describeFd(fd)).toBe(`${fd} (gone)`);
    expect(openFds()).not.toContain(fd);
  });

  it('lists ascending numbers', () => {
    const fds = openFds();
    expect(fds).toEqual([...fds].sort((x, y) => x - y));
  });
});
