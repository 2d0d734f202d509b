// The monitor wired to the store, as `vigil monitor` and `vigil up` run it: every sample is written (with
// sFlow's traffic of its VM, when a collector's enricher has written some), every host's domain inventory
// is kept current in the store for the sFlow side, and a VM leaving is published on the events channel.

import type { Logger } from '../log/logger.js';
import { sampleWriter } from '../store/sample-writer.js';
import { Channels, type Store } from '../store/store.js';
import type { VmRemoved } from './host-monitor.js';
import { InventoryPublisher } from './inventory-publisher.js';
import { VmMonitor } from './vm-monitor.js';

export interface MonitorToStoreOptions {
  store: Store;
  log: Logger;
  /** libvirt URIs, one per host. */
  hosts: readonly string[];
  intervalMs: number;
  callTimeoutMs: number;
  /** How long a host's inventory stays in the store without being written again. */
  inventoryTtlMs: number;
  /** Also told when a VM leaves (the event is published either way). */
  onRemove?: (vm: VmRemoved) => void;
}

export interface MonitorToStore {
  monitor: VmMonitor;
  stop(): Promise<void>;
}

export function startMonitorToStore(opts: MonitorToStoreOptions): MonitorToStore {
  const { store, log } = opts;
  const writeSample = sampleWriter(store, log);
  const monitor = new VmMonitor({
    hosts: opts.hosts,
    intervalMs: opts.intervalMs,
    logger: log,
    client: { callTimeoutMs: opts.callTimeoutMs },
    onSample: writeSample,
    onInventory: (host) => inventory.changed(host),
    onRemove: (vm) => {
      inventory.changed(vm.host);
      opts.onRemove?.(vm);
      store
        .publish(Channels.events, { type: 'vm_removed', time: Date.now(), ...vm })
        .catch((err: Error) => log.debug({ err: err.message }, 'event publish failed'));
    },
  });
  // The monitor calls back only once started, below.
  const inventory = new InventoryPublisher({ store, hosts: monitor.hosts, ttlMs: opts.inventoryTtlMs, log });
  inventory.start();
  monitor.start();
  return {
    monitor,
    async stop() {
      await monitor.stop();
      await inventory.stop();
    },
  };
}
