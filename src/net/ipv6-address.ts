// IPv6 addresses, carried as 16 bytes, and their text: RFC 4291 forms in, RFC 5952 canonical form out.

import { parseIpv4 } from './ipv4-address.js';

const GROUP = /^[0-9a-f]{1,4}$/i;

/** Colon-separated groups of one to four hex digits; undefined when any group is not one. */
function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  for (const g of text.split(':')) {
    if (!GROUP.test(g)) return undefined;
    groups.push(Number.parseInt(g, 16));
  }
  return groups;
}

/**
 * Parses any RFC 4291 text form (either case, "::", a dotted IPv4 tail such as "::ffff:10.0.0.1") to 16
 * bytes; undefined when malformed. Strict: no zone id ("fe80::1%eth0"), no surrounding whitespace, and the
 * IPv4 tail follows parseIpv4 (no leading zeros).
 */
export function parseIpv6(text: string): Buffer | undefined {
  let groupText = text;
  let ipv4Tail: number | undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.includes('.', lastColon)) {
    ipv4Tail = parseIpv4(text.slice(lastColon + 1));
    if (ipv4Tail === undefined) return undefined;
    // The tail fills the last two groups: parse the rest with zeros there, then write the tail over them.
    groupText = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = groupText.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const written = head.length + tail.length;
  // Without "::" all eight groups are written; "::" stands for at least one zero group.
  if (halves.length === 1 ? written !== 8 : written > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - written).fill(0), ...tail];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, 2 * i));
  if (ipv4Tail !== undefined) out.writeUInt32BE(ipv4Tail, 12);
  return out;
}

/**
 * The 16 bytes at `offset` as RFC 5952 text: lower case, no leading zeros, the longest (first on a tie)
 * run of two or more zero groups as "::", and IPv4-mapped addresses as "::ffff:a.b.c.d" (RFC 5952 section 5).
 */
export function formatIpv6(buf: Uint8Array, offset = 0): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = (buf[offset + 2 * i]! << 8) | buf[offset + 2 * i + 1]!;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${buf[offset + 12]}.${buf[offset + 13]}.${buf[offset + 14]}.${buf[offset + 15]}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLen) {
      bestStart = i;
      bestLen = end - i;
    }
    i = end;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
