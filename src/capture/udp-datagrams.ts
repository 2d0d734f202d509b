// UDP datagrams out of captured frames: Ethernet (with VLAN tags), BSD loopback, raw IP, Linux cooked
// captures (SLL, SLL2). Fragments other than the first, and truncated datagrams, are not returned.

import { formatIpv4 } from '../net/ipv4-address.js';
import { formatIpv6 } from '../net/ipv6-address.js';
import { HeaderSummary, summarizeEthernet, summarizeIpv4, summarizeIpv6 } from '../net/header-summary.js';
import type { CapturedPacket } from './capture-reader.js';
import { LinkType } from './pcap-writer.js';

export interface UdpDatagram {
  timeMs: number;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}

const summary = new HeaderSummary();

export function udpDatagramOf(p: CapturedPacket): UdpDatagram | undefined {
  const d = p.data;
  let ok: boolean;
  switch (p.linkType) {
    case LinkType.ethernet:
      summarizeEthernet(d, 0, d.length, summary);
      ok = true;
      break;
    case LinkType.raw:
    case 12:
    case 14:
    case LinkType.ipv4:
    case LinkType.ipv6:
      ok = ip(d, 0);
      break;
    case LinkType.null:
    case 108:
      // 4-byte address family in the capturing host's byte order, then IP
      ok = ip(d, 4);
      break;
    case LinkType.linuxSll:
      ok = ip(d, 16);
      break;
    case LinkType.linuxSll2:
      ok = ip(d, 20);
      break;
    default:
      return undefined;
  }
  const s = summary;
  if (!ok || s.transport !== 17 || s.truncated !== undefined || s.fragment) return undefined;
  const start = s.transportOffset + 8;
  const end = Math.min(d.length, s.transportOffset + s.udpLength);
  if (end < start) return undefined;
  return {
    timeMs: p.timeMs,
    srcIp: s.network === 4 ? formatIpv4(s.ipv4Src) : formatIpv6(d, s.ipv6SrcOffset),
    dstIp: s.network === 4 ? formatIpv4(s.ipv4Dst) : formatIpv6(d, s.ipv6DstOffset),
    srcPort: s.srcPort,
    dstPort: s.dstPort,
    payload: d.subarray(start, end),
  };
}

function ip(d: Buffer, offset: number): boolean {
  if (d.length <= offset) return false;
  const version = d[offset]! >> 4;
  if (version === 4) summarizeIpv4(d, offset, d.length, summary);
  else if (version === 6) summarizeIpv6(d, offset, d.length, summary);
  else return false;
  return true;
}
