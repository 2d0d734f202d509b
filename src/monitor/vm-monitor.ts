// The VM monitor: one HostMonitor per libvirt host, one sample sink, and inventory lookups across hosts.

import type { DomainInventory } from './domain-inventory.js';
import { HostMonitor, type HostMonitorOptions, type HostStatus, type VmRef } from './host-monitor.js';
import type { VmSample } from './vm-sample.js';

export interface VmMonitorOptions extends Pick<
  HostMonitorOptions,
  'intervalMs' | 'onSample' | 'onRemove' | 'onInventory' | 'logger' | 'client' | 'backoff'
> {
  /** libvirt URIs, one per host. Poll interval default 5 s. */
  hosts: readonly string[];
}

export class VmMonitor {
  readonly hosts: readonly HostMonitor[];

  constructor(opts: VmMonitorOptions) {
    const { hosts, ...each } = opts;
    const uris = [...new Set(hosts)];
    if (uris.length === 0) throw new RangeError('the VM monitor needs at least one libvirt URI');
    this.hosts = uris.map((uri) => new HostMonitor({ ...each, uri }));
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
