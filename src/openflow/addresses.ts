// Address helpers for the model's conventions: MAC as a 48-bit number, IPv4 as a 32-bit number,
// IPv6 as a 16-byte Buffer.

import { u16, u32 } from './wire.js';

const MAC_RE =
  /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i;

/** "aa:bb:cc:dd:ee:ff" to 0xaabbccddeeff; undefined when not a MAC address. */
export function parseMac(text: string): number | undefined {
  const m = MAC_RE.exec(text);
  if (!m) return undefined;
  let v = 0;
  for (let i = 1; i <= 6; i++) v = v * 256 + parseInt(m[i] as string, 16);
  return v;
}

export function formatMac(mac: number): string {
  const hex = mac.toString(16).padStart(12, '0');
  return `${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}:${hex.slice(8, 10)}:${hex.slice(10, 12)}`;
}

/** Reads a MAC address (6 bytes) as a number. */
export function readMac(buf: Buffer, offset: number): number {
  return buf.readUInt16BE(offset) * 0x1_0000_0000 + buf.readUInt32BE(offset + 2);
}

export function writeMac(buf: Buffer, offset: number, mac: number): void {
  u16(buf, offset, Math.floor(mac / 0x1_0000_0000) & 0xffff);
  u32(buf, offset + 2, mac >>> 0);
}

export const BROADCAST_MAC = 0xffffffffffff;

/** True for a group (multicast or broadcast) address: the I/G bit of the first octet. */
export function isMulticastMac(mac: number): boolean {
  return (Math.floor(mac / 0x100_0000_0000) & 1) === 1;
}

/** "10.213.0.1" to 0x0ad50001; undefined when not a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
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

export function formatIpv4(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
}

/** The netmask of a prefix length: 24 -> 0xffffff00. */
export function ipv4PrefixMask(prefixLen: number): number {
  if (prefixLen <= 0) return 0;
  if (prefixLen >= 32) return 0xffffffff;
  return (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** The prefix length of a contiguous netmask, or -1 when the mask is not a prefix. */
export function ipv4MaskPrefixLen(mask: number): number {
  const inv = ~mask >>> 0;
  if ((inv & (inv + 1)) !== 0) return -1;
  return Math.clz32(inv);
}

/** Parses any RFC 4291 text form (with "::" and an optional dotted IPv4 tail) to 16 bytes. */
export function parseIpv6(text: string): Buffer | undefined {
  let head = text;
  let tail4: number | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) !== -1) {
    tail4 = parseIpv4(text.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const a = parse(halves[0] as string);
  const b = halves.length === 2 ? parse(halves[1] as string) : [];
  if (!a || !b) return undefined;
  const groups =
    halves.length === 2 ? [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b] : a;
  if (groups.length !== 8 || (halves.length === 2 && a.length + b.length > 7)) return undefined;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  if (tail4 !== undefined) out.writeUInt32BE(tail4, 12);
  return out;
}

/** RFC 5952 canonical text: lower case, the longest run (>= 2) of zero groups as "::". */
export function formatIpv6(addr: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((addr[i] ?? 0) << 8) | (addr[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
