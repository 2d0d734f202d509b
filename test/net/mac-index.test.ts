import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MacIndex } from '../../src/net/mac-index.js';

describe('MacIndex', () => {
  it('behaves as a Map from 48-bit keys to slots over any sequence of sets and deletes', () => {
    // Up to 700 distinct keys in 2,000 operations: long probe runs, deletes inside them, and growth
    // past the first 1,024 places.
    const key = fc
      .tuple(fc.integer({ min: 0, max: 699 }), fc.boolean())
      .map(([k, big]) => (big ? 0x0a0000000000 + k * 0x100000001 : k));
    const op = fc.tuple(
      fc.constantFrom('set', 'set', 'delete'),
      key,
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 300, maxLength: 2000, size: 'max' }), (ops) => {
        const index = new MacIndex();
        const ref = new Map<number, number>();
        for (const [what, k, v] of ops) {
          if (what === 'set') {
            index.set(k, v);
            ref.set(k, v);
          } else expect(index.delete(k)).toBe(ref.delete(k));
        }
        expect(index.size).toBe(ref.size);
        for (const [k, v] of ref) expect(index.get(k)).toBe(v);
        expect(index.get(0xffffffffffff)).toBe(-1);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps every key through a delete in the middle of a probe run, and after clear has none', () => {
    const index = new MacIndex();
    for (let i = 0; i < 500; i++) index.set(0x0a0000000000 + i, i);
    for (let i = 0; i < 500; i += 3) expect(index.delete(0x0a0000000000 + i)).toBe(true);
    for (let i = 0; i < 500; i++) expect(index.get(0x0a0000000000 + i)).toBe(i % 3 === 0 ? -1 : i);
    expect(index.size).toBe(333);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.get(0x0a0000000001)).toBe(-1);
  });
});
