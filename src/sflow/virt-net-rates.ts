// Host sFlow (hsflowd) sends one counter sample per virtual machine: its host description (hostname =
// domain name, uuid = domain UUID) with virt_net_io counters (sflow_host.txt 2104, libvirt's interface
// statistics summed over the domain's vNICs, from the domain's point of view: bytes_in = received).
// Consecutive samples of a domain become rates; a reset (agent restart, counters going back) starts again.

import { uptimeDelta } from './agent-sequences.js';
import { counterDelta32, counterDelta64 } from './counter-rates.js';
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

interface Baseline {
  net: VirtNetIoCounters;
  sequence: number;
  uptimeMs: number;
  atMs: number;
}

export class VirtNetCounterRates {
  private readonly last = new Map<string, Baseline>();
  private readonly rates = new Map<string, VirtNetRates>();

  constructor(private readonly maxDomains = 100_000) {}

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
    const prev = this.last.get(uuid);
    if (!prev && this.last.size >= this.maxDomains) return undefined;
    this.last.set(uuid, { net, sequence: s.sequence, uptimeMs, atMs: nowMs });
    if (!prev) return undefined;
    const seqDelta = (s.sequence - prev.sequence) >>> 0;
    const elapsed = uptimeDelta(prev.uptimeMs, uptimeMs);
    if (seqDelta === 0 || seqDelta > 0x7fffffff || elapsed <= 0) return undefined;
    const rxBytes = counterDelta64(prev.net.bytesIn, net.bytesIn);
    const txBytes = counterDelta64(prev.net.bytesOut, net.bytesOut);
    const rxPackets = counterDelta32(prev.net.pktsIn, net.pktsIn);
    const txPackets = counterDelta32(prev.net.pktsOut, net.pktsOut);
    if (rxBytes === undefined || txBytes === undefined) return undefined;
    const perSecond = 1000 / elapsed;
    const r: VirtNetRates = {
      uuid,
      name,
      agent,
      rxBytesPerSecond: Number(rxBytes) * perSecond,
      txBytesPerSecond: Number(txBytes) * perSecond,
      rxPacketsPerSecond: (rxPackets ?? 0) * perSecond,
      txPacketsPerSecond: (txPackets ?? 0) * perSecond,
      intervalMs: elapsed,
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
    for (const [k, b] of this.last) {
      if (b.atMs < cutoffMs) {
        this.last.delete(k);
        this.rates.delete(k);
      }
    }
  }
}
