// An index from keys to the slots of a table that keeps each slot's key itself (`keyOf`), for tables of
// millions of entries: the store's affinity table (client names) and the load balancer's client table
// (MACs and IPv4 addresses). Open addressing over typed arrays of hashes and slots, at most half full,
// linear probing with backward-shift deletion. Unlike a Map it holds no pointer for the garbage collector
// to trace or copy, and a lookup of an absent key usually touches one cache line.

import { fnv1a, mix32 } from './hash.js';

/** An unused entry: entries hold slot + 1, so that a new (zeroed) table is all free without a fill. */
const EMPTY = 0;
const INITIAL_CAPACITY = 1024;

export class SlotIndex<K> {
  /**
   * Entry i is table[2i] (its key's hash) and table[2i + 1] (its slot + 1, EMPTY when free): a lookup
   * reads both from one cache line.
   */
  private table = emptyTable(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  private count = 0;

  /** `keyOf(slot)` is the key stored at that slot of the table; `hash` mixes a key into 32 bits. */
  constructor(
    private readonly hash: (key: K) => number,
    private readonly keyOf: (slot: number) => K | undefined,
  ) {}

  get size(): number {
    return this.count;
  }

  /** The slot of `key`, or -1. `h` is the key's hash, when the caller has it already. */
  get(key: K, h: number = this.hash(key)): number {
    return this.table[2 * this.find(key, h) + 1]! - 1;
  }

  /**
   * Indexes `slot` under `key`, replacing the slot indexed for it if any. The table must already hold
   * `key` at `slot` (`keyOf(slot)` is how later lookups compare).
   */
  set(key: K, slot: number, h: number = this.hash(key)): void {
    let i = this.find(key, h);
    if (this.table[2 * i + 1] === EMPTY) {
      if ((this.count + 1) * 2 > this.mask + 1) {
        this.resize(2 * (this.mask + 1));
        i = this.find(key, h);
      }
      this.table[2 * i] = h;
      this.count++;
    }
    this.table[2 * i + 1] = slot + 1;
  }

  /** Call while the table still holds `key` at its slot. */
  delete(key: K): boolean {
    let i = this.find(key, this.hash(key));
    const { table, mask } = this;
    if (table[2 * i + 1] === EMPTY) return false;
    table[2 * i + 1] = EMPTY;
    this.count--;
    // Backward-shift deletion: entries after the hole that would no longer be found move into it.
    for (let j = (i + 1) & mask; table[2 * j + 1] !== EMPTY; j = (j + 1) & mask) {
      const home = table[2 * j]! & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      table[2 * i] = table[2 * j]!;
      table[2 * i + 1] = table[2 * j + 1]!;
      table[2 * j + 1] = EMPTY;
      i = j;
    }
    return true;
  }

  clear(): void {
    this.table = emptyTable(INITIAL_CAPACITY);
    this.mask = INITIAL_CAPACITY - 1;
    this.count = 0;
  }

  /** Where `key` is, or the empty place where it would go. */
  private find(key: K, h: number): number {
    const { table, mask } = this;
    let i = h & mask;
    for (;;) {
      const s = table[2 * i + 1]!;
      if (s === EMPTY || (table[2 * i] === h && this.keyOf(s - 1) === key)) return i;
      i = (i + 1) & mask;
    }
  }

  private resize(capacity: number): void {
    const old = this.table;
    const table = emptyTable(capacity);
    const mask = capacity - 1;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j + 1] === EMPTY) continue;
      let i = old[j]! & mask;
      while (table[2 * i + 1] !== EMPTY) i = (i + 1) & mask;
      table[2 * i] = old[j]!;
      table[2 * i + 1] = old[j + 1]!;
    }
    this.table = table;
    this.mask = mask;
  }
}

/** `capacity` free entries. */
function emptyTable(capacity: number): Int32Array {
  return new Int32Array(2 * capacity);
}

/** FNV-1a over the string's UTF-16 code units, then murmur3's finalizer to spread the low bits. */
export function hashString(s: string): number {
  return mix32(fnv1a(s)) | 0;
}

/** Both halves of an integer in [0, 2^48) (a MAC, an IPv4 address) mixed into 32 bits. */
export function hashInteger48(key: number): number {
  return mix32((key >>> 0) ^ Math.imul(Math.floor(key / 4_294_967_296), 0x9e3779b1)) | 0;
}
