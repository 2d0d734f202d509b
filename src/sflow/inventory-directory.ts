// A VmDirectory over the monitor's inventory: each compute host's domains with their vNICs (guest MAC and
// host-side device, which is the OVS port name). MACs identify a VM anywhere; a port name only within one
// host (libvirt names vNICs vnet0, vnet1, ... on every host; OpenStack's tapXXXXXXXX-XX are unique), so a
// port resolves to a VM when its name is unique, or when the sFlow agent is known to be that host's switch.

import { formatMac, parseMac } from '../net/mac-address.js';
import type { VmDirectory, VmRef } from './vm-directory.js';

/** The part of a domain's inventory this needs (the store's host inventory has this shape). */
export interface InventoryDomain {
  uuid: string;
  name: string;
  vnics: Array<{ mac?: string; portName?: string }>;
}

export class InventoryDirectory implements VmDirectory {
  private readonly hosts = new Map<string, InventoryDomain[]>();
  private byMac = new Map<string, VmRef>();
  private byPortName = new Map<string, Array<{ host: string; vm: VmRef }>>();
  private byUuid = new Map<string, VmRef>();

  /** `agentHosts`: sFlow agent address -> the monitor's host key (its libvirt URI), where known. */
  constructor(private readonly agentHosts: ReadonlyMap<string, string> = new Map()) {}

  /** Replace one host's domains (after each inventory refresh). */
  update(host: string, domains: Iterable<InventoryDomain>): void {
    this.hosts.set(host, [...domains]);
    this.rebuild();
  }

  /** Replace every host's domains at once: hosts not listed are forgotten. */
  replaceAll(hosts: Iterable<{ host: string; domains: Iterable<InventoryDomain> }>): void {
    this.hosts.clear();
    for (const h of hosts) this.hosts.set(h.host, [...h.domains]);
    this.rebuild();
  }

  removeHost(host: string): void {
    if (this.hosts.delete(host)) this.rebuild();
  }

  private rebuild(): void {
    const byMac = new Map<string, VmRef>();
    const byPortName = new Map<string, Array<{ host: string; vm: VmRef }>>();
    const byUuid = new Map<string, VmRef>();
    for (const [host, domains] of this.hosts) {
      for (const d of domains) {
        const vm = { uuid: d.uuid, name: d.name };
        byUuid.set(d.uuid.toLowerCase(), vm);
        for (const nic of d.vnics) {
          const mac = nic.mac === undefined ? undefined : parseMac(nic.mac);
          if (mac !== undefined) byMac.set(formatMac(mac), vm);
          if (nic.portName) {
            const list = byPortName.get(nic.portName) ?? [];
            list.push({ host, vm });
            byPortName.set(nic.portName, list);
          }
        }
      }
    }
    this.byMac = byMac;
    this.byPortName = byPortName;
    this.byUuid = byUuid;
  }

  vmByUuid(uuid: string): VmRef | undefined {
    return this.byUuid.get(uuid.toLowerCase());
  }

  vmByMac(mac: string): VmRef | undefined {
    return this.byMac.get(mac);
  }

  vmByPort(agent: string, _ifIndex: number, portName: string | undefined): VmRef | undefined {
    if (portName === undefined) return undefined;
    const candidates = this.byPortName.get(portName);
    if (!candidates) return undefined;
    if (candidates.length === 1) return candidates[0]!.vm;
    const host = this.agentHosts.get(agent);
    return host === undefined ? undefined : candidates.find((c) => c.host === host)?.vm;
  }
}
