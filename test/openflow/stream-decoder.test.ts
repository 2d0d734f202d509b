import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyActions, flowMod, output, packetOut } from '../../src/openflow/builders.js';
import { encodeMessage } from '../../src/openflow/codec.js';
import { OFPP } from '../../src/openflow/model.js';
import { OfStreamDecoder, type OfStreamError } from '../../src/openflow/stream-decoder.js';
import { message13 } from './arbitraries.js';
import { ARP_REQUEST } from './fixture-helpers.js';

/** Feeds chunks, each with a budget of maxFrames; returns copies of the frames and the last error. */
function feed(
  dec: OfStreamDecoder,
  chunks: Buffer[],
  maxFrames = Infinity,
): { frames: Buffer[]; error: OfStreamError | undefined } {
  const frames: Buffer[] = [];
  let error: OfStreamError | undefined;
  for (const c of chunks) {
    error = dec.push(c, (buf, start, end) => frames.push(Buffer.from(buf.subarray(start, end))), maxFrames);
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

  it('hands out at most maxFrames per call and keeps the rest, unframed, for drain', () => {
    const dec = new OfStreamDecoder();
    const seen: Array<{ buf: Buffer; frame: Buffer }> = [];
    const onFrame = (buf: Buffer, start: number, end: number) =>
      void seen.push({ buf, frame: buf.subarray(start, end) });
    expect(dec.push(STREAM, onFrame, 2)).toBeUndefined();
    expect(seen.map((s) => s.frame)).toEqual(MESSAGES.slice(0, 2));
    expect(dec.backlog).toBe(STREAM.length - MESSAGES[0]!.length - MESSAGES[1]!.length);
    expect(dec.drain(onFrame, 2)).toBeUndefined();
    expect(seen.map((s) => s.frame)).toEqual(MESSAGES.slice(0, 4));
    expect(dec.drain(onFrame, 2)).toBeUndefined();
    expect(seen.map((s) => s.frame)).toEqual(MESSAGES);
    expect(dec.backlog).toBe(0);
    // Still views of the chunk that came in: waiting copies nothing.
    for (const s of seen) expect(s.buf).toBe(STREAM);
  });

  it('frames a chunk pushed while a backlog waits after the backlog, within the same budget', () => {
    const dec = new OfStreamDecoder();
    const { frames: first } = feed(dec, [STREAM], 1);
    expect(first).toEqual(MESSAGES.slice(0, 1));
    const later = encodeMessage(4, 9, { type: 'barrierRequest' });
    const frames: Buffer[] = [];
    dec.push(later, (buf, start, end) => void frames.push(Buffer.from(buf.subarray(start, end))), 3);
    expect(frames).toEqual(MESSAGES.slice(1, 4));
    expect(dec.backlog).toBe(MESSAGES[4]!.length + later.length);
    dec.drain((buf, start, end) => void frames.push(Buffer.from(buf.subarray(start, end))), 10);
    expect(frames).toEqual([...MESSAGES.slice(1), later]);
    expect(dec.backlog).toBe(0);
  });

  it('any budgets, any cuts: every message comes out once, whole and in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 20 }),
        (cuts, budgets) => {
          const all = Buffer.concat([STREAM, STREAM]);
          const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
          const dec = new OfStreamDecoder();
          const frames: Buffer[] = [];
          const onFrame = (buf: Buffer, start: number, end: number) =>
            void frames.push(Buffer.from(buf.subarray(start, end)));
          let prev = 0;
          let i = 0;
          for (const p of [...points, all.length]) {
            const before = frames.length;
            const budget = budgets[i++ % budgets.length]!;
            expect(dec.push(all.subarray(prev, p), onFrame, budget)).toBeUndefined();
            expect(frames.length - before).toBeLessThanOrEqual(budget);
            prev = p;
          }
          while (dec.backlog > 0) expect(dec.drain(onFrame, 1 + (i++ % 3))).toBeUndefined();
          expect(frames).toEqual([...MESSAGES, ...MESSAGES]);
          expect(dec.buffered).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reports an oversized message met in the backlog and lets the backlog go', () => {
    const dec = new OfStreamDecoder({ maxMessageSize: 64 });
    const small = MESSAGES[1] as Buffer;
    const tooBig = MESSAGES[2] as Buffer; // 82 bytes
    const { frames, error } = feed(dec, [Buffer.concat([small, small, tooBig, small])], 1);
    expect(error).toBeUndefined();
    expect(frames).toEqual([small]);
    const more: Buffer[] = [];
    const err = dec.drain((buf, start, end) => void more.push(Buffer.from(buf.subarray(start, end))), 5);
    expect(more).toEqual([small]);
    expect(err).toMatchObject({ code: 'too-large', length: tooBig.length });
    expect(dec.backlog).toBe(0);
    expect(dec.drain(() => undefined, 5)).toBe(err);
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
