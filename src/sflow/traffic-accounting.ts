// Traffic accounting from flow samples: each sample stands for the packets its sampler saw since the
// previous sample, so its bytes and packets are scaled up and added to sliding-window rates per switch
// port, per MAC and per 5-tuple flow; IP pairs are the flows summed by address pair. Tables are hash
// indexes over typed arrays (KeyIndex + WindowSlab): a sample allocates nothing unless it brings a new key.
//
// Scaling (sflow_version_5.txt 4.2): sample_pool counts the packets the sampler saw; the pool delta over
// the sample-sequence delta since this sampler's previous sample is the number of packets the sample
// stands for — which also covers samples lost in dropped datagrams. Without a usable previous sample,
// the sampling rate is the weight. Bytes are the frame length less the stripped octets (the FCS), as
// switch port counters count them.

import { formatIpv4 } from '../net/ipv4-address.js';
import { formatIpv6 } from '../net/ipv6-address.js';
import { formatMac, parseMac } from '../net/mac-address.js';
import type { InterfaceRates } from './counter-rates.js';
import type { DatagramView, FlowSampleView } from './datagram-walker.js';
import { INTERNAL_INTERFACE } from './formats.js';
import { KeyIndex } from './key-index.js';
import type { Rates } from './sliding-window.js';
import type { VmDirectory, VmTraffic } from './vm-directory.js';
import { WindowSlab } from './window-slab.js';

export interface AccountingOptions {
  /** Length of the sliding window rates are measured over. */
  windowMs?: number;
  /** Table size limits: beyond them new keys are not tracked (counted in `overflows`). */
  maxPorts?: number;
  maxMacs?: number;
  maxFlows?: number;
}

export interface TrafficTotals extends Rates {
  totalBytes: number;
  totalPackets: number;
}

export interface PortTraffic {
  agent: string;
  ifIndex: number;
  name: string | undefined;
  /** Into the switch from the port (what the attached host sent). */
  in: TrafficTotals;
  /** Out of the switch to the port (what the attached host received). */
  out: TrafficTotals;
  updatedAtMs: number;
}

export interface MacTraffic {
  mac: string;
  sent: TrafficTotals;
  received: TrafficTotals;
  updatedAtMs: number;
}

export interface PairTraffic extends TrafficTotals {
  src: string;
  dst: string;
  updatedAtMs: number;
}

export interface FlowTraffic extends TrafficTotals {
  protocol: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  updatedAtMs: number;
}

/** A hash index with one or two sliding windows per entry. */
class Table {
  readonly index: KeyIndex;
  readonly a: WindowSlab;
  readonly b: WindowSlab | undefined;

  constructor(words: number, windowMs: number, maxEntries: number, two: boolean) {
    this.index = new KeyIndex(words, 256, maxEntries);
    this.a = new WindowSlab(windowMs, 256);
    this.b = two ? new WindowSlab(windowMs, 256) : undefined;
  }

  /** Entry for the key in `index.key`, created empty when new; -1 when the table is full. */
  lookup(): number {
    const e = this.index.findOrInsert();
    if (e >= 0 && this.index.inserted) {
      this.a.ensure(this.index.capacity);
      this.a.clear(e);
      if (this.b) {
        this.b.ensure(this.index.capacity);
        this.b.clear(e);
      }
    }
    return e;
  }

  lastUpdateMs(e: number): number {
    return this.b ? Math.max(this.a.lastUpdateMs(e), this.b.lastUpdateMs(e)) : this.a.lastUpdateMs(e);
  }

  totals(slab: WindowSlab, e: number, now: number): TrafficTotals {
    return { ...slab.rates(e, now), totalBytes: slab.totalBytes(e), totalPackets: slab.totalPackets(e) };
  }

  sweep(cutoffMs: number): void {
    this.index.compact(
      (e) => this.lastUpdateMs(e) >= cutoffMs,
      (from, to) => {
        this.a.move(from, to);
        this.b?.move(from, to);
      },
    );
  }
}

