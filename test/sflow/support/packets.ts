// Builders for packet bytes as a sampled header carries them (no checksums: the parser never checks them).

export interface TcpPacket {
  srcMac: string;
  dstMac: string;
  vlan?: number;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  flags?: number;
  payload?: number;
}

function mac(text: string): number[] {
  return text.split(':').map((h) => parseInt(h, 16));
}

function ip4(text: string): number[] {
  return text.split('.').map(Number);
}

/** Ethernet (+ optional 802.1Q) / IPv4 / TCP frame with `payload` zero bytes after the TCP header. */
export function tcpFrame(p: TcpPacket): Buffer {
  const payload = p.payload ?? 0;
  const bytes: number[] = [...mac(p.dstMac), ...mac(p.srcMac)];
  if (p.vlan !== undefined) bytes.push(0x81, 0x00, (p.vlan >> 8) & 0x0f, p.vlan & 0xff);
  bytes.push(0x08, 0x00);
  const total = 20 + 20 + payload;
  bytes.push(
    0x45,
    0x00,
    total >> 8,
    total & 0xff,
    0x12,
    0x34,
    0x40,
    0x00,
    64,
    6,
    0,
    0,
    ...ip4(p.srcIp),
    ...ip4(p.dstIp),
  );
  bytes.push(p.srcPort >> 8, p.srcPort & 0xff, p.dstPort >> 8, p.dstPort & 0xff);
  bytes.push(0, 0, 0, 1, 0, 0, 0, 2, 0x50, p.flags ?? 0x10, 0xff, 0xff, 0, 0, 0, 0);
  return Buffer.concat([Buffer.from(bytes), Buffer.alloc(payload)]);
}
