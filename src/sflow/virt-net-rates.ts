// Host sFlow (hsflowd) sends one counter sample per virtual machine: its host description (hostname =
// domain name, uuid = domain UUID) with virt_net_io counters (sflow_host.txt 2104, libvirt's interface
// statistics summed over the domain's vNICs, from the domain's point of view: bytes_in = received).
// Each domain is a source of the counter tracker: consecutive samples become rates, a reset (agent
// restart, counters going back) starts again.

import { counterDelta32, counterDelta64 } from '../counters/counter-rate.js';
import { CounterTracker } from '../counters/counter-tracker.js';
import type { CounterSample, VirtNetIoCounters } from './types.js';

export interface VirtNetRates {
  uuid: string;
  /** Domain name as the agent reported it. */
  name: string;
  agent: string;
  rxBytesPerSecond: number;
  txBytesPerSecond: number;
  rxPacketsPerSecond: number;
  txPacketsPerSecond: number;
  intervalMs: number;
  updatedAtMs: number;
}

export class VirtNetCounterRates {
  private readonly tracker: CounterTracker<VirtNetIoCounters>;
  private readonly rates = new Map<string, VirtNetRates>();

  constructor(maxDomains = 100_000) {
    this.tracker = new CounterTracker(maxDomains);
  }

  /** Feed a counter sample; only samples carrying a host description and virt_net_io count. */
  update(agent: string, uptimeMs: number, nowMs: number, s: CounterSample): VirtNetRates | undefined {
    let uuid: string | undefined;
    let name = '';
    let net: VirtNetIoCounters | undefined;
    for (const r of s.records) {
      if (r.type === 'host-description') {
        uuid = r.uuid;
        name = r.hostname;
      } else if (r.type === 'virt-net-io') net = r;
    }
    if (uuid === undefined || net === undefined) return undefined;
    const t = this.tracker;
    if (!t.update(uuid, net, nowMs, s.sequence >>> 0, uptimeMs)) return undefined;
    const p = t.previous!;
    const rxBytes = counterDelta64(p.bytesIn, net.bytesIn);
    const txBytes = counterDelta64(p.bytesOut, net.bytesOut);
    if (rxBytes === undefined || txBytes === undefined) return undefined;
    const perSecond = 1000 / t.intervalMs;
    const r: VirtNetRates = {
      uuid,
      name,
      agent,
      rxBytesPerSecond: Number(rxBytes) * perSecond,
      txBytesPerSecond: Number(txBytes) * perSecond,
      rxPacketsPerSecond: (counterDelta32(p.pktsIn, net.pktsIn) ?? 0) * perSecond,
      txPacketsPerSecond: (counterDelta32(p.pktsOut, net.pktsOut) ?? 0) * perSecond,
      intervalMs: t.intervalMs,
      updatedAtMs: nowMs,
    };
    this.rates.set(uuid, r);
    return r;
  }

  get(uuid: string): VirtNetRates | undefined {
    return this.rates.get(uuid);
  }

  all(): VirtNetRates[] {
    return [...this.rates.values()];
  }

  sweep(cutoffMs: number): void {
    this.tracker.sweep(cutoffMs, (key) => this.rates.delete(key));
  }
}
