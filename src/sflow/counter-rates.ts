// Interface counter samples turned into rates: each agent's interface (agent, ifIndex) is a source of the
// counter tracker, which decides whether two samples make a pair (a restarted agent's, or a repeated
// sample, does not) and how far apart they are. The counters' wrap and reset rules are the tracker's
// too: 32-bit counters wrap, 64-bit ones that go down were reset, unknown ones (2^32-1) give no rate.

import { counterDelta32, counterDelta64 } from '../counters/counter-rate.js';
import { CounterTracker } from '../counters/counter-tracker.js';
import type { GenericInterfaceCounters } from './types.js';

export { counterDelta32, counterDelta64 };

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

function rate32(prev: number, cur: number, perSecond: number): number | undefined {
  const d = counterDelta32(prev, cur);
  return d === undefined ? undefined : d * perSecond;
}

function rate64(prev: bigint, cur: bigint, perSecond: number): number | undefined {
  const d = counterDelta64(prev, cur);
  return d === undefined ? undefined : Number(d) * perSecond;
}

/** Sum of the known parts; undefined when none is known. */
function sum(a: number | undefined, b: number | undefined, c: number | undefined): number | undefined {
  if (a === undefined && b === undefined && c === undefined) return undefined;
  return (a ?? 0) + (b ?? 0) + (c ?? 0);
}

export class InterfaceCounterRates {
  private readonly tracker: CounterTracker<GenericInterfaceCounters>;
  private readonly rates = new Map<string, InterfaceRates>();

  constructor(maxInterfaces = 100_000) {
    this.tracker = new CounterTracker(maxInterfaces);
  }

  /** Samples refused as a pair (agent restart, repeated sample) or whose octet counters were reset. */
  get resets(): number {
    return this.tracker.resets;
  }

  /** Feed one generic-interface record; returns the new rates, or undefined when this sample is a baseline. */
  update(
    agent: string,
    sampleSequence: number,
    uptimeMs: number,
    nowMs: number,
    c: GenericInterfaceCounters,
  ): InterfaceRates | undefined {
    const key = `${agent}/${c.ifIndex}`;
    const t = this.tracker;
    if (!t.update(key, c, nowMs, sampleSequence >>> 0, uptimeMs)) return undefined;
    const p = t.previous!;
    const perSecond = 1000 / t.intervalMs;
    const inOctets = rate64(p.ifInOctets, c.ifInOctets, perSecond);
    const outOctets = rate64(p.ifOutOctets, c.ifOutOctets, perSecond);
    if (inOctets === undefined || outOctets === undefined) t.resets++;
    const r: InterfaceRates = {
      agent,
      ifIndex: c.ifIndex,
      ifSpeed: Number(c.ifSpeed),
      ifStatus: c.ifStatus,
      intervalMs: t.intervalMs,
      updatedAtMs: nowMs,
      inBytesPerSecond: inOctets,
      outBytesPerSecond: outOctets,
      inPacketsPerSecond: sum(
        rate32(p.ifInUcastPkts, c.ifInUcastPkts, perSecond),
        rate32(p.ifInMulticastPkts, c.ifInMulticastPkts, perSecond),
        rate32(p.ifInBroadcastPkts, c.ifInBroadcastPkts, perSecond),
      ),
      outPacketsPerSecond: sum(
        rate32(p.ifOutUcastPkts, c.ifOutUcastPkts, perSecond),
        rate32(p.ifOutMulticastPkts, c.ifOutMulticastPkts, perSecond),
        rate32(p.ifOutBroadcastPkts, c.ifOutBroadcastPkts, perSecond),
      ),
      inErrorsPerSecond: rate32(p.ifInErrors, c.ifInErrors, perSecond),
      outErrorsPerSecond: rate32(p.ifOutErrors, c.ifOutErrors, perSecond),
      inDiscardsPerSecond: rate32(p.ifInDiscards, c.ifInDiscards, perSecond),
      outDiscardsPerSecond: rate32(p.ifOutDiscards, c.ifOutDiscards, perSecond),
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
    this.tracker.sweep(cutoffMs, (key) => this.rates.delete(key));
  }
}
