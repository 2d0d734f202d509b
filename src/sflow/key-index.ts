// An open-addressing hash index from fixed-size keys of uint32 words to dense entry numbers 0..size-1.
// Keys are written into `key` by the caller, then looked up: no allocation per lookup. Entries are removed
// in bulk by compact(), which keeps the survivors dense and reports each move to the caller.

export class KeyIndex {
  /** The key to look up: the caller fills these words. */
  readonly key: Uint32Array;
  private keys: Uint32Array;
  private slots: Int32Array;
  private mask: number;
  size = 0;
  capacity: number;
  /** Whether the last findOrInsert() added the key. */
  inserted = false;

  constructor(
    readonly words: number,
    capacity = 64,
    readonly maxEntries = 1 << 20,
  ) {
    this.key = new Uint32Array(words);
    this.capacity = capacity;
    this.keys = new Uint32Array(capacity * words);
    this.slots = new Int32Array(capacity * 2).fill(-1);
    this.mask = capacity * 2 - 1;
  }

  private hash(k: Uint32Array, at: number): number {
    let h = 0x9e3779b9;
    for (let w = 0; w < this.words; w++) {
      h = Math.imul(h ^ k[at + w]!, 0x85ebca6b);
      h ^= h >>> 13;
    }
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) & this.mask;
  }

  private equals(entry: number): boolean {
    const base = entry * this.words;
    for (let w = 0; w < this.words; w++) if (this.keys[base + w] !== this.key[w]) return false;
    return true;
  }

  /** Entry number of `key`, or -1. */
  find(): number {
    let s = this.hash(this.key, 0);
    for (;;) {
      const e = this.slots[s]!;
      if (e < 0) return -1;
      if (this.equals(e)) return e;
      s = (s + 1) & this.mask;
    }
  }

  /** Entry number of `key`, inserting it when absent; -1 when the index is full. `inserted` tells which. */
  findOrInsert(): number {
    let s = this.hash(this.key, 0);
    for (;;) {
      const e = this.slots[s]!;
      if (e < 0) break;
      if (this.equals(e)) {
        this.inserted = false;
        return e;
      }
      s = (s + 1) & this.mask;
    }
    if (this.size >= this.maxEntries) return -1;
    if (this.size >= this.capacity) {
      this.grow();
      return this.findOrInsert();
    }
    const e = this.size++;
    this.keys.set(this.key, e * this.words);
    this.slots[s] = e;
    this.inserted = true;
    return e;
  }

  keyWord(entry: number, w: number): number {
    return this.keys[entry * this.words + w]!;
  }

  private grow(): void {
    this.capacity *= 2;
    const keys = new Uint32Array(this.capacity * this.words);
    keys.set(this.keys);
    this.keys = keys;
    this.rehash();
  }

  private rehash(): void {
    this.slots = new Int32Array(this.capacity * 2).fill(-1);
    this.mask = this.capacity * 2 - 1;
    for (let e = 0; e < this.size; e++) {
      let s = this.hash(this.keys, e * this.words);
      while (this.slots[s]! >= 0) s = (s + 1) & this.mask;
      this.slots[s] = e;
    }
  }

  /** Keep the entries `keep` accepts, renumbered densely in order; `moved(from, to)` for each that moves. */
  compact(keep: (entry: number) => boolean, moved: (from: number, to: number) => void): void {
    let to = 0;
    for (let from = 0; from < this.size; from++) {
      if (!keep(from)) continue;
      if (from !== to) {
        this.keys.copyWithin(to * this.words, from * this.words, (from + 1) * this.words);
        moved(from, to);
      }
      to++;
    }
    this.size = to;
    this.rehash();
  }
}
