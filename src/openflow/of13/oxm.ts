// OpenFlow 1.3 match: ofp_match {type u16 = OFPMT_OXM (1), length u16 (excluding padding), OXM TLVs},
// padded to a multiple of 8 (OF1.3 spec 7.2.3.1). OXM TLV header (7.2.3.2): class u16, field u7,
// hasmask u1, length u8 (payload bytes: value, then mask when hasmask).

import { readMac, writeMac } from '../../net/mac-address.js';
import { OfEncodeError, badLength, checkUint, checkUint64, malformed, need } from '../errors.js';
import type { Match, MatchFieldName, RawOxm } from '../model.js';
import { readU16, readU32, u16, u32, u64, zero } from '../wire.js';

export const OFPMT_OXM = 1;
export const OFPXMC_OPENFLOW_BASIC = 0x8000;

export interface OxmFieldDesc {
  name: MatchFieldName;
  mask: keyof Match | undefined;
  /** OXM_OF_* field number. */
  num: number;
  /** Value size in bytes. */
  size: 1 | 2 | 4 | 6 | 8 | 16;
}

function f(name: MatchFieldName, num: number, size: OxmFieldDesc['size'], maskable = false): OxmFieldDesc {
  return { name, num, size, mask: maskable ? (`${name}Mask` as keyof Match) : undefined };
}

/** Modeled fields in OXM field-number order, which is also prerequisite order. */
export const OXM_FIELDS: readonly OxmFieldDesc[] = [
  f('inPort', 0, 4),
  f('inPhyPort', 1, 4),
  f('metadata', 2, 8, true),
  f('ethDst', 3, 6, true),
  f('ethSrc', 4, 6, true),
  f('ethType', 5, 2),
  f('vlanVid', 6, 2, true),
  f('vlanPcp', 7, 1),
  f('ipDscp', 8, 1),
  f('ipEcn', 9, 1),
  f('ipProto', 10, 1),
  f('ipv4Src', 11, 4, true),
  f('ipv4Dst', 12, 4, true),
  f('tcpSrc', 13, 2),
  f('tcpDst', 14, 2),
  f('udpSrc', 15, 2),
  f('udpDst', 16, 2),
  f('icmpv4Type', 19, 1),
  f('icmpv4Code', 20, 1),
  f('arpOp', 21, 2),
  f('arpSpa', 22, 4, true),
  f('arpTpa', 23, 4, true),
  f('arpSha', 24, 6, true),
  f('arpTha', 25, 6, true),
  f('ipv6Src', 26, 16, true),
  f('ipv6Dst', 27, 16, true),
];

const BY_NUM: (OxmFieldDesc | undefined)[] = [];
const BY_NAME = new Map<string, OxmFieldDesc>();
for (const d of OXM_FIELDS) {
  BY_NUM[d.num] = d;
  BY_NAME.set(d.name, d);
}

export function oxmFieldByName(name: string): OxmFieldDesc | undefined {
  return BY_NAME.get(name);
}

export function oxmFieldByNum(num: number): OxmFieldDesc | undefined {
  return BY_NUM[num];
}

export type FieldValue = number | bigint | Buffer;

export function checkValue(d: OxmFieldDesc, v: unknown, what: string): void {
  switch (d.size) {
    case 1:
    case 2:
    case 4:
      if (typeof v !== 'number') throw new OfEncodeError(`${what} must be a number`);
      checkUint(v, (d.size * 8) as 8 | 16 | 32, what);
      return;
    case 6:
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffffffff) {
        throw new OfEncodeError(`${what} ${String(v)} is not a 48-bit MAC address`);
      }
      return;
    case 8:
      if (typeof v !== 'bigint') throw new OfEncodeError(`${what} must be a bigint`);
      checkUint64(v, what);
      return;
    case 16:
      if (!(v instanceof Uint8Array) || v.length !== 16) throw new OfEncodeError(`${what} must be 16 bytes`);
      return;
  }
}

