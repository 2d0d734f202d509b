import { readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { internetChecksum } from './checksum.js';
import { PacketError } from './packet-error.js';

// IANA protocol numbers: the IPv4 protocol field and the IPv6 next header share them.
export const IP_PROTO_ICMP = 1;
export const IP_PROTO_TCP = 6;
export const IP_PROTO_UDP = 17;
export const IP_PROTO_ICMPV6 = 58;

export const IPV4_MIN_HEADER_LENGTH = 20;

export interface Ipv4Header {
  /** RFC 2474: the upper six bits of the former TOS octet. */
  dscp: number;
  ecn: number;
  totalLength: number;
  identification: number;
  /** Bit 1 = don't fragment, bit 0 = more fragments (RFC 791 flags, reserved bit dropped). */
  dontFragment: boolean;
  moreFragments: boolean;
  /** In 8-byte units. Non-zero means a later fragment: no transport header follows. */
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  src: number;
  dst: number;
  headerLength: number;
  payloadOffset: number;
  /** End of the IPv4 datagram in the frame (Ethernet padding excluded). */
  payloadEnd: number;
}

export function decodeIpv4(buf: Uint8Array, offset: number, end = buf.length): Ipv4Header | PacketError {
  if (end - offset < IPV4_MIN_HEADER_LENGTH) return new PacketError('ipv4', 'shorter than 20 bytes', offset);
  const vihl = buf[offset]!;
  if (vihl >>> 4 !== 4) return new PacketError('ipv4', `version ${vihl >>> 4}`, offset);
  const headerLength = (vihl & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER_LENGTH)
    return new PacketError('ipv4', `header length ${headerLength}`, offset);
  const totalLength = readU16(buf, offset + 2);
  if (totalLength < headerLength)
    return new PacketError('ipv4', `total length ${totalLength} < header`, offset);
  if (offset + totalLength > end)
    return new PacketError('ipv4', `truncated: total length ${totalLength}`, offset);
  const flagsFrag = readU16(buf, offset + 6);
  const tos = buf[offset + 1]!;
  return {
    dscp: tos >>> 2,
    ecn: tos & 0x3,
    totalLength,
    identification: readU16(buf, offset + 4),
    dontFragment: (flagsFrag & 0x4000) !== 0,
    moreFragments: (flagsFrag & 0x2000) !== 0,
    fragmentOffset: flagsFrag & 0x1fff,
    ttl: buf[offset + 8]!,
    protocol: buf[offset + 9]!,
    checksum: readU16(buf, offset + 10),
    src: readU32(buf, offset + 12),
    dst: readU32(buf, offset + 16),
    headerLength,
    payloadOffset: offset + headerLength,
    payloadEnd: offset + totalLength,
  };
}

export interface Ipv4Fields {
  src: number;
  dst: number;
  protocol: number;
  /** Payload bytes that follow the 20-byte header. */
  payloadLength: number;
  ttl?: number;
  dscp?: number;
  identification?: number;
  dontFragment?: boolean;
}

/** Writes a 20-byte IPv4 header (no options) with its checksum; returns the payload offset. */
export function writeIpv4(buf: Uint8Array, offset: number, f: Ipv4Fields): number {
  buf[offset] = 0x45;
  buf[offset + 1] = ((f.dscp ?? 0) & 0x3f) << 2;
  writeU16(buf, offset + 2, IPV4_MIN_HEADER_LENGTH + f.payloadLength);
  writeU16(buf, offset + 4, f.identification ?? 0);
  writeU16(buf, offset + 6, (f.dontFragment ?? true) ? 0x4000 : 0);
  buf[offset + 8] = f.ttl ?? 64;
  buf[offset + 9] = f.protocol;
  writeU16(buf, offset + 10, 0);
  writeU32(buf, offset + 12, f.src);
  writeU32(buf, offset + 16, f.dst);
  writeU16(buf, offset + 10, internetChecksum(buf, offset, offset + IPV4_MIN_HEADER_LENGTH));
  return offset + IPV4_MIN_HEADER_LENGTH;
}

/** RFC 791: a header is intact when the checksum over it (field included) is zero. */
export function ipv4HeaderChecksumValid(buf: Uint8Array, h: Ipv4Header): boolean {
  const start = h.payloadOffset - h.headerLength;
  return internetChecksum(buf, start, h.payloadOffset) === 0;
}
