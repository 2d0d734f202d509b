// sFlow v5 data formats (sflow_version_5.txt, sflow_host.txt). A format tag is a uint32:
// the top 20 bits are the enterprise, the low 12 bits the format number; enterprise 0 is the sFlow standard.

export const SFLOW_VERSION = 5;
export const DEFAULT_SFLOW_PORT = 6343;

export function formatTag(enterprise: number, format: number): number {
  return ((enterprise << 12) | format) >>> 0;
}

export const SampleFormat = {
  flow: 1,
  counters: 2,
  flowExpanded: 3,
  countersExpanded: 4,
} as const;

export const FlowRecordFormat = {
  rawPacketHeader: 1,
  ethernetFrame: 2,
  ipv4: 3,
  ipv6: 4,
  extendedSwitch: 1001,
  extendedRouter: 1002,
} as const;

export const CounterRecordFormat = {
  genericInterface: 1,
  ethernet: 2,
  vlan: 5,
  processor: 1001,
  openflowPort: 1004,
  portName: 1005,
  hostDescription: 2000,
  hostAdapters: 2001,
  hostParent: 2002,
  hostCpu: 2003,
  hostMemory: 2004,
  hostDiskIo: 2005,
  hostNetIo: 2006,
  virtNode: 2100,
  virtCpu: 2101,
  virtMemory: 2102,
  virtDiskIo: 2103,
  virtNetIo: 2104,
} as const;

/** sFlow v5 sampled_header.header_protocol values that the packet header parser understands. */
export const HeaderProtocol = {
  ethernet: 1,
  ipv4: 11,
  ipv6: 12,
} as const;

/** sflow_version_5.txt "interface": the top 2 bits of a compact interface value select its meaning. */
export const InterfaceFormat = {
  ifIndex: 0,
  discarded: 1,
  multiple: 2,
} as const;

/** The ifIndex value meaning "the agent itself" (internal interface). */
export const INTERNAL_INTERFACE = 0x3fffffff;
