import { ETH_TYPE_ARP, ETH_TYPE_IPV4, NO_VLAN, ethernetHeaderLength, writeEthernet } from './ethernet.js';
import { MAC_BROADCAST, readMac, writeMac } from './mac-address.js';
import { PacketError } from './packet-error.js';
import { readU16, readU32, writeU16, writeU32 } from './bytes.js';

// RFC 826 for Ethernet/IPv4: htype 1, ptype 0x0800, hlen 6, plen 4, 28 bytes.
export const ARP_LENGTH = 28;
export const ARP_OP_REQUEST = 1;
export const ARP_OP_REPLY = 2;

export interface ArpPacket {
  op: number;
  /** sender hardware / protocol address */
  sha: number;
  spa: number;
  /** target hardware / protocol address */
  tha: number;
  tpa: number;
}

export function decodeArp(buf: Uint8Array, offset: number, end = buf.length): ArpPacket | PacketError {
  if (end - offset < ARP_LENGTH) return new PacketError('arp', 'shorter than 28 bytes', offset);
  const htype = (buf[offset]! << 8) | buf[offset + 1]!;
  const ptype = (buf[offset + 2]! << 8) | buf[offset + 3]!;
  if (htype !== 1 || ptype !== ETH_TYPE_IPV4 || buf[offset + 4] !== 6 || buf[offset + 5] !== 4) {
    return new PacketError('arp', `unsupported hardware/protocol ${htype}/0x${ptype.toString(16)}`, offset);
  }
  return {
    op: readU16(buf, offset + 6),
    sha: readMac(buf, offset + 8),
    spa: readU32(buf, offset + 14),
    tha: readMac(buf, offset + 18),
    tpa: readU32(buf, offset + 24),
  };
}

export function writeArp(buf: Uint8Array, offset: number, a: ArpPacket): number {
  buf[offset] = 0;
  buf[offset + 1] = 1;
  buf[offset + 2] = ETH_TYPE_IPV4 >>> 8;
  buf[offset + 3] = ETH_TYPE_IPV4 & 0xff;
  buf[offset + 4] = 6;
  buf[offset + 5] = 4;
  writeU16(buf, offset + 6, a.op);
  writeMac(buf, offset + 8, a.sha);
  writeU32(buf, offset + 14, a.spa);
  writeMac(buf, offset + 18, a.tha);
  writeU32(buf, offset + 24, a.tpa);
  return offset + ARP_LENGTH;
}

/** A complete Ethernet frame carrying one ARP packet. */
export function buildArpFrame(ethDst: number, ethSrc: number, arp: ArpPacket, vlanVid = NO_VLAN): Buffer {
  const frame = Buffer.alloc(ethernetHeaderLength(vlanVid) + ARP_LENGTH);
  const p = writeEthernet(frame, 0, { dst: ethDst, src: ethSrc, ethType: ETH_TYPE_ARP, vlanVid });
  writeArp(frame, p, arp);
  return frame;
}

/** RFC 826: the reply to `request` saying that `request.tpa` is at `mac`, sent back to the requester. */
export function buildArpReply(request: ArpPacket, mac: number, vlanVid = NO_VLAN): Buffer {
  return buildArpFrame(
    request.sha,
    mac,
    { op: ARP_OP_REPLY, sha: mac, spa: request.tpa, tha: request.sha, tpa: request.spa },
    vlanVid,
  );
}

/**
 * RFC 5227 section 3: an ARP announcement (gratuitous ARP): a broadcast request whose sender and target
 * protocol addresses are both the announced address, so every neighbour refreshes its cache.
 */
export function buildGratuitousArp(mac: number, ip: number, vlanVid = NO_VLAN): Buffer {
  return buildArpFrame(
    MAC_BROADCAST,
    mac,
    { op: ARP_OP_REQUEST, sha: mac, spa: ip, tha: 0, tpa: ip },
    vlanVid,
  );
}
