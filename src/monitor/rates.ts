// Per-VM metrics from two consecutive stats records of one domain: counters become per-second rates,
// CPU time becomes a percentage of wall time per vCPU. Pure: the caller passes the times.
//
// Counter resets (the domain restarted, a vNIC was re-plugged) show up as a counter going down: that
// counter gives no rate for the interval instead of a negative or huge one. A domain whose CPU time went
// down restarted: no rates at all for that interval.

import { counterRate as rate, counterWentDown } from '../counters/counter-rate.js';
import type { VmSampleDisk, VmSampleMemory, VmNicRates } from '../store/vm-sample.js';
import type { BlockStats, DomainStats, NetStats } from './domain-stats.js';

export interface StatsSnapshot {
  /** Wall time the record was taken (ms since the epoch). */
  timeMs: number;
  stats: DomainStats;
}

/** One vNIC's counters and rates (the sample's nic gets the rates and the inventory). */
export interface NicMetrics extends VmNicRates {
  name: string;
  rxBytes?: number;
  txBytes?: number;
}

export type DiskMetrics = VmSampleDisk;
export type MemoryMetrics = VmSampleMemory;

export interface VmMetrics {
  /** Flat numeric map with dotted names (`cpu.percent`, `net.vnet0.rx_bytes_per_s`, ...). */
  metrics: Record<string, number>;
  /** Seconds between the two records; absent for a first record. */
  intervalSeconds?: number;
  /** True when counters went down since the previous record (restart); those rates are left out. */
  counterReset: boolean;
  cpuPercent?: number;
  memory: MemoryMetrics;
  nics: NicMetrics[];
  disks: DiskMetrics[];
}

const NS_PER_S = 1e9;

function clampPercent(p: number): number {
  return p < 0 ? 0 : p > 100 ? 100 : p;
}

/** Metric-name-safe device name: dots would break the dotted naming. */
export function metricSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

