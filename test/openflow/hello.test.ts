import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/openflow/codec.js';
import { helloFor, negotiateVersion } from '../../src/openflow/hello.js';
import { hex } from './fixture-helpers.js';

describe('HELLO and version negotiation (OF1.3 spec 6.3.1)', () => {
  it('picks the highest version in both bitmaps', () => {
    expect(negotiateVersion([1, 4], 4, [1, 4])).toBe(4);
    expect(negotiateVersion([1, 4], 6, [1, 2, 3, 4, 5, 6])).toBe(4);
    expect(negotiateVersion([1, 4], 4, [1, 3])).toBe(1);
    expect(negotiateVersion([4], 4, [1])).toBeUndefined();
    expect(negotiateVersion([1, 4], 6, [5, 6])).toBeUndefined();
  });

  it('without a peer bitmap, takes the smaller header version if we speak it', () => {
    expect(negotiateVersion([1, 4], 1, undefined)).toBe(1);
    expect(negotiateVersion([1, 4], 6, undefined)).toBe(4);
    expect(negotiateVersion([1], 4, undefined)).toBe(1);
    expect(negotiateVersion([4], 1, undefined)).toBeUndefined();
    expect(negotiateVersion([1, 4], 2, undefined)).toBeUndefined();
  });

  it('agrees with a brute-force reading of the rule', () => {
    fc.assert(
      fc.property(
        fc.subarray([1, 4] as const, { minLength: 1 }),
        fc.integer({ min: 1, max: 8 }),
        fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { minLength: 1 }), { nil: undefined }),
        (ours, header, bitmap) => {
          const got = negotiateVersion(ours, header, bitmap);
          if (bitmap) {
            const common = ours.filter((v) => bitmap.includes(v));
            expect(got).toBe(common.length ? Math.max(...common) : undefined);
          } else {
            const v = Math.min(Math.max(...ours), header);
            expect(got).toBe((ours as readonly number[]).includes(v) ? v : undefined);
          }
        },
      ),
    );
  });

  it('skips unknown hello elements and their padding', () => {
    const r = decodeMessage(
      hex(
        '04 00 0020 00000001 | 0007 0005 aa 000000  # unknown element, padded\n 0001 0008 00000012 | 0009 0004 00000000',
      ),
    );
    expect(r).toEqual({ ok: true, version: 4, xid: 1, msg: { type: 'hello', versions: [1, 4] } });
  });

  it('ignores a malformed body in a 1.0 HELLO but reports it in a 1.3 one', () => {
    expect(decodeMessage(hex('01 00 000c 00000001 | 0001 0002'))).toEqual({
      ok: true,
      version: 1,
      xid: 1,
      msg: { type: 'hello' },
    });
    const r = decodeMessage(hex('04 00 000c 00000001 | 0001 0002'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('bad-length');
  });

  it('encodes bitmaps of versions beyond 31 in further words', () => {
    const bytes = encodeMessage(4, 1, helloFor([1, 4, 33]));
    // element length 12 (two bitmap words: bits 1 and 4, then bit 33 - 32 = 1), padded to 16
    expect(bytes).toEqual(hex('04 00 0018 00000001 | 0001 000c 00000012 00000002 | 00000000'));
    expect(decodeMessage(bytes)).toMatchObject({ ok: true, msg: { versions: [1, 4, 33] } });
  });
});
