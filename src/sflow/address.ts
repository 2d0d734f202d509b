// Text forms of link and network addresses found in sFlow records and sampled headers.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Six bytes at `offset` as "aa:bb:cc:dd:ee:ff". */
export function formatMac(buf: Uint8Array, offset: number): string {
  return (
    HEX[buf[offset]!]! +
    ':' +
    HEX[buf[offset + 1]!]! +
    ':' +
    HEX[buf[offset + 2]!]! +
    ':' +
    HEX[buf[offset + 3]!]! +
    ':' +
    HEX[buf[offset + 4]!]! +
    ':' +
    HEX[buf[offset + 5]!]!
  );
}

/** A MAC held as a 48-bit integer (exact in a double) to its text form. */
export function macNumberToString(mac: number): string {
  const hi = Math.floor(mac / 0x1_0000_0000);
  const lo = mac >>> 0;
  return (
    HEX[(hi >>> 8) & 0xff]! +
    ':' +
    HEX[hi & 0xff]! +
    ':' +
    HEX[lo >>> 24]! +
    ':' +
    HEX[(lo >>> 16) & 0xff]! +
    ':' +
    HEX[(lo >>> 8) & 0xff]! +
    ':' +
    HEX[lo & 0xff]!
  );
}

/** Six bytes at `offset` as a 48-bit integer. */
export function readMacNumber(buf: Uint8Array, offset: number): number {
  return (
    (buf[offset]! * 0x100 + buf[offset + 1]!) * 0x1_0000_0000 +
    ((buf[offset + 2]! << 24) >>> 0) +
    (buf[offset + 3]! << 16) +
    (buf[offset + 4]! << 8) +
    buf[offset + 5]!
  );
}

/** "aa:bb:cc:dd:ee:ff" (or with '-') to a 48-bit integer; undefined when malformed. */
export function parseMac(text: string): number | undefined {
  const m =
    /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i.exec(
      text.trim(),
    );
  if (!m) return undefined;
  let v = 0;
  for (let i = 1; i <= 6; i++) v = v * 256 + parseInt(m[i]!, 16);
  return v;
}

export function macToBytes(text: string): Buffer {
  const v = parseMac(text);
  if (v === undefined) throw new Error(`bad MAC address ${JSON.stringify(text)}`);
  const b = Buffer.alloc(6);
  b.writeUIntBE(v, 0, 6);
  return b;
}

export function formatIpv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/** 16 bytes at `offset` in RFC 5952 form (longest run of two or more zero groups becomes "::"). */
export function formatIpv6(buf: Uint8Array, offset: number): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = (buf[offset + 2 * i]! << 8) | buf[offset + 2 * i + 1]!;
  // IPv4-mapped ::ffff:a.b.c.d
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return `::ffff:${buf[offset + 12]}.${buf[offset + 13]}.${buf[offset + 14]}.${buf[offset + 15]}`;
  }
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
  if (bestStart < 0) return groups.map((g) => g.toString(16)).join(':');
  const head = groups.slice(0, bestStart).map((g) => g.toString(16));
  const tail = groups.slice(bestStart + bestLen).map((g) => g.toString(16));
  return `${head.join(':')}::${tail.join(':')}`;
}

export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    v = v * 256 + octet;
  }
  return v;
}

/** IPv6 text (with "::" and optional dotted IPv4 tail) to 16 bytes; undefined when malformed. */
export function parseIpv6(text: string): Buffer | undefined {
  let s = text;
  const out = Buffer.alloc(16);
  let tail4: number | undefined;
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.indexOf('.', lastColon) > 0) {
    tail4 = parseIpv4(s.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const nums: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
      nums.push(parseInt(g, 16));
    }
    return nums;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  groups.forEach((g, i) => out.writeUInt16BE(g, 2 * i));
  if (tail4 !== undefined) out.writeUInt32BE(tail4, 12);
  return out;
}
