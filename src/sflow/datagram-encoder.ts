// sFlow v5 datagram encoder: the inverse of decodeDatagram, for synthetic agents (lab, benchmarks) and
// round-trip tests. Input objects use the same types as the decoder's output.

import { XdrWriter } from '../xdr/writer.js';
import { parseIpv4 } from '../net/ipv4-address.js';
import { parseIpv6 } from '../net/ipv6-address.js';
import { parseMac, writeMac } from '../net/mac-address.js';
import { CounterRecordFormat, FlowRecordFormat, formatTag, SampleFormat } from './formats.js';
import type { CounterRecord, FlowRecord, NetIoFields, SflowDatagram, SflowSample } from './types.js';

export type DatagramInput = Omit<
  SflowDatagram,
  'version' | 'unknownRecords' | 'unknownSamples' | 'agentAddressType'
> & {
  agentAddressType?: SflowDatagram['agentAddressType'];
};

export function encodeDatagram(d: DatagramInput): Buffer {
  const w = new XdrWriter(1500);
  w.uint32(5);
  writeAddress(w, d.agent, d.agentAddressType);
  w.uint32(d.subAgentId).uint32(d.sequence).uint32(d.uptimeMs);
  w.uint32(d.samples.length);
  for (const s of d.samples) writeSample(w, s);
  return w.toBuffer();
}

function writeAddress(w: XdrWriter, text: string, type?: 'ipv4' | 'ipv6' | 'unknown'): void {
  if (type === 'unknown' || (type === undefined && text === '')) {
    w.uint32(0);
    return;
  }
  const v4 = parseIpv4(text);
  if (v4 !== undefined && type !== 'ipv6') {
    w.uint32(1).uint32(v4);
    return;
  }
  const v6 = parseIpv6(text);
  if (!v6) throw new Error(`bad address ${JSON.stringify(text)}`);
  w.uint32(2).fixedOpaque(v6);
}

function withLength(w: XdrWriter, tag: number, body: (w: XdrWriter) => void): void {
  const inner = new XdrWriter(256);
  body(inner);
  const bytes = inner.toBuffer();
  w.uint32(tag).uint32(bytes.length).fixedOpaque(bytes);
}

function writeSample(w: XdrWriter, s: SflowSample): void {
  if (s.kind === 'unknown') {
    w.uint32(formatTag(s.enterprise, s.format)).uint32(s.length).fixedOpaque(Buffer.alloc(s.length, 0xa5));
    return;
  }
  if (s.kind === 'flow') {
    withLength(w, formatTag(0, s.expanded ? SampleFormat.flowExpanded : SampleFormat.flow), (b) => {
      b.uint32(s.sequence);
      if (s.expanded) b.uint32(s.sourceIdType).uint32(s.sourceIdIndex);
      else b.uint32(((s.sourceIdType << 24) | (s.sourceIdIndex & 0xffffff)) >>> 0);
      b.uint32(s.samplingRate).uint32(s.samplePool).uint32(s.drops);
      if (s.expanded)
        b.uint32(s.input.format).uint32(s.input.value).uint32(s.output.format).uint32(s.output.value);
      else {
        b.uint32(((s.input.format << 30) | (s.input.value & 0x3fffffff)) >>> 0);
        b.uint32(((s.output.format << 30) | (s.output.value & 0x3fffffff)) >>> 0);
      }
      b.uint32(s.records.length);
      for (const rec of s.records) writeFlowRecord(b, rec);
    });
    return;
  }
  withLength(w, formatTag(0, s.expanded ? SampleFormat.countersExpanded : SampleFormat.counters), (b) => {
    b.uint32(s.sequence);
    if (s.expanded) b.uint32(s.sourceIdType).uint32(s.sourceIdIndex);
    else b.uint32(((s.sourceIdType << 24) | (s.sourceIdIndex & 0xffffff)) >>> 0);
    b.uint32(s.records.length);
    for (const rec of s.records) writeCounterRecord(b, rec);
  });
}

function ipv4(text: string): number {
  const v = parseIpv4(text);
  if (v === undefined) throw new Error(`bad IPv4 address ${JSON.stringify(text)}`);
  return v;
}

function ipv6(text: string): Buffer {
  const v = parseIpv6(text);
  if (!v) throw new Error(`bad IPv6 address ${JSON.stringify(text)}`);
  return v;
}

function macBytes(text: string): Buffer {
  const v = parseMac(text);
  if (v === undefined) throw new Error(`bad MAC address ${JSON.stringify(text)}`);
  const b = Buffer.alloc(6);
  writeMac(b, 0, v);
  return b;
}

