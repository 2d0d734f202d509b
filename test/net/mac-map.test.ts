import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MacMap } from '../../src/net/mac-map.js';

describe('MacMap', () => {
  it('behaves as a Map over any sequence of sets and deletes of 48-bit keys', () => {
    // Keys drawn so that many share their low 32 bits and differ only above them, and the reverse.
    const key = fc
      .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5 }), fc.boolean())
      .map(([hi, lo, big]) => hi * 2 ** 32 + (big ? 0xfffffff0 + lo : lo));
    const op = fc.tuple(fc.constantFrom('set', 'delete'), key, fc.integer());
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const mine = new MacMap<number>();
        const ref = new Map<number, number>();
        for (const [what, k, v] of ops) {
          if (what === 'set') {
            mine.set(k, v);
            ref.set(k, v);
          } else {
            expect(mine.delete(k)).toBe(ref.delete(k));
          }
          expect(mine.size).toBe(ref.size);
        }
        for (const [k, v] of ref) {
          expect(mine.get(k)).toBe(v);
          expect(mine.has(k)).toBe(true);
        }
        expect([...mine.values()].sort()).toEqual([...ref.values()].sort());
        expect(mine.get(2 ** 47 + 1)).toBeUndefined();
      }),
    );
  });

  it('keeps iterating through deletes made during the iteration, and ends after clear', () => {
    const m = new MacMap<string>();
    const macs = [0x0a0000000001, 0x0a00fffffff1, 0x0b0000000001, 0x0a0000000002];
    for (const k of macs) m.set(k, k.toString(16));
    const seen: string[] = [];
    for (const v of m.values()) {
      seen.push(v);
      m.delete(Number.parseInt(v, 16));
    }
    expect(seen.sort()).toEqual(macs.map((k) => k.toString(16)).sort());
    expect(m.size).toBe(0);
    m.set(1, 'x');
    const it = m.values();
    m.clear();
    expect(it.next().done).toBe(true);
    expect(m.size).toBe(0);
  });
});
