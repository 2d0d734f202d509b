// A summary of the headers at the start of a captured packet (a sampled header, a captured frame):
// Ethernet (with 802.1Q/802.1ad tags), ARP, IPv4, IPv6 (walking extension headers), TCP, UDP, ICMP/ICMPv6.
// Only the captured bytes are read: a layer cut short by the capture length stops the walk and is
// reported as truncated, never read past.
//
// Two forms: `summarizeEthernet` / `summarizeIpv4` / `summarizeIpv6` fill a reusable flat summary of
// numbers (no allocation; the hot path), and `summaryToObject` turns that summary into a nested object
// with text addresses (for display and tests).

import { readU32 } from './bytes.js';
import { ETH_TYPE_ARP, ETH_TYPE_IPV4, ETH_TYPE_IPV6, ETH_TYPE_QINQ, ETH_TYPE_VLAN } from './ethernet.js';
import { IP_PROTO_ICMP, IP_PROTO_ICMPV6, IP_PROTO_TCP, IP_PROTO_UDP } from './ipv4.js';
import { formatIpv4 } from './ipv4-address.js';
import { formatIpv6 } from './ipv6-address.js';
import { formatMac, readMac } from './mac-address.js';

export type HeaderLayer = 'ethernet' | 'vlan' | 'arp' | 'ipv4' | 'ipv6' | 'tcp' | 'udp' | 'icmp';

const MAX_VLAN_TAGS = 2;
const MAX_IPV6_EXTENSIONS = 8;

/** Flat, reusable result of one header walk. Fields of layers not present keep their reset values. */
export class HeaderSummary {
  /** Offset in the buffer where the walk started and ended (exclusive). */
  start = 0;
  end = 0;
  hasEthernet = false;
  dstMac = 0;
  srcMac = 0;
  /** EtherType after any VLAN tags (or 0x0800/0x86dd when the header starts at IP). */
  etherType = 0;
  vlanCount = 0;
  /** Outer tag first. TCI split into vid (12 bits), pcp (3 bits) and dei (1 bit). */
  readonly vlanTci = [0, 0];
  /** 0 none, 4 IPv4, 6 IPv6, 0x0806 ARP. */
  network = 0;
  networkOffset = 0;
  // IPv4
  ipv4Src = 0;
  ipv4Dst = 0;
  ipv4HeaderLength = 0;
  ipv4TotalLength = 0;
  ipv4Id = 0;
  ipv4Flags = 0;
  ipv4FragmentOffset = 0;
  tos = 0;
  ttl = 0;
  // IPv6: addresses stay in the buffer (offsets), to avoid copies
  ipv6SrcOffset = 0;
  ipv6DstOffset = 0;
  ipv6PayloadLength = 0;
  ipv6FlowLabel = 0;
  // ARP
  arpHardwareType = 0;
  arpProtocolType = 0;
  arpOperation = 0;
  arpSenderMac = 0;
  arpSenderIp = 0;
  arpTargetMac = 0;
  arpTargetIp = 0;
  /** Upper-layer protocol (IPv4 protocol or last IPv6 next header); -1 when no IP layer. */
  protocol = -1;
  transportOffset = 0;
  /** True when the transport header is not in this packet (a non-first fragment). */
  fragment = false;
  // transport
  transport: 0 | 6 | 17 | 1 | 58 = 0;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  tcpSeq = 0;
  tcpAck = 0;
  tcpWindow = 0;
  tcpDataOffset = 0;
  udpLength = 0;
  icmpType = 0;
  icmpCode = 0;
  /** The layer that the captured bytes cut short, or undefined when every header present was whole. */
  truncated: HeaderLayer | undefined = undefined;

  /** Clears every field, for a walk of buf[start, end). */
  reset(start = 0, end = 0): void {
    this.start = start;
    this.end = end;
    this.hasEthernet = false;
    this.dstMac = this.srcMac = this.etherType = this.vlanCount = 0;
    this.vlanTci[0] = this.vlanTci[1] = 0;
    this.network = this.networkOffset = 0;
    this.ipv4Src = this.ipv4Dst = this.ipv4HeaderLength = this.ipv4TotalLength = 0;
    this.ipv4Id = this.ipv4Flags = this.ipv4FragmentOffset = this.tos = this.ttl = 0;
    this.ipv6SrcOffset = this.ipv6DstOffset = this.ipv6PayloadLength = this.ipv6FlowLabel = 0;
    this.arpHardwareType = this.arpProtocolType = this.arpOperation = 0;
    this.arpSenderMac = this.arpSenderIp = this.arpTargetMac = this.arpTargetIp = 0;
    this.protocol = -1;
    this.transportOffset = 0;
    this.fragment = false;
    this.transport = 0;
    this.srcPort = this.dstPort = this.tcpFlags = this.tcpSeq = this.tcpAck = this.tcpWindow = 0;
    this.tcpDataOffset = this.udpLength = this.icmpType = this.icmpCode = 0;
    this.truncated = undefined;
  }
}

