// A Map keyed by 48-bit MAC addresses (or any integer in [0, 2^48), such as an IPv4 address), for tables of
// millions of clients. A MAC above 2^31 is not a small integer to V8: as a Map key it is a boxed number,
// one more object per entry and one more memory access per probe, which made such a Map about twice as
// slow as one keyed by small integers. Here the key is split: the high 16 bits pick an inner Map (there
// are few: clients share a handful of prefixes) and the low 32 bits, as a signed 32-bit integer, key it.

export class MacMap<V> {
  private readonly byHigh = new Map<number, Map<number, V>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: number): V | undefined {
    return this.byHigh.get(high(key))?.get(key | 0);
  }

  has(key: number): boolean {
    return this.byHigh.get(high(key))?.has(key | 0) ?? false;
  }

  set(key: number, value: V): this {
    const h = high(key);
    let inner = this.byHigh.get(h);
    if (inner === undefined) this.byHigh.set(h, (inner = new Map()));
    const before = inner.size;
    inner.set(key | 0, value);
    this.count += inner.size - before;
    return this;
  }

  delete(key: number): boolean {
    const h = high(key);
    const inner = this.byHigh.get(h);
    if (inner === undefined || !inner.delete(key | 0)) return false;
    this.count--;
    if (inner.size === 0) this.byHigh.delete(h);
    return true;
  }

  clear(): void {
    this.byHigh.clear();
    this.count = 0;
  }

  /** Values in insertion order per prefix; like a Map's, the iteration survives deletes made during it. */
  *values(): IterableIterator<V> {
    for (const inner of this.byHigh.values()) yield* inner.values();
  }
}

function high(key: number): number {
  return Math.floor(key / 4_294_967_296);
}
