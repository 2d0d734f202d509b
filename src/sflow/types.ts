// Typed values of decoded sFlow v5 datagrams (full-object mode, used by `sflow decode` and tests).
// 64-bit counters are bigints: exact across wraps; callers convert with safeNumber() for display.

import type { PacketHeader } from '../net/header-summary.js';

export interface SflowDatagram {
  version: 5;
  /** Agent address as text (dotted IPv4 or RFC 5952 IPv6); '' when the agent sent address type 0. */
  agent: string;
  agentAddressType: 'ipv4' | 'ipv6' | 'unknown';
  subAgentId: number;
  sequence: number;
  uptimeMs: number;
  samples: SflowSample[];
  /** Records (flow or counter) whose format this decoder does not know: skipped by their length. */
  unknownRecords: number;
  /** Samples whose format this decoder does not know: skipped by their length. */
  unknownSamples: number;
}

export type SflowSample = FlowSample | CounterSample | UnknownSample;

/** sflow_version_5.txt "interface": format 0 = ifIndex, 1 = packet discarded (value = reason), 2 = multiple (value = count, 0 unknown). */
export interface SflowInterface {
  format: number;
  value: number;
}

export interface FlowSample {
  kind: 'flow';
  expanded: boolean;
  sequence: number;
  /** Data source type: 0 ifIndex, 1 smonVlanDataSource, 2 entPhysicalEntry. */
  sourceIdType: number;
  sourceIdIndex: number;
  samplingRate: number;
  samplePool: number;
  drops: number;
  input: SflowInterface;
  output: SflowInterface;
  records: FlowRecord[];
}

export interface CounterSample {
  kind: 'counters';
  expanded: boolean;
  sequence: number;
  sourceIdType: number;
  sourceIdIndex: number;
  records: CounterRecord[];
}

export interface UnknownSample {
  kind: 'unknown';
  enterprise: number;
  format: number;
  length: number;
}

export interface UnknownRecord {
  type: 'unknown';
  enterprise: number;
  format: number;
  length: number;
}

// ---- flow records ----

export interface RawPacketHeaderRecord {
  type: 'raw-packet-header';
  headerProtocol: number;
  frameLength: number;
  stripped: number;
  /** Bytes captured (header<> length); may be less than frameLength. */
  headerLength: number;
  header: Buffer;
  /** Layers parsed from the captured bytes; undefined for protocols the parser does not know. */
  decoded: PacketHeader | undefined;
}

export interface EthernetFrameRecord {
  type: 'ethernet-frame';
  length: number;
  srcMac: string;
  dstMac: string;
  etherType: number;
}

export interface Ipv4DataRecord {
  type: 'ipv4';
  length: number;
  protocol: number;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  tos: number;
}

export interface Ipv6DataRecord {
  type: 'ipv6';
  length: number;
  protocol: number;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  priority: number;
}

export interface ExtendedSwitchRecord {
  type: 'extended-switch';
  srcVlan: number;
  srcPriority: number;
  dstVlan: number;
  dstPriority: number;
}

export interface ExtendedRouterRecord {
  type: 'extended-router';
  nextHop: string;
  srcMaskLength: number;
  dstMaskLength: number;
}

export type FlowRecord =
  | RawPacketHeaderRecord
  | EthernetFrameRecord
  | Ipv4DataRecord
  | Ipv6DataRecord
  | ExtendedSwitchRecord
  | ExtendedRouterRecord
  | UnknownRecord;

// ---- counter records ----

export interface GenericInterfaceCounters {
  type: 'generic-interface';
  ifIndex: number;
  ifType: number;
  ifSpeed: bigint;
  /** 0 unknown, 1 full-duplex, 2 half-duplex, 3 in, 4 out. */
  ifDirection: number;
  /** bit 0 admin up, bit 1 oper up. */
  ifStatus: number;
  ifInOctets: bigint;
  ifInUcastPkts: number;
  ifInMulticastPkts: number;
  ifInBroadcastPkts: number;
  ifInDiscards: number;
  ifInErrors: number;
  ifInUnknownProtos: number;
  ifOutOctets: bigint;
  ifOutUcastPkts: number;
  ifOutMulticastPkts: number;
  ifOutBroadcastPkts: number;
  ifOutDiscards: number;
  ifOutErrors: number;
  ifPromiscuousMode: number;
}

