import { readU16, writeU16 } from './bytes.js';
import { finishChecksum, ipv4PseudoHeaderSum, onesComplementSum } from './checksum.js';
import { IP_PROTO_UDP } from './ipv4.js';
import { PacketError } from './packet-error.js';

export const UDP_HEADER_LENGTH = 8;

export interface UdpHeader {
  srcPort: number;
  dstPort: number;
  /** Header plus payload, from the header itself. */
  length: number;
  checksum: number;
  payloadOffset: number;
}

export function decodeUdp(buf: Uint8Array, offset: number, end = buf.length): UdpHeader | PacketError {
  if (end - offset < UDP_HEADER_LENGTH) return new PacketError('udp', 'shorter than 8 bytes', offset);
  const length = readU16(buf, offset + 4);
  if (length < UDP_HEADER_LENGTH || offset + length > end) {
    return new PacketError('udp', `bad length ${length}`, offset);
  }
  return {
    srcPort: readU16(buf, offset),
    dstPort: readU16(buf, offset + 2),
    length,
    checksum: readU16(buf, offset + 6),
    payloadOffset: offset + UDP_HEADER_LENGTH,
  };
}

/** Writes the UDP header for a payload already in place after it, with the RFC 768 checksum. */
export function writeUdp(
  buf: Uint8Array,
  offset: number,
  f: { srcPort: number; dstPort: number },
  ip: { src: number; dst: number },
  payloadLength: number,
): number {
  const len = UDP_HEADER_LENGTH + payloadLength;
  writeU16(buf, offset, f.srcPort);
  writeU16(buf, offset + 2, f.dstPort);
  writeU16(buf, offset + 4, len);
  writeU16(buf, offset + 6, 0);
  const c = finishChecksum(
    onesComplementSum(buf, offset, offset + len, ipv4PseudoHeaderSum(ip.src, ip.dst, IP_PROTO_UDP, len)),
  );
  // RFC 768: a computed checksum of zero is sent as all ones (zero means "no checksum").
  writeU16(buf, offset + 6, c === 0 ? 0xffff : c);
  return offset + UDP_HEADER_LENGTH;
}