const TWO32 = 0x1_0000_0000;

export class TrafficAccounting {
  readonly windowMs: number;

  private readonly agentIds = new Map<string, number>();
  private readonly agentNames: string[] = [];
  private readonly portNames = new Map<string, string>();
  private readonly ports: Table;
  private readonly macs: Table;
  private readonly flows4: Table;
  private readonly flows6: Table;
  private readonly samplers = new KeyIndex(3, 16, 65_536);
  private samplerSequence = new Float64Array(16);
  private samplerPool = new Float64Array(16);

  /** Time used for samples being added; the caller sets it with setTime() once per datagram. */
  private now = 0;
  private window = 0;
  private agentId = 0;
  private lastSampler = -1;
  private lastSamplerAgent = -1;
  private lastSamplerType = -1;
  private lastSamplerIndex = -1;
  private agent = '';

  flowSamples = 0;
  overflows = 0;

  constructor(opts: AccountingOptions = {}) {
    this.windowMs = opts.windowMs ?? 10_000;
    const w = this.windowMs;
    this.ports = new Table(2, w, opts.maxPorts ?? 65_536, true);
    this.macs = new Table(2, w, opts.maxMacs ?? 100_000, true);
    this.flows4 = new Table(4, w, opts.maxFlows ?? 200_000, false);
    this.flows6 = new Table(10, w, opts.maxFlows ?? 200_000, false);
  }

  setTime(nowMs: number): void {
    this.now = nowMs;
    this.window = this.ports.a.windowOf(nowMs);
  }

  /** Called once per accepted datagram, before its samples. */
  beginDatagram(d: DatagramView): void {
    if (d.agent === this.agent) return;
    let id = this.agentIds.get(d.agent);
    if (id === undefined) {
      id = this.agentNames.length;
      this.agentIds.set(d.agent, id);
      this.agentNames.push(d.agent);
    }
    this.agentId = id;
    this.agent = d.agent;
  }

  /** The number of packets one sample stands for. */
  private weight(s: FlowSampleView): number {
    const rate = s.samplingRate > 0 ? s.samplingRate : 1;
    let e: number;
    let inserted = false;
    // an OVS bridge samples through one sampler: the last one is nearly always the next one
    if (
      this.lastSamplerAgent === this.agentId &&
      this.lastSamplerType === s.sourceIdType &&
      this.lastSamplerIndex === s.sourceIdIndex
    ) {
      e = this.lastSampler;
    } else {
      const k = this.samplers.key;
      k[0] = this.agentId;
      k[1] = s.sourceIdType;
      k[2] = s.sourceIdIndex;
      e = this.samplers.findOrInsert();
      if (e < 0) return rate;
      inserted = this.samplers.inserted;
      this.lastSampler = e;
      this.lastSamplerAgent = this.agentId;
      this.lastSamplerType = s.sourceIdType;
      this.lastSamplerIndex = s.sourceIdIndex;
    }
    if (inserted) {
      if (e >= this.samplerSequence.length) {
        const seq = new Float64Array(this.samplers.capacity);
        seq.set(this.samplerSequence);
        this.samplerSequence = seq;
        const pool = new Float64Array(this.samplers.capacity);
        pool.set(this.samplerPool);
        this.samplerPool = pool;
      }
      this.samplerSequence[e] = s.sequence;
      this.samplerPool[e] = s.samplePool;
      return rate;
    }
    const seqDelta = (s.sequence - this.samplerSequence[e]!) >>> 0;
    const poolDelta = (s.samplePool - this.samplerPool[e]!) >>> 0;
    // duplicate or reordered: the newer state stands
    if (seqDelta === 0 || seqDelta > 0x7fffffff) return rate;
    this.samplerSequence[e] = s.sequence;
    this.samplerPool[e] = s.samplePool;
    if (seqDelta > 10_000 || poolDelta === 0 || poolDelta > seqDelta * rate * 16) return rate;
    return poolDelta / seqDelta;
  }

