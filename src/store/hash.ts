// FNV-1a (32-bit) over a string's UTF-16 code units, and MurmurHash3's 32-bit finalizer (fmix32): cheap,
// stable hashes for the slot index's keys, client keys and rendezvous hashing. Affinity slots and the
// rendezvous order of members follow from these values: test/store/hash.test.ts pins them.

export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
