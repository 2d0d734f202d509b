// OpenFlow 1.0 ofp_match (OF1.0 spec 5.2.3, 40 bytes): fixed fields plus a wildcard bitmap. nw_src and
// nw_dst carry a 6-bit count of wildcarded low-order bits (>= 32: the whole address). For ARP
// (dl_type 0x0806) nw_proto holds the opcode's low byte and nw_src/nw_dst the sender/target IPv4
// address; for ICMP tp_src/tp_dst hold type and code.

import { ipv4MaskPrefixLen } from '../../net/ipv4-address.js';
import { readMac, writeMac } from '../../net/mac-address.js';
import { OfEncodeError, checkUint, malformed } from '../errors.js';
import type { Match } from '../model.js';
import { OFPVID_NONE, OFPVID_PRESENT } from '../model.js';
import { port16To32, port32To16 } from './port.js';
import { u16, u32 } from '../wire.js';

export const OFP10_MATCH_LEN = 40;

const OFPFW_IN_PORT = 1 << 0;
const OFPFW_DL_VLAN = 1 << 1;
const OFPFW_DL_SRC = 1 << 2;
const OFPFW_DL_DST = 1 << 3;
const OFPFW_DL_TYPE = 1 << 4;
const OFPFW_NW_PROTO = 1 << 5;
const OFPFW_TP_SRC = 1 << 6;
const OFPFW_TP_DST = 1 << 7;
const OFPFW_NW_SRC_SHIFT = 8;
const OFPFW_NW_DST_SHIFT = 14;
const OFPFW_DL_VLAN_PCP = 1 << 20;
const OFPFW_NW_TOS = 1 << 21;
/** Every field wildcarded (nw_src/nw_dst counts at 32). */
export const OFPFW_ALL = (1 << 22) - 1;

const ETH_TYPE_ARP = 0x0806;
const OFP_VLAN_NONE = 0xffff;
const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

const UNSUPPORTED: readonly (keyof Match)[] = [
  'inPhyPort',
  'metadata',
  'metadataMask',
  'ethDstMask',
  'ethSrcMask',
  'vlanVidMask',
  'ipEcn',
  'arpSha',
  'arpShaMask',
  'arpTha',
  'arpThaMask',
  'ipv6Src',
  'ipv6SrcMask',
  'ipv6Dst',
  'ipv6DstMask',
  'otherOxm',
];

const UNSUPPORTED_SET: Record<string, boolean> = Object.create(null) as Record<string, boolean>;
for (const k of UNSUPPORTED) UNSUPPORTED_SET[k] = true;

function prefixWildBits(mask: number | undefined, what: string): number {
  if (mask === undefined) return 0;
  checkUint(mask, 32, what);
  const p = ipv4MaskPrefixLen(mask);
  if (p < 0) throw new OfEncodeError(`${what} 0x${mask.toString(16)} is not a prefix mask (OpenFlow 1.0)`);
  return 32 - p;
}

function both(a: unknown, b: unknown, what: string): void {
  if (a !== undefined && b !== undefined)
    throw new OfEncodeError(`OpenFlow 1.0 cannot match ${what} together`);
}

function needProto(m: Match, proto: number, field: string): void {
  if (m.ipProto !== proto) throw new OfEncodeError(`OpenFlow 1.0 match on ${field} needs ipProto ${proto}`);
}

