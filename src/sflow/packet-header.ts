// The packet bytes carried by a sampled_header flow record: its header_protocol says where the captured
// bytes start (an Ethernet frame, or an IPv4 or IPv6 packet); the headers are walked by net/header-summary.

import {
  HeaderSummary,
  summarizeEthernet,
  summarizeIpv4,
  summarizeIpv6,
  summaryToObject,
  type PacketHeader,
} from '../net/header-summary.js';
import { HeaderProtocol } from './formats.js';

/**
 * Walk the header bytes buf[start, end) of the given sFlow header protocol into `out`.
 * Returns false when the protocol is not one this parser knows (out is then reset and empty).
 */
export function summarizeHeader(
  buf: Uint8Array,
  start: number,
  end: number,
  headerProtocol: number,
  out: HeaderSummary,
): boolean {
  if (headerProtocol === HeaderProtocol.ethernet) summarizeEthernet(buf, start, end, out);
  else if (headerProtocol === HeaderProtocol.ipv4) summarizeIpv4(buf, start, end, out);
  else if (headerProtocol === HeaderProtocol.ipv6) summarizeIpv6(buf, start, end, out);
  else {
    out.reset(start, end);
    return false;
  }
  return true;
}

const scratch = new HeaderSummary();

/** Parse header bytes into an object; undefined for header protocols this parser does not know. */
export function decodePacketHeader(header: Uint8Array, headerProtocol: number): PacketHeader | undefined {
  if (!summarizeHeader(header, 0, header.length, headerProtocol, scratch)) return undefined;
  return summaryToObject(header, scratch);
}
