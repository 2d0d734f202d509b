// When a VM sample counts as stale: one rule, applied by the monitor, the API (REST and /metrics) and the
// dashboard alike.
//
// A sample is stale when the monitor could not poll the VM's host (it marks the sample so), or when it is
// older than three of the monitor's poll intervals, and never before 15 s: one late poll, or the time a
// sample spends between processes, is not yet news. The poll interval travels in the sample, so a reader
// in another process needs no configuration of its own to apply the rule.

export const STALE_AFTER_POLLS = 3;
export const STALE_AFTER_MIN_MS = 15_000;

/** How old a sample may be before it counts as stale, for a monitor polling every `pollIntervalMs`. */
export function staleAfterMs(pollIntervalMs: number): number {
  return Math.max(STALE_AFTER_POLLS * pollIntervalMs, STALE_AFTER_MIN_MS);
}

export interface Staleness {
  stale: boolean;
  /** Age of a stale sample in seconds. */
  staleSeconds?: number;
}

/** The rule: stale when `unpolled` (the host could not be polled) or older than staleAfterMs. */
export function staleness(
  timeMs: number,
  pollIntervalMs: number,
  nowMs: number,
  unpolled = false,
): Staleness {
  const ageMs = nowMs - timeMs;
  if (!unpolled && ageMs <= staleAfterMs(pollIntervalMs)) return { stale: false };
  return { stale: true, staleSeconds: Math.max(0, ageMs / 1000) };
}

interface StaleFields {
  time: number;
  pollIntervalMs: number;
  stale: boolean;
  staleSeconds?: number;
}

/**
 * The sample with `stale` and `staleSeconds` as the rule has them at `nowMs`; a sample already marked
 * stale stays stale (its age counted to now). The same object when nothing changes.
 */
export function withStaleness<T extends StaleFields>(sample: T, nowMs: number, unpolled = sample.stale): T {
  const s = staleness(sample.time, sample.pollIntervalMs, nowMs, unpolled);
  if (s.stale) return { ...sample, stale: true, staleSeconds: s.staleSeconds };
  if (!sample.stale && sample.staleSeconds === undefined) return sample;
  const { staleSeconds: _age, ...fresh } = sample;
  return { ...fresh, stale: false } as T;
}