/** Walks an Ethernet frame in buf[start, end) into `out`. */
export function summarizeEthernet(buf: Uint8Array, start: number, end: number, out: HeaderSummary): void {
  out.reset(start, end);
  walkEthernet(buf, start, end, out);
}

/** Walks an IPv4 packet (no link-layer header) in buf[start, end) into `out`. */
export function summarizeIpv4(buf: Uint8Array, start: number, end: number, out: HeaderSummary): void {
  out.reset(start, end);
  out.etherType = ETH_TYPE_IPV4;
  walkIpv4(buf, start, end, out);
}

/** Walks an IPv6 packet (no link-layer header) in buf[start, end) into `out`. */
export function summarizeIpv6(buf: Uint8Array, start: number, end: number, out: HeaderSummary): void {
  out.reset(start, end);
  out.etherType = ETH_TYPE_IPV6;
  walkIpv6(buf, start, end, out);
}

function walkEthernet(buf: Uint8Array, p: number, end: number, out: HeaderSummary): void {
  if (end - p < 14) {
    out.truncated = 'ethernet';
    return;
  }
  out.hasEthernet = true;
  out.dstMac = readMac(buf, p);
  out.srcMac = readMac(buf, p + 6);
  let type = (buf[p + 12]! << 8) | buf[p + 13]!;
  p += 14;
  while (type === ETH_TYPE_VLAN || type === ETH_TYPE_QINQ) {
    if (out.vlanCount >= MAX_VLAN_TAGS) break;
    if (end - p < 4) {
      out.etherType = type;
      out.truncated = 'vlan';
      return;
    }
    out.vlanTci[out.vlanCount++] = (buf[p]! << 8) | buf[p + 1]!;
    type = (buf[p + 2]! << 8) | buf[p + 3]!;
    p += 4;
  }
  out.etherType = type;
  if (type === ETH_TYPE_IPV4) walkIpv4(buf, p, end, out);
  else if (type === ETH_TYPE_IPV6) walkIpv6(buf, p, end, out);
  else if (type === ETH_TYPE_ARP) walkArp(buf, p, end, out);
}

function walkArp(buf: Uint8Array, p: number, end: number, out: HeaderSummary): void {
  out.network = ETH_TYPE_ARP;
  out.networkOffset = p;
  if (end - p < 8) {
    out.truncated = 'arp';
    return;
  }
  out.arpHardwareType = (buf[p]! << 8) | buf[p + 1]!;
  out.arpProtocolType = (buf[p + 2]! << 8) | buf[p + 3]!;
  const hlen = buf[p + 4]!;
  const plen = buf[p + 5]!;
  out.arpOperation = (buf[p + 6]! << 8) | buf[p + 7]!;
  // RFC 826 over Ethernet/IPv4: 6-byte hardware and 4-byte protocol addresses; other sizes stay undecoded.
  if (hlen !== 6 || plen !== 4) return;
  if (end - p < 28) {
    out.truncated = 'arp';
    return;
  }
  out.arpSenderMac = readMac(buf, p + 8);
  out.arpSenderIp = readU32(buf, p + 14);
  out.arpTargetMac = readMac(buf, p + 18);
  out.arpTargetIp = readU32(buf, p + 24);
}

