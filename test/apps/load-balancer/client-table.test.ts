import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientTable, NO_CLIENT, type NewClient } from '../../../src/apps/load-balancer/client-table.js';
import type { MemberRuntime } from '../../../src/apps/load-balancer/lb-state.js';

const m1 = { id: 'm1' } as MemberRuntime;
const m2 = { id: 'm2' } as MemberRuntime;

function client(mac: number, ip: number, member = m1): NewClient {
  return {
    keyText: mac.toString(16),
    mac,
    ip,
    member,
    datapathId: 7n,
    inPort: 3,
    lastSeen: 100,
    flowsLive: true,
    expiresAt: 200,
    storedUntil: 300,
  };
}

describe('the load balancer client table', () => {
  it('finds clients by key and by address, reuses freed slots and keeps every field across growth', () => {
    const t = new ClientTable('mac');
    const slots: number[] = [];
    for (let i = 0; i < 3000; i++) slots.push(t.add(client(0x0a0000000000 + i, 0x0ad50000 + i)));
    expect(t.size).toBe(3000);
    expect(t.end).toBe(3000);
    // Added before the table grew past its first 1,024 slots, read after.
    expect(t.entry(0x0a0000000005)).toEqual(client(0x0a0000000005, 0x0ad50005));
    expect(t.findByIp(0x0ad50005)).toBe(slots[5]);
    t.remove(slots[5]!);
    expect(t.find(0x0a0000000005)).toBe(NO_CLIENT);
    expect(t.findByIp(0x0ad50005)).toBe(NO_CLIENT);
    const again = t.add(client(0x0b0000000001, 0x0ad5ffff, m2));
    expect(again).toBe(slots[5]);
    expect(t.end).toBe(3000);
    expect(t.entry(0x0b0000000001)!.member).toBe(m2);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.entries()).toEqual([]);
  });

  it('moves the by-address index when a client changes address; keyed by IP, the key is the address', () => {
    const byMac = new ClientTable('mac');
    const c = byMac.add(client(0x0a0000000001, 0x0ad50001));
    byMac.setIp(c, 0x0ad50002);
    expect(byMac.findByIp(0x0ad50001)).toBe(NO_CLIENT);
    expect(byMac.findByIp(0x0ad50002)).toBe(c);
    expect(byMac.ip[c]).toBe(0x0ad50002);
    const byIp = new ClientTable('ip');
    const d = byIp.add(client(0x0a0000000001, 0xfffffffe));
    expect(byIp.find(0xfffffffe)).toBe(d);
    expect(byIp.findByIp(0xfffffffe)).toBe(d);
    expect(byIp.key(d)).toBe(0xfffffffe);
    // A view is a copy.
    const v = byIp.entry(0xfffffffe)!;
    v.lastSeen = 1;
    expect(byIp.lastSeen[d]).toBe(100);
  });

  it('agrees with a Map over any sequence of adds and removes', () => {
    const op = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 }));
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 200, size: 'max' }), (ops) => {
        const t = new ClientTable('mac');
        const ref = new Map<number, number>();
        for (const [add, k] of ops) {
          const mac = 0x0a00fffffff0 + k;
          const c = t.find(mac);
          if (add && c === NO_CLIENT) {
            t.add(client(mac, k));
            ref.set(mac, k);
          } else if (!add && c !== NO_CLIENT) {
            t.remove(c);
            ref.delete(mac);
          }
        }
        expect(t.size).toBe(ref.size);
        expect(new Map(t.entries().map((e) => [e.mac, e.ip]))).toEqual(ref);
      }),
    );
  });
});

describe('a client read back from the store (address not known yet)', () => {
  it('is not found by address 0, and is once its address is seen', () => {
    const t = new ClientTable('mac');
    const a = t.add(client(0x0a0000000001, 0));
    const b = t.add(client(0x0a0000000002, 0));
    expect(t.findByIp(0)).toBe(NO_CLIENT);
    t.setIp(b, 0x0ad50009);
    expect(t.findByIp(0x0ad50009)).toBe(b);
    expect(t.find(0x0a0000000001)).toBe(a);
  });
});
