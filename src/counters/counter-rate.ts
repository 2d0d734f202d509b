// A monotonic counter's increase between two readings, and its rate. A 32-bit counter that went down has
// wrapped (modulo 2^32); a 64-bit counter that went down was reset (the source restarted, a device was
// re-plugged) and gives no increase for that pair rather than a negative or huge one. sFlow marks a
// 32-bit counter the agent does not know as 2^32-1 (sflow_version_5.txt, counter_sample): no increase.

/** sFlow's "unknown" value of a 32-bit counter. */
export const UNKNOWN32 = 0xffffffff;
const TWO32 = 0x1_0000_0000;

/** Increase of a 32-bit counter; undefined when either reading is unknown. */
export function counterDelta32(prev: number, cur: number): number | undefined {
  if (prev === UNKNOWN32 || cur === UNKNOWN32) return undefined;
  return cur >= prev ? cur - prev : TWO32 - prev + cur;
}

/** Increase of a 64-bit counter; undefined when it went down (reset). */
export function counterDelta64(prev: bigint, cur: bigint): bigint | undefined {
  return cur >= prev ? cur - prev : undefined;
}

/**
 * Per-second rate of a 64-bit counter read as a number (libvirt's statistics); undefined when a reading
 * is missing or the counter went down (reset).
 */
export function counterRate(
  prev: number | undefined,
  cur: number | undefined,
  seconds: number,
): number | undefined {
  if (cur === undefined || prev === undefined) return undefined;
  const d = cur - prev;
  return d >= 0 ? d / seconds : undefined;
}

/** True when a 64-bit counter went down between two readings: its source was reset. */
export function counterWentDown(prev: number | undefined, cur: number | undefined): boolean {
  return cur !== undefined && prev !== undefined && cur < prev;
}

const HOUR_MS = 3_600_000;

/**
 * cur - prev for two readings of a source's uptime (uint32 milliseconds, which wrap after 49.7 days): a
 * step from the last hour before the wrap to the first hour after it is a forward step, not a restart.
 */
export function uptimeDelta(prev: number, cur: number): number {
  const d = cur - prev;
  if (d < 0 && prev >= TWO32 - HOUR_MS && cur < HOUR_MS) return d + TWO32;
  return d;
}
