// Big-endian field writers for the encoders' hot paths. Buffer's own write methods validate their
// arguments on every call and the bigint ones allocate; values here were validated by the length pass,
// so these write bytes directly.

const scratch = new BigUint64Array(1);
const scratchBytes = new Uint8Array(scratch.buffer);
/** Index in scratchBytes of the most significant byte, host byte order independent. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function u16(buf: Buffer, off: number, v: number): void {
  buf[off] = v >>> 8;
  buf[off + 1] = v;
}

export function u32(buf: Buffer, off: number, v: number): void {
  buf[off] = v >>> 24;
  buf[off + 1] = v >>> 16;
  buf[off + 2] = v >>> 8;
  buf[off + 3] = v;
}

/** A bigint in [0, 2^64) as 8 big-endian bytes. */
export function u64(buf: Buffer, off: number, v: bigint): void {
  scratch[0] = v;
  if (LITTLE_ENDIAN) {
    for (let i = 0; i < 8; i++) buf[off + i] = scratchBytes[7 - i] as number;
  } else {
    for (let i = 0; i < 8; i++) buf[off + i] = scratchBytes[i] as number;
  }
}

/**
 * 2 and 4 big-endian bytes, for the decoders' hot paths, where a length check already made sure the bytes
 * are there: unlike Buffer's readers they neither validate their arguments nor check bounds, and are small
 * enough for V8 to inline where Buffer's no longer are.
 */
export function readU16(buf: Buffer, off: number): number {
  return (buf[off]! << 8) | buf[off + 1]!;
}

export function readU32(buf: Buffer, off: number): number {
  return ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
}

let lastHigh = 0;
let lastLow = 0;
let lastU64 = 0n;

/**
 * 8 big-endian bytes as a bigint, for the decoders' hot paths (a packet-in's cookie). Consecutive reads of
 * one value, the common case, return the bigint made for the first one instead of allocating again.
 */
export function readU64(buf: Buffer, off: number): bigint {
  const high = readU32(buf, off);
  const low = readU32(buf, off + 4);
  if (high !== lastHigh || low !== lastLow) {
    lastU64 = (BigInt(high) << 32n) | BigInt(low);
    lastHigh = high;
    lastLow = low;
  }
  return lastU64;
}

/** Zeroes [from, to): a loop beats Buffer.fill for the few padding bytes OpenFlow structures carry. */
export function zero(buf: Buffer, from: number, to: number): void {
  for (let i = from; i < to; i++) buf[i] = 0;
}
