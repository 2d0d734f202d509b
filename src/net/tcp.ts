import { readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { finishChecksum, ipv4PseudoHeaderSum, onesComplementSum } from './checksum.js';
import { IP_PROTO_TCP } from './ipv4.js';
import { PacketError } from './packet-error.js';

export const TCP_MIN_HEADER_LENGTH = 20;
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface TcpHeader {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  headerLength: number;
  /** The nine flag bits (NS..FIN). */
  flags: number;
  window: number;
  checksum: number;
  payloadOffset: number;
}

export function decodeTcp(buf: Uint8Array, offset: number, end = buf.length): TcpHeader | PacketError {
  if (end - offset < TCP_MIN_HEADER_LENGTH) return new PacketError('tcp', 'shorter than 20 bytes', offset);
  const offFlags = readU16(buf, offset + 12);
  const headerLength = (offFlags >>> 12) * 4;
  if (headerLength < TCP_MIN_HEADER_LENGTH || offset + headerLength > end) {
    return new PacketError('tcp', `bad data offset ${headerLength}`, offset);
  }
  return {
    srcPort: readU16(buf, offset),
    dstPort: readU16(buf, offset + 2),
    seq: readU32(buf, offset + 4),
    ack: readU32(buf, offset + 8),
    headerLength,
    flags: offFlags & 0x01ff,
    window: readU16(buf, offset + 14),
    checksum: readU16(buf, offset + 16),
    payloadOffset: offset + headerLength,
  };
}

export interface TcpFields {
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  flags: number;
  window?: number;
}

/**
 * Writes a 20-byte TCP header (no options) for a segment whose payload already sits after it, and fills
 * the checksum over the RFC 793 pseudo-header. Returns the payload offset.
 */
export function writeTcp(
  buf: Uint8Array,
  offset: number,
  f: TcpFields,
  ip: { src: number; dst: number },
  payloadLength: number,
): number {
  writeU16(buf, offset, f.srcPort);
  writeU16(buf, offset + 2, f.dstPort);
  writeU32(buf, offset + 4, f.seq ?? 0);
  writeU32(buf, offset + 8, f.ack ?? 0);
  writeU16(buf, offset + 12, (5 << 12) | (f.flags & 0x01ff));
  writeU16(buf, offset + 14, f.window ?? 65535);
  writeU16(buf, offset + 16, 0);
  writeU16(buf, offset + 18, 0);
  const len = TCP_MIN_HEADER_LENGTH + payloadLength;
  const sum = onesComplementSum(
    buf,
    offset,
    offset + len,
    ipv4PseudoHeaderSum(ip.src, ip.dst, IP_PROTO_TCP, len),
  );
  writeU16(buf, offset + 16, finishChecksum(sum));
  return offset + TCP_MIN_HEADER_LENGTH;
}
