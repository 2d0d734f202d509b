import { decodeArp, type ArpPacket } from './arp.js';
import {
  ETH_TYPE_ARP,
  ETH_TYPE_IPV4,
  ETH_TYPE_LLDP,
  ETH_TYPE_RARP,
  decodeEthernet,
  type EthernetHeader,
} from './ethernet.js';
import { decodeIcmp, type IcmpHeader } from './icmp.js';
import { IP_PROTO_ICMP, IP_PROTO_TCP, IP_PROTO_UDP, decodeIpv4, type Ipv4Header } from './ipv4.js';
import { decodeLldp, type LldpPdu } from './lldp.js';
import { PacketError } from './packet-error.js';
import { decodeTcp, type TcpHeader } from './tcp.js';
import { decodeUdp, type UdpHeader } from './udp.js';

/**
 * Every header Vigil understands in one frame. A layer that is absent or not understood is undefined;
 * `error` says why decoding stopped early (a truncated IPv4 header, a bad TCP data offset, ...), while the
 * layers decoded before it stay usable.
 */
export interface DecodedPacket {
  eth: EthernetHeader;
  arp?: ArpPacket;
  /** RARP (RFC 903) has ARP's format; op 3 is a request, as in a migrated VM's announcement. */
  rarp?: ArpPacket;
  ipv4?: Ipv4Header;
  tcp?: TcpHeader;
  udp?: UdpHeader;
  icmp?: IcmpHeader;
  lldp?: LldpPdu;
  error?: PacketError;
}

/** Decodes a frame as deep as it goes; a PacketError only when even the Ethernet header is missing. */
export function decodePacket(frame: Uint8Array, end = frame.length): DecodedPacket | PacketError {
  const eth = decodeEthernet(frame, 0, end);
  if (eth instanceof PacketError) return eth;
  const out: DecodedPacket = { eth };
  const p = eth.payloadOffset;
  switch (eth.ethType) {
    case ETH_TYPE_ARP: {
      const arp = decodeArp(frame, p, end);
      if (arp instanceof PacketError) out.error = arp;
      else out.arp = arp;
      break;
    }
    case ETH_TYPE_RARP: {
      const rarp = decodeArp(frame, p, end);
      if (rarp instanceof PacketError) out.error = rarp;
      else out.rarp = rarp;
      break;
    }
    case ETH_TYPE_LLDP: {
      const lldp = decodeLldp(frame, p, end);
      if (lldp instanceof PacketError) out.error = lldp;
      else out.lldp = lldp;
      break;
    }
    case ETH_TYPE_IPV4: {
      const ip = decodeIpv4(frame, p, end);
      if (ip instanceof PacketError) {
        out.error = ip;
        break;
      }
      out.ipv4 = ip;
      if (ip.fragmentOffset !== 0) break;
      const q = ip.payloadOffset;
      const e = ip.payloadEnd;
      if (ip.protocol === IP_PROTO_TCP) {
        const tcp = decodeTcp(frame, q, e);
        if (tcp instanceof PacketError) out.error = tcp;
        else out.tcp = tcp;
      } else if (ip.protocol === IP_PROTO_UDP) {
        const udp = decodeUdp(frame, q, e);
        if (udp instanceof PacketError) out.error = udp;
        else out.udp = udp;
      } else if (ip.protocol === IP_PROTO_ICMP) {
        const icmp = decodeIcmp(frame, q, e);
        if (icmp instanceof PacketError) out.error = icmp;
        else out.icmp = icmp;
      }
      break;
    }
    default:
      break;
  }
  return out;
}