export function computeVmMetrics(cur: StatsSnapshot, prev?: StatsSnapshot): VmMetrics {
  const s = cur.stats;
  const m: Record<string, number> = {};
  const seconds = prev ? (cur.timeMs - prev.timeMs) / 1000 : 0;
  let p: DomainStats | undefined = prev && seconds > 0 && prev.stats.uuid === s.uuid ? prev.stats : undefined;
  let counterReset = false;
  if (p && counterWentDown(p.cpuTimeNs, s.cpuTimeNs)) {
    counterReset = true;
    p = undefined;
  }

  if (s.stateCode !== undefined) m['state.code'] = s.stateCode;

  // CPU: cpu.time counts every thread of the domain; divided by wall time and vCPUs it is the share of
  // the VM's CPU capacity in use.
  const vcpuCount = s.vcpuCurrent !== undefined && s.vcpuCurrent > 0 ? s.vcpuCurrent : undefined;
  let cpuPercent: number | undefined;
  if (s.cpuTimeNs !== undefined) m['cpu.time_ns'] = s.cpuTimeNs;
  if (vcpuCount !== undefined) m['vcpu.count'] = vcpuCount;
  if (s.vcpuMaximum !== undefined) m['vcpu.maximum'] = s.vcpuMaximum;
  if (p && vcpuCount !== undefined) {
    const cpuRate = rate(p.cpuTimeNs, s.cpuTimeNs, seconds);
    if (cpuRate !== undefined) {
      cpuPercent = clampPercent((cpuRate / NS_PER_S / vcpuCount) * 100);
      m['cpu.percent'] = cpuPercent;
    }
    const user = rate(p.cpuUserNs, s.cpuUserNs, seconds);
    if (user !== undefined) m['cpu.user_percent'] = clampPercent((user / NS_PER_S / vcpuCount) * 100);
    const system = rate(p.cpuSystemNs, s.cpuSystemNs, seconds);
    if (system !== undefined) m['cpu.system_percent'] = clampPercent((system / NS_PER_S / vcpuCount) * 100);
  }

  // vCPU time (running), wait (blocked on I/O) and delay (runnable but waiting for a host CPU), each as
  // a percentage of wall time, per vCPU and averaged over the vCPUs that report it.
  let sumTime = 0;
  let sumWait = 0;
  let sumDelay = 0;
  let nTime = 0;
  let nWait = 0;
  let nDelay = 0;
  for (const v of s.vcpus) {
    const k = keysFor('vcpu.', String(v.index), VCPU_KEYS);
    if (v.timeNs !== undefined) m[k[0]!] = v.timeNs;
    if (v.waitNs !== undefined) m[k[1]!] = v.waitNs;
    if (v.delayNs !== undefined) m[k[2]!] = v.delayNs;
    if (!p) continue;
    const pv = findByIndex(p.vcpus, v.index);
    if (!pv) continue;
    const t = rate(pv.timeNs, v.timeNs, seconds);
    if (t !== undefined) {
      const pct = clampPercent((t / NS_PER_S) * 100);
      m[k[3]!] = pct;
      sumTime += pct;
      nTime++;
    }
    const w = rate(pv.waitNs, v.waitNs, seconds);
    if (w !== undefined) {
      const pct = clampPercent((w / NS_PER_S) * 100);
      m[k[4]!] = pct;
      sumWait += pct;
      nWait++;
    }
    const d = rate(pv.delayNs, v.delayNs, seconds);
    if (d !== undefined) {
      const pct = clampPercent((d / NS_PER_S) * 100);
      m[k[5]!] = pct;
      sumDelay += pct;
      nDelay++;
    }
  }
  if (nTime > 0) m['vcpu.time_percent'] = sumTime / nTime;
  if (nWait > 0) m['vcpu.wait_percent'] = sumWait / nWait;
  if (nDelay > 0) m['vcpu.delay_percent'] = sumDelay / nDelay;

  const memory = memoryMetrics(s);
  if (memory.currentBytes !== undefined) m['memory.current_bytes'] = memory.currentBytes;
  if (memory.maximumBytes !== undefined) m['memory.maximum_bytes'] = memory.maximumBytes;
  if (memory.rssBytes !== undefined) m['memory.rss_bytes'] = memory.rssBytes;
  const b = s.balloon;
  if (b.availableKiB !== undefined) m['memory.available_bytes'] = b.availableKiB * 1024;
  if (b.usableKiB !== undefined) m['memory.usable_bytes'] = b.usableKiB * 1024;
  if (b.unusedKiB !== undefined) m['memory.unused_bytes'] = b.unusedKiB * 1024;
  if (memory.usedBytes !== undefined) {
    m['memory.used_bytes'] = memory.usedBytes;
    if (b.availableKiB)
      m['memory.used_percent'] = clampPercent((memory.usedBytes / (b.availableKiB * 1024)) * 100);
  }
  m['memory.guest_reported'] = memory.guestReported ? 1 : 0;

  const nics: NicMetrics[] = [];
  const netTotals = [0, 0, 0, 0, 0, 0, 0, 0];
  let netRated = 0;
  for (const nic of s.nets) {
    const nm = nicMetrics(nic, p ? findByName(p.nets, nic.name) : undefined, seconds);
    if (nm.reset) counterReset = true;
    nics.push(nm.out);
    const k = keysFor('net.', nic.name, NET_KEYS);
    for (let i = 0; i < NET_FIELDS.length; i++) {
      const v = nic[NET_FIELDS[i]!];
      if (v !== undefined) m[k[i]!] = v;
    }
    if (nm.rates) {
      netRated++;
      for (let i = 0; i < NET_FIELDS.length; i++) {
        const r = nm.rates[i];
        if (r === undefined) continue;
        m[k[NET_FIELDS.length + i]!] = r;
        netTotals[i]! += r;
      }
    }
  }
  if (p && (netRated > 0 || s.nets.length === 0)) {
    for (let i = 0; i < NET_RATE_NAMES.length; i++) m[NET_TOTAL_KEYS[i]!] = netTotals[i]!;
  }

  const disks: DiskMetrics[] = [];
  const diskTotals = [0, 0, 0, 0];
  let diskRated = 0;
  for (const blk of s.blocks) {
    const dm = diskMetrics(blk, p ? findByName(p.blocks, blk.name) : undefined, seconds);
    if (dm.reset) counterReset = true;
    disks.push(dm.out);
    const k = keysFor('disk.', blk.name, DISK_KEYS);
    for (let i = 0; i < DISK_FIELDS.length; i++) {
      const v = blk[DISK_FIELDS[i]!];
      if (v !== undefined) m[k[i]!] = v;
    }
    if (dm.rates) {
      diskRated++;
      for (let i = 0; i < DISK_FIELDS.length; i++) {
        const r = dm.rates[i];
        if (r === undefined) continue;
        m[k[DISK_FIELDS.length + i]!] = r;
        diskTotals[i]! += r;
      }
    }
  }
  if (p && (diskRated > 0 || s.blocks.length === 0)) {
    for (let i = 0; i < DISK_RATE_NAMES.length; i++) m[DISK_TOTAL_KEYS[i]!] = diskTotals[i]!;
  }

  const out: VmMetrics = { metrics: m, counterReset, memory, nics, disks };
  if (p) out.intervalSeconds = seconds;
  if (cpuPercent !== undefined) out.cpuPercent = cpuPercent;
  return out;
}

