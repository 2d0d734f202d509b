// libpcap file writer (microsecond timestamps, big-endian), and a builder for the Ethernet/IP/UDP frames
// that carry received datagrams into a capture that other tools (tshark) can read.

import { parseIpv6 } from '../net/ipv6-address.js';

export const LinkType = {
  null: 0,
  ethernet: 1,
  raw: 101,
  linuxSll: 113,
  ipv4: 228,
  ipv6: 229,
  linuxSll2: 276,
} as const;

export class PcapWriter {
  private readonly chunks: Buffer[] = [];

  constructor(
    readonly linkType: number = LinkType.ethernet,
    readonly snapLength = 262_144,
  ) {
    const h = Buffer.alloc(24);
    h.writeUInt32BE(0xa1b2c3d4, 0);
    h.writeUInt16BE(2, 4);
    h.writeUInt16BE(4, 6);
    h.writeUInt32BE(snapLength, 16);
    h.writeUInt32BE(linkType, 20);
    this.chunks.push(h);
  }

  add(timeMs: number, frame: Uint8Array): this {
    this.chunks.push(pcapRecord(timeMs, frame, this.snapLength));
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** One pcap record (header + captured bytes), for writers that stream records to a file. */
export function pcapRecord(timeMs: number, frame: Uint8Array, snapLength = 262_144): Buffer {
  const caplen = Math.min(frame.length, snapLength);
  const r = Buffer.alloc(16 + caplen);
  const sec = Math.floor(timeMs / 1000);
  r.writeUInt32BE(sec, 0);
  r.writeUInt32BE(Math.min(999_999, Math.round((timeMs - sec * 1000) * 1000)), 4);
  r.writeUInt32BE(caplen, 8);
  r.writeUInt32BE(frame.length, 12);
  r.set(frame.subarray(0, caplen), 16);
  return r;
}

/** An Ethernet II / IPv4 / UDP frame around `payload` (IPv4 header checksum filled in, UDP checksum 0). */
export function udpFrame(
  src: { ip: string; port: number },
  dst: { ip: string; port: number },
  payload: Uint8Array,
): Buffer {
  if (src.ip.includes(':') || dst.ip.includes(':')) return udp6Frame(src, dst, payload);
  const f = Buffer.alloc(14 + 20 + 8 + payload.length);
  // locally administered MACs: the capture only needs a well-formed link layer
  f.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00], 0);
  const ip = 14;
  f[ip] = 0x45;
  f.writeUInt16BE(20 + 8 + payload.length, ip + 2);
  f.writeUInt16BE(0x4000, ip + 6);
  f[ip + 8] = 64;
  f[ip + 9] = 17;
  src.ip.split('.').forEach((o, i) => (f[ip + 12 + i] = Number(o)));
  dst.ip.split('.').forEach((o, i) => (f[ip + 16 + i] = Number(o)));
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += f.readUInt16BE(ip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  f.writeUInt16BE(~sum & 0xffff, ip + 10);
  const udp = ip + 20;
  f.writeUInt16BE(src.port, udp);
  f.writeUInt16BE(dst.port, udp + 2);
  f.writeUInt16BE(8 + payload.length, udp + 4);
  f.set(payload, udp + 8);
  return f;
}

/** Ethernet II / IPv6 / UDP (UDP checksum left 0: readers flag it, and still dissect). */
function udp6Frame(
  src: { ip: string; port: number },
  dst: { ip: string; port: number },
  payload: Uint8Array,
): Buffer {
  const a = parseIpv6(src.ip.includes(':') ? src.ip : `::ffff:${src.ip}`);
  const b = parseIpv6(dst.ip.includes(':') ? dst.ip : `::ffff:${dst.ip}`);
  if (!a || !b) throw new Error(`bad address ${src.ip} or ${dst.ip}`);
  const f = Buffer.alloc(14 + 40 + 8 + payload.length);
  f.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd], 0);
  const ip = 14;
  f[ip] = 0x60;
  f.writeUInt16BE(8 + payload.length, ip + 4);
  f[ip + 6] = 17;
  f[ip + 7] = 64;
  f.set(a, ip + 8);
  f.set(b, ip + 24);
  const udp = ip + 40;
  f.writeUInt16BE(src.port, udp);
  f.writeUInt16BE(dst.port, udp + 2);
  f.writeUInt16BE(8 + payload.length, udp + 4);
  f.set(payload, udp + 8);
  return f;
}
