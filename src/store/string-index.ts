// An index from strings to the slots of a table that keeps each slot's string itself (`keyOf`), for
// tables of millions of entries: open addressing over typed arrays of hashes and slots, at most half full,
// linear probing with backward-shift deletion. Unlike a Map it holds no pointer for the garbage collector
// to trace, and a lookup of an absent key usually touches one cache line.

const EMPTY = -1;
const INITIAL_CAPACITY = 1024;

export class StringIndex {
  private hashes = new Int32Array(INITIAL_CAPACITY);
  private slots = new Int32Array(INITIAL_CAPACITY).fill(EMPTY);
  private mask = INITIAL_CAPACITY - 1;
  private count = 0;

  /** `keyOf(slot)` is the string stored at that slot of the table. */
  constructor(private readonly keyOf: (slot: number) => string | undefined) {}

  get size(): number {
    return this.count;
  }

  /** The slot of `key`, or -1. */
  get(key: string): number {
    return this.slots[this.find(key, hashString(key))]!;
  }

  /** Indexes `slot`, whose string (`keyOf(slot)`) is `key`, which must not be indexed yet. */
  add(key: string, slot: number): void {
    if ((this.count + 1) * 2 > this.slots.length) this.resize(this.slots.length * 2);
    const h = hashString(key);
    const i = this.find(key, h);
    this.hashes[i] = h;
    this.slots[i] = slot;
    this.count++;
  }

  delete(key: string): boolean {
    let i = this.find(key, hashString(key));
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

  /** Where `key` is, or the empty place where it would go. */
  private find(key: string, h: number): number {
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
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
