// ofp_header (both versions): version u8, type u8, length u16 (whole message, header included), xid u32.

import { u16, u32 } from './wire.js';

export const OFP_HEADER_LEN = 8;
/** The largest message the 16-bit length field can describe. */
export const OFP_MAX_MESSAGE_LEN = 0xffff;

export function writeHeader(
  buf: Buffer,
  off: number,
  version: number,
  type: number,
  length: number,
  xid: number,
): void {
  buf[off] = version;
  buf[off + 1] = type;
  u16(buf, off + 2, length);
  u32(buf, off + 4, xid >>> 0);
}

/** The length field of a header starting at `off` (the caller ensures 4 bytes are there). */
export function peekLength(buf: Buffer, off: number): number {
  return buf.readUInt16BE(off + 2);
}
