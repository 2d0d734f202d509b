// The API's view of sFlow traffic, read from the store: every collector's enricher writes its per-MAC
// rates (joined to VMs through the monitors' inventory) and heaviest flows there, so the API answers the
// same whichever process runs the collector, and with several collectors it lists them all.

import type { TrafficView } from './providers.js';
import type { Logger } from '../log/logger.js';
import { listChecked } from '../store/checked.js';
import type { Store } from '../store/store.js';
import {
  parseSflowTraffic,
  SFLOW_TRAFFIC_RECORD,
  type MacTraffic,
  type SflowTraffic,
  type TrafficFlow,
} from '../store/vm-traffic.js';

export class StoreTrafficView implements TrafficView {
  constructor(
    private readonly store: Store,
    /** The collectors' sliding window (collector.windowSeconds). */
    readonly windowSeconds: number,
    private readonly log: Logger,
  ) {}

  private snapshots(): Promise<SflowTraffic[]> {
    return listChecked(this.store, SFLOW_TRAFFIC_RECORD, parseSflowTraffic, this.log);
  }

  async topFlows(opts: { limit: number; by: 'bytes' | 'packets' }): Promise<TrafficFlow[]> {
    const flows = (await this.snapshots()).flatMap((s) => s.flows);
    flows.sort((a, b) => b.bytes_per_s - a.bytes_per_s);
    if (opts.by === 'packets') flows.sort((a, b) => b.packets_per_s - a.packets_per_s);
    return flows.slice(0, opts.limit);
  }

  /** Every MAC any collector sees; a MAC two collectors see is taken from the newer snapshot. */
  async vmTraffic(): Promise<MacTraffic[]> {
    const byMac = new Map<string, MacTraffic>();
    const newestLast = (await this.snapshots()).sort((a, b) => a.time - b.time);
    for (const s of newestLast) for (const m of s.macs) byMac.set(m.mac, m);
    return [...byMac.values()];
  }
}
