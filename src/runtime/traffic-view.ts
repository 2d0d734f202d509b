// The API's view of sFlow traffic: the collector's top flows and per-MAC rates, each MAC joined to the VM
// that owns it through the monitor's inventory.

import type { TrafficView } from '../api/providers.js';
import type { TrafficFlow, VmTraffic } from '../api/schemas/traffic.js';
import type { SflowCollector } from '../sflow/collector.js';
import type { VmDirectory } from '../sflow/vm-directory.js';

export class CollectorTrafficView implements TrafficView {
  readonly windowSeconds: number;

  constructor(
    private readonly collector: SflowCollector,
    private readonly directory: VmDirectory,
    windowMs: number,
  ) {
    this.windowSeconds = windowMs / 1000;
  }

  async topFlows(opts: { limit: number; by: 'bytes' | 'packets' }): Promise<TrafficFlow[]> {
    const now = Date.now();
    const flows = this.collector.ingest.accounting.topFlows(now, Number.MAX_SAFE_INTEGER);
    if (opts.by === 'packets') flows.sort((a, b) => b.packetsPerSecond - a.packetsPerSecond);
    return flows.slice(0, opts.limit).map((f) => ({
      src_ip: f.src,
      dst_ip: f.dst,
      ip_protocol: f.protocol,
      ...(f.protocol === 6 || f.protocol === 17 ? { src_port: f.srcPort, dst_port: f.dstPort } : {}),
      bytes_per_s: f.bytesPerSecond,
      packets_per_s: f.packetsPerSecond,
    }));
  }

  async vmTraffic(): Promise<VmTraffic[]> {
    const now = Date.now();
    return this.collector.ingest.accounting.macTraffic(now).map((m) => {
      const vm = this.directory.vmByMac(m.mac);
      return {
        mac: m.mac,
        ...(vm ? { vm_uuid: vm.uuid, vm_name: vm.name } : {}),
        rx_bytes_per_s: m.received.bytesPerSecond,
        tx_bytes_per_s: m.sent.bytesPerSecond,
        rx_packets_per_s: m.received.packetsPerSecond,
        tx_packets_per_s: m.sent.packetsPerSecond,
      };
    });
  }
}