  addFlowSample(s: FlowSampleView): void {
    this.flowSamples++;
    const now = this.now;
    const window = this.window;
    const packets = this.weight(s);
    const frame = s.frameLength > s.stripped ? s.frameLength - s.stripped : s.frameLength;
    const bytes = frame * packets;
    const ports = this.ports;
    if (s.inputFormat === 0 && s.input !== 0 && s.input !== INTERNAL_INTERFACE) {
      ports.index.key[0] = this.agentId;
      ports.index.key[1] = s.input;
      const e = ports.lookup();
      if (e >= 0) ports.a.addInWindow(e, now, window, bytes, packets);
      else this.overflows++;
    }
    if (s.outputFormat === 0 && s.output !== 0 && s.output !== INTERNAL_INTERFACE) {
      ports.index.key[0] = this.agentId;
      ports.index.key[1] = s.output;
      const e = ports.lookup();
      if (e >= 0) ports.b!.addInWindow(e, now, window, bytes, packets);
      else this.overflows++;
    }
    const h = s.header;
    if (h.hasEthernet) {
      const macs = this.macs;
      const k = macs.index.key;
      k[0] = h.srcMac / TWO32;
      k[1] = h.srcMac >>> 0;
      let e = macs.lookup();
      if (e >= 0) macs.a.addInWindow(e, now, window, bytes, packets);
      else this.overflows++;
      k[0] = h.dstMac / TWO32;
      k[1] = h.dstMac >>> 0;
      e = macs.lookup();
      if (e >= 0) macs.b!.addInWindow(e, now, window, bytes, packets);
      else this.overflows++;
    }
    if (h.network === 4) {
      const t = this.flows4;
      const k = t.index.key;
      k[0] = h.ipv4Src;
      k[1] = h.ipv4Dst;
      k[2] = (h.srcPort << 16) | h.dstPort;
      k[3] = h.protocol;
      const e = t.lookup();
      if (e >= 0) t.a.addInWindow(e, now, window, bytes, packets);
      else this.overflows++;
    } else if (h.network === 6 && h.ipv6SrcOffset > 0) {
      const t = this.flows6;
      const k = t.index.key;
      const buf = s.buf;
      for (let i = 0; i < 4; i++) {
        k[i] = buf.readUInt32BE(h.ipv6SrcOffset + 4 * i);
        k[4 + i] = buf.readUInt32BE(h.ipv6DstOffset + 4 * i);
      }
      k[8] = (h.srcPort << 16) | h.dstPort;
      k[9] = h.protocol;
      const e = t.lookup();
      if (e >= 0) t.a.addInWindow(e, now, window, bytes, packets);
      else this.overflows++;
    }
  }

  /** OVS port-name counter record: the name of a port of the current datagram's agent. */
  setPortName(ifIndex: number, name: string): void {
    const key = `${this.agentId}:${ifIndex}`;
    if (this.portNames.get(key) !== name && this.portNames.size < 65_536) this.portNames.set(key, name);
  }

  // ---- queries (not on the hot path: they allocate freely) ----

  portTraffic(now: number): PortTraffic[] {
    const t = this.ports;
    const out: PortTraffic[] = [];
    for (let e = 0; e < t.index.size; e++) {
      const agentId = t.index.keyWord(e, 0);
      const ifIndex = t.index.keyWord(e, 1);
      out.push({
        agent: this.agentNames[agentId]!,
        ifIndex,
        name: this.portNames.get(`${agentId}:${ifIndex}`),
        in: t.totals(t.a, e, now),
        out: t.totals(t.b!, e, now),
        updatedAtMs: t.lastUpdateMs(e),
      });
    }
    // ports known only by name (from counter samples) so far
    for (const [key, name] of this.portNames) {
      const [agentId, ifIndex] = key.split(':').map(Number) as [number, number];
      t.index.key[0] = agentId;
      t.index.key[1] = ifIndex;
      if (t.index.find() >= 0) continue;
      const zero = { bytesPerSecond: 0, packetsPerSecond: 0, totalBytes: 0, totalPackets: 0 };
      out.push({
        agent: this.agentNames[agentId]!,
        ifIndex,
        name,
        in: zero,
        out: { ...zero },
        updatedAtMs: -1,
      });
    }
    return out;
  }

