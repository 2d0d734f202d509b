// Flow record decoders (sflow_version_5.txt section "Flow Data Types"). Each reads exactly one record body
// from a reader whose `end` is the record's end; the caller checks the body was consumed exactly.

import type { XdrReader } from '../xdr/reader.js';
import { formatIpv4 } from '../net/ipv4-address.js';
import { formatIpv6 } from '../net/ipv6-address.js';
import { formatMac, readMac } from '../net/mac-address.js';
import { readAddress } from './agent-address.js';
import { FlowRecordFormat } from './formats.js';
import { MAX_HEADER_BYTES } from './limits.js';
import { decodePacketHeader } from './packet-header.js';
import type { FlowRecord } from './types.js';

/** Decode the body of an enterprise-0 flow record; undefined when the format is not one we know. */
export function decodeFlowRecord(r: XdrReader, format: number): FlowRecord | undefined {
  switch (format) {
    case FlowRecordFormat.rawPacketHeader: {
      const headerProtocol = r.uint32();
      const frameLength = r.uint32();
      const stripped = r.uint32();
      const header = r.opaque(MAX_HEADER_BYTES);
      return {
        type: 'raw-packet-header',
        headerProtocol,
        frameLength,
        stripped,
        headerLength: header.length,
        header,
        decoded: decodePacketHeader(header, headerProtocol),
      };
    }
    case FlowRecordFormat.ethernetFrame: {
      const length = r.uint32();
      // mac is opaque[6]: six bytes padded to eight
      const src = r.fixedOpaque(6);
      const dst = r.fixedOpaque(6);
      return {
        type: 'ethernet-frame',
        length,
        srcMac: formatMac(readMac(src, 0)),
        dstMac: formatMac(readMac(dst, 0)),
        etherType: r.uint32(),
      };
    }
    case FlowRecordFormat.ipv4: {
      const length = r.uint32();
      const protocol = r.uint32();
      const srcIp = formatIpv4(r.uint32());
      const dstIp = formatIpv4(r.uint32());
      return {
        type: 'ipv4',
        length,
        protocol,
        srcIp,
        dstIp,
        srcPort: r.uint32(),
        dstPort: r.uint32(),
        tcpFlags: r.uint32(),
        tos: r.uint32(),
      };
    }
    case FlowRecordFormat.ipv6: {
      const length = r.uint32();
      const protocol = r.uint32();
      const src = r.fixedOpaque(16);
      const dst = r.fixedOpaque(16);
      return {
        type: 'ipv6',
        length,
        protocol,
        srcIp: formatIpv6(src, 0),
        dstIp: formatIpv6(dst, 0),
        srcPort: r.uint32(),
        dstPort: r.uint32(),
        tcpFlags: r.uint32(),
        priority: r.uint32(),
      };
    }
    case FlowRecordFormat.extendedSwitch:
      return {
        type: 'extended-switch',
        srcVlan: r.uint32(),
        srcPriority: r.uint32(),
        dstVlan: r.uint32(),
        dstPriority: r.uint32(),
      };
    case FlowRecordFormat.extendedRouter: {
      const nextHop = readAddress(r).text;
      return { type: 'extended-router', nextHop, srcMaskLength: r.uint32(), dstMaskLength: r.uint32() };
    }
    default:
      return undefined;
  }
}
