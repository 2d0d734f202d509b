import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProbeStamper } from '../../src/controller/probe-stamp.js';

describe('discovery probe stamps', () => {
  const s = new ProbeStamper(2000, Buffer.alloc(32, 1));

  it('verifies its own fresh stamp for the same datapath and port only', () => {
    const st = s.stamp(0xabcn, 7, 1_000_000);
    expect(st).toMatch(/^vigil-probe [0-9a-f]+ [0-9a-f]{32}$/);
    expect(s.verify(st, 0xabcn, 7, 1_000_500)).toBe(true);
    expect(s.verify(st, 0xabcn, 8, 1_000_500)).toBe(false);
    expect(s.verify(st, 0xabdn, 7, 1_000_500)).toBe(false);
  });

  it('refuses stale, future, foreign and garbled stamps', () => {
    const st = s.stamp(1n, 1, 1_000_000);
    expect(s.verify(st, 1n, 1, 1_002_001)).toBe(false);
    expect(s.verify(st, 1n, 1, 998_000)).toBe(false);
    expect(new ProbeStamper(2000, Buffer.alloc(32, 2)).verify(st, 1n, 1, 1_000_001)).toBe(false);
    expect(s.verify(undefined, 1n, 1, 1_000_001)).toBe(false);
    expect(
      s.verify(
        st.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
        1n,
        1,
        1_000_001,
      ),
    ).toBe(false);
    expect(s.verify(st.replace(/ [0-9a-f]+ /, ' f4241 '), 1n, 1, 1_000_001)).toBe(false);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (t) => {
        expect(s.verify(t, 1n, 1, 0)).toBe(false);
        expect(s.verify('vigil-probe ' + t, 1n, 1, 0)).toBe(false);
      }),
    );
  });
});
