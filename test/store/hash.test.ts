import { describe, expect, it } from 'vitest';
import { fnv1a, mix32 } from '../../src/store/hash.js';
import { hashInteger48, hashString } from '../../src/store/slot-index.js';

// Fixed values: affinity slots, the slot index's layout and the rendezvous order of a pool's members
// follow from them, so a change here is a change of placement, not a refactoring.
describe('hashes', () => {
  it('fnv1a is 32-bit FNV-1a over UTF-16 code units', () => {
    // The FNV reference vectors (ASCII: one code unit per byte).
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    // Member ids and client MACs as the load balancer hashes them.
    expect(fnv1a('m0')).toBe(0x932e6e58);
    expect(fnv1a('vm-b1')).toBe(0xd7116116);
    expect(fnv1a('02:56:0a:d5:04:64')).toBe(0x754c9e74);
    // U+20AC is one code unit (0x20ac), not its three UTF-8 bytes.
    expect(fnv1a('€uro')).toBe(0x859bccf5);
  });

  it('mix32 is MurmurHash3 fmix32, unsigned', () => {
    expect(mix32(0)).toBe(0);
    expect(mix32(1)).toBe(0x514e28b7);
    expect(mix32(0x7fffffff)).toBe(0xf9cc0ea8);
    expect(mix32(0x80000000)).toBe(0x6d3c65a0);
    expect(mix32(0xffffffff)).toBe(0x81f16f39);
    expect(mix32(-1)).toBe(0x81f16f39);
    expect(mix32(0x0ad50164)).toBe(0x13d6fb1d);
    expect(mix32(0xdeadbeef)).toBe(0x0de5c6a9);
  });

  it('the slot index hashes keys to signed 32-bit values', () => {
    expect(hashString('')).toBe(-1421968373);
    expect(hashString('a')).toBe(444641715);
    expect(hashString('foobar')).toBe(202221276);
    expect(hashString('vm-b1')).toBe(-1964864873);
    expect(hashString('02:56:0a:d5:04:64')).toBe(-2139476378);
    expect(hashInteger48(0)).toBe(0);
    expect(hashInteger48(1)).toBe(1364076727);
    expect(hashInteger48(0x0ad50164)).toBe(332856093);
    expect(hashInteger48(0x0256_0ad5_0464)).toBe(-379441313);
    expect(hashInteger48(0xffff_ffff_ffff)).toBe(810035022);
  });
});
