// Helpers for hand-written fixture bytes: hex with comments and free spacing.

/** Hex digits with `#` comments to the end of the line; spaces, newlines and `|` are ignored. */
export function hex(text: string): Buffer {
  const digits = text.replace(/#.*$/gm, '').replace(/[\s|]+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(digits)) throw new Error(`bad fixture hex: ${digits}`);
  return Buffer.from(digits, 'hex');
}

/** A NUL-padded fixed-size string field, as hex. */
export function str(text: string, size: number): string {
  const b = Buffer.alloc(size);
  b.write(text, 'latin1');
  return b.toString('hex');
}

/** A 42-byte ARP request from 02:00:00:00:f9:01 (10.213.249.1) for 10.213.249.2. */
export const ARP_REQUEST_HEX =
  'ffffffffffff 020000 00f901 0806' + // Ethernet: broadcast, source, ARP
  '0001 0800 06 04 0001' + // hardware Ethernet, protocol IPv4, sizes 6/4, request
  '020000 00f901 0ad5f901 000000000000 0ad5f902'; // sender MAC/IP, target MAC/IP

export const ARP_REQUEST = hex(ARP_REQUEST_HEX);
