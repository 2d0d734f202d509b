// IPv4 addresses are carried as unsigned 32-bit integers in a JS number.

export function formatIpv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/** Parses dotted-quad text; undefined when it is not exactly four decimal octets 0..255. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.trim().split('.');
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return v;
}

/** Parses "a.b.c.d/len" into a network address and prefix length. */
export function parseIpv4Cidr(text: string): { address: number; prefixLength: number } | undefined {
  const [addr, len, ...rest] = text.trim().split('/');
  if (addr === undefined || len === undefined || rest.length > 0 || !/^\d{1,2}$/.test(len)) return undefined;
  const address = parseIpv4(addr);
  const prefixLength = Number(len);
  if (address === undefined || prefixLength > 32) return undefined;
  return { address, prefixLength };
}

export function ipv4PrefixMask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffff_ffff << (32 - prefixLength)) >>> 0;
}