function memoryMetrics(s: DomainStats): MemoryMetrics {
  const b = s.balloon;
  const out: MemoryMetrics = { guestReported: false };
  if (b.currentKiB !== undefined) out.currentBytes = b.currentKiB * 1024;
  if (b.maximumKiB !== undefined) out.maximumBytes = b.maximumKiB * 1024;
  if (b.rssKiB !== undefined) out.rssBytes = b.rssKiB * 1024;
  // balloon.available: memory the guest sees; balloon.usable: what it could still use without swapping
  // (MemAvailable); balloon.unused: completely free. Used = available - usable, else available - unused.
  if (b.availableKiB !== undefined && (b.usableKiB !== undefined || b.unusedKiB !== undefined)) {
    const free = b.usableKiB ?? b.unusedKiB!;
    out.usedBytes = Math.max(0, b.availableKiB - free) * 1024;
    out.guestReported = true;
  }
  return out;
}

const NET_RATE_NAMES = [
  'rx_bytes_per_s',
  'rx_packets_per_s',
  'rx_errors_per_s',
  'rx_drops_per_s',
  'tx_bytes_per_s',
  'tx_packets_per_s',
  'tx_errors_per_s',
  'tx_drops_per_s',
] as const;
const NET_FIELDS = [
  'rxBytes',
  'rxPackets',
  'rxErrors',
  'rxDrops',
  'txBytes',
  'txPackets',
  'txErrors',
  'txDrops',
] as const satisfies readonly (keyof NetStats)[];
const NET_COUNTER_NAMES = [
  'rx_bytes',
  'rx_packets',
  'rx_errors',
  'rx_drops',
  'tx_bytes',
  'tx_packets',
  'tx_errors',
  'tx_drops',
] as const;
/** Per-vNIC metric suffixes: the raw counters, then their rates, in NET_FIELDS order. */
const NET_KEYS = [...NET_COUNTER_NAMES, ...NET_RATE_NAMES];
const NET_TOTAL_KEYS = NET_RATE_NAMES.map((n) => `net.${n}`);

