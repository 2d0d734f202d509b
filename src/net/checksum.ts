// RFC 1071 Internet checksum: one's-complement sum of 16-bit big-endian words.

/** Adds bytes [start, end) to a running 32-bit partial sum (an odd trailing byte is padded with zero). */
export function onesComplementSum(buf: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) sum += buf[i]! << 8;
  return sum;
}

/** Folds a partial sum and returns the checksum field value (one's complement of the folded sum). */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

export function internetChecksum(buf: Uint8Array, start: number, end: number): number {
  return finishChecksum(onesComplementSum(buf, start, end));
}

/** RFC 793/768: the IPv4 pseudo-header (source, destination, zero, protocol, L4 length) as a partial sum. */
export function ipv4PseudoHeaderSum(src: number, dst: number, protocol: number, l4Length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + l4Length;
}
