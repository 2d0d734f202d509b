import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MESSAGE_MAX } from '../../src/libvirt/constants.js';
import { LibvirtProtocolError } from '../../src/libvirt/errors.js';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder } from '../../src/libvirt/frame-decoder.js';

/** A frame: length word (counting itself) then `payload` (which stands for header + body). */
function frame(payload: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(payload.length + 4);
  return Buffer.concat([len, payload]);
}

function payload(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}

function feed(dec: FrameDecoder, chunks: Buffer[]): { out: Buffer[]; err: LibvirtProtocolError | null } {
  const out: Buffer[] = [];
  let err: LibvirtProtocolError | null = null;
  for (const c of chunks) {
    err = dec.push(c, (m) => out.push(Buffer.from(m)));
    if (err) break;
  }
  return { out, err };
}

describe('FrameDecoder', () => {
  const a = payload(24, 1);
  const b = payload(100, 2);
  const c = payload(4000, 3);
  const stream = Buffer.concat([frame(a), frame(b), frame(c)]);

  it('hands out each message of a stream that arrives whole', () => {
    const { out, err } = feed(new FrameDecoder(), [stream]);
    expect(err).toBeNull();
    expect(out).toEqual([a, b, c]);
  });

  it('reassembles a stream split at every single position', () => {
    const want = [a, b, c];
    for (let at = 0; at <= stream.length; at++) {
      const { out, err } = feed(new FrameDecoder(), [stream.subarray(0, at), stream.subarray(at)]);
      expect(err).toBeNull();
      // Buffer.equals: toEqual on thousands of buffers is needlessly slow.
      expect(out.length === 3 && out.every((m, i) => m.equals(want[i]!)), `split at ${at}`).toBe(true);
    }
  });

  it('reassembles a stream fed one byte at a time', () => {
    const dec = new FrameDecoder();
    const chunks = [...stream].map((x) => Buffer.from([x]));
    const { out } = feed(dec, chunks);
    expect(out).toEqual([a, b, c]);
    expect(dec.pendingBytes).toBe(0);
  });

  it('hands out a whole message as a view of the chunk (no copy)', () => {
    const chunk = frame(b);
    let seen: Buffer | null = null;
    new FrameDecoder().push(chunk, (m) => (seen = m));
    expect(seen!.buffer).toBe(chunk.buffer);
  });

  it('reassembles any split of any stream', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 24, maxLength: 300 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (payloads, cuts) => {
          const bufs = payloads.map((p) => Buffer.from(p));
          const all = Buffer.concat(bufs.map(frame));
          const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((x, y) => x - y);
          const chunks: Buffer[] = [];
          let prev = 0;
          for (const p of points) {
            chunks.push(all.subarray(prev, p));
            prev = p;
          }
          chunks.push(all.subarray(prev));
          const { out, err } = feed(new FrameDecoder(), chunks);
          expect(err).toBeNull();
          expect(out).toEqual(bufs);
        },
      ),
    );
  });

  it('refuses a length below header size and stays failed', () => {
    const dec = new FrameDecoder();
    const bad = Buffer.from([0, 0, 0, 27, ...payload(23, 9)]);
    const { err } = feed(dec, [bad]);
    expect(err?.kind).toBe('frame-length');
    let called = false;
    expect(dec.push(frame(a), () => (called = true))).toBe(err);
    expect(called).toBe(false);
  });

  it('refuses a length above the limit before buffering anything', () => {
    const dec = new FrameDecoder(1000);
    const word = Buffer.alloc(4);
    word.writeUInt32BE(1001);
    const { err } = feed(dec, [word]);
    expect(err?.kind).toBe('frame-length');
    expect(dec.pendingBytes).toBe(0);
    // Exactly the limit is fine.
    const ok = feed(new FrameDecoder(1000), [frame(payload(996, 4))]);
    expect(ok.err).toBeNull();
    expect(ok.out).toHaveLength(1);
  });

  it("defaults to libvirt's own maximum", () => {
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(MESSAGE_MAX + 4);
    const word = Buffer.alloc(4);
    word.writeUInt32BE(0xffffffff);
    expect(feed(new FrameDecoder(), [word]).err?.message).toMatch(/4294967295/);
  });

  it('never throws on random bytes, and every message it hands out fits its declared size', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
        const dec = new FrameDecoder(4096);
        for (const c of chunks) {
          const err = dec.push(Buffer.from(c), (m) => {
            expect(m.length).toBeGreaterThanOrEqual(24);
            expect(m.length).toBeLessThanOrEqual(4092);
          });
          if (err) expect(err).toBeInstanceOf(LibvirtProtocolError);
        }
      }),
    );
  });
});
