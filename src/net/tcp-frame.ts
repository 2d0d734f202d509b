// The headers of a TCP segment over IPv4 in an Ethernet frame, located straight from the bytes: for hot
// paths (the load balancer's packet-in) that read a few fields and need no decoded header objects.
// `tcpFrameIpv4Offset` accepts exactly the frames that decodePacket decodes to an IPv4 header and a TCP
// header (at most one 802.1Q/802.1ad tag, an unfragmented datagram, every length consistent).

import { readU16 } from './bytes.js';
import {
  ETH_HEADER_LENGTH,
  ETH_TYPE_IPV4,
  ETH_TYPE_QINQ,
  ETH_TYPE_VLAN,
  VLAN_TAG_LENGTH,
} from './ethernet.js';
import { IP_PROTO_TCP, IPV4_MIN_HEADER_LENGTH } from './ipv4.js';
import { TCP_MIN_HEADER_LENGTH } from './tcp.js';

/**
 * Where the IPv4 header of a TCP frame starts (source address at +12, destination at +16), or -1 when the
 * frame is anything else or malformed. The TCP header follows at `tcpOffset(frame, ip)`.
 */
export function tcpFrameIpv4Offset(frame: Uint8Array, end = frame.length): number {
  if (end < ETH_HEADER_LENGTH) return -1;
  let ip = ETH_HEADER_LENGTH;
  let ethType = (frame[12]! << 8) | frame[13]!;
  if (ethType === ETH_TYPE_VLAN || ethType === ETH_TYPE_QINQ) {
    if (end < ETH_HEADER_LENGTH + VLAN_TAG_LENGTH) return -1;
    ethType = (frame[16]! << 8) | frame[17]!;
    ip += VLAN_TAG_LENGTH;
  }
  if (ethType !== ETH_TYPE_IPV4 || end - ip < IPV4_MIN_HEADER_LENGTH) return -1;
  const vihl = frame[ip]!;
  const headerLength = (vihl & 0x0f) * 4;
  if (vihl >>> 4 !== 4 || headerLength < IPV4_MIN_HEADER_LENGTH) return -1;
  const totalLength = readU16(frame, ip + 2);
  if (totalLength < headerLength || ip + totalLength > end) return -1;
  // A later fragment carries no TCP header; the first one (offset 0) does.
  if ((readU16(frame, ip + 6) & 0x1fff) !== 0 || frame[ip + 9] !== IP_PROTO_TCP) return -1;
  const tcp = ip + headerLength;
  const datagramEnd = ip + totalLength;
  if (datagramEnd - tcp < TCP_MIN_HEADER_LENGTH) return -1;
  const dataOffset = (frame[tcp + 12]! >>> 4) * 4;
  if (dataOffset < TCP_MIN_HEADER_LENGTH || tcp + dataOffset > datagramEnd) return -1;
  return ip;
}

/** Where the TCP header starts, given the IPv4 header's offset from tcpFrameIpv4Offset. */
export function tcpOffset(frame: Uint8Array, ip: number): number {
  return ip + (frame[ip]! & 0x0f) * 4;
}
