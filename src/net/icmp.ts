import { readU16, writeU16 } from './bytes.js';
import { internetChecksum } from './checksum.js';
import { PacketError } from './packet-error.js';

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACHABLE = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_HEADER_LENGTH = 8;

export interface IcmpHeader {
  type: number;
  code: number;
  checksum: number;
  /** Echo request/reply identifier and sequence (RFC 792); the raw "rest of header" halves otherwise. */
  identifier: number;
  sequence: number;
  payloadOffset: number;
}

export function decodeIcmp(buf: Uint8Array, offset: number, end = buf.length): IcmpHeader | PacketError {
  if (end - offset < ICMP_HEADER_LENGTH) return new PacketError('icmp', 'shorter than 8 bytes', offset);
  return {
    type: buf[offset]!,
    code: buf[offset + 1]!,
    checksum: readU16(buf, offset + 2),
    identifier: readU16(buf, offset + 4),
    sequence: readU16(buf, offset + 6),
    payloadOffset: offset + ICMP_HEADER_LENGTH,
  };
}

/** Writes an ICMP header and its checksum over header and the payload already in place, up to `end`. */
export function writeIcmp(
  buf: Uint8Array,
  offset: number,
  f: { type: number; code: number; identifier?: number; sequence?: number },
  end: number,
): number {
  buf[offset] = f.type;
  buf[offset + 1] = f.code;
  writeU16(buf, offset + 2, 0);
  writeU16(buf, offset + 4, f.identifier ?? 0);
  writeU16(buf, offset + 6, f.sequence ?? 0);
  writeU16(buf, offset + 2, internetChecksum(buf, offset, end));
  return offset + ICMP_HEADER_LENGTH;
}
