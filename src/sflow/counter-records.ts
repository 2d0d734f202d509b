// Counter record decoders: sflow_version_5.txt "Counter Data Types", sflow_host.txt (host and virtual
// machine structures), sflow_openflow.txt (OpenFlow port, port name). Each reads one record body from a
// reader whose `end` is the record's end.

import type { XdrReader } from '../xdr/reader.js';
import { formatMac, readMac } from '../net/mac-address.js';
import { CounterRecordFormat } from './formats.js';
import { MAX_ADAPTERS, MAX_ADAPTER_MACS, MAX_HOSTNAME, MAX_OS_RELEASE, MAX_PORT_NAME } from './limits.js';
import type { CounterRecord, HostAdapter, NetIoFields } from './types.js';

/** sflow_host.txt host_cpu: 72 bytes in its first form; 84 with cpu_steal, cpu_guest, cpu_guest_nice. */
const HOST_CPU_LONG_BYTES = 84;

/** Decode the body of an enterprise-0 counter record; undefined when the format is not one we know. */
export function decodeCounterRecord(r: XdrReader, format: number): CounterRecord | undefined {
  switch (format) {
    case CounterRecordFormat.genericInterface:
      return {
        type: 'generic-interface',
        ifIndex: r.uint32(),
        ifType: r.uint32(),
        ifSpeed: r.uint64(),
        ifDirection: r.uint32(),
        ifStatus: r.uint32(),
        ifInOctets: r.uint64(),
        ifInUcastPkts: r.uint32(),
        ifInMulticastPkts: r.uint32(),
        ifInBroadcastPkts: r.uint32(),
        ifInDiscards: r.uint32(),
        ifInErrors: r.uint32(),
        ifInUnknownProtos: r.uint32(),
        ifOutOctets: r.uint64(),
        ifOutUcastPkts: r.uint32(),
        ifOutMulticastPkts: r.uint32(),
        ifOutBroadcastPkts: r.uint32(),
        ifOutDiscards: r.uint32(),
        ifOutErrors: r.uint32(),
        ifPromiscuousMode: r.uint32(),
      };
    case CounterRecordFormat.ethernet:
      return {
        type: 'ethernet',
        dot3StatsAlignmentErrors: r.uint32(),
        dot3StatsFCSErrors: r.uint32(),
        dot3StatsSingleCollisionFrames: r.uint32(),
        dot3StatsMultipleCollisionFrames: r.uint32(),
        dot3StatsSQETestErrors: r.uint32(),
        dot3StatsDeferredTransmissions: r.uint32(),
        dot3StatsLateCollisions: r.uint32(),
        dot3StatsExcessiveCollisions: r.uint32(),
        dot3StatsInternalMacTransmitErrors: r.uint32(),
        dot3StatsCarrierSenseErrors: r.uint32(),
        dot3StatsFrameTooLongs: r.uint32(),
        dot3StatsInternalMacReceiveErrors: r.uint32(),
        dot3StatsSymbolErrors: r.uint32(),
      };
    case CounterRecordFormat.vlan:
      return {
        type: 'vlan',
        vlanId: r.uint32(),
        octets: r.uint64(),
        ucastPkts: r.uint32(),
        multicastPkts: r.uint32(),
        broadcastPkts: r.uint32(),
        discards: r.uint32(),
      };
    case CounterRecordFormat.processor:
      return {
        type: 'processor',
        cpu5s: r.uint32(),
        cpu1m: r.uint32(),
        cpu5m: r.uint32(),
        totalMemory: r.uint64(),
        freeMemory: r.uint64(),
      };
    case CounterRecordFormat.openflowPort:
      return { type: 'openflow-port', datapathId: r.uint64(), portNo: r.uint32() };
    case CounterRecordFormat.portName:
      return { type: 'port-name', name: r.string(MAX_PORT_NAME) };
    case CounterRecordFormat.hostDescription: {
      const hostname = r.string(MAX_HOSTNAME);
      const uuid = formatUuid(r.fixedOpaque(16));
      return {
        type: 'host-description',
        hostname,
        uuid,
        machineType: r.uint32(),
        osName: r.uint32(),
        osRelease: r.string(MAX_OS_RELEASE),
      };
    }
    case CounterRecordFormat.hostAdapters: {
      const n = r.arrayLength(MAX_ADAPTERS, 8);
      const adapters: HostAdapter[] = [];
      for (let i = 0; i < n; i++) {
        const ifIndex = r.uint32();
        const count = r.arrayLength(MAX_ADAPTER_MACS, 8);
        const macs: string[] = [];
        for (let j = 0; j < count; j++) macs.push(formatMac(readMac(r.fixedOpaque(6), 0)));
        adapters.push({ ifIndex, macs });
      }
      return { type: 'host-adapters', adapters };
    }
    case CounterRecordFormat.hostParent:
      return { type: 'host-parent', containerType: r.uint32(), containerIndex: r.uint32() };
    case CounterRecordFormat.hostCpu: {
      const rec = {
        type: 'host-cpu' as const,
        loadOne: r.float(),
        loadFive: r.float(),
        loadFifteen: r.float(),
        procRun: r.uint32(),
        procTotal: r.uint32(),
        cpuNum: r.uint32(),
        cpuSpeed: r.uint32(),
        uptime: r.uint32(),
        cpuUser: r.uint32(),
        cpuNice: r.uint32(),
        cpuSystem: r.uint32(),
        cpuIdle: r.uint32(),
        cpuWio: r.uint32(),
        cpuIntr: r.uint32(),
        cpuSintr: r.uint32(),
        interrupts: r.uint32(),
        contexts: r.uint32(),
      };
      if (r.remaining >= HOST_CPU_LONG_BYTES - 72) {
        return { ...rec, cpuSteal: r.uint32(), cpuGuest: r.uint32(), cpuGuestNice: r.uint32() };
      }
      return rec;
    }
    case CounterRecordFormat.hostMemory:
      return {
        type: 'host-memory',
        memTotal: r.uint64(),
        memFree: r.uint64(),
        memShared: r.uint64(),
        memBuffers: r.uint64(),
        memCached: r.uint64(),
        swapTotal: r.uint64(),
        swapFree: r.uint64(),
        pageIn: r.uint32(),
        pageOut: r.uint32(),
        swapIn: r.uint32(),
        swapOut: r.uint32(),
      };
    case CounterRecordFormat.hostDiskIo:
      return {
        type: 'host-disk-io',
        diskTotal: r.uint64(),
        diskFree: r.uint64(),
        partMaxUsed: r.uint32(),
        reads: r.uint32(),
        bytesRead: r.uint64(),
        readTime: r.uint32(),
        writes: r.uint32(),
        bytesWritten: r.uint64(),
        writeTime: r.uint32(),
      };
    case CounterRecordFormat.hostNetIo:
      return { type: 'host-net-io', ...readNetIo(r) };
    case CounterRecordFormat.virtNode:
      return {
        type: 'virt-node',
        mhz: r.uint32(),
        cpus: r.uint32(),
        memory: r.uint64(),
        memoryFree: r.uint64(),
        numDomains: r.uint32(),
      };
    case CounterRecordFormat.virtCpu:
      return { type: 'virt-cpu', state: r.uint32(), cpuTimeMs: r.uint32(), nrVirtCpu: r.uint32() };
    case CounterRecordFormat.virtMemory:
      return { type: 'virt-memory', memory: r.uint64(), maxMemory: r.uint64() };
    case CounterRecordFormat.virtDiskIo:
      return {
        type: 'virt-disk-io',
        capacity: r.uint64(),
        allocation: r.uint64(),
        available: r.uint64(),
        rdReq: r.uint32(),
        rdBytes: r.uint64(),
        wrReq: r.uint32(),
        wrBytes: r.uint64(),
        errs: r.uint32(),
      };
    case CounterRecordFormat.virtNetIo:
      return { type: 'virt-net-io', ...readNetIo(r) };
    default:
      return undefined;
  }
}

function readNetIo(r: XdrReader): NetIoFields {
  return {
    bytesIn: r.uint64(),
    pktsIn: r.uint32(),
    errsIn: r.uint32(),
    dropsIn: r.uint32(),
    bytesOut: r.uint64(),
    pktsOut: r.uint32(),
    errsOut: r.uint32(),
    dropsOut: r.uint32(),
  };
}

function formatUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