export function writeValue(buf: Buffer, off: number, size: number, v: FieldValue): void {
  switch (size) {
    case 1:
      buf[off] = v as number;
      return;
    case 2:
      u16(buf, off, v as number);
      return;
    case 4:
      u32(buf, off, v as number);
      return;
    case 6:
      writeMac(buf, off, v as number);
      return;
    case 8:
      u64(buf, off, v as bigint);
      return;
    default:
      buf.set(v as Buffer, off);
  }
}

export function readValue(buf: Buffer, off: number, size: number): FieldValue {
  switch (size) {
    case 1:
      return buf[off] as number;
    case 2:
      return readU16(buf, off);
    case 4:
      return readU32(buf, off);
    case 6:
      return readMac(buf, off);
    case 8:
      return buf.readBigUInt64BE(off);
    default:
      return buf.subarray(off, off + size);
  }
}

const FIELD_INDEX: Record<string, number> = Object.create(null) as Record<string, number>;
const MASK_INDEX: Record<string, number> = Object.create(null) as Record<string, number>;
OXM_FIELDS.forEach((d, i) => {
  FIELD_INDEX[d.name] = i;
  if (d.mask !== undefined) MASK_INDEX[d.mask] = i;
});

let presentMasks = 0;

/**
 * Bit i set when OXM_FIELDS[i] has a value in `m` (one pass over the keys the match actually holds);
 * masks present go to `presentMasks`.
 */
function presentFields(m: Match): number {
  let bits = 0;
  let masks = 0;
  for (const key in m) {
    const v = m[key as keyof Match];
    if (v === undefined) continue;
    const i = FIELD_INDEX[key];
    if (i !== undefined) bits |= 1 << i;
    else {
      const j = MASK_INDEX[key];
      if (j !== undefined) masks |= 1 << j;
    }
  }
  presentMasks = masks;
  return bits;
}

/** Length of the OXM TLVs of a match (without the ofp_match header and padding); validates it. */
export function oxmListLength(m: Match): number {
  let bits = presentFields(m);
  const masks = presentMasks;
  if ((masks & ~bits) !== 0) {
    const d = OXM_FIELDS[31 - Math.clz32(masks & ~bits)] as OxmFieldDesc;
    throw new OfEncodeError(`${String(d.mask)} without ${d.name}`);
  }
  let n = 0;
  while (bits !== 0) {
    const low = bits & -bits;
    bits ^= low;
    const d = OXM_FIELDS[31 - Math.clz32(low)] as OxmFieldDesc;
    checkValue(d, m[d.name], d.name);
    n += 4 + d.size;
    if ((masks & low) !== 0) {
      checkValue(d, m[d.mask as keyof Match], d.mask as string);
      n += d.size;
    }
  }
  if (m.otherOxm) {
    for (const o of m.otherOxm) {
      if (o.payload.length > 0xff)
        throw new OfEncodeError(`OXM ${o.oxmClass}:${o.field} payload over 255 bytes`);
      checkUint(o.oxmClass, 16, 'OXM class');
      if (o.field > 0x7f) throw new OfEncodeError(`OXM field ${o.field} over 127`);
      n += 4 + o.payload.length;
    }
  }
  return n;
}

/** Bytes of a whole ofp_match, padding included. */
export function matchLength(m: Match): number {
  return (4 + oxmListLength(m) + 7) & ~7;
}

/** Writes one OXM TLV for a modeled field; returns its length. */
export function writeOxm(
  buf: Buffer,
  off: number,
  d: OxmFieldDesc,
  v: FieldValue,
  mask: FieldValue | undefined,
): number {
  const hasMask = mask !== undefined;
  const payload = hasMask ? 2 * d.size : d.size;
  u16(buf, off, OFPXMC_OPENFLOW_BASIC);
  buf[off + 2] = (d.num << 1) | (hasMask ? 1 : 0);
  buf[off + 3] = payload;
  writeValue(buf, off + 4, d.size, v);
  if (hasMask) writeValue(buf, off + 4 + d.size, d.size, mask);
  return 4 + payload;
}

