// IPv4 addresses and prefix masks, carried as unsigned 32-bit integers in a JS number, and their
// dotted-quad text.

export function formatIpv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/** A decimal octet without leading zeros: "010" is refused, as inet_aton would read it as octal 8. */
const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/**
 * Parses dotted-quad text; undefined when it is not exactly four decimal octets 0..255. Strict: no
 * leading zeros and no surrounding whitespace (callers reading operator text trim it themselves).
 */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let addr = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    addr = addr * 256 + octet;
  }
  return addr;
}

const PREFIX_LENGTH = /^(0|[1-9][0-9]?)$/;

/** Parses "a.b.c.d/len" into an address and prefix length (0..32); host bits are kept as written. */
export function parseIpv4Cidr(text: string): { address: number; prefixLength: number } | undefined {
  const [addr, len, ...rest] = text.split('/');
  if (addr === undefined || len === undefined || rest.length > 0 || !PREFIX_LENGTH.test(len))
    return undefined;
  const address = parseIpv4(addr);
  const prefixLength = Number(len);
  if (address === undefined || prefixLength > 32) return undefined;
  return { address, prefixLength };
}

/** The netmask of a prefix length: 24 -> 0xffffff00. RangeError unless the length is an integer 0..32. */
export function ipv4PrefixMask(prefixLength: number): number {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new RangeError(`IPv4 prefix length ${prefixLength} is not an integer from 0 to 32`);
  }
  // A shift by 32 is a shift by 0 in JS, so /0 is its own case.
  return prefixLength === 0 ? 0 : (0xffff_ffff << (32 - prefixLength)) >>> 0;
}

/** The prefix length of a contiguous netmask (0xffffff00 -> 24), or -1 when the mask is not a prefix. */
export function ipv4MaskPrefixLen(mask: number): number {
  const hostBits = ~mask >>> 0;
  // The host part of a prefix mask is all ones from bit 0 up: adding one carries through all of them.
  if ((hostBits & (hostBits + 1)) !== 0) return -1;
  return Math.clz32(hostBits);
}
