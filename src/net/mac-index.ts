// An index from 48-bit MAC addresses (or any integer in [0, 2^48), such as an IPv4 address) to small
// non-negative integers (slots), for tables of millions of clients. Keys and values live in typed arrays
// (open addressing, linear probing, at most half full), so the index holds no pointer for the garbage
// collector to trace or copy, and a lookup touches one or two cache lines. A Map of the same size costs
// the collector a few pointers per entry and, for keys above 2^31, a boxed number each.

const EMPTY = -1;
const INITIAL_CAPACITY = 1024;

export class MacIndex {
  private keys = new Float64Array(INITIAL_CAPACITY).fill(EMPTY);
  private values = new Int32Array(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The value stored for `key`, or -1. */
  get(key: number): number {
    const i = this.find(key);
    return this.keys[i] === key ? this.values[i]! : -1;
  }

  /** Stores `value` (a non-negative integer below 2^31) for `key` (an integer in [0, 2^48)). */
  set(key: number, value: number): void {
    let i = this.find(key);
    if (this.keys[i] !== key) {
      if ((this.count + 1) * 2 > this.keys.length) {
        this.resize(this.keys.length * 2);
        i = this.find(key);
      }
      this.keys[i] = key;
      this.count++;
    }
    this.values[i] = value;
  }

  delete(key: number): boolean {
    let i = this.find(key);
    if (this.keys[i] !== key) return false;
    const keys = this.keys;
    const mask = this.mask;
    keys[i] = EMPTY;
    this.count--;
    // Backward-shift deletion: entries after the hole that would no longer be found move into it.
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const home = hash(keys[j]!) & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      keys[i] = keys[j]!;
      this.values[i] = this.values[j]!;
      keys[j] = EMPTY;
      i = j;
    }
    return true;
  }

  clear(): void {
    this.keys = new Float64Array(INITIAL_CAPACITY).fill(EMPTY);
    this.values = new Int32Array(INITIAL_CAPACITY);
    this.mask = INITIAL_CAPACITY - 1;
    this.count = 0;
  }

  /** Where `key` is, or the empty place where it would go. */
  private find(key: number): number {
    const keys = this.keys;
    const mask = this.mask;
    let i = hash(key) & mask;
    for (;;) {
      const k = keys[i];
      if (k === key || k === EMPTY) return i;
      i = (i + 1) & mask;
    }
  }

  private resize(capacity: number): void {
    const keys = this.keys;
    const values = this.values;
    this.keys = new Float64Array(capacity).fill(EMPTY);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j]!;
      if (k === EMPTY) continue;
      const i = this.find(k);
      this.keys[i] = k;
      this.values[i] = values[j]!;
    }
  }
}

/** Mixes both halves of a 48-bit key into 32 bits (murmur3's finalizer). */
function hash(key: number): number {
  let h = (key >>> 0) ^ Math.imul(Math.floor(key / 4_294_967_296), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