  macTraffic(now: number): MacTraffic[] {
    const t = this.macs;
    const out: MacTraffic[] = [];
    for (let e = 0; e < t.index.size; e++) {
      out.push({
        mac: formatMac(t.index.keyWord(e, 0) * TWO32 + t.index.keyWord(e, 1)),
        sent: t.totals(t.a, e, now),
        received: t.totals(t.b!, e, now),
        updatedAtMs: t.lastUpdateMs(e),
      });
    }
    return out;
  }

  private allFlows(now: number): FlowTraffic[] {
    const out: FlowTraffic[] = [];
    const t4 = this.flows4;
    for (let e = 0; e < t4.index.size; e++) {
      const ports = t4.index.keyWord(e, 2);
      out.push({
        protocol: t4.index.keyWord(e, 3),
        src: formatIpv4(t4.index.keyWord(e, 0)),
        dst: formatIpv4(t4.index.keyWord(e, 1)),
        srcPort: ports >>> 16,
        dstPort: ports & 0xffff,
        ...t4.totals(t4.a, e, now),
        updatedAtMs: t4.a.lastUpdateMs(e),
      });
    }
    const t6 = this.flows6;
    const addr = Buffer.alloc(32);
    for (let e = 0; e < t6.index.size; e++) {
      for (let i = 0; i < 8; i++) addr.writeUInt32BE(t6.index.keyWord(e, i), 4 * i);
      const ports = t6.index.keyWord(e, 8);
      out.push({
        protocol: t6.index.keyWord(e, 9),
        src: formatIpv6(addr, 0),
        dst: formatIpv6(addr, 16),
        srcPort: ports >>> 16,
        dstPort: ports & 0xffff,
        ...t6.totals(t6.a, e, now),
        updatedAtMs: t6.a.lastUpdateMs(e),
      });
    }
    return out;
  }

  /** The N flows (5-tuples) with the highest byte rate over the window. */
  topFlows(now: number, n = 10): FlowTraffic[] {
    return this.allFlows(now)
      .filter((f) => f.bytesPerSecond > 0)
      .sort((a, b) => b.bytesPerSecond - a.bytesPerSecond)
      .slice(0, n);
  }

  /** IP address pairs (flows summed by source and destination), highest byte rate first. */
  pairTraffic(now: number, limit = Infinity): PairTraffic[] {
    const pairs = new Map<string, PairTraffic>();
    for (const f of this.allFlows(now)) {
      const key = `${f.src} ${f.dst}`;
      const p = pairs.get(key);
      if (!p) {
        pairs.set(key, {
          src: f.src,
          dst: f.dst,
          bytesPerSecond: f.bytesPerSecond,
          packetsPerSecond: f.packetsPerSecond,
          totalBytes: f.totalBytes,
          totalPackets: f.totalPackets,
          updatedAtMs: f.updatedAtMs,
        });
      } else {
        p.bytesPerSecond += f.bytesPerSecond;
        p.packetsPerSecond += f.packetsPerSecond;
        p.totalBytes += f.totalBytes;
        p.totalPackets += f.totalPackets;
        p.updatedAtMs = Math.max(p.updatedAtMs, f.updatedAtMs);
      }
    }
    return [...pairs.values()].sort((a, b) => b.bytesPerSecond - a.bytesPerSecond).slice(0, limit);
  }

