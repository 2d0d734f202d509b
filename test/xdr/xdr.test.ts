import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { XdrError, XdrReader, safeNumber } from '../../src/xdr/reader.js';
import { XdrWriter } from '../../src/xdr/writer.js';

describe('XDR reader/writer', () => {
  it('decodes a hand-built fixture field by field', () => {
    // prettier-ignore
    const bytes = Buffer.from([
      0x00, 0x00, 0x00, 0x05, // uint32 5
      0xff, 0xff, 0xff, 0xfe, // int32 -2
      0x00, 0x00, 0x00, 0x01, // bool true
      0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // uint64 2^32 + 2
      0x00, 0x00, 0x00, 0x03, 0x61, 0x62, 0x63, 0x00, // string "abc" + 1 pad byte
    ]);
    const r = new XdrReader(bytes);
    expect(r.uint32()).toBe(5);
    expect(r.int32()).toBe(-2);
    expect(r.bool()).toBe(true);
    expect(r.uint64()).toBe(0x1_0000_0002n);
    expect(r.string()).toBe('abc');
    expect(r.remaining).toBe(0);
  });

  it('round-trips every primitive', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: -0x80000000, max: 0x7fffffff }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.string(),
        fc.uint8Array({ maxLength: 40 }),
        fc.double({ noNaN: true }),
        (u32, i32, u64, i64, s, bytes, d) => {
          const w = new XdrWriter(8);
          w.uint32(u32).int32(i32).uint64(u64).int64(i64).string(s).opaque(bytes).double(d);
          const buf = w.toBuffer();
          expect(buf.length % 4).toBe(0);
          const r = new XdrReader(buf);
          expect(r.uint32()).toBe(u32);
          expect(r.int32()).toBe(i32);
          expect(r.uint64()).toBe(u64);
          expect(r.int64()).toBe(i64);
          expect(r.string()).toBe(s);
          expect(Buffer.from(r.opaque())).toEqual(Buffer.from(bytes));
          expect(r.double()).toBe(d);
          expect(r.remaining).toBe(0);
        },
      ),
    );
  });

  it('reads 64-bit values as numbers exactly below 2^53', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (v) => {
        const buf = new XdrWriter().uint64(v).int64(-v).toBuffer();
        const r = new XdrReader(buf);
        expect(r.uint64Number()).toBe(v);
        expect(r.int64Number()).toBe(v === 0 ? 0 : -v); // -0 is written as 0
      }),
    );
    expect(safeNumber(2n ** 60n)).toBe(2n ** 60n);
    expect(safeNumber(42n)).toBe(42);
  });

  it('throws XdrError, never reads past the end', () => {
    expect(() => new XdrReader(Buffer.alloc(3)).uint32()).toThrow(XdrError);
    // A string whose declared length runs past the buffer.
    expect(() => new XdrReader(Buffer.from([0, 0, 0, 9, 0x61])).string(100)).toThrow(/truncated string/);
    // Limits on declared lengths.
    expect(() => new XdrReader(Buffer.from([0, 0, 0, 9, 0, 0, 0, 0])).opaque(4)).toThrow(/exceeds limit/);
    expect(() => new XdrReader(Buffer.from([0, 0, 1, 0])).arrayLength(1000)).toThrow(/cannot fit/);
    expect(() => new XdrReader(Buffer.from([0, 0, 0, 2])).bool()).toThrow(/bad boolean/);
    // A reader limited to a window does not see bytes beyond it.
    const r = new XdrReader(Buffer.alloc(16), 4, 8);
    r.uint32();
    expect(() => r.uint32()).toThrow(XdrError);
  });

  it('never throws anything but XdrError on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const r = new XdrReader(Buffer.from(bytes));
        try {
          while (r.remaining > 0) {
            r.string(16);
            r.uint64();
          }
        } catch (err) {
          expect(err).toBeInstanceOf(XdrError);
        }
      }),
    );
  });
});
