import { describe, expect, it } from 'vitest';
import { AffinityTable } from '../../src/store/affinity-table.js';

describe('the in-memory affinity table', () => {
  it('reuses the slots of deleted and expired clients, growing only for live ones', () => {
    const t = new AffinityTable('web');
    for (let i = 0; i < 3000; i++) t.claim(`c${i}`, `m${i % 3}`, 0, 100);
    expect(t.size).toBe(3000);
    expect(t.slots).toBe(3000);
    // All expired at 100: a full sweep drops them, and their slots serve the next clients.
    expect(t.sweep(100, 10_000)).toBe(3000);
    expect(t.size).toBe(0);
    for (let i = 0; i < 3000; i++) t.claim(`d${i}`, 'm9', 100, 100);
    expect(t.slots).toBe(3000);
    expect(t.get('d2999', 150)).toEqual({
      pool: 'web',
      client: 'd2999',
      member: 'm9',
      created: 100,
      lastSeen: 100,
      expiresAt: 200,
    });
    expect(t.get('c0', 150)).toBeUndefined();
  });

  it('sweeps a bounded number of slots per call, carrying on where it stopped', () => {
    const t = new AffinityTable('web');
    for (let i = 0; i < 10; i++) t.claim(`c${i}`, 'm1', 0, i < 5 ? 10 : 1000);
    expect(t.sweep(20, 3)).toBe(3);
    expect(t.sweep(20, 3)).toBe(2);
    expect(t.sweep(20, 4)).toBe(0);
    expect(t.size).toBe(5);
    expect(t.list(20).map((e) => e.client)).toEqual(['c5', 'c6', 'c7', 'c8', 'c9']);
  });

  it('keeps the first member, refreshes times on claim and touch, and deletes by member', () => {
    const t = new AffinityTable('web');
    expect(t.claim('c1', 'm1', 0, 100)).toBe('m1');
    expect(t.claim('c1', 'm2', 50, 100)).toBe('m1');
    expect(t.get('c1', 60)).toMatchObject({ created: 0, lastSeen: 50, expiresAt: 150 });
    expect(t.touch('c1', 140, 100)).toMatchObject({ lastSeen: 140, expiresAt: 240 });
    expect(t.touch('c1', 240, 100)).toBeUndefined();
    expect(t.claim('c1', 'm2', 240, 100)).toBe('m2');
    t.claim('c2', 'm2', 240, 1);
    t.claim('c3', 'm1', 240, 100);
    // c2 has expired by 250: deleted, but not counted as live.
    expect(t.deleteMember('m2', 250)).toBe(1);
    expect(t.deleteMember('nobody', 250)).toBe(0);
    expect(t.list(250).map((e) => e.client)).toEqual(['c3']);
    expect(t.delete('c3', 250)).toBe(true);
    expect(t.delete('c3', 250)).toBe(false);
    expect(t.size).toBe(0);
  });
});
