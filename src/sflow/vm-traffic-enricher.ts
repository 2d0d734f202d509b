// The sFlow side's way into the store. On its own timer it reads every compute host's domain inventory
// from the store (the monitors write it, in this process or in others), joins the collector's per-port
// and per-MAC traffic to the VMs through it, and writes to the store, each with a TTL:
//   - each VM's traffic (record vm-traffic:<uuid>), which the monitor adds to the VM's next sample;
//   - this collector's per-MAC rates and heaviest flows (record sflow-traffic:<collector>), which the
//     traffic API reads.
// It needs no libvirt host in this process: the store is where the two sides meet.

import { listChecked, STORE_NAME_PATTERN, storeName, type RefusalLog } from '../store/checked.js';
import { HOST_INVENTORY_RECORD, parseHostInventory } from '../store/host-inventory.js';
import type { Store } from '../store/store.js';
import {
  MAX_SNAPSHOT_FLOWS,
  MAX_SNAPSHOT_MACS,
  SFLOW_TRAFFIC_RECORD,
  VM_TRAFFIC_RECORD,
  type MacTraffic,
  type SflowTraffic,
  type TrafficFlow,
} from '../store/vm-traffic.js';
import { InventoryDirectory } from './inventory-directory.js';
import type { SflowIngest } from './sflow-ingest.js';
import type { FlowTraffic } from './traffic-accounting.js';
import type { VmDirectory } from './vm-directory.js';

export const DEFAULT_ENRICH_INTERVAL_MS = 1000;
/** Records live this many intervals (at least 5 s): a collector that stops drops out soon after. */
const TTL_INTERVALS = 3;
const MIN_TTL_MS = 5000;
/** A Host sFlow agent names its domains itself: a UUID the store cannot key is left out. */
const STORABLE_UUID = new RegExp(STORE_NAME_PATTERN);

export interface EnricherLog extends RefusalLog {
  info(obj: object, msg: string): void;
}

export interface VmTrafficEnricherOptions {
  ingest: SflowIngest;
  store: Store;
  /** This collector's name in the store (e.g. host:port); several collectors may share a store. */
  collector: string;
  intervalMs?: number;
  log: EnricherLog;
  /** sFlow agent address -> the monitor's host name, where known (resolves port names like vnet0). */
  agentHosts?: ReadonlyMap<string, string>;
}

function flowRow(f: FlowTraffic): TrafficFlow {
  return {
    src_ip: f.src,
    dst_ip: f.dst,
    ip_protocol: f.protocol,
    ...(f.protocol === 6 || f.protocol === 17 ? { src_port: f.srcPort, dst_port: f.dstPort } : {}),
    bytes_per_s: f.bytesPerSecond,
    packets_per_s: f.packetsPerSecond,
  };
}

/**
 * A collector's traffic as the store keeps it: every MAC joined to its VM where the directory knows it
 * (the heaviest MAX_SNAPSHOT_MACS when there are more), and the heaviest flows by bytes and by packets. Pure.
 */
export function sflowTraffic(
  ingest: SflowIngest,
  directory: VmDirectory,
  collector: string,
  now: number,
): SflowTraffic {
  let macs = ingest.accounting.macTraffic(now);
  if (macs.length > MAX_SNAPSHOT_MACS) {
    const load = (m: (typeof macs)[number]) => m.sent.bytesPerSecond + m.received.bytesPerSecond;
    macs = macs.sort((a, b) => load(b) - load(a)).slice(0, MAX_SNAPSHOT_MACS);
  }
  const macRows = macs.map((m): MacTraffic => {
    const vm = directory.vmByMac(m.mac);
    return {
      mac: m.mac,
      ...(vm ? { vm_uuid: vm.uuid, vm_name: vm.name } : {}),
      rx_bytes_per_s: m.received.bytesPerSecond,
      tx_bytes_per_s: m.sent.bytesPerSecond,
      rx_packets_per_s: m.received.packetsPerSecond,
      tx_packets_per_s: m.sent.packetsPerSecond,
    };
  });
  // The API lists the heaviest flows by bytes or by packets: keep the heaviest half by each.
  const half = MAX_SNAPSHOT_FLOWS / 2;
  const byBytes = ingest.accounting.topFlows(now, Number.MAX_SAFE_INTEGER);
  const flows = new Set(byBytes.slice(0, half));
  if (byBytes.length > half) {
    const byPackets = [...byBytes].sort((a, b) => b.packetsPerSecond - a.packetsPerSecond);
    for (const f of byPackets.slice(0, half)) flows.add(f);
  }
  return {
    collector,
    time: now,
    windowSeconds: ingest.accounting.windowMs / 1000,
    macs: macRows,
    flows: [...flows].map(flowRow),
  };
}

export class VmTrafficEnricher {
  readonly intervalMs: number;
  readonly ttlMs: number;
  /** The VMs as the store's inventory says, rebuilt every round. */
  readonly directory: InventoryDirectory;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private failing = false;

  constructor(private readonly opts: VmTrafficEnricherOptions) {
    this.intervalMs = opts.intervalMs ?? DEFAULT_ENRICH_INTERVAL_MS;
    if (!(this.intervalMs >= 10))
      throw new RangeError(`enricher interval ${this.intervalMs} ms is below 10 ms`);
    this.ttlMs = Math.max(TTL_INTERVALS * this.intervalMs, MIN_TTL_MS);
    this.directory = new InventoryDirectory(opts.agentHosts);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // A round still running (a slow store) is not stacked on.
      this.round ??= this.enrich().finally(() => (this.round = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
  }

  /** One round: inventory in, traffic out. Store failures are logged once per outage, never thrown. */
  async enrich(now = Date.now()): Promise<void> {
    const { store, ingest, log } = this.opts;
    try {
      const hosts = await listChecked(store, HOST_INVENTORY_RECORD, parseHostInventory, log);
      this.directory.replaceAll(hosts);
      const writes = ingest
        .vmTraffic(now, this.directory)
        .filter((vm) => STORABLE_UUID.test(vm.uuid))
        .map((vm) => store.putRecord(VM_TRAFFIC_RECORD, vm.uuid, vm, { ttlMs: this.ttlMs }));
      const snapshot = sflowTraffic(ingest, this.directory, this.opts.collector, now);
      writes.push(
        store.putRecord(SFLOW_TRAFFIC_RECORD, storeName(this.opts.collector), snapshot, {
          ttlMs: this.ttlMs,
        }),
      );
      const failed = (await Promise.allSettled(writes)).find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      if (this.failing)
        log.info({ collector: this.opts.collector }, 'sFlow traffic written to the store again');
      this.failing = false;
    } catch (err) {
      if (!this.failing)
        log.warn(
          { collector: this.opts.collector, err: (err as Error).message },
          'sFlow traffic not written to the store',
        );
      this.failing = true;
    }
  }
}
