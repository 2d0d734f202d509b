// One domain's record from virConnectGetAllDomainStats, turned from libvirt's flat typed-parameter list
// ("cpu.time", "net.0.rx.bytes", ...) into a typed value. Field names and units follow libvirt's
// documentation of virConnectGetAllDomainStats: times in nanoseconds, balloon sizes in KiB.
//
// Pure: missing or mistyped fields become `undefined`, never an exception.

import { domainStateName, type DomainStateName } from '../libvirt/constants.js';

export type TypedValue = number | bigint | boolean | string;

export interface FieldValue {
  field: string;
  value: TypedValue;
}

/** One domain's record: its identity and its typed parameters (list as on the wire, map, or object). */
export interface DomainStatsRecord {
  name: string;
  uuid: string;
  params: readonly FieldValue[] | ReadonlyMap<string, TypedValue> | Readonly<Record<string, TypedValue>>;
}

export { domainStateName };

export interface VcpuStats {
  index: number;
  state?: number;
  timeNs?: number;
  waitNs?: number;
  delayNs?: number;
}

export interface BalloonStats {
  currentKiB?: number;
  maximumKiB?: number;
  rssKiB?: number;
  /** Guest-reported (virtio balloon statistics); absent when the guest does not report. */
  availableKiB?: number;
  usableKiB?: number;
  unusedKiB?: number;
  diskCachesKiB?: number;
  /** Seconds since the epoch of the guest's last statistics update. */
  lastUpdate?: number;
}

export interface NetStats {
  index: number;
  name: string;
  rxBytes?: number;
  rxPackets?: number;
  rxErrors?: number;
  rxDrops?: number;
  txBytes?: number;
  txPackets?: number;
  txErrors?: number;
  txDrops?: number;
}

export interface BlockStats {
  index: number;
  name: string;
  path?: string;
  readRequests?: number;
  readBytes?: number;
  writeRequests?: number;
  writeBytes?: number;
  flushRequests?: number;
  allocation?: number;
  capacity?: number;
}

export interface DomainStats {
  name: string;
  uuid: string;
  stateCode?: number;
  state: DomainStateName;
  stateReason?: number;
  cpuTimeNs?: number;
  cpuUserNs?: number;
  cpuSystemNs?: number;
  vcpuCurrent?: number;
  vcpuMaximum?: number;
  vcpus: VcpuStats[];
  balloon: BalloonStats;
  nets: NetStats[];
  blocks: BlockStats[];
}

/** Devices per domain beyond which a record is treated as hostile and cut off. */
export const MAX_DEVICES = 4096;

/** Largest value of a 64-bit unsigned typed parameter. */
const U64_LIMIT = 2 ** 64;

/**
 * Every statistic read here is a count, size, time or code between 0 and 2^64; anything else (a
 * negative "unsupported" marker, NaN, a wrong type) is dropped.
 */
function num(v: TypedValue | undefined): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : NaN;
  return n >= 0 && n <= U64_LIMIT ? n : undefined;
}

/** Parses "<digits>." at `from`; returns the index and where the rest starts, or -1. */
function deviceIndex(field: string, from: number): number {
  let i = from;
  let n = 0;
  while (i < field.length) {
    const c = field.charCodeAt(i);
    if (c === 0x2e) break;
    if (c < 0x30 || c > 0x39 || i - from > 5) return -1;
    n = n * 10 + (c - 0x30);
    i++;
  }
  if (i === from || i >= field.length || n >= MAX_DEVICES) return -1;
  restAt = i + 1;
  return n;
}
let restAt = 0;

/**
 * One pass over the parameters (this runs for every domain on every poll). Device entries are keyed
 * by their index ("net.<n>.*"); the *.count fields bound which indexes are kept.
 */