const DISK_RATE_NAMES = [
  'read_bytes_per_s',
  'read_requests_per_s',
  'write_bytes_per_s',
  'write_requests_per_s',
] as const;
const DISK_FIELDS = [
  'readBytes',
  'readRequests',
  'writeBytes',
  'writeRequests',
] as const satisfies readonly (keyof BlockStats)[];
const DISK_COUNTER_NAMES = ['read_bytes', 'read_requests', 'write_bytes', 'write_requests'] as const;
const DISK_KEYS = [...DISK_COUNTER_NAMES, ...DISK_RATE_NAMES];
const DISK_TOTAL_KEYS = DISK_RATE_NAMES.map((n) => `disk.${n}`);
const VCPU_KEYS = [
  'time_ns',
  'wait_ns',
  'delay_ns',
  'time_percent',
  'wait_percent',
  'delay_percent',
] as const;

// Metric names per device are built once and reused: polls of many domains create no key strings.
const keyCache = new Map<string, readonly string[]>();
const KEY_CACHE_MAX = 100_000;

function keysFor(group: string, device: string, suffixes: readonly string[]): readonly string[] {
  const id = group + device;
  let keys = keyCache.get(id);
  if (keys === undefined) {
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    const prefix = `${group}${metricSegment(device)}.`;
    keys = suffixes.map((x) => prefix + x);
    keyCache.set(id, keys);
  }
  return keys;
}

function findByName<T extends { name: string }>(list: readonly T[], name: string): T | undefined {
  for (const x of list) if (x.name === name) return x;
  return undefined;
}

function findByIndex<T extends { index: number }>(list: readonly T[], index: number): T | undefined {
  for (const x of list) if (x.index === index) return x;
  return undefined;
}

interface DeviceRates<T> {
  out: T;
  /** Rates in the order of the *_RATE_NAMES table; absent for a device with no previous record. */
  rates?: (number | undefined)[];
  reset: boolean;
}

function deviceRates<S>(
  cur: S,
  prev: S | undefined,
  fields: readonly (keyof S)[],
  seconds: number,
): { rates?: (number | undefined)[]; reset: boolean } {
  if (!prev) return { reset: false };
  let reset = false;
  const rates = fields.map((f) => {
    const c = cur[f] as number | undefined;
    const q = prev[f] as number | undefined;
    if (counterWentDown(q, c)) reset = true;
    return rate(q, c, seconds);
  });
  return { rates, reset };
}

function nicMetrics(cur: NetStats, prev: NetStats | undefined, seconds: number): DeviceRates<NicMetrics> {
  const { rates, reset } = deviceRates(cur, prev, NET_FIELDS, seconds);
  const out: NicMetrics = { name: cur.name };
  if (cur.rxBytes !== undefined) out.rxBytes = cur.rxBytes;
  if (cur.txBytes !== undefined) out.txBytes = cur.txBytes;
  if (rates) {
    const set = (k: keyof NicMetrics, v: number | undefined): void => {
      if (v !== undefined) (out as unknown as Record<string, number>)[k] = v;
    };
    set('rxBytesPerSec', rates[0]);
    set('rxPacketsPerSec', rates[1]);
    set('rxErrorsPerSec', rates[2]);
    set('rxDropsPerSec', rates[3]);
    set('txBytesPerSec', rates[4]);
    set('txPacketsPerSec', rates[5]);
    set('txErrorsPerSec', rates[6]);
    set('txDropsPerSec', rates[7]);
  }
  return rates ? { out, rates, reset } : { out, reset };
}

function diskMetrics(
  cur: BlockStats,
  prev: BlockStats | undefined,
  seconds: number,
): DeviceRates<DiskMetrics> {
  const { rates, reset } = deviceRates(cur, prev, DISK_FIELDS, seconds);
  const out: DiskMetrics = { name: cur.name };
  if (cur.path !== undefined) out.path = cur.path;
  if (rates) {
    if (rates[0] !== undefined) out.readBytesPerSec = rates[0];
    if (rates[1] !== undefined) out.readRequestsPerSec = rates[1];
    if (rates[2] !== undefined) out.writeBytesPerSec = rates[2];
    if (rates[3] !== undefined) out.writeRequestsPerSec = rates[3];
  }
  return rates ? { out, rates, reset } : { out, reset };
}
