import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StringIndex } from '../../src/store/string-index.js';

describe('StringIndex', () => {
  it('behaves as a Map from strings to slots over any sequence of adds and deletes', () => {
    // Up to 700 names in 2,000 operations: long probe runs, deletes inside them, and growth.
    const name = fc
      .integer({ min: 0, max: 699 })
      .map((k) => `0a:00:00:00:${(k >> 8).toString(16)}:${k & 255}`);
    const op = fc.tuple(fc.constantFrom('add', 'add', 'delete'), name);
    fc.assert(
      fc.property(fc.array(op, { minLength: 300, maxLength: 2000, size: 'max' }), (ops) => {
        const names: Array<string | undefined> = [];
        const index = new StringIndex((slot) => names[slot]);
        const ref = new Map<string, number>();
        for (const [what, key] of ops) {
          if (what === 'add') {
            if (ref.has(key)) continue;
            const slot = names.length;
            names.push(key);
            index.add(key, slot);
            ref.set(key, slot);
          } else {
            expect(index.delete(key)).toBe(ref.delete(key));
          }
        }
        expect(index.size).toBe(ref.size);
        for (const [key, slot] of ref) expect(index.get(key)).toBe(slot);
        expect(index.get('absent')).toBe(-1);
      }),
      { numRuns: 60 },
    );
  });
});
