// The collector's core, without sockets: one datagram in (bytes + arrival time), accounting, sequence
// tracking, counter rates and the collector's own counters updated. Pure apart from the state it owns.

import { AgentSequences, type SequenceEvent } from './agent-sequences.js';
import { InterfaceCounterRates } from './counter-rates.js';
import {
  DatagramWalker,
  type DatagramView,
  type FlowSampleView,
  type SampleSink,
} from './datagram-walker.js';
import type { SflowDecodeError, SflowDecodeErrorCode } from './decode-error.js';
import { TrafficAccounting, type AccountingOptions } from './traffic-accounting.js';
import type { CounterSample } from './types.js';
import { VirtNetCounterRates, type VirtNetRates } from './virt-net-rates.js';
import type { CounterRates, VmDirectory, VmTraffic } from './vm-directory.js';

export interface IngestCounters {
  datagrams: number;
  accepted: number;
  rejected: Record<SflowDecodeErrorCode, number>;
  notAllowed: number;
  flowSamples: number;
  counterSamples: number;
  unknownSamples: number;
  unknownRecords: number;
  agentRestarts: number;
}

export class SflowIngest implements SampleSink {
  readonly accounting: TrafficAccounting;
  readonly sequences = new AgentSequences();
  readonly interfaces = new InterfaceCounterRates();
  readonly domains = new VirtNetCounterRates();
  readonly counters: IngestCounters = {
    datagrams: 0,
    accepted: 0,
    rejected: { truncated: 0, 'bad-version': 0, 'bad-address-type': 0, inconsistent: 0, limit: 0 },
    notAllowed: 0,
    flowSamples: 0,
    counterSamples: 0,
    unknownSamples: 0,
    unknownRecords: 0,
    agentRestarts: 0,
  };
  /** The last sequence event, for the caller's logs. */
  lastSequenceEvent: SequenceEvent = 'first';
  private readonly walker = new DatagramWalker();
  private readonly allow: Set<string> | undefined;
  private now = 0;
  private uptimeMs = 0;

  constructor(opts: AccountingOptions & { allowAgents?: string[] } = {}) {
    this.accounting = new TrafficAccounting(opts);
    this.allow = opts.allowAgents && opts.allowAgents.length > 0 ? new Set(opts.allowAgents) : undefined;
  }

  /** One datagram; undefined when accepted, else why it was rejected (the caller logs it). */
  ingest(buf: Buffer, nowMs: number): SflowDecodeError | undefined {
    this.counters.datagrams++;
    this.now = nowMs;
    this.accounting.setTime(nowMs);
    const err = this.walker.walk(buf, this);
    if (err) this.counters.rejected[err.code]++;
    else this.counters.accepted++;
    return err;
  }

  /** Whether a sender (the UDP source address) may send datagrams; checked before decoding. */
  allowed(address: string): boolean {
    if (!this.allow || this.allow.has(address)) return true;
    this.counters.notAllowed++;
    return false;
  }

  datagram(d: DatagramView): void {
    const seq = this.sequences.observe(d.agent, d.subAgentId, d.sequence, d.uptimeMs, this.now);
    this.lastSequenceEvent = seq;
    if (seq === 'restart') this.counters.agentRestarts++;
    this.counters.unknownSamples += d.unknownSamples;
    this.counters.unknownRecords += d.unknownRecords;
    this.uptimeMs = d.uptimeMs;
    this.accounting.beginDatagram(d);
  }

  flowSample(_d: DatagramView, s: FlowSampleView): void {
    this.counters.flowSamples++;
    this.accounting.addFlowSample(s);
  }

  counterSample(d: DatagramView, s: CounterSample): void {
    this.counters.counterSamples++;
    let ifIndex = s.sourceIdType === 0 ? s.sourceIdIndex : -1;
    for (const r of s.records) {
      if (r.type === 'generic-interface') {
        ifIndex = r.ifIndex;
        this.interfaces.update(d.agent, s.sequence, this.uptimeMs, this.now, r);
      }
    }
    for (const r of s.records) {
      if (r.type === 'port-name' && ifIndex >= 0) this.accounting.setPortName(ifIndex, r.name);
      else if (r.type === 'virt-net-io') this.domains.update(d.agent, this.uptimeMs, this.now, s);
    }
  }

  /**
   * Per-VM traffic over the window: flow samples joined through the directory, with the port's counter
   * rates and Host sFlow's per-domain rates alongside; VMs that only Host sFlow reports come as 'host-sflow'.
   */
  vmTraffic(now: number, directory: VmDirectory): VmTraffic[] {
    const vms = this.accounting.vmTraffic(now, directory, (agent, ifIndex) =>
      this.interfaces.get(agent, ifIndex),
    );
    const seen = new Set<string>();
    for (const vm of vms) {
      seen.add(vm.uuid);
      const h = this.domains.get(vm.uuid);
      if (h) vm.hostSflow = pick(h);
    }
    for (const h of this.domains.all()) {
      if (seen.has(h.uuid) || now - h.updatedAtMs > 3 * this.accounting.windowMs) continue;
      vms.push({
        uuid: h.uuid,
        name: directory.vmByUuid?.(h.uuid)?.name ?? h.name,
        rxBytesPerSecond: h.rxBytesPerSecond,
        txBytesPerSecond: h.txBytesPerSecond,
        rxPacketsPerSecond: h.rxPacketsPerSecond,
        txPacketsPerSecond: h.txPacketsPerSecond,
        windowMs: h.intervalMs,
        updatedAtMs: h.updatedAtMs,
        joinedBy: 'host-sflow',
        hostSflow: pick(h),
      });
    }
    return vms;
  }

  /** Total datagrams lost over all agents (from sequence gaps). */
  lostDatagrams(): number {
    let lost = 0;
    for (const s of this.sequences.stats()) lost += s.lost;
    return lost;
  }

  sweep(cutoffMs: number): void {
    this.accounting.sweep(cutoffMs);
    this.domains.sweep(cutoffMs);
    this.sequences.sweep(cutoffMs);
    this.interfaces.sweep(cutoffMs);
  }
}

function pick(h: VirtNetRates): CounterRates {
  return {
    rxBytesPerSecond: h.rxBytesPerSecond,
    txBytesPerSecond: h.txBytesPerSecond,
    rxPacketsPerSecond: h.rxPacketsPerSecond,
    txPacketsPerSecond: h.txPacketsPerSecond,
    intervalMs: h.intervalMs,
  };
}