  /**
   * Per-VM traffic: ports the directory maps to a VM first (the switch port is the VM's own vNIC),
   * then MACs for VMs no port was found for. `counters` looks up interface counter rates of a port.
   */
  vmTraffic(
    now: number,
    directory: VmDirectory,
    counters?: (agent: string, ifIndex: number) => InterfaceRates | undefined,
  ): VmTraffic[] {
    const byVm = new Map<string, VmTraffic>();
    if (directory.vmByPort) {
      for (const p of this.portTraffic(now)) {
        const vm = directory.vmByPort(p.agent, p.ifIndex, p.name);
        if (!vm) continue;
        const t = byVm.get(vm.uuid) ?? this.emptyVm(vm.uuid, vm.name, 'port');
        // the switch receives on the port what the VM transmits
        t.txBytesPerSecond += p.in.bytesPerSecond;
        t.txPacketsPerSecond += p.in.packetsPerSecond;
        t.rxBytesPerSecond += p.out.bytesPerSecond;
        t.rxPacketsPerSecond += p.out.packetsPerSecond;
        t.updatedAtMs = Math.max(t.updatedAtMs, p.updatedAtMs);
        const c = counters?.(p.agent, p.ifIndex);
        if (c && c.inBytesPerSecond !== undefined && c.outBytesPerSecond !== undefined) {
          t.counters = {
            txBytesPerSecond: c.inBytesPerSecond,
            rxBytesPerSecond: c.outBytesPerSecond,
            txPacketsPerSecond: c.inPacketsPerSecond ?? 0,
            rxPacketsPerSecond: c.outPacketsPerSecond ?? 0,
            intervalMs: c.intervalMs,
          };
        }
        byVm.set(vm.uuid, t);
      }
    }
    for (const m of this.macTraffic(now)) {
      const vm = directory.vmByMac(m.mac);
      if (!vm) continue;
      const existing = byVm.get(vm.uuid);
      if (existing && existing.joinedBy === 'port') continue;
      const t = existing ?? this.emptyVm(vm.uuid, vm.name, 'mac');
      t.txBytesPerSecond += m.sent.bytesPerSecond;
      t.txPacketsPerSecond += m.sent.packetsPerSecond;
      t.rxBytesPerSecond += m.received.bytesPerSecond;
      t.rxPacketsPerSecond += m.received.packetsPerSecond;
      t.updatedAtMs = Math.max(t.updatedAtMs, m.updatedAtMs);
      byVm.set(vm.uuid, t);
    }
    return [...byVm.values()];
  }

  private emptyVm(uuid: string, name: string, joinedBy: 'port' | 'mac'): VmTraffic {
    return {
      uuid,
      name,
      rxBytesPerSecond: 0,
      txBytesPerSecond: 0,
      rxPacketsPerSecond: 0,
      txPacketsPerSecond: 0,
      windowMs: this.windowMs,
      updatedAtMs: 0,
      joinedBy,
    };
  }

  /** Forget entries with no sample since `cutoffMs` (port names are kept). */
  sweep(cutoffMs: number): void {
    this.ports.sweep(cutoffMs);
    this.macs.sweep(cutoffMs);
    this.flows4.sweep(cutoffMs);
    this.flows6.sweep(cutoffMs);
  }

  sizes(): { ports: number; macs: number; flows: number } {
    return {
      ports: this.ports.index.size,
      macs: this.macs.index.size,
      flows: this.flows4.index.size + this.flows6.index.size,
    };
  }
}

/** A directory from plain tables, for tests and for a static configuration. */
export function staticDirectory(
  byMac: Record<string, { uuid: string; name: string }>,
  byPortName: Record<string, { uuid: string; name: string }> = {},
): VmDirectory {
  const macs = new Map<string, { uuid: string; name: string }>();
  for (const [mac, vm] of Object.entries(byMac)) {
    const n = parseMac(mac);
    if (n !== undefined) macs.set(formatMac(n), vm);
  }
  return {
    vmByMac: (mac) => macs.get(mac),
    vmByPort: (_agent, _ifIndex, name) => (name === undefined ? undefined : byPortName[name]),
  };
}
