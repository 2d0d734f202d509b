import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  coefficientOfVariation,
  mean,
  percentileSorted,
  relativeDifference,
  summarize,
} from '../../src/lab/lab-stats.js';

describe('lab statistics', () => {
  it('nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileSorted(v, 50)).toBe(50);
    expect(percentileSorted(v, 95)).toBe(95);
    expect(percentileSorted(v, 99)).toBe(99);
    expect(percentileSorted([7], 99)).toBe(7);
    expect(percentileSorted([], 50)).toBeNaN();
    const s = summarize([30, 10, 20, Number.NaN]);
    expect(s).toEqual({ count: 3, p50: 20, p95: 30, p99: 30, max: 30 });
  });

  it('coefficient of variation: 0 for equal values, population form otherwise', () => {
    expect(coefficientOfVariation([5, 5, 5])).toBe(0);
    // mean 2, population sd 1
    expect(coefficientOfVariation([1, 3])).toBeCloseTo(0.5, 12);
    expect(coefficientOfVariation([])).toBeNaN();
    expect(coefficientOfVariation([0, 0])).toBeNaN();
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(relativeDifference(100, 90)).toBeCloseTo(0.1, 12);
    expect(relativeDifference(0, 5)).toBeNaN();
  });

  it('CV does not change when every value is scaled', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1e9 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 2, max: 1000 }),
        (vs, k) => {
          expect(coefficientOfVariation(vs.map((v) => v * k))).toBeCloseTo(coefficientOfVariation(vs), 9);
        },
      ),
    );
  });

  it('percentiles are members of the list and ordered', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 200 }),
        (vs) => {
          const s = summarize(vs);
          expect(vs).toContain(s.p50);
          expect(s.p50).toBeLessThanOrEqual(s.p95);
          expect(s.p95).toBeLessThanOrEqual(s.p99);
          expect(s.p99).toBeLessThanOrEqual(s.max);
        },
      ),
    );
  });
});
