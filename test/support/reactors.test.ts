// IOREACTOR_VARIANTS: selectVariants, the pure filter behind it (test/support/reactors.ts).
import { describe, expect, it } from 'vitest';
import { ALL_VARIANTS, selectVariants, VARIANTS, type Variant } from './reactors';

const MATRIX: Variant[] = [
  { name: 'epoll-level', backend: 'epoll', trigger: 'level' },
  { name: 'epoll-edge', backend: 'epoll', trigger: 'edge' },
  { name: 'epoll-oneshot', backend: 'epoll', trigger: 'oneshot' },
  { name: 'poll-level', backend: 'poll', trigger: 'level' },
];
const names = (vs: Variant[]): string[] => vs.map((v) => v.name);

function thrown(f: () => unknown): unknown {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  return error;
}

describe('selectVariants (IOREACTOR_VARIANTS)', () => {
  it('selects the whole matrix when unset or blank', () => {
    expect(names(selectVariants(MATRIX, undefined))).toEqual(names(MATRIX));
    expect(names(selectVariants(MATRIX, ''))).toEqual(names(MATRIX));
    expect(names(selectVariants(MATRIX, '  '))).toEqual(names(MATRIX));
  });

  it('selects one variant by name', () => {
    expect(selectVariants(MATRIX, 'epoll-edge')).toEqual([MATRIX[1]]);
  });

  it('selects several, in matrix order, ignoring spaces, empty items and repeats', () => {
    expect(names(selectVariants(MATRIX, 'poll-level, epoll-oneshot,,poll-level'))).toEqual(['epoll-oneshot', 'poll-level']);
  });

  it('returns a new array, never the matrix itself', () => {
    const all = selectVariants(MATRIX, undefined);
    expect(all).not.toBe(MATRIX);
    expect(all).toEqual(MATRIX);
  });

  it('throws on an unknown name, naming it and listing the valid ones', () => {
    const error = thrown(() => selectVariants(MATRIX, 'epoll-edge,kqueue-edge,epol-level'));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      'IOREACTOR_VARIANTS: unknown variants "kqueue-edge", "epol-level"; valid here: epoll-level, epoll-edge, epoll-oneshot, poll-level',
    );
  });

  it('is case-sensitive, as the names are', () => {
    expect((thrown(() => selectVariants(MATRIX, 'EPOLL-EDGE')) as Error).message).toMatch(/unknown variant "EPOLL-EDGE"; valid here: /);
  });

  it('throws when the list names nothing but commas', () => {
    expect((thrown(() => selectVariants(MATRIX, ' , ,')) as Error).message).toBe(
      'IOREACTOR_VARIANTS names no variant; valid here: epoll-level, epoll-edge, epoll-oneshot, poll-level',
    );
  });

  it('names the variable it was given in its messages', () => {
    expect((thrown(() => selectVariants(MATRIX, 'x', 'IOREACTOR_MODEL_VARIANT')) as Error).message).toMatch(/^IOREACTOR_MODEL_VARIANT: unknown variant "x"/);
  });
});

describe('the matrix on this machine', () => {
  it('names every variant backend-trigger and always includes poll-level', () => {
    for (const v of ALL_VARIANTS) expect(v.name).toBe(`${v.backend}-${v.trigger}`);
    expect(names([...ALL_VARIANTS])).toContain('poll-level');
  });

  it('VARIANTS is what IOREACTOR_VARIANTS selects from it', () => {
    expect(VARIANTS).toEqual(selectVariants(ALL_VARIANTS, process.env.IOREACTOR_VARIANTS));
    expect(VARIANTS.length).toBeGreaterThan(0);
  });
});
