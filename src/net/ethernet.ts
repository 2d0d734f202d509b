import { readMac, writeMac } from './mac-address.js';
import { PacketError } from './packet-error.js';

export const ETH_TYPE_IPV4 = 0x0800;
export const ETH_TYPE_ARP = 0x0806;
/** RFC 903; what a hypervisor sends to announce a VM's MAC after a live migration. */
export const ETH_TYPE_RARP = 0x8035;
export const ETH_TYPE_VLAN = 0x8100;
export const ETH_TYPE_QINQ = 0x88a8;
export const ETH_TYPE_IPV6 = 0x86dd;
export const ETH_TYPE_LLDP = 0x88cc;

export const ETH_HEADER_LENGTH = 14;
export const VLAN_TAG_LENGTH = 4;
/** IEEE 802.3: the smallest frame without its 4-byte FCS. */
export const ETH_MIN_FRAME_LENGTH = 60;

/** vlanVid when the frame carries no 802.1Q tag. */
export const NO_VLAN = -1;

export interface EthernetHeader {
  dst: number;
  src: number;
  /** 802.1Q VLAN id (12 bits) of the outermost tag, or NO_VLAN. */
  vlanVid: number;
  /** 802.1Q priority code point (3 bits); 0 when untagged. */
  vlanPcp: number;
  /** EtherType after any 802.1Q tag. */
  ethType: number;
  /** Where the payload starts in the frame (14, or 18 behind one tag). */
  payloadOffset: number;
}

/**
 * Decodes an Ethernet II header with at most one 802.1Q (or 802.1ad) tag.
 * 802.3 length fields (< 0x0600) are reported as ethType unchanged; the caller treats them as unknown.
 */
export function decodeEthernet(
  frame: Uint8Array,
  offset = 0,
  end = frame.length,
): EthernetHeader | PacketError {
  const out: EthernetHeader = { dst: 0, src: 0, vlanVid: NO_VLAN, vlanPcp: 0, ethType: 0, payloadOffset: 0 };
  return decodeEthernetInto(out, frame, offset, end);
}

/** decodeEthernet into a caller's object, for hot paths that reuse one header object per packet. */
export function decodeEthernetInto(
  out: EthernetHeader,
  frame: Uint8Array,
  offset = 0,
  end = frame.length,
): EthernetHeader | PacketError {
  if (end - offset < ETH_HEADER_LENGTH) {
    return new PacketError('ethernet', 'frame shorter than 14 bytes', offset);
  }
  const dst = readMac(frame, offset);
  const src = readMac(frame, offset + 6);
  let ethType = (frame[offset + 12]! << 8) | frame[offset + 13]!;
  let vlanVid = NO_VLAN;
  let vlanPcp = 0;
  let payloadOffset = offset + ETH_HEADER_LENGTH;
  if (ethType === ETH_TYPE_VLAN || ethType === ETH_TYPE_QINQ) {
    if (end - offset < ETH_HEADER_LENGTH + VLAN_TAG_LENGTH) {
      return new PacketError('ethernet', 'truncated 802.1Q tag', offset + 14);
    }
    const tci = (frame[offset + 14]! << 8) | frame[offset + 15]!;
    vlanVid = tci & 0x0fff;
    vlanPcp = tci >>> 13;
    ethType = (frame[offset + 16]! << 8) | frame[offset + 17]!;
    payloadOffset += VLAN_TAG_LENGTH;
  }
  out.dst = dst;
  out.src = src;
  out.vlanVid = vlanVid;
  out.vlanPcp = vlanPcp;
  out.ethType = ethType;
  out.payloadOffset = payloadOffset;
  return out;
}

export function ethernetHeaderLength(vlanVid: number): number {
  return vlanVid === NO_VLAN ? ETH_HEADER_LENGTH : ETH_HEADER_LENGTH + VLAN_TAG_LENGTH;
}

/** Writes an Ethernet header (with an 802.1Q tag when vlanVid is set); returns the payload offset. */
export function writeEthernet(
  buf: Uint8Array,
  offset: number,
  h: { dst: number; src: number; ethType: number; vlanVid?: number; vlanPcp?: number },
): number {
  writeMac(buf, offset, h.dst);
  writeMac(buf, offset + 6, h.src);
  let p = offset + 12;
  if (h.vlanVid !== undefined && h.vlanVid !== NO_VLAN) {
    const tci = (((h.vlanPcp ?? 0) & 0x7) << 13) | (h.vlanVid & 0x0fff);
    buf[p++] = ETH_TYPE_VLAN >>> 8;
    buf[p++] = ETH_TYPE_VLAN & 0xff;
    buf[p++] = tci >>> 8;
    buf[p++] = tci & 0xff;
  }
  buf[p++] = h.ethType >>> 8;
  buf[p++] = h.ethType & 0xff;
  return p;
}
