// The last counter reading of every source (an sFlow agent's interface, a Host sFlow domain, a libvirt
// domain) and whether the previous one is a baseline for a rate. It is not when the source restarted
// (its sample sequence or its uptime went back), sent the same sample again, or no time passed: then the
// new reading only becomes the next baseline. The time between two readings is the source's own uptime
// where it reports one (it spaces the samples more exactly than their arrival), else the caller's clock.
//
// An update allocates nothing once a source is known: its baseline is rewritten in place and the pair is
// handed back through `previous` and `intervalMs`.

import { uptimeDelta } from './counter-rate.js';

interface Baseline<R> {
  reading: R;
  /** uint32 sample sequence number, or -1 when the source has none. */
  sequence: number;
  /** The source's uptime (ms), or -1 when it reports none. */
  uptimeMs: number;
  atMs: number;
}

export class CounterTracker<R> {
  /** After update() returned true: the previous reading, and the milliseconds between the two. */
  previous: R | undefined;
  intervalMs = 0;
  /** Pairs refused because the source restarted or repeated itself. */
  resets = 0;
  private readonly sources = new Map<string, Baseline<R>>();

  /** Beyond `maxSources` new sources are not tracked. */
  constructor(private readonly maxSources = 100_000) {}

  /**
   * Records the source's newest reading; true when the previous one is a baseline for it (then see
   * `previous` and `intervalMs`). `sequence` (uint32) and `uptimeMs` are the source's own, -1 if none.
   */
  update(key: string, reading: R, nowMs: number, sequence = -1, uptimeMs = -1): boolean {
    const b = this.sources.get(key);
    if (b === undefined) {
      if (this.sources.size < this.maxSources)
        this.sources.set(key, { reading, sequence, uptimeMs, atMs: nowMs });
      return false;
    }
    const prev = b.reading;
    const prevSequence = b.sequence;
    const prevUptime = b.uptimeMs;
    let intervalMs = nowMs - b.atMs;
    b.reading = reading;
    b.sequence = sequence;
    b.uptimeMs = uptimeMs;
    b.atMs = nowMs;
    if (sequence >= 0 && prevSequence >= 0) {
      const step = (sequence - prevSequence) >>> 0;
      if (step === 0 || step > 0x7fffffff) {
        this.resets++;
        return false;
      }
    }
    if (uptimeMs >= 0 && prevUptime >= 0) {
      const elapsed = uptimeDelta(prevUptime, uptimeMs);
      if (elapsed < 0) {
        this.resets++;
        return false;
      }
      if (elapsed > 0) intervalMs = elapsed;
    }
    if (intervalMs <= 0) return false;
    this.previous = prev;
    this.intervalMs = intervalMs;
    return true;
  }

  delete(key: string): void {
    this.sources.delete(key);
  }

  /** Forgets sources with no reading since `cutoffMs`; `dropped` hears each one's key. */
  sweep(cutoffMs: number, dropped?: (key: string) => void): void {
    for (const [k, b] of this.sources) {
      if (b.atMs < cutoffMs) {
        this.sources.delete(k);
        dropped?.(k);
      }
    }
  }
}
