import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, writeMessage } from '../../src/openflow/codec.js';
import { OfEncodeError } from '../../src/openflow/errors.js';
import {
  FlowModTemplate,
  TemplatedFlowMod,
  type TemplateField,
} from '../../src/openflow/flow-mod-template.js';
import { flowMod } from '../../src/openflow/builders.js';
import { OFP_VERSION_10, OFP_VERSION_13, type FlowMod, type Match } from '../../src/openflow/model.js';
import { flowMod13 } from './arbitraries.js';

const FIELDS: readonly TemplateField[] = [
  'inPort',
  'ethSrc',
  'ethDst',
  'ipv4Src',
  'ipv4Dst',
  'tcpSrc',
  'tcpDst',
];
const BITS: Record<TemplateField, number> = {
  inPort: 32,
  ethSrc: 48,
  ethDst: 48,
  ipv4Src: 32,
  ipv4Dst: 32,
  tcpSrc: 16,
  tcpDst: 16,
};

/** The fields of a match a template can vary: present and unmasked. */
function variable(m: Match): TemplateField[] {
  return FIELDS.filter((f) => m[f] !== undefined && m[`${f}Mask` as keyof Match] === undefined);
}

/** Every field of a flow-mod, read through its accessors, as a plain object. */
function fieldsOf(fm: FlowMod): FlowMod {
  const keys = Object.keys(flowMod({})) as Array<keyof FlowMod>;
  return Object.fromEntries(keys.map((k) => [k, fm[k]])) as unknown as FlowMod;
}

const value = (bits: number) => fc.integer({ min: 0, max: 2 ** bits - 1 });

describe('flow-mod templates (OpenFlow 1.3)', () => {
  it('write an instance byte for byte as the generic encoder writes the same flow-mod', () => {
    const withValues = flowMod13.chain((fm) => {
      const vary = variable(fm.match);
      return fc.tuple(
        fc.constant(fm),
        fc.constant(vary),
        fc.tuple(...vary.map((f) => value(BITS[f]))),
        fc.integer({ min: 0, max: 0xffffffff }),
      );
    });
    fc.assert(
      fc.property(withValues, ([fm, vary, values, xid]) => {
        const t = new FlowModTemplate(fm, vary);
        const fm2 = t.instance(values);
        const plain: FlowMod = {
          ...fm,
          match: { ...fm.match, ...Object.fromEntries(vary.map((f, i) => [f, values[i]!])) },
        };
        const bytes = encodeMessage(OFP_VERSION_13, xid, fm2);
        expect(bytes).toEqual(encodeMessage(OFP_VERSION_13, xid, plain));
        const r = decodeMessage(bytes);
        expect(r.ok && r.msg).toEqual(plain);
        // An instance reads as a plain flow-mod of its fields (its match is built when read).
        expect(fieldsOf(fm2)).toEqual(plain);
        expect(fm2.match).toBe(fm2.match);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a value out of range before writing, and a field it cannot vary', () => {
    const base = flowMod({ match: { inPort: 1, ethType: 0x0800, ipv4Src: 1, ipv4Dst: 2 } });
    const t = new FlowModTemplate(base, ['inPort', 'ipv4Src']);
    const buf = Buffer.alloc(t.length).fill(0xaa);
    const bad = t.instance([1, 2 ** 32]);
    expect(() => writeMessage(buf, 0, OFP_VERSION_13, 1, bad)).toThrow(OfEncodeError);
    expect(buf.every((b) => b === 0xaa)).toBe(true);
    expect(() => writeMessage(buf, 0, OFP_VERSION_13, 1, t.instance([1.5, 2]))).toThrow(OfEncodeError);
    expect(buf.every((b) => b === 0xaa)).toBe(true);
    expect(() => t.instance([1])).toThrow(/2 fields given 1 values/);
    expect(() => new FlowModTemplate(base, ['tcpDst'])).toThrow(/not in the match/);
    expect(
      () =>
        new FlowModTemplate(flowMod({ match: { ethType: 0x0800, ipv4Src: 1, ipv4SrcMask: 0xff000000 } }), [
          'ipv4Src',
        ]),
    ).toThrow(/masked/);
  });

  it('is encoded field by field for OpenFlow 1.0', () => {
    const base = flowMod({ match: { inPort: 1, ethType: 0x0800, ipv4Src: 1 } });
    const fm = new FlowModTemplate(base, ['inPort', 'ipv4Src']).instance([3, 0x0ad50001]);
    expect(fm).toBeInstanceOf(TemplatedFlowMod);
    const plain: FlowMod = { ...base, match: { inPort: 3, ethType: 0x0800, ipv4Src: 0x0ad50001 } };
    expect(encodeMessage(OFP_VERSION_10, 7, fm)).toEqual(encodeMessage(OFP_VERSION_10, 7, plain));
  });
});
