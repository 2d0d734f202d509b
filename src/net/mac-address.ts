// MAC addresses are carried as 48-bit unsigned integers in a JS number (exact up to 2^53): no allocation
// per packet, and usable directly as Map keys.

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

export function formatMac(mac: number): string {
  const hex = mac.toString(16).padStart(12, '0');
  return `${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}:${hex.slice(8, 10)}:${hex.slice(10, 12)}`;
}

const MAC_TEXT =
  /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i;

/** Parses "aa:bb:cc:dd:ee:ff" (or with dashes); undefined when the text is not a MAC address. */
export function parseMac(text: string): number | undefined {
  const m = MAC_TEXT.exec(text.trim());
  if (!m) return undefined;
  return Number.parseInt(m.slice(1).join(''), 16);
}
