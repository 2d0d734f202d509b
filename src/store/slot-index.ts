// An index from keys to the slots of a table that keeps each slot's key itself (`keyOf`), for tables of
// millions of entries: the store's affinity table (client names) and the load balancer's client table
// (MACs and IPv4 addresses). Open addressing over typed arrays of hashes and slots, at most half full,
// linear probing with backward-shift deletion. Unlike a Map it holds no pointer for the garbage collector
// to trace or copy, and a lookup of an absent key usually touches one cache line.

const EMPTY = -1;
const INITIAL_CAPACITY = 1024;

export class SlotIndex<K> {
  private hashes = new Int32Array(INITIAL_CAPACITY);
  private slots = new Int32Array(INITIAL_CAPACITY).fill(EMPTY);
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

  /** The slot of `key`, or -1. */
  get(key: K): number {
    return this.slots[this.find(key, this.hash(key))]!;
  }

  /**
   * Indexes `slot` under `key`, replacing the slot indexed for it if any. The table must already hold
   * `key` at `slot` (`keyOf(slot)` is how later lookups compare).
   */
  set(key: K, slot: number): void {
    const h = this.hash(key);
    let i = this.find(key, h);
    if (this.slots[i] === EMPTY) {
      if ((this.count + 1) * 2 > this.slots.length) {
        this.resize(this.slots.length * 2);
        i = this.find(key, h);
      }
      this.hashes[i] = h;
      this.count++;
    }
    this.slots[i] = slot;
  }

  /** Call while the table still holds `key` at its slot. */
  delete(key: K): boolean {
    let i = this.find(key, this.hash(key));
    if (this.slots[i] === EMPTY) return false;
    const { hashes, slots, mask } = this;
    slots[i] = EMPTY;
    this.count--;
    // Backward-shift deletion: entries after the hole that would no longer be found move into it.
    for (let j = (i + 1) & mask; slots[j] !== EMPTY; j = (j + 1) & mask) {
      const home = hashes[j]! & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      hashes[i] = hashes[j]!;
      slots[i] = slots[j]!;
      slots[j] = EMPTY;
      i = j;
    }
    return true;
  }

  clear(): void {
    this.hashes = new Int32Array(INITIAL_CAPACITY);
    this.slots = new Int32Array(INITIAL_CAPACITY).fill(EMPTY);
    this.mask = INITIAL_CAPACITY - 1;
    this.count = 0;
  }

  /** Where `key` is, or the empty place where it would go. */
  private find(key: K, h: number): number {
    const { hashes, slots, mask } = this;
    let i = h & mask;
    for (;;) {
      const s = slots[i]!;
      if (s === EMPTY || (hashes[i] === h && this.keyOf(s) === key)) return i;
      i = (i + 1) & mask;
    }
  }

  private resize(capacity: number): void {
    const { hashes, slots } = this;
    this.hashes = new Int32Array(capacity);
    this.slots = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
    for (let j = 0; j < slots.length; j++) {
      if (slots[j] === EMPTY) continue;
      let i = hashes[j]! & this.mask;
      while (this.slots[i] !== EMPTY) i = (i + 1) & this.mask;
      this.hashes[i] = hashes[j]!;
      this.slots[i] = slots[j]!;
    }
  }
}

/** FNV-1a over the string's UTF-16 code units, then murmur3's finalizer to spread the low bits. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return finalize(h);
}

/** Both halves of an integer in [0, 2^48) (a MAC, an IPv4 address) mixed into 32 bits. */
export function hashInteger48(key: number): number {
  return finalize((key >>> 0) ^ Math.imul(Math.floor(key / 4_294_967_296), 0x9e3779b1));
}

/** murmur3's 32-bit finalizer. */
function finalize(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
