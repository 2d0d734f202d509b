// Interface counter samples turned into rates. Counters are cumulative; a rate needs two samples of the
// same source. A 32-bit counter that goes down has wrapped (modulo 2^32); a 64-bit counter that goes down
// was reset. An agent restart (uptime back) or a counter sample sequence going back is a reset: the new
// sample becomes the baseline and no rate comes from that pair. sFlow marks unknown 32-bit counters
// as 2^32-1: those give no rate.

import { uptimeDelta } from './agent-sequences.js';
import type { GenericInterfaceCounters } from './types.js';

const UNKNOWN32 = 0xffffffff;
const TWO32 = 0x1_0000_0000;

/** Increase of a counter between two samples, or undefined when it cannot be known (reset, unknown). */
export function counterDelta32(prev: number, cur: number): number | undefined {
  if (prev === UNKNOWN32 || cur === UNKNOWN32) return undefined;
  return cur >= prev ? cur - prev : TWO32 - prev + cur;
}

export function counterDelta64(prev: bigint, cur: bigint): bigint | undefined {
  return cur >= prev ? cur - prev : undefined;
}

export interface InterfaceRates {
  agent: string;
  ifIndex: number;
  ifSpeed: number;
  /** bit 0 admin up, bit 1 oper up */
  ifStatus: number;
  intervalMs: number;
  updatedAtMs: number;
  inBytesPerSecond: number | undefined;
  outBytesPerSecond: number | undefined;
  inPacketsPerSecond: number | undefined;
  outPacketsPerSecond: number | undefined;
  inErrorsPerSecond: number | undefined;
  outErrorsPerSecond: number | undefined;
  inDiscardsPerSecond: number | undefined;
  outDiscardsPerSecond: number | undefined;
}

interface Baseline {
  c: GenericInterfaceCounters;
  sampleSequence: number;
  uptimeMs: number;
  atMs: number;
}

export class InterfaceCounterRates {
  private readonly last = new Map<string, Baseline>();
  private readonly rates = new Map<string, InterfaceRates>();
  resets = 0;

  constructor(private readonly maxInterfaces = 100_000) {}

  /** Feed one generic-interface record; returns the new rates, or undefined when this sample is a baseline. */
  update(
    agent: string,
    sampleSequence: number,
    uptimeMs: number,
    nowMs: number,
    c: GenericInterfaceCounters,
  ): InterfaceRates | undefined {
    const key = `${agent}/${c.ifIndex}`;
    const prev = this.last.get(key);
    if (!prev && this.last.size >= this.maxInterfaces) return undefined;
    this.last.set(key, { c, sampleSequence, uptimeMs, atMs: nowMs });
    if (!prev) return undefined;
    const seqDelta = (sampleSequence - prev.sampleSequence) >>> 0;
    const elapsed = uptimeDelta(prev.uptimeMs, uptimeMs);
    if (seqDelta === 0 || seqDelta > 0x7fffffff || elapsed < 0) {
      this.resets++;
      return undefined;
    }
    // the agent's own clock spaces the samples more exactly than arrival times do
    const intervalMs = elapsed > 0 ? elapsed : nowMs - prev.atMs;
    if (intervalMs <= 0) return undefined;
    const perSecond = 1000 / intervalMs;
    const d32 = (a: number, b: number) => {
      const d = counterDelta32(a, b);
      return d === undefined ? undefined : d * perSecond;
    };
    const d64 = (a: bigint, b: bigint) => {
      const d = counterDelta64(a, b);
      return d === undefined ? undefined : Number(d) * perSecond;
    };
    const sum = (...parts: Array<number | undefined>) => {
      let known = false;
      let s = 0;
      for (const p of parts) {
        if (p === undefined) continue;
        known = true;
        s += p;
      }
      return known ? s : undefined;
    };
    const p = prev.c;
    const inOctets = d64(p.ifInOctets, c.ifInOctets);
    const outOctets = d64(p.ifOutOctets, c.ifOutOctets);
    if (inOctets === undefined || outOctets === undefined) this.resets++;
    const r: InterfaceRates = {
      agent,
      ifIndex: c.ifIndex,
      ifSpeed: Number(c.ifSpeed),
      ifStatus: c.ifStatus,
      intervalMs,
      updatedAtMs: nowMs,
      inBytesPerSecond: inOctets,
      outBytesPerSecond: outOctets,
      inPacketsPerSecond: sum(
        d32(p.ifInUcastPkts, c.ifInUcastPkts),
        d32(p.ifInMulticastPkts, c.ifInMulticastPkts),
        d32(p.ifInBroadcastPkts, c.ifInBroadcastPkts),
      ),
      outPacketsPerSecond: sum(
        d32(p.ifOutUcastPkts, c.ifOutUcastPkts),
        d32(p.ifOutMulticastPkts, c.ifOutMulticastPkts),
        d32(p.ifOutBroadcastPkts, c.ifOutBroadcastPkts),
      ),
      inErrorsPerSecond: d32(p.ifInErrors, c.ifInErrors),
      outErrorsPerSecond: d32(p.ifOutErrors, c.ifOutErrors),
      inDiscardsPerSecond: d32(p.ifInDiscards, c.ifInDiscards),
      outDiscardsPerSecond: d32(p.ifOutDiscards, c.ifOutDiscards),
    };
    this.rates.set(key, r);
    return r;
  }

  get(agent: string, ifIndex: number): InterfaceRates | undefined {
    return this.rates.get(`${agent}/${ifIndex}`);
  }

  all(): InterfaceRates[] {
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