/** Validates a match for 1.0 and writes its 40 bytes. */
export function writeMatch10(buf: Buffer, off: number, m: Match): void {
  for (const k in m) {
    if (UNSUPPORTED_SET[k] === true && m[k as keyof Match] !== undefined) {
      throw new OfEncodeError(`OpenFlow 1.0 cannot match ${k}`);
    }
  }
  both(m.ipv4Src, m.arpSpa, 'ipv4Src and arpSpa');
  both(m.ipv4Dst, m.arpTpa, 'ipv4Dst and arpTpa');
  both(m.ipProto, m.arpOp, 'ipProto and arpOp');
  const isArp = m.arpOp !== undefined || m.arpSpa !== undefined || m.arpTpa !== undefined;
  if (isArp && m.ethType !== ETH_TYPE_ARP)
    throw new OfEncodeError('OpenFlow 1.0 ARP fields need ethType 0x0806');
  const isIp = m.ipProto !== undefined || m.ipv4Src !== undefined || m.ipv4Dst !== undefined;
  if (isIp && m.ethType === ETH_TYPE_ARP) throw new OfEncodeError('OpenFlow 1.0 IP fields cannot match ARP');
  if (
    (m.ipv4SrcMask !== undefined && m.ipv4Src === undefined) ||
    (m.ipv4DstMask !== undefined && m.ipv4Dst === undefined)
  ) {
    throw new OfEncodeError('an IPv4 mask without its address');
  }
  if (
    (m.arpSpaMask !== undefined && m.arpSpa === undefined) ||
    (m.arpTpaMask !== undefined && m.arpTpa === undefined)
  ) {
    throw new OfEncodeError('an ARP address mask without its address');
  }

  let tpSrc: number | undefined;
  let tpDst: number | undefined;
  if (m.tcpSrc !== undefined || m.tcpDst !== undefined) {
    needProto(m, IPPROTO_TCP, 'tcp ports');
    tpSrc = m.tcpSrc;
    tpDst = m.tcpDst;
  }
  if (m.udpSrc !== undefined || m.udpDst !== undefined) {
    needProto(m, IPPROTO_UDP, 'udp ports');
    tpSrc = m.udpSrc;
    tpDst = m.udpDst;
  }
  if (m.icmpv4Type !== undefined || m.icmpv4Code !== undefined) {
    needProto(m, IPPROTO_ICMP, 'icmpv4 type/code');
    if (m.icmpv4Type !== undefined) checkUint(m.icmpv4Type, 8, 'icmpv4Type');
    if (m.icmpv4Code !== undefined) checkUint(m.icmpv4Code, 8, 'icmpv4Code');
    tpSrc = m.icmpv4Type;
    tpDst = m.icmpv4Code;
  }

  let wc = 0;
  let dlVlan = 0;
  if (m.inPort === undefined) wc |= OFPFW_IN_PORT;
  if (m.ethSrc === undefined) wc |= OFPFW_DL_SRC;
  if (m.ethDst === undefined) wc |= OFPFW_DL_DST;
  if (m.ethType === undefined) wc |= OFPFW_DL_TYPE;
  if (m.vlanVid === undefined) wc |= OFPFW_DL_VLAN;
  else if (m.vlanVid === OFPVID_NONE) dlVlan = OFP_VLAN_NONE;
  else if ((m.vlanVid & ~0xfff) === OFPVID_PRESENT) dlVlan = m.vlanVid & 0xfff;
  else
    throw new OfEncodeError(
      `vlanVid 0x${m.vlanVid.toString(16)} is neither OFPVID_NONE nor OFPVID_PRESENT|vid`,
    );
  if (m.vlanPcp === undefined) wc |= OFPFW_DL_VLAN_PCP;
  if (m.ipDscp === undefined) wc |= OFPFW_NW_TOS;
  const nwProto = isArp ? m.arpOp : m.ipProto;
  if (nwProto === undefined) wc |= OFPFW_NW_PROTO;
  const nwSrc = isArp ? m.arpSpa : m.ipv4Src;
  const nwDst = isArp ? m.arpTpa : m.ipv4Dst;
  wc |=
    (nwSrc === undefined ? 32 : prefixWildBits(isArp ? m.arpSpaMask : m.ipv4SrcMask, 'source mask')) <<
    OFPFW_NW_SRC_SHIFT;
  wc |=
    (nwDst === undefined ? 32 : prefixWildBits(isArp ? m.arpTpaMask : m.ipv4DstMask, 'destination mask')) <<
    OFPFW_NW_DST_SHIFT;
  if (tpSrc === undefined) wc |= OFPFW_TP_SRC;
  if (tpDst === undefined) wc |= OFPFW_TP_DST;

  if (m.inPort !== undefined) checkUint(m.inPort, 32, 'inPort');
  if (m.ethType !== undefined) checkUint(m.ethType, 16, 'ethType');
  if (m.vlanPcp !== undefined) checkUint(m.vlanPcp, 8, 'vlanPcp');
  if (m.ipDscp !== undefined && (!Number.isInteger(m.ipDscp) || m.ipDscp < 0 || m.ipDscp > 63)) {
    throw new OfEncodeError(`ipDscp ${m.ipDscp} is not 6 bits`);
  }
  if (nwProto !== undefined) checkUint(nwProto, 8, isArp ? 'arpOp (OpenFlow 1.0 keeps 8 bits)' : 'ipProto');
  if (nwSrc !== undefined) checkUint(nwSrc, 32, 'source address');
  if (nwDst !== undefined) checkUint(nwDst, 32, 'destination address');
  if (tpSrc !== undefined) checkUint(tpSrc, 16, 'transport source');
  if (tpDst !== undefined) checkUint(tpDst, 16, 'transport destination');
  for (const k of ['ethSrc', 'ethDst'] as const) {
    const v = m[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 0xffffffffffff)) {
      throw new OfEncodeError(`${k} ${v} is not a 48-bit MAC address`);
    }
  }

  u32(buf, off, wc >>> 0);
  u16(buf, off + 4, m.inPort === undefined ? 0 : port32To16(m.inPort, 'inPort'));
  writeMac(buf, off + 6, m.ethSrc ?? 0);
  writeMac(buf, off + 12, m.ethDst ?? 0);
  u16(buf, off + 18, dlVlan);
  buf[off + 20] = m.vlanPcp ?? 0;
  buf[off + 21] = 0;
  u16(buf, off + 22, m.ethType ?? 0);
  buf[off + 24] = (m.ipDscp ?? 0) << 2;
  buf[off + 25] = nwProto ?? 0;
  u16(buf, off + 26, 0);
  u32(buf, off + 28, nwSrc ?? 0);
  u32(buf, off + 32, nwDst ?? 0);
  u16(buf, off + 36, tpSrc ?? 0);
  u16(buf, off + 38, tpDst ?? 0);
}

