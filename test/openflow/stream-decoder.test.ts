import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyActions, flowMod, output, packetOut } from '../../src/openflow/builders.js';
import { encodeMessage } from '../../src/openflow/codec.js';
import { OFPP } from '../../src/openflow/model.js';
import { OfStreamDecoder, type OfStreamError } from '../../src/openflow/stream-decoder.js';
import { message13 } from './arbitraries.js';
import { ARP_REQUEST } from './fixture-helpers.js';

/** Feeds chunks; returns copies of the frames and the last error. */
function feed(
  dec: OfStreamDecoder,
  chunks: Buffer[],
): { frames: Buffer[]; error: OfStreamError | undefined } {
  const frames: Buffer[] = [];
  let error: OfStreamError | undefined;
  for (const c of chunks) {
    error = dec.push(c, (buf, start, end) => frames.push(Buffer.from(buf.subarray(start, end))));
    if (error) break;
  }
  return { frames, error };
}

const MESSAGES = [
  encodeMessage(4, 1, { type: 'hello', versions: [1, 4] }),
  encodeMessage(4, 2, { type: 'barrierRequest' }),
  encodeMessage(4, 3, packetOut({ actions: [output(1)], data: ARP_REQUEST })),
  encodeMessage(
    4,
    4,
    flowMod({
      match: { inPort: 1, ethDst: 0x02000000f902 },
      instructions: [applyActions(output(OFPP.FLOOD))],
    }),
  ),
  encodeMessage(4, 5, { type: 'echoRequest', data: Buffer.alloc(0) }),
];
const STREAM = Buffer.concat(MESSAGES);

describe('OfStreamDecoder', () => {
  it('yields every message of one chunk holding several, as views of that chunk (no copy)', () => {
    const dec = new OfStreamDecoder();
    const seen: { buf: Buffer; start: number; end: number }[] = [];
    expect(dec.push(STREAM, (buf, start, end) => seen.push({ buf, start, end }))).toBeUndefined();
    expect(seen.map((s) => s.buf.subarray(s.start, s.end))).toEqual(MESSAGES);
    for (const s of seen) expect(s.buf).toBe(STREAM);
    expect(dec.buffered).toBe(0);
  });

  it('reassembles the stream split at every offset into two chunks', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const { frames, error } = feed(new OfStreamDecoder(), [STREAM.subarray(0, cut), STREAM.subarray(cut)]);
      expect(error).toBeUndefined();
      expect(frames, `cut at ${cut}`).toEqual(MESSAGES);
    }
  });

  it('reassembles the stream split at every pair of offsets into three chunks', () => {
    for (let a = 0; a <= STREAM.length; a += 3) {
      for (let b = a; b <= STREAM.length; b += 5) {
        const { frames } = feed(new OfStreamDecoder(), [
          STREAM.subarray(0, a),
          STREAM.subarray(a, b),
          STREAM.subarray(b),
        ]);
        expect(frames, `cuts at ${a}, ${b}`).toEqual(MESSAGES);
      }
    }
  });

  it('reassembles the stream fed one byte at a time', () => {
    const chunks = [...STREAM].map((b) => Buffer.from([b]));
    const dec = new OfStreamDecoder();
    const { frames } = feed(dec, chunks);
    expect(frames).toEqual(MESSAGES);
    expect(dec.buffered).toBe(0);
  });

  it('holds a partial message until it is complete', () => {
    const dec = new OfStreamDecoder();
    const big = MESSAGES[2] as Buffer;
    expect(feed(dec, [big.subarray(0, 2)]).frames).toEqual([]);
    expect(dec.buffered).toBe(2);
    expect(feed(dec, [big.subarray(2, 30)]).frames).toEqual([]);
    expect(dec.buffered).toBe(30);
    expect(feed(dec, [big.subarray(30)]).frames).toEqual([big]);
    expect(dec.buffered).toBe(0);
  });

  it('random messages cut at random places come out whole and in order', () => {
    fc.assert(
      fc.property(
        fc.array(message13, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (msgs, cuts) => {
          const parts = msgs.map((m, i) => encodeMessage(4, i, m));
          const all = Buffer.concat(parts);
          const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let prev = 0;
          for (const p of [...points, all.length]) {
            chunks.push(all.subarray(prev, p));
            prev = p;
          }
          const { frames, error } = feed(new OfStreamDecoder(), chunks);
          expect(error).toBeUndefined();
          expect(frames).toEqual(parts);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a message over the size limit, delivering what came before and nothing after', () => {
    const dec = new OfStreamDecoder({ maxMessageSize: 64 });
    const small = MESSAGES[1] as Buffer;
    const tooBig = MESSAGES[2] as Buffer; // 82 bytes
    const { frames, error } = feed(dec, [Buffer.concat([small, tooBig, small])]);
    expect(frames).toEqual([small]);
    expect(error).toMatchObject({ code: 'too-large', length: tooBig.length });
    // The error is sticky: later input is ignored.
    expect(feed(dec, [small]).frames).toEqual([]);
    expect(dec.error?.code).toBe('too-large');
  });

  it('refuses a header length shorter than the header, also when the length field is split', () => {
    const bad = Buffer.from([0x04, 0x00, 0x00, 0x04, 0, 0, 0, 1]);
    expect(feed(new OfStreamDecoder(), [bad]).error).toMatchObject({ code: 'bad-length', length: 4 });
    const split = feed(new OfStreamDecoder(), [bad.subarray(0, 3), bad.subarray(3)]);
    expect(split.frames).toEqual([]);
    expect(split.error).toMatchObject({ code: 'bad-length', length: 4 });
  });

  it('caps the limit at the 16-bit length field', () => {
    const dec = new OfStreamDecoder({ maxMessageSize: 1 << 20 });
    const max = Buffer.alloc(0xffff);
    max.writeUInt16BE(0xffff, 2);
    expect(feed(dec, [max]).frames.length).toBe(1);
  });

  it('never throws on random byte streams, and every frame matches its length field', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }),
        fc.integer({ min: 8, max: 200 }),
        (chunks, max) => {
          const dec = new OfStreamDecoder({ maxMessageSize: max });
          for (const c of chunks) {
            const err = dec.push(Buffer.from(c), (buf, start, end) => {
              expect(end - start).toBe(buf.readUInt16BE(start + 2));
              expect(end - start).toBeGreaterThanOrEqual(8);
              expect(end - start).toBeLessThanOrEqual(max);
            });
            if (err) expect(['too-large', 'bad-length']).toContain(err.code);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
