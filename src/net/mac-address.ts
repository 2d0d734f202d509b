// MAC (IEEE 802 EUI-48) addresses: reading and writing them in packets, their text form, and the group
// bit. They are carried as 48-bit unsigned integers in a JS number (exact up to 2^53): no allocation per
// packet, and usable directly as Map keys.

export const MAC_BROADCAST = 0xffff_ffff_ffff;
/** IEEE 802.1AB: the nearest-bridge group address LLDP frames are sent to; bridges never forward it. */
export const MAC_LLDP_NEAREST_BRIDGE = 0x0180_c200_000e;

const TWO_POW_40 = 2 ** 40;

export function readMac(buf: Uint8Array, offset: number): number {
  return (
    ((buf[offset]! << 8) | buf[offset + 1]!) * 2 ** 32 +
    ((buf[offset + 2]! << 24) >>> 0) +
    ((buf[offset + 3]! << 16) | (buf[offset + 4]! << 8) | buf[offset + 5]!)
  );
}

export function writeMac(buf: Uint8Array, offset: number, mac: number): void {
  const hi = Math.floor(mac / 2 ** 32);
  const lo = mac >>> 0;
  buf[offset] = hi >>> 8;
  buf[offset + 1] = hi & 0xff;
  buf[offset + 2] = lo >>> 24;
  buf[offset + 3] = (lo >>> 16) & 0xff;
  buf[offset + 4] = (lo >>> 8) & 0xff;
  buf[offset + 5] = lo & 0xff;
}

/** IEEE 802: the I/G bit (least significant bit of the first octet) marks group (multicast/broadcast) addresses. */
export function isGroupMac(mac: number): boolean {
  return Math.floor(mac / TWO_POW_40) % 2 === 1;
}

export function isValidMac(mac: number): boolean {
  return Number.isInteger(mac) && mac >= 0 && mac <= MAC_BROADCAST;
}

/** The two lower-case hex digits of each byte value, as character codes. */
const HEX_HIGH = Uint8Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0').charCodeAt(0));
const HEX_LOW = Uint8Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0').charCodeAt(1));
const COLON = 58;

/**
 * "aa:bb:cc:dd:ee:ff". It runs once per new client on the load balancer's packet-in path, so it builds one
 * flat string: a template literal would build a tree of partial strings for the maps to flatten.
 */
export function formatMac(mac: number): string {
  const hi = Math.floor(mac / 4_294_967_296);
  const lo = mac >>> 0;
  const a = (hi >>> 8) & 255;
  const b = hi & 255;
  const c = lo >>> 24;
  const d = (lo >>> 16) & 255;
  const e = (lo >>> 8) & 255;
  const f = lo & 255;
  // prettier-ignore
  return String.fromCharCode(
    HEX_HIGH[a]!, HEX_LOW[a]!, COLON, HEX_HIGH[b]!, HEX_LOW[b]!, COLON, HEX_HIGH[c]!, HEX_LOW[c]!, COLON,
    HEX_HIGH[d]!, HEX_LOW[d]!, COLON, HEX_HIGH[e]!, HEX_LOW[e]!, COLON, HEX_HIGH[f]!, HEX_LOW[f]!,
  );
}

const MAC_WITH_COLONS = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const MAC_WITH_DASHES = /^[0-9a-f]{2}(-[0-9a-f]{2}){5}$/i;

/**
 * Parses "aa:bb:cc:dd:ee:ff" or "aa-bb-cc-dd-ee-ff", either case; undefined when the text is not a MAC
 * address. Strict: one kind of separator throughout, and no surrounding whitespace (callers reading
 * operator text trim it themselves).
 */
export function parseMac(text: string): number | undefined {
  if (!MAC_WITH_COLONS.test(text) && !MAC_WITH_DASHES.test(text)) return undefined;
  return Number.parseInt(text.replace(/[:-]/g, ''), 16);
}