function walkIpv4(buf: Uint8Array, p: number, end: number, out: HeaderSummary): void {
  out.network = 4;
  out.networkOffset = p;
  if (end - p < 20) {
    out.truncated = 'ipv4';
    return;
  }
  const ihl = (buf[p]! & 0x0f) * 4;
  // RFC 791: IHL below 5 words is malformed; the version nibble must say 4.
  if (buf[p]! >> 4 !== 4 || ihl < 20) {
    out.truncated = 'ipv4';
    return;
  }
  out.ipv4HeaderLength = ihl;
  out.tos = buf[p + 1]!;
  out.ipv4TotalLength = (buf[p + 2]! << 8) | buf[p + 3]!;
  out.ipv4Id = (buf[p + 4]! << 8) | buf[p + 5]!;
  out.ipv4Flags = buf[p + 6]! >> 5;
  out.ipv4FragmentOffset = ((buf[p + 6]! & 0x1f) << 8) | buf[p + 7]!;
  out.ttl = buf[p + 8]!;
  out.protocol = buf[p + 9]!;
  out.ipv4Src = readU32(buf, p + 12);
  out.ipv4Dst = readU32(buf, p + 16);
  if (end - p < ihl) {
    out.truncated = 'ipv4';
    return;
  }
  if (out.ipv4FragmentOffset !== 0) {
    out.fragment = true;
    return;
  }
  walkTransport(buf, p + ihl, end, out);
}

function walkIpv6(buf: Uint8Array, p: number, end: number, out: HeaderSummary): void {
  out.network = 6;
  out.networkOffset = p;
  if (end - p < 40 || buf[p]! >> 4 !== 6) {
    out.truncated = 'ipv6';
    return;
  }
  out.tos = ((buf[p]! & 0x0f) << 4) | (buf[p + 1]! >> 4);
  out.ipv6FlowLabel = ((buf[p + 1]! & 0x0f) << 16) | (buf[p + 2]! << 8) | buf[p + 3]!;
  out.ipv6PayloadLength = (buf[p + 4]! << 8) | buf[p + 5]!;
  let next = buf[p + 6]!;
  out.ttl = buf[p + 7]!;
  out.ipv6SrcOffset = p + 8;
  out.ipv6DstOffset = p + 24;
  p += 40;
  // RFC 8200 4.1: hop-by-hop (0), routing (43), fragment (44), destination options (60) precede the upper layer.
  for (let i = 0; i < MAX_IPV6_EXTENSIONS; i++) {
    if (next !== 0 && next !== 43 && next !== 44 && next !== 60) break;
    if (end - p < 8) {
      out.protocol = next;
      out.truncated = 'ipv6';
      return;
    }
    const following = buf[p]!;
    if (next === 44) {
      const fragOffset = ((buf[p + 2]! << 8) | buf[p + 3]!) >> 3;
      if (fragOffset !== 0) out.fragment = true;
      p += 8;
    } else {
      p += (buf[p + 1]! + 1) * 8;
    }
    next = following;
  }
  out.protocol = next;
  if (out.fragment) return;
  if (p > end) {
    out.truncated = 'ipv6';
    return;
  }
  walkTransport(buf, p, end, out);
}

function walkTransport(buf: Uint8Array, p: number, end: number, out: HeaderSummary): void {
  out.transportOffset = p;
  const proto = out.protocol;
  const left = end - p;
  if (proto === IP_PROTO_TCP) {
    out.transport = 6;
    if (left < 20) {
      if (left >= 4) readPorts(buf, p, out);
      out.truncated = 'tcp';
      return;
    }
    readPorts(buf, p, out);
    out.tcpSeq = readU32(buf, p + 4);
    out.tcpAck = readU32(buf, p + 8);
    out.tcpDataOffset = (buf[p + 12]! >> 4) * 4;
    out.tcpFlags = ((buf[p + 12]! & 0x01) << 8) | buf[p + 13]!;
    out.tcpWindow = (buf[p + 14]! << 8) | buf[p + 15]!;
  } else if (proto === IP_PROTO_UDP) {
    out.transport = 17;
    if (left < 8) {
      if (left >= 4) readPorts(buf, p, out);
      out.truncated = 'udp';
      return;
    }
    readPorts(buf, p, out);
    out.udpLength = (buf[p + 4]! << 8) | buf[p + 5]!;
  } else if (proto === IP_PROTO_ICMP || proto === IP_PROTO_ICMPV6) {
    out.transport = proto;
    if (left < 2) {
      out.truncated = 'icmp';
      return;
    }
    out.icmpType = buf[p]!;
    out.icmpCode = buf[p + 1]!;
  }
}

function readPorts(buf: Uint8Array, p: number, out: HeaderSummary): void {
  out.srcPort = (buf[p]! << 8) | buf[p + 1]!;
  out.dstPort = (buf[p + 2]! << 8) | buf[p + 3]!;
}

// ---- object form ----

export interface VlanTag {
  vid: number;
  pcp: number;
  dei: number;
}