function prefixMask(wildBits: number): number | undefined {
  return wildBits === 0 ? undefined : (0xffffffff << wildBits) >>> 0;
}

/** Reads 40 bytes at `off` (the caller checked they are there). */
export function readMatch10(buf: Buffer, off: number): Match {
  const wc = buf.readUInt32BE(off);
  const m: Match = {};
  if (!(wc & OFPFW_IN_PORT)) m.inPort = port16To32(buf.readUInt16BE(off + 4));
  if (!(wc & OFPFW_DL_SRC)) m.ethSrc = readMac(buf, off + 6);
  if (!(wc & OFPFW_DL_DST)) m.ethDst = readMac(buf, off + 12);
  if (!(wc & OFPFW_DL_VLAN)) {
    const v = buf.readUInt16BE(off + 18);
    if (v === OFP_VLAN_NONE) m.vlanVid = OFPVID_NONE;
    else if (v <= 0xfff) m.vlanVid = OFPVID_PRESENT | v;
    else malformed(`dl_vlan 0x${v.toString(16)}`, off + 18);
  }
  if (!(wc & OFPFW_DL_VLAN_PCP)) m.vlanPcp = buf[off + 20] as number;
  if (!(wc & OFPFW_DL_TYPE)) m.ethType = buf.readUInt16BE(off + 22);
  const isArp = m.ethType === ETH_TYPE_ARP;
  if (!(wc & OFPFW_NW_TOS)) m.ipDscp = (buf[off + 24] as number) >>> 2;
  if (!(wc & OFPFW_NW_PROTO)) {
    if (isArp) m.arpOp = buf[off + 25] as number;
    else m.ipProto = buf[off + 25] as number;
  }
  const srcWild = (wc >>> OFPFW_NW_SRC_SHIFT) & 0x3f;
  if (srcWild < 32) {
    const v = buf.readUInt32BE(off + 28);
    const mask = prefixMask(srcWild);
    if (isArp) {
      m.arpSpa = v;
      if (mask !== undefined) m.arpSpaMask = mask;
    } else {
      m.ipv4Src = v;
      if (mask !== undefined) m.ipv4SrcMask = mask;
    }
  }
  const dstWild = (wc >>> OFPFW_NW_DST_SHIFT) & 0x3f;
  if (dstWild < 32) {
    const v = buf.readUInt32BE(off + 32);
    const mask = prefixMask(dstWild);
    if (isArp) {
      m.arpTpa = v;
      if (mask !== undefined) m.arpTpaMask = mask;
    } else {
      m.ipv4Dst = v;
      if (mask !== undefined) m.ipv4DstMask = mask;
    }
  }
  const hasSrc = !(wc & OFPFW_TP_SRC);
  const hasDst = !(wc & OFPFW_TP_DST);
  if (hasSrc || hasDst) {
    const tpSrc = buf.readUInt16BE(off + 36);
    const tpDst = buf.readUInt16BE(off + 38);
    switch (isArp ? undefined : m.ipProto) {
      case IPPROTO_TCP:
        if (hasSrc) m.tcpSrc = tpSrc;
        if (hasDst) m.tcpDst = tpDst;
        break;
      case IPPROTO_UDP:
        if (hasSrc) m.udpSrc = tpSrc;
        if (hasDst) m.udpDst = tpDst;
        break;
      case IPPROTO_ICMP:
        if (hasSrc) m.icmpv4Type = tpSrc & 0xff;
        if (hasDst) m.icmpv4Code = tpDst & 0xff;
        break;
      default:
        malformed('tp_src/tp_dst matched without nw_proto tcp, udp or icmp', off + 36);
    }
  }
  return m;
}
