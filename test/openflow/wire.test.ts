import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readU16, readU32, readU64, u64 } from '../../src/openflow/wire.js';

describe('wire helpers', () => {
  it('readU64 reads what Buffer reads, also for a value read twice or after another', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: 1, maxLength: 8 }),
        (vs) => {
          const buf = Buffer.alloc(8 * vs.length);
          vs.forEach((v, i) => u64(buf, 8 * i, v));
          for (let i = 0; i < vs.length; i++) {
            expect(readU64(buf, 8 * i)).toBe(buf.readBigUInt64BE(8 * i));
            expect(readU64(buf, 8 * i)).toBe(vs[i]);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('readU16 and readU32 read what Buffer reads, at any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 64 }), fc.nat(), (bytes, at) => {
        const buf = Buffer.from(bytes);
        const off = at % (buf.length - 3);
        expect(readU16(buf, off)).toBe(buf.readUInt16BE(off));
        expect(readU32(buf, off)).toBe(buf.readUInt32BE(off));
      }),
      { numRuns: 500 },
    );
  });
});
