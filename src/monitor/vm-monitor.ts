// The VM monitor: one HostMonitor per libvirt host, one sample sink, and inventory lookups across hosts
// for the sFlow side (which sees MACs and switch ports, not domains).

import type { LibvirtClientOptions } from '../libvirt/client.js';
import type { DomainInventory } from './domain-inventory.js';
import {
  HostMonitor,
  type HostStatus,
  type MonitorLogger,
  type VmRef,
  type VmRemoved,
} from './host-monitor.js';
import type { VmSample } from './vm-sample.js';

export interface VmMonitorOptions {
  /** libvirt URIs, one per host. */
  hosts: readonly string[];
  /** Poll interval; default 5 s. */
  intervalMs?: number;
  onSample: (sample: VmSample) => void;
  onRemove?: (vm: VmRemoved) => void;
  logger?: MonitorLogger;
  client?: LibvirtClientOptions;
  backoff?: { initialMs?: number; maxMs?: number };
}

export class VmMonitor {
  readonly hosts: readonly HostMonitor[];

  constructor(opts: VmMonitorOptions) {
    const uris = [...new Set(opts.hosts)];
    if (uris.length === 0) throw new RangeError('the VM monitor needs at least one libvirt URI');
    this.hosts = uris.map(
      (uri) =>
        new HostMonitor({
          uri,
          onSample: opts.onSample,
          ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}),
          ...(opts.onRemove ? { onRemove: opts.onRemove } : {}),
          ...(opts.logger ? { logger: opts.logger } : {}),
          ...(opts.client ? { client: opts.client } : {}),
          ...(opts.backoff ? { backoff: opts.backoff } : {}),
        }),
    );
  }

  start(): void {
    for (const h of this.hosts) h.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.stop()));
  }

  /** The VM owning a vNIC MAC on any host. */
  vmByMac(mac: string): VmRef | undefined {
    for (const h of this.hosts) {
      const vm = h.vmByMac(mac);
      if (vm) return vm;
    }
    return undefined;
  }

  /** The VM behind a switch port (the vNIC's host-side device) on the host named by URI, label or hostname. */
  vmByPort(host: string, portName: string): VmRef | undefined {
    for (const h of this.hosts) if (h.matchesHost(host)) return h.vmByPort(portName);
    return undefined;
  }

  /**
   * The VM behind a switch port name when the host is not known (an sFlow agent address, say): found
   * only when exactly one host has a VM on a port of that name, since names like vnet0 repeat across hosts.
   */
  vmByPortName(portName: string): VmRef | undefined {
    let found: VmRef | undefined;
    for (const h of this.hosts) {
      const vm = h.vmByPort(portName);
      if (!vm) continue;
      if (found) return undefined;
      found = vm;
    }
    return found;
  }

  samples(now = Date.now()): VmSample[] {
    return this.hosts.flatMap((h) => h.samples(now));
  }

  inventory(): Array<DomainInventory & { host: string }> {
    return this.hosts.flatMap((h) => h.inventory().map((inv) => ({ ...inv, host: h.label })));
  }

  status(): HostStatus[] {
    return this.hosts.map((h) => h.status());
  }
}
