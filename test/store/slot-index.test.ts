import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashInteger48, hashString, SlotIndex } from '../../src/store/slot-index.js';

describe('SlotIndex', () => {
  it('behaves as a Map from 48-bit keys to slots over any sequence of sets and deletes', () => {
    // Up to 700 distinct keys in 2,000 operations: long probe runs, deletes inside them, growth past
    // the first 1,024 places, and keys set again (a newer slot replaces the older one).
    const key = fc
      .tuple(fc.integer({ min: 0, max: 699 }), fc.boolean())
      .map(([k, big]) => (big ? 0x0a0000000000 + k * 0x100000001 : k));
    const op = fc.tuple(fc.constantFrom('set', 'set', 'delete'), key);
    fc.assert(
      fc.property(fc.array(op, { minLength: 300, maxLength: 2000, size: 'max' }), (ops) => {
        const keys: number[] = [];
        const index = new SlotIndex<number>(hashInteger48, (slot) => keys[slot]);
        const ref = new Map<number, number>();
        for (const [what, k] of ops) {
          if (what === 'set') {
            const slot = keys.length;
            keys.push(k);
            index.set(k, slot);
            ref.set(k, slot);
          } else expect(index.delete(k)).toBe(ref.delete(k));
        }
        expect(index.size).toBe(ref.size);
        for (const [k, slot] of ref) expect(index.get(k)).toBe(slot);
        expect(index.get(0xffffffffffff)).toBe(-1);
      }),
      { numRuns: 60 },
    );
  });

  it('behaves as a Map from strings to slots over any sequence of adds and deletes', () => {
    const name = fc
      .integer({ min: 0, max: 699 })
      .map((k) => `0a:00:00:00:${(k >> 8).toString(16)}:${k & 255}`);
    const op = fc.tuple(fc.constantFrom('add', 'add', 'delete'), name);
    fc.assert(
      fc.property(fc.array(op, { minLength: 300, maxLength: 2000, size: 'max' }), (ops) => {
        const names: Array<string | undefined> = [];
        const index = new SlotIndex<string>(hashString, (slot) => names[slot]);
        const ref = new Map<string, number>();
        for (const [what, key] of ops) {
          if (what === 'add') {
            if (ref.has(key)) continue;
            const slot = names.length;
            names.push(key);
            index.set(key, slot);
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

  it('keeps every key through a delete in the middle of a probe run, and after clear has none', () => {
    const keys = Array.from({ length: 500 }, (_, i) => 0x0a0000000000 + i);
    const index = new SlotIndex<number>(hashInteger48, (slot) => keys[slot]);
    keys.forEach((k, i) => index.set(k, i));
    for (let i = 0; i < 500; i += 3) expect(index.delete(keys[i]!)).toBe(true);
    for (let i = 0; i < 500; i++) expect(index.get(keys[i]!)).toBe(i % 3 === 0 ? -1 : i);
    expect(index.size).toBe(333);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.get(0x0a0000000001)).toBe(-1);
  });
});
