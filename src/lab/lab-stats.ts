// Small statistics for the lab's report: percentiles (nearest rank), mean, coefficient of variation.

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending list; NaN for an empty list. */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentileSorted(sorted, 50),
    p95: percentileSorted(sorted, 95),
    p99: percentileSorted(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Population coefficient of variation (standard deviation / mean); NaN for no values or a zero mean. */
export function coefficientOfVariation(values: readonly number[]): number {
  const m = mean(values);
  if (!Number.isFinite(m) || m === 0) return Number.NaN;
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return Math.sqrt(ss / values.length) / m;
}

/** Relative difference of b from a (|a - b| / a); NaN when a is 0. */
export function relativeDifference(a: number, b: number): number {
  return a === 0 ? Number.NaN : Math.abs(a - b) / a;
}