export interface PacketHeader {
  ethernet?: { dst: string; src: string; etherType: number; vlans: VlanTag[] };
  arp?: {
    hardwareType: number;
    protocolType: number;
    operation: number;
    senderMac?: string;
    senderIp?: string;
    targetMac?: string;
    targetIp?: string;
  };
  ipv4?: {
    src: string;
    dst: string;
    protocol: number;
    ttl: number;
    tos: number;
    totalLength: number;
    id: number;
    flags: number;
    fragmentOffset: number;
    headerLength: number;
  };
  ipv6?: {
    src: string;
    dst: string;
    nextHeader: number;
    hopLimit: number;
    trafficClass: number;
    flowLabel: number;
    payloadLength: number;
  };
  tcp?: {
    srcPort: number;
    dstPort: number;
    seq?: number;
    ack?: number;
    flags?: number;
    window?: number;
    dataOffset?: number;
  };
  udp?: { srcPort: number; dstPort: number; length?: number };
  icmp?: { version: 4 | 6; type: number; code: number };
  /** The layer that the captured bytes cut short. */
  truncated?: HeaderLayer;
}

/** The summary as a nested object with text addresses; `buf` is the buffer the summary was taken of. */
export function summaryToObject(buf: Uint8Array, s: HeaderSummary): PacketHeader {
  const h: PacketHeader = {};
  if (s.hasEthernet) {
    const vlans: VlanTag[] = [];
    for (let i = 0; i < s.vlanCount; i++) {
      const tci = s.vlanTci[i]!;
      vlans.push({ vid: tci & 0x0fff, pcp: tci >> 13, dei: (tci >> 12) & 1 });
    }
    h.ethernet = {
      dst: formatMac(s.dstMac),
      src: formatMac(s.srcMac),
      etherType: s.etherType,
      vlans,
    };
  }
  if (s.network === ETH_TYPE_ARP && (s.arpOperation !== 0 || s.truncated !== 'arp')) {
    h.arp = { hardwareType: s.arpHardwareType, protocolType: s.arpProtocolType, operation: s.arpOperation };
    if (s.arpSenderIp !== 0 || s.arpTargetIp !== 0 || s.arpSenderMac !== 0) {
      h.arp.senderMac = formatMac(s.arpSenderMac);
      h.arp.senderIp = formatIpv4(s.arpSenderIp);
      h.arp.targetMac = formatMac(s.arpTargetMac);
      h.arp.targetIp = formatIpv4(s.arpTargetIp);
    }
  } else if (s.network === 4 && s.ipv4HeaderLength > 0) {
    h.ipv4 = {
      src: formatIpv4(s.ipv4Src),
      dst: formatIpv4(s.ipv4Dst),
      protocol: s.protocol,
      ttl: s.ttl,
      tos: s.tos,
      totalLength: s.ipv4TotalLength,
      id: s.ipv4Id,
      flags: s.ipv4Flags,
      fragmentOffset: s.ipv4FragmentOffset,
      headerLength: s.ipv4HeaderLength,
    };
  } else if (s.network === 6 && s.ipv6SrcOffset > 0) {
    h.ipv6 = {
      src: formatIpv6(buf, s.ipv6SrcOffset),
      dst: formatIpv6(buf, s.ipv6DstOffset),
      nextHeader: s.protocol,
      hopLimit: s.ttl,
      trafficClass: s.tos,
      flowLabel: s.ipv6FlowLabel,
      payloadLength: s.ipv6PayloadLength,
    };
  }
  const whole = s.truncated === undefined;
  if (s.transport === 6) {
    if (whole) {
      h.tcp = {
        srcPort: s.srcPort,
        dstPort: s.dstPort,
        seq: s.tcpSeq,
        ack: s.tcpAck,
        flags: s.tcpFlags,
        window: s.tcpWindow,
        dataOffset: s.tcpDataOffset,
      };
    } else if (s.end - s.transportOffset >= 4) {
      h.tcp = { srcPort: s.srcPort, dstPort: s.dstPort };
    }
  } else if (s.transport === 17) {
    if (whole) h.udp = { srcPort: s.srcPort, dstPort: s.dstPort, length: s.udpLength };
    else if (s.end - s.transportOffset >= 4) h.udp = { srcPort: s.srcPort, dstPort: s.dstPort };
  } else if ((s.transport === 1 || s.transport === 58) && whole) {
    h.icmp = { version: s.transport === 1 ? 4 : 6, type: s.icmpType, code: s.icmpCode };
  }
  if (s.truncated !== undefined) h.truncated = s.truncated;
  return h;
}