/** Writes an ofp_match validated by oxmListLength; returns its padded length. */
export function writeMatch(buf: Buffer, off: number, m: Match): number {
  const start = off;
  u16(buf, off, OFPMT_OXM);
  off += 4;
  let bits = presentFields(m);
  const masks = presentMasks;
  while (bits !== 0) {
    const low = bits & -bits;
    bits ^= low;
    const d = OXM_FIELDS[31 - Math.clz32(low)] as OxmFieldDesc;
    const mask = (masks & low) !== 0 ? (m[d.mask as keyof Match] as FieldValue) : undefined;
    off += writeOxm(buf, off, d, m[d.name] as FieldValue, mask);
  }
  if (m.otherOxm) {
    for (const o of m.otherOxm) {
      u16(buf, off, o.oxmClass);
      buf[off + 2] = (o.field << 1) | (o.hasMask ? 1 : 0);
      buf[off + 3] = o.payload.length;
      buf.set(o.payload, off + 4);
      off += 4 + o.payload.length;
    }
  }
  const len = off - start;
  u16(buf, start + 2, len);
  const padded = (len + 7) & ~7;
  zero(buf, off, start + padded);
  return padded;
}

/**
 * Reads one OXM TLV at `off` into `m`; returns the offset after it. Unmodeled TLVs go to m.otherOxm.
 * A duplicate field, a wrong length or a mask on an unmaskable field is malformed (OFPBMC_*).
 */
export function readOxm(buf: Buffer, off: number, end: number, m: Match): number {
  need(off, 4, end, 'OXM header');
  const cls = readU16(buf, off);
  const fieldAndMask = buf[off + 2] as number;
  const len = buf[off + 3] as number;
  need(off + 4, len, end, 'OXM payload');
  const field = fieldAndMask >>> 1;
  const hasMask = (fieldAndMask & 1) === 1;
  const d = cls === OFPXMC_OPENFLOW_BASIC ? BY_NUM[field] : undefined;
  if (d === undefined) {
    if (hasMask && (len & 1) === 1) badLength(`masked OXM ${cls}:${field} with odd length ${len}`, off);
    const raw: RawOxm = { oxmClass: cls, field, hasMask, payload: buf.subarray(off + 4, off + 4 + len) };
    (m.otherOxm ??= []).push(raw);
    return off + 4 + len;
  }
  if (hasMask && d.mask === undefined) malformed(`OXM ${d.name} cannot have a mask`, off);
  if (len !== (hasMask ? 2 * d.size : d.size)) badLength(`OXM ${d.name} length ${len}`, off);
  if (m[d.name] !== undefined) malformed(`duplicate OXM ${d.name}`, off);
  (m as Record<string, unknown>)[d.name] = readValue(buf, off + 4, d.size);
  if (hasMask) (m as Record<string, unknown>)[d.mask as string] = readValue(buf, off + 4 + d.size, d.size);
  return off + 4 + len;
}

/** Reads an ofp_match at `off`; the caller advances by matchWireLength(buf, off). */
export function readMatch(buf: Buffer, off: number, end: number): Match {
  need(off, 4, end, 'ofp_match');
  const type = readU16(buf, off);
  const len = readU16(buf, off + 2);
  if (type !== OFPMT_OXM) malformed(`ofp_match type ${type} is not OFPMT_OXM`, off);
  if (len < 4) badLength(`ofp_match length ${len} < 4`, off);
  need(off, (len + 7) & ~7, end, 'ofp_match');
  const m: Match = {};
  let p = off + 4;
  const oxmEnd = off + len;
  while (p < oxmEnd) p = readOxm(buf, p, oxmEnd, m);
  return m;
}

/** Padded on-wire length of the ofp_match at `off` (valid after readMatch succeeded). */
export function matchWireLength(buf: Buffer, off: number): number {
  return (readU16(buf, off + 2) + 7) & ~7;
}
