// Many sliding-window rates in one Float64Array, one small record per entry:
// [totalBytes, totalPackets, firstUpdateMs, lastUpdateMs, window, bytes, packets, previousBytes, previousPackets].
// Time is cut into fixed windows of `windowMs`; the rate over the sliding window (now - windowMs, now] is
// the current fixed window's count plus the previous one's, weighted by how much of it the sliding window
// still covers (the previous window's traffic taken as evenly spread). An add touches one record — about
// one cache line — and allocates nothing; the slab grows by doubling.

import type { Rates } from './sliding-window.js';

const TOTAL_BYTES = 0;
const TOTAL_PACKETS = 1;
const FIRST = 2;
const LAST = 3;
const WINDOW = 4;
const BYTES = 5;
const PACKETS = 6;
const PREVIOUS_BYTES = 7;
const PREVIOUS_PACKETS = 8;
const STRIDE = 9;

export class WindowSlab {
  readonly stride = STRIDE;
  data: Float64Array;
  capacity: number;

  constructor(
    readonly windowMs: number,
    capacity = 64,
  ) {
    this.capacity = capacity;
    this.data = new Float64Array(capacity * STRIDE);
  }

  ensure(capacity: number): void {
    if (capacity <= this.capacity) return;
    let c = this.capacity;
    while (c < capacity) c *= 2;
    const next = new Float64Array(c * STRIDE);
    next.set(this.data);
    this.data = next;
    this.capacity = c;
  }

  /** Make entry i empty (no updates yet). */
  clear(i: number): void {
    const d = this.data;
    const base = i * STRIDE;
    d.fill(0, base, base + STRIDE);
    d[base + FIRST] = -1;
    d[base + LAST] = -1;
    d[base + WINDOW] = -1;
  }

  /** Move entry `from` to `to` (compaction). */
  move(from: number, to: number): void {
    if (from !== to) this.data.copyWithin(to * STRIDE, from * STRIDE, (from + 1) * STRIDE);
  }

  /** The fixed window an instant falls in; callers adding many times at one instant compute it once. */
  windowOf(nowMs: number): number {
    return Math.floor(nowMs / this.windowMs);
  }

  add(i: number, nowMs: number, bytes: number, packets: number): void {
    this.addInWindow(i, nowMs, this.windowOf(nowMs), bytes, packets);
  }

  addInWindow(i: number, nowMs: number, window: number, bytes: number, packets: number): void {
    const d = this.data;
    const base = i * STRIDE;
    const w = d[base + WINDOW]!;
    if (w !== window) {
      // roll: the current window becomes the previous one only if it is the one just before
      const adjacent = w === window - 1;
      d[base + PREVIOUS_BYTES] = adjacent ? d[base + BYTES]! : 0;
      d[base + PREVIOUS_PACKETS] = adjacent ? d[base + PACKETS]! : 0;
      d[base + WINDOW] = window;
      d[base + BYTES] = bytes;
      d[base + PACKETS] = packets;
    } else {
      d[base + BYTES]! += bytes;
      d[base + PACKETS]! += packets;
    }
    d[base + TOTAL_BYTES]! += bytes;
    d[base + TOTAL_PACKETS]! += packets;
    if (d[base + FIRST]! < 0) d[base + FIRST] = nowMs;
    d[base + LAST] = nowMs;
  }

  totalBytes(i: number): number {
    return this.data[i * STRIDE + TOTAL_BYTES]!;
  }

  totalPackets(i: number): number {
    return this.data[i * STRIDE + TOTAL_PACKETS]!;
  }

  lastUpdateMs(i: number): number {
    return this.data[i * STRIDE + LAST]!;
  }

  /**
   * Rates over (nowMs - windowMs, nowMs]. An entry younger than the window is measured over its own age
   * (exact: its totals are all inside), so a new flow is not diluted by time before it existed.
   */
  rates(i: number, nowMs: number, out: Rates = { bytesPerSecond: 0, packetsPerSecond: 0 }): Rates {
    const d = this.data;
    const base = i * STRIDE;
    const first = d[base + FIRST]!;
    if (first < 0 || nowMs - d[base + LAST]! >= 2 * this.windowMs) {
      out.bytesPerSecond = out.packetsPerSecond = 0;
      return out;
    }
    if (nowMs - first < this.windowMs) {
      const seconds = Math.max(1, nowMs - first) / 1000;
      out.bytesPerSecond = d[base + TOTAL_BYTES]! / seconds;
      out.packetsPerSecond = d[base + TOTAL_PACKETS]! / seconds;
      return out;
    }
    const window = this.windowOf(nowMs);
    const w = d[base + WINDOW]!;
    let cb = 0;
    let cp = 0;
    let pb = 0;
    let pp = 0;
    if (w === window) {
      cb = d[base + BYTES]!;
      cp = d[base + PACKETS]!;
      pb = d[base + PREVIOUS_BYTES]!;
      pp = d[base + PREVIOUS_PACKETS]!;
    } else if (w === window - 1) {
      pb = d[base + BYTES]!;
      pp = d[base + PACKETS]!;
    }
    const elapsed = (nowMs - window * this.windowMs) / this.windowMs;
    const seconds = this.windowMs / 1000;
    out.bytesPerSecond = (cb + pb * (1 - elapsed)) / seconds;
    out.packetsPerSecond = (cp + pp * (1 - elapsed)) / seconds;
    return out;
  }
}
