// A single sliding-window rate (bytes and packets per second over the last `windowMs`), for callers that
// keep one; tables of them live in a WindowSlab.

import { WindowSlab } from './window-slab.js';

export interface Rates {
  bytesPerSecond: number;
  packetsPerSecond: number;
}

export class RateWindow {
  private readonly slab: WindowSlab;

  constructor(windowMs: number) {
    this.slab = new WindowSlab(windowMs, 1);
    this.slab.clear(0);
  }

  add(nowMs: number, bytes: number, packets: number): void {
    this.slab.add(0, nowMs, bytes, packets);
  }

  rates(nowMs: number, out?: Rates): Rates {
    return this.slab.rates(0, nowMs, out);
  }

  get totalBytes(): number {
    return this.slab.totalBytes(0);
  }

  get totalPackets(): number {
    return this.slab.totalPackets(0);
  }

  get lastUpdateMs(): number {
    return this.slab.lastUpdateMs(0);
  }
}