export function writeFlowRecord(w: XdrWriter, rec: FlowRecord): void {
  switch (rec.type) {
    case 'unknown':
      w.uint32(formatTag(rec.enterprise, rec.format))
        .uint32(rec.length)
        .fixedOpaque(Buffer.alloc(rec.length, 0xa5));
      return;
    case 'raw-packet-header':
      return withLength(w, formatTag(0, FlowRecordFormat.rawPacketHeader), (b) => {
        b.uint32(rec.headerProtocol)
          .uint32(rec.frameLength)
          .uint32(rec.stripped)
          .uint32(rec.header.length)
          .fixedOpaque(rec.header);
      });
    case 'ethernet-frame':
      return withLength(w, formatTag(0, FlowRecordFormat.ethernetFrame), (b) => {
        b.uint32(rec.length)
          .fixedOpaque(macBytes(rec.srcMac))
          .fixedOpaque(macBytes(rec.dstMac))
          .uint32(rec.etherType);
      });
    case 'ipv4':
      return withLength(w, formatTag(0, FlowRecordFormat.ipv4), (b) => {
        b.uint32(rec.length).uint32(rec.protocol).uint32(ipv4(rec.srcIp)).uint32(ipv4(rec.dstIp));
        b.uint32(rec.srcPort).uint32(rec.dstPort).uint32(rec.tcpFlags).uint32(rec.tos);
      });
    case 'ipv6':
      return withLength(w, formatTag(0, FlowRecordFormat.ipv6), (b) => {
        b.uint32(rec.length).uint32(rec.protocol).fixedOpaque(ipv6(rec.srcIp)).fixedOpaque(ipv6(rec.dstIp));
        b.uint32(rec.srcPort).uint32(rec.dstPort).uint32(rec.tcpFlags).uint32(rec.priority);
      });
    case 'extended-switch':
      return withLength(w, formatTag(0, FlowRecordFormat.extendedSwitch), (b) => {
        b.uint32(rec.srcVlan).uint32(rec.srcPriority).uint32(rec.dstVlan).uint32(rec.dstPriority);
      });
    case 'extended-router':
      return withLength(w, formatTag(0, FlowRecordFormat.extendedRouter), (b) => {
        writeAddress(b, rec.nextHop);
        b.uint32(rec.srcMaskLength).uint32(rec.dstMaskLength);
      });
  }
}

function writeNetIo(b: XdrWriter, n: NetIoFields): void {
  b.uint64(n.bytesIn).uint32(n.pktsIn).uint32(n.errsIn).uint32(n.dropsIn);
  b.uint64(n.bytesOut).uint32(n.pktsOut).uint32(n.errsOut).uint32(n.dropsOut);
}

