import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDuration } from '../../src/lab/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['2.5s', 2500],
    ['45', 45_000],
  ])('%s -> %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 's', '5x', '-5s', '5 s', 'm5', '1e3s'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it('never throws, and sums its parts', () => {
    fc.assert(fc.property(fc.string(), (s) => void parseDuration(s)));
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(59), (m, s) => {
        expect(parseDuration(`${m}m${s}s`)).toBe(m * 60_000 + s * 1000);
      }),
    );
  });
});
