// Writes each monitored host's domain inventory to the store (record host-inventory, one per host, with
// a TTL), so that whichever process runs the sFlow collector can join its traffic to VMs: domain UUID and
// name, each vNIC's MAC, host-side device (the OVS port name) and bridge, and the Nova metadata. A host's
// record is written again on every change (changes close together are written once), and before its TTL
// runs out while the monitor runs; a stopped monitor's records expire by themselves.

import { storeName } from '../store/checked.js';
import { HOST_INVENTORY_RECORD, type HostInventory } from '../store/host-inventory.js';
import type { Store } from '../store/store.js';
import type { DomainInventory } from './domain-inventory.js';
import type { HostMonitor, MonitorLogger } from './host-monitor.js';

/** Changes within this long are written together. */
const COALESCE_MS = 200;

/** The store's record of one host's inventory. Pure. */
export function hostInventory(
  host: string,
  hostname: string | undefined,
  domains: readonly DomainInventory[],
  time: number,
): HostInventory {
  const out: HostInventory = {
    host,
    time,
    domains: domains.map((d) => ({
      uuid: d.uuid,
      name: d.name,
      vnics: d.vnics.map((v) => ({
        mac: v.mac,
        openvswitch: v.openvswitch,
        ...(v.portName !== undefined ? { portName: v.portName } : {}),
        ...(v.bridge !== undefined ? { bridge: v.bridge } : {}),
        ...(v.interfaceId !== undefined ? { interfaceId: v.interfaceId } : {}),
      })),
      ...(d.nova ? { nova: d.nova } : {}),
    })),
  };
  if (hostname !== undefined) out.hostname = hostname;
  return out;
}

export interface InventoryPublisherOptions {
  store: Store;
  hosts: readonly HostMonitor[];
  /** How long a record stays readable without being written again. */
  ttlMs: number;
  log: MonitorLogger;
}

export class InventoryPublisher {
  private readonly dirty = new Set<HostMonitor>();
  private flushTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failing = false;

  constructor(private readonly opts: InventoryPublisherOptions) {}

  /** Writes every host's inventory now and keeps the records alive until stop(). */
  start(): void {
    for (const h of this.opts.hosts) this.dirty.add(h);
    void this.flush();
    this.refreshTimer = setInterval(
      () => {
        for (const h of this.opts.hosts) this.dirty.add(h);
        void this.flush();
      },
      Math.max(1000, this.opts.ttlMs / 3),
    );
    this.refreshTimer.unref();
  }

  /** The inventory of the host with this label changed (a domain came, went or its XML was re-read). */
  changed(hostLabel: string): void {
    const h = this.opts.hosts.find((x) => x.label === hostLabel);
    if (!h || !this.refreshTimer) return;
    this.dirty.add(h);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, COALESCE_MS);
  }

  /** Writes the hosts whose inventory changed; resolves when written (failures are logged). */
  flush(): Promise<void> {
    const hosts = [...this.dirty];
    this.dirty.clear();
    this.writing = this.writing.then(() => Promise.all(hosts.map((h) => this.write(h)))).then(() => {});
    return this.writing;
  }

  async stop(): Promise<void> {
    clearInterval(this.refreshTimer);
    clearTimeout(this.flushTimer);
    this.refreshTimer = this.flushTimer = undefined;
    await this.writing;
  }

  private async write(h: HostMonitor): Promise<void> {
    const record = hostInventory(h.label, h.status().hostname, h.inventory(), Date.now());
    try {
      await this.opts.store.putRecord(HOST_INVENTORY_RECORD, storeName(h.label), record, {
        ttlMs: this.opts.ttlMs,
      });
      if (this.failing) this.opts.log.info({ host: h.label }, 'domain inventory written to the store again');
      this.failing = false;
    } catch (err) {
      if (!this.failing)
        this.opts.log.warn(
          { host: h.label, err: (err as Error).message },
          'domain inventory not written to the store',
        );
      this.failing = true;
    }
  }
}