export function writeCounterRecord(w: XdrWriter, rec: CounterRecord): void {
  const F = CounterRecordFormat;
  switch (rec.type) {
    case 'unknown':
      w.uint32(formatTag(rec.enterprise, rec.format))
        .uint32(rec.length)
        .fixedOpaque(Buffer.alloc(rec.length, 0xa5));
      return;
    case 'generic-interface':
      return withLength(w, formatTag(0, F.genericInterface), (b) => {
        b.uint32(rec.ifIndex)
          .uint32(rec.ifType)
          .uint64(rec.ifSpeed)
          .uint32(rec.ifDirection)
          .uint32(rec.ifStatus);
        b.uint64(rec.ifInOctets)
          .uint32(rec.ifInUcastPkts)
          .uint32(rec.ifInMulticastPkts)
          .uint32(rec.ifInBroadcastPkts);
        b.uint32(rec.ifInDiscards).uint32(rec.ifInErrors).uint32(rec.ifInUnknownProtos);
        b.uint64(rec.ifOutOctets)
          .uint32(rec.ifOutUcastPkts)
          .uint32(rec.ifOutMulticastPkts)
          .uint32(rec.ifOutBroadcastPkts);
        b.uint32(rec.ifOutDiscards).uint32(rec.ifOutErrors).uint32(rec.ifPromiscuousMode);
      });
    case 'ethernet':
      return withLength(w, formatTag(0, F.ethernet), (b) => {
        for (const v of [
          rec.dot3StatsAlignmentErrors,
          rec.dot3StatsFCSErrors,
          rec.dot3StatsSingleCollisionFrames,
          rec.dot3StatsMultipleCollisionFrames,
          rec.dot3StatsSQETestErrors,
          rec.dot3StatsDeferredTransmissions,
          rec.dot3StatsLateCollisions,
          rec.dot3StatsExcessiveCollisions,
          rec.dot3StatsInternalMacTransmitErrors,
          rec.dot3StatsCarrierSenseErrors,
          rec.dot3StatsFrameTooLongs,
          rec.dot3StatsInternalMacReceiveErrors,
          rec.dot3StatsSymbolErrors,
        ])
          b.uint32(v);
      });
    case 'vlan':
      return withLength(w, formatTag(0, F.vlan), (b) => {
        b.uint32(rec.vlanId)
          .uint64(rec.octets)
          .uint32(rec.ucastPkts)
          .uint32(rec.multicastPkts)
          .uint32(rec.broadcastPkts)
          .uint32(rec.discards);
      });
    case 'processor':
      return withLength(w, formatTag(0, F.processor), (b) => {
        b.uint32(rec.cpu5s)
          .uint32(rec.cpu1m)
          .uint32(rec.cpu5m)
          .uint64(rec.totalMemory)
          .uint64(rec.freeMemory);
      });
    case 'openflow-port':
      return withLength(w, formatTag(0, F.openflowPort), (b) => {
        b.uint64(rec.datapathId).uint32(rec.portNo);
      });
    case 'port-name':
      return withLength(w, formatTag(0, F.portName), (b) => {
        b.string(rec.name);
      });
    case 'host-description':
      return withLength(w, formatTag(0, F.hostDescription), (b) => {
        b.string(rec.hostname).fixedOpaque(Buffer.from(rec.uuid.replace(/-/g, ''), 'hex'));
        b.uint32(rec.machineType).uint32(rec.osName).string(rec.osRelease);
      });
    case 'host-adapters':
      return withLength(w, formatTag(0, F.hostAdapters), (b) => {
        b.uint32(rec.adapters.length);
        for (const a of rec.adapters) {
          b.uint32(a.ifIndex).uint32(a.macs.length);
          for (const m of a.macs) b.fixedOpaque(macBytes(m));
        }
      });
    case 'host-parent':
      return withLength(w, formatTag(0, F.hostParent), (b) => {
        b.uint32(rec.containerType).uint32(rec.containerIndex);
      });
    case 'host-cpu':
      return withLength(w, formatTag(0, F.hostCpu), (b) => {
        b.float(rec.loadOne).float(rec.loadFive).float(rec.loadFifteen);
        for (const v of [
          rec.procRun,
          rec.procTotal,
          rec.cpuNum,
          rec.cpuSpeed,
          rec.uptime,
          rec.cpuUser,
          rec.cpuNice,
          rec.cpuSystem,
          rec.cpuIdle,
          rec.cpuWio,
          rec.cpuIntr,
          rec.cpuSintr,
          rec.interrupts,
          rec.contexts,
        ])
          b.uint32(v);
        if (rec.cpuSteal !== undefined)
          b.uint32(rec.cpuSteal)
            .uint32(rec.cpuGuest ?? 0)
            .uint32(rec.cpuGuestNice ?? 0);
      });
    case 'host-memory':
      return withLength(w, formatTag(0, F.hostMemory), (b) => {
        b.uint64(rec.memTotal)
          .uint64(rec.memFree)
          .uint64(rec.memShared)
          .uint64(rec.memBuffers)
          .uint64(rec.memCached);
        b.uint64(rec.swapTotal)
          .uint64(rec.swapFree)
          .uint32(rec.pageIn)
          .uint32(rec.pageOut)
          .uint32(rec.swapIn)
          .uint32(rec.swapOut);
      });
    case 'host-disk-io':
      return withLength(w, formatTag(0, F.hostDiskIo), (b) => {
        b.uint64(rec.diskTotal)
          .uint64(rec.diskFree)
          .uint32(rec.partMaxUsed)
          .uint32(rec.reads)
          .uint64(rec.bytesRead);
        b.uint32(rec.readTime).uint32(rec.writes).uint64(rec.bytesWritten).uint32(rec.writeTime);
      });
    case 'host-net-io':
      return withLength(w, formatTag(0, F.hostNetIo), (b) => writeNetIo(b, rec));
    case 'virt-node':
      return withLength(w, formatTag(0, F.virtNode), (b) => {
        b.uint32(rec.mhz).uint32(rec.cpus).uint64(rec.memory).uint64(rec.memoryFree).uint32(rec.numDomains);
      });
    case 'virt-cpu':
      return withLength(w, formatTag(0, F.virtCpu), (b) => {
        b.uint32(rec.state).uint32(rec.cpuTimeMs).uint32(rec.nrVirtCpu);
      });
    case 'virt-memory':
      return withLength(w, formatTag(0, F.virtMemory), (b) => {
        b.uint64(rec.memory).uint64(rec.maxMemory);
      });
    case 'virt-disk-io':
      return withLength(w, formatTag(0, F.virtDiskIo), (b) => {
        b.uint64(rec.capacity)
          .uint64(rec.allocation)
          .uint64(rec.available)
          .uint32(rec.rdReq)
          .uint64(rec.rdBytes);
        b.uint32(rec.wrReq).uint64(rec.wrBytes).uint32(rec.errs);
      });
    case 'virt-net-io':
      return withLength(w, formatTag(0, F.virtNetIo), (b) => writeNetIo(b, rec));
  }
}