export function parseDomainStats(record: DomainStatsRecord): DomainStats {
  const out: DomainStats = {
    name: record.name,
    uuid: record.uuid,
    state: 'unknown',
    vcpus: [],
    balloon: {},
    nets: [],
    blocks: [],
  };
  const vcpus: VcpuStats[] = [];
  const nets: NetStats[] = [];
  const blocks: BlockStats[] = [];
  let netCount = 0;
  let blockCount = 0;
  let vcpuSlots = 0;

  const visit = (field: string, value: TypedValue): void => {
    switch (field.charCodeAt(0)) {
      case 0x73: // s
        if (field === 'state.state') out.stateCode = num(value);
        else if (field === 'state.reason') out.stateReason = num(value);
        return;
      case 0x63: // c
        if (field === 'cpu.time') out.cpuTimeNs = num(value);
        else if (field === 'cpu.user') out.cpuUserNs = num(value);
        else if (field === 'cpu.system') out.cpuSystemNs = num(value);
        return;
      case 0x62: // b
        if (field.startsWith('balloon.')) return balloonField(out.balloon, field, value);
        if (!field.startsWith('block.')) return;
        if (field === 'block.count') {
          blockCount = count(value);
          return;
        }
        {
          const i = deviceIndex(field, 6);
          if (i < 0) return;
          const b = (blocks[i] ??= { index: i, name: '' });
          blockField(b, field.slice(restAt), value);
        }
        return;
      case 0x6e: // n
        if (!field.startsWith('net.')) return;
        if (field === 'net.count') {
          netCount = count(value);
          return;
        }
        {
          const i = deviceIndex(field, 4);
          if (i < 0) return;
          const n = (nets[i] ??= { index: i, name: '' });
          netField(n, field.slice(restAt), value);
        }
        return;
      case 0x76: // v
        if (!field.startsWith('vcpu.')) return;
        if (field === 'vcpu.current') out.vcpuCurrent = num(value);
        else if (field === 'vcpu.maximum') {
          out.vcpuMaximum = num(value);
          vcpuSlots = count(value);
        } else {
          const i = deviceIndex(field, 5);
          if (i < 0) return;
          const v = (vcpus[i] ??= { index: i });
          const x = num(value);
          if (x === undefined) return;
          switch (field.slice(restAt)) {
            case 'state':
              v.state = x;
              return;
            case 'time':
              v.timeNs = x;
              return;
            case 'wait':
              v.waitNs = x;
              return;
            case 'delay':
              v.delayNs = x;
              return;
          }
        }
        return;
    }
  };

  const params = record.params;
  if (Array.isArray(params)) {
    for (const p of params as readonly FieldValue[]) visit(p.field, p.value);
  } else if (params instanceof Map) {
    for (const [k, v] of params as ReadonlyMap<string, TypedValue>) visit(k, v);
  } else {
    const obj = params as Readonly<Record<string, TypedValue>>;
    for (const k of Object.keys(obj)) visit(k, obj[k]!);
  }

  out.state = domainStateName(out.stateCode);
  for (const k of [
    'stateCode',
    'stateReason',
    'cpuTimeNs',
    'cpuUserNs',
    'cpuSystemNs',
    'vcpuCurrent',
    'vcpuMaximum',
  ] as const) {
    if (out[k] === undefined) delete out[k];
  }
  // vcpu.<n>.* is reported for every vCPU up to vcpu.maximum, online or not.
  if (vcpuSlots === 0 && out.vcpuCurrent !== undefined) vcpuSlots = count(out.vcpuCurrent);
  for (let i = 0; i < vcpus.length && i < vcpuSlots; i++) {
    const v = vcpus[i];
    if (
      v &&
      (v.state !== undefined || v.timeNs !== undefined || v.waitNs !== undefined || v.delayNs !== undefined)
    ) {
      out.vcpus.push(v);
    }
  }
  for (let i = 0; i < nets.length && i < netCount; i++) {
    const n = nets[i];
    if (n && n.name !== '') out.nets.push(n);
  }
  const seen = new Set<string>();
  for (let i = 0; i < blocks.length && i < blockCount; i++) {
    const b = blocks[i];
    // With backing-chain statistics one disk appears once per chain element: the first is the top.
    if (!b || b.name === '' || seen.has(b.name)) continue;
    seen.add(b.name);
    out.blocks.push(b);
  }
  return out;
}

function count(v: TypedValue | undefined): number {
  const n = num(v);
  return n !== undefined && Number.isInteger(n) && n > 0 ? Math.min(n, MAX_DEVICES) : 0;
}

function balloonField(b: BalloonStats, field: string, value: TypedValue): void {
  const x = num(value);
  if (x === undefined) return;
  switch (field) {
    case 'balloon.current':
      b.currentKiB = x;
      return;
    case 'balloon.maximum':
      b.maximumKiB = x;
      return;
    case 'balloon.rss':
      b.rssKiB = x;
      return;
    case 'balloon.available':
      b.availableKiB = x;
      return;
    case 'balloon.usable':
      b.usableKiB = x;
      return;
    case 'balloon.unused':
      b.unusedKiB = x;
      return;
    case 'balloon.disk_caches':
      b.diskCachesKiB = x;
      return;
    case 'balloon.last-update':
      b.lastUpdate = x;
      return;
  }
}

function netField(n: NetStats, rest: string, value: TypedValue): void {
  if (rest === 'name') {
    if (typeof value === 'string') n.name = value;
    return;
  }
  const x = num(value);
  if (x === undefined) return;
  switch (rest) {
    case 'rx.bytes':
      n.rxBytes = x;
      return;
    case 'rx.pkts':
      n.rxPackets = x;
      return;
    case 'rx.errs':
      n.rxErrors = x;
      return;
    case 'rx.drop':
      n.rxDrops = x;
      return;
    case 'tx.bytes':
      n.txBytes = x;
      return;
    case 'tx.pkts':
      n.txPackets = x;
      return;
    case 'tx.errs':
      n.txErrors = x;
      return;
    case 'tx.drop':
      n.txDrops = x;
      return;
  }
}

function blockField(b: BlockStats, rest: string, value: TypedValue): void {
  if (rest === 'name' || rest === 'path') {
    if (typeof value === 'string') b[rest] = value;
    return;
  }
  const x = num(value);
  if (x === undefined) return;
  switch (rest) {
    case 'rd.reqs':
      b.readRequests = x;
      return;
    case 'rd.bytes':
      b.readBytes = x;
      return;
    case 'wr.reqs':
      b.writeRequests = x;
      return;
    case 'wr.bytes':
      b.writeBytes = x;
      return;
    case 'fl.reqs':
      b.flushRequests = x;
      return;
    case 'allocation':
      b.allocation = x;
      return;
    case 'capacity':
      b.capacity = x;
      return;
  }
}
