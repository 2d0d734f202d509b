import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, messageLength, writeMessage } from '../../src/openflow/codec.js';
import type { Action, OfMessage, OfVersion } from '../../src/openflow/model.js';
import { applyActions, flowMod, frozen, output, outputTo, packetOut } from '../../src/openflow/builders.js';
import { OfEncodeError } from '../../src/openflow/errors.js';
import { OFP_VERSION_10, OFP_VERSION_13 } from '../../src/openflow/model.js';
import { actions13, instructions13, match13, message10, message13 } from './arbitraries.js';

const RUNS = 1000;

const versions: [string, OfVersion, fc.Arbitrary<OfMessage>][] = [
  ['1.3', OFP_VERSION_13, message13],
  ['1.0', OFP_VERSION_10, message10],
];

describe.each(versions)('OpenFlow %s codec properties', (_name, version, arb) => {
  it('decode(encode(x)) = x, with the exact encoded length in the header', () => {
    fc.assert(
      fc.property(arb, u32Arb, (msg, xid) => {
        const bytes = encodeMessage(version, xid, msg);
        expect(bytes.length).toBe(messageLength(version, msg));
        expect(bytes.readUInt16BE(2)).toBe(bytes.length);
        const r = decodeMessage(bytes);
        if (!r.ok) throw new Error(`${msg.type}: ${r.error.code} ${r.error.message}`);
        expect(r.version).toBe(version);
        expect(r.xid).toBe(xid);
        expect(r.msg).toEqual(msg);
      }),
      { numRuns: RUNS },
    );
  });

  it('writes every byte it claims (no stale buffer content), at any offset', () => {
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 13 }), (msg, at) => {
        const len = messageLength(version, msg);
        const zeros = Buffer.alloc(len + at + 5, 0x00);
        const ones = Buffer.alloc(len + at + 5, 0xff);
        expect(writeMessage(zeros, at, version, 9, msg)).toBe(len);
        expect(writeMessage(ones, at, version, 9, msg)).toBe(len);
        expect(zeros.subarray(at, at + len)).toEqual(ones.subarray(at, at + len));
        expect(zeros.subarray(at + len).every((b) => b === 0)).toBe(true);
        expect(ones.subarray(0, at).every((b) => b === 0xff)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses to write past the end of a caller buffer', () => {
    fc.assert(
      fc.property(arb, (msg) => {
        const len = messageLength(version, msg);
        expect(() => writeMessage(Buffer.alloc(len - 1), 0, version, 1, msg)).toThrow(RangeError);
      }),
      { numRuns: 100 },
    );
  });

  it('mutated frames never make the decoder throw, and what decodes re-encodes to a stable value', () => {
    fc.assert(
      fc.property(
        arb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: -16, max: 16 }),
        (msg, flips, resize) => {
          const good = encodeMessage(version, 1, msg);
          const bad = Buffer.alloc(Math.max(0, good.length + resize));
          good.copy(bad, 0, 0, Math.min(good.length, bad.length));
          for (const [pos, byte] of flips) if (bad.length > 0) bad[pos % bad.length] = byte;
          const r = decodeMessage(bad);
          if (!r.ok) {
            expect(r.error.message.length).toBeGreaterThan(0);
            return;
          }
          // Whatever the decoder accepted must be a value the encoder can write back, to the same value.
          if (r.version !== OFP_VERSION_10 && r.version !== OFP_VERSION_13) return;
          let again: Buffer;
          try {
            again = encodeMessage(r.version, r.xid, r.msg);
          } catch {
            return; // e.g. 1.3 data decoded but not representable canonically: allowed, never silent corruption
          }
          const r2 = decodeMessage(again);
          expect(r2.ok).toBe(true);
          if (r2.ok) expect(r2.msg).toEqual(r.msg);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });
});

const u32Arb = fc.integer({ min: 0, max: 0xffffffff });

describe('random input', () => {
  it('random bytes never make the decoder throw or stall', () => {
    let slowest = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (a) => {
        const t0 = performance.now();
        const r = decodeMessage(Buffer.from(a));
        slowest = Math.max(slowest, performance.now() - t0);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
    // Every loop in the decoder advances by at least 4 bytes: no input can make it spin.
    expect(slowest).toBeLessThan(250);
  });

  it('a maximum-size frame of zero-length-looking elements decodes promptly', () => {
    // 64 KiB of 4-byte hello elements and of 8-byte actions: the longest loops a frame can cause.
    const hello = Buffer.alloc(0xfff8);
    hello.writeUInt32BE(0x0400fff8, 0);
    for (let o = 8; o < hello.length; o += 4) hello.writeUInt32BE(0x00090004, o);
    const po = Buffer.alloc(0xfff8);
    po.writeUInt32BE(0x040dfff8, 0);
    po.writeUInt16BE(0xffd0, 16);
    for (let o = 24; o + 8 <= 24 + 0xffd0; o += 8) po.writeUInt32BE(0x00120008, o); // pop_vlan
    const t0 = performance.now();
    expect(decodeMessage(hello)).toMatchObject({ ok: true, msg: { type: 'hello' } });
    const r = decodeMessage(po);
    expect(r.ok && r.msg.type === 'packetOut' && r.msg.actions.length).toBe(0xffd0 / 8);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('random bodies behind a valid header of every type never make the decoder throw', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 4),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.uint8Array({ maxLength: 400 }),
        (version, type, mpType, body) => {
          const buf = Buffer.alloc(8 + body.length);
          buf[0] = version;
          buf[1] = type;
          buf.writeUInt16BE(buf.length, 2);
          buf.set(body, 8);
          // Steer a good share of inputs into the multipart/stats bodies.
          if (body.length >= 2 && (type === 16 || type === 17 || type === 18 || type === 19))
            buf.writeUInt16BE(mpType % 16, 8);
          const r = decodeMessage(buf);
          expect(typeof r.ok).toBe('boolean');
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('OpenFlow 1.3: frozen action and instruction lists', () => {
  it('encode exactly as the same lists unfrozen, every time they are used', () => {
    fc.assert(
      fc.property(instructions13, actions13, match13, (instructions, actions, match) => {
        const fm = flowMod({ match, instructions: structuredCloneLists(instructions) });
        const po = packetOut({ actions: structuredCloneLists(actions), data: Buffer.from('frame') });
        const plain = [encodeMessage(OFP_VERSION_13, 1, fm), encodeMessage(OFP_VERSION_13, 2, po)];
        const fzFm = { ...fm, instructions: frozen(instructions) };
        const fzPo = { ...po, actions: frozen(actions) };
        for (let round = 0; round < 2; round++) {
          expect(encodeMessage(OFP_VERSION_13, 1, fzFm)).toEqual(plain[0]);
          expect(encodeMessage(OFP_VERSION_13, 2, fzPo)).toEqual(plain[1]);
        }
        expect(Object.isFrozen(fzFm.instructions)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('still refuse a bad frozen list, each time (nothing bad is kept)', () => {
    const bad = frozen([{ type: 'output', port: 2 ** 32, maxLen: 0 } as Action]);
    for (let i = 0; i < 2; i++)
      expect(() => encodeMessage(OFP_VERSION_13, 1, packetOut({ actions: bad }))).toThrow(OfEncodeError);
  });

  it('outputTo gives one frozen pair per port, encoded as the plain lists are', () => {
    const a = outputTo(7);
    expect(outputTo(7)).toBe(a);
    expect(outputTo(8)).not.toBe(a);
    expect(Object.isFrozen(a.actions) && Object.isFrozen(a.instructions)).toBe(true);
    const plain = flowMod({ instructions: [applyActions(output(7))] });
    expect(encodeMessage(OFP_VERSION_13, 3, { ...plain, instructions: a.instructions })).toEqual(
      encodeMessage(OFP_VERSION_13, 3, plain),
    );
    expect(a.actions).toEqual([output(7)]);
  });

  it('freeze all the way down, leaving buffers as they are', () => {
    const body = Buffer.alloc(4);
    const list = frozen([applyActions(output(1), { type: 'other', actionType: 0xffff, body })]);
    expect(Object.isFrozen(list[0])).toBe(true);
    expect(Object.isFrozen((list[0] as { actions: Action[] }).actions[0])).toBe(true);
    expect(() => {
      (list[0] as { actions: Action[] }).actions.push(output(2));
    }).toThrow(TypeError);
    body[0] = 1;
    expect(body[0]).toBe(1);
  });
});

/** A copy of a list (buffers shared), so the frozen and the plain list are separate objects. */
function structuredCloneLists<T>(list: T[]): T[] {
  return list.map((x) => copyDeep(x));
}
function copyDeep<T>(x: T): T {
  if (typeof x !== 'object' || x === null || ArrayBuffer.isView(x)) return x;
  if (Array.isArray(x)) return x.map((v) => copyDeep(v as unknown)) as T;
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, copyDeep(v as unknown)])) as T;
}