export interface EthernetCounters {
  type: 'ethernet';
  dot3StatsAlignmentErrors: number;
  dot3StatsFCSErrors: number;
  dot3StatsSingleCollisionFrames: number;
  dot3StatsMultipleCollisionFrames: number;
  dot3StatsSQETestErrors: number;
  dot3StatsDeferredTransmissions: number;
  dot3StatsLateCollisions: number;
  dot3StatsExcessiveCollisions: number;
  dot3StatsInternalMacTransmitErrors: number;
  dot3StatsCarrierSenseErrors: number;
  dot3StatsFrameTooLongs: number;
  dot3StatsInternalMacReceiveErrors: number;
  dot3StatsSymbolErrors: number;
}

export interface VlanCounters {
  type: 'vlan';
  vlanId: number;
  octets: bigint;
  ucastPkts: number;
  multicastPkts: number;
  broadcastPkts: number;
  discards: number;
}

export interface ProcessorCounters {
  type: 'processor';
  /** Percentages in hundredths (sFlow percentage type: 100 = 1%). */
  cpu5s: number;
  cpu1m: number;
  cpu5m: number;
  totalMemory: bigint;
  freeMemory: bigint;
}

export interface OpenflowPortCounters {
  type: 'openflow-port';
  datapathId: bigint;
  portNo: number;
}

export interface PortNameCounters {
  type: 'port-name';
  name: string;
}

export interface HostDescriptionCounters {
  type: 'host-description';
  hostname: string;
  /** RFC 4122 text form. */
  uuid: string;
  machineType: number;
  osName: number;
  osRelease: string;
}

export interface HostAdapter {
  ifIndex: number;
  macs: string[];
}

export interface HostAdaptersCounters {
  type: 'host-adapters';
  adapters: HostAdapter[];
}

export interface HostParentCounters {
  type: 'host-parent';
  containerType: number;
  containerIndex: number;
}

export interface HostCpuCounters {
  type: 'host-cpu';
  loadOne: number;
  loadFive: number;
  loadFifteen: number;
  procRun: number;
  procTotal: number;
  cpuNum: number;
  cpuSpeed: number;
  uptime: number;
  cpuUser: number;
  cpuNice: number;
  cpuSystem: number;
  cpuIdle: number;
  cpuWio: number;
  cpuIntr: number;
  cpuSintr: number;
  interrupts: number;
  contexts: number;
  /** Present when the agent sends the longer form of the structure. */
  cpuSteal?: number;
  cpuGuest?: number;
  cpuGuestNice?: number;
}

export interface HostMemoryCounters {
  type: 'host-memory';
  memTotal: bigint;
  memFree: bigint;
  memShared: bigint;
  memBuffers: bigint;
  memCached: bigint;
  swapTotal: bigint;
  swapFree: bigint;
  pageIn: number;
  pageOut: number;
  swapIn: number;
  swapOut: number;
}

export interface HostDiskIoCounters {
  type: 'host-disk-io';
  diskTotal: bigint;
  diskFree: bigint;
  partMaxUsed: number;
  reads: number;
  bytesRead: bigint;
  readTime: number;
  writes: number;
  bytesWritten: bigint;
  writeTime: number;
}

export interface NetIoFields {
  bytesIn: bigint;
  pktsIn: number;
  errsIn: number;
  dropsIn: number;
  bytesOut: bigint;
  pktsOut: number;
  errsOut: number;
  dropsOut: number;
}

export interface HostNetIoCounters extends NetIoFields {
  type: 'host-net-io';
}

export interface VirtNodeCounters {
  type: 'virt-node';
  mhz: number;
  cpus: number;
  memory: bigint;
  memoryFree: bigint;
  numDomains: number;
}

export interface VirtCpuCounters {
  type: 'virt-cpu';
  state: number;
  cpuTimeMs: number;
  nrVirtCpu: number;
}

export interface VirtMemoryCounters {
  type: 'virt-memory';
  memory: bigint;
  maxMemory: bigint;
}

export interface VirtDiskIoCounters {
  type: 'virt-disk-io';
  capacity: bigint;
  allocation: bigint;
  available: bigint;
  rdReq: number;
  rdBytes: bigint;
  wrReq: number;
  wrBytes: bigint;
  errs: number;
}

export interface VirtNetIoCounters extends NetIoFields {
  type: 'virt-net-io';
}

export type CounterRecord =
  | GenericInterfaceCounters
  | EthernetCounters
  | VlanCounters
  | ProcessorCounters
  | OpenflowPortCounters
  | PortNameCounters
  | HostDescriptionCounters
  | HostAdaptersCounters
  | HostParentCounters
  | HostCpuCounters
  | HostMemoryCounters
  | HostDiskIoCounters
  | HostNetIoCounters
  | VirtNodeCounters
  | VirtCpuCounters
  | VirtMemoryCounters
  | VirtDiskIoCounters
  | VirtNetIoCounters
  | UnknownRecord;
