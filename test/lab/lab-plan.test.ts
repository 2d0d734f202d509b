import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planLab, type LabOptions } from '../../src/lab/lab-plan.js';

const base: LabOptions = {
  prefix: 'vlab',
  subnet: '10.213.10',
  vms: 6,
  clients: 4,
  memoryMiB: 96,
  controllerPort: 16653,
  collectorPort: 16343,
  recorderPort: 16344,
  apiPort: 18080,
};

function ok(o: Partial<LabOptions> = {}) {
  const r = planLab({ ...base, ...o });
  if (!r.ok) throw new Error(r.error);
  return r.plan;
}

describe('planLab', () => {
  it('lays out the paper testbed: two bridges, VMs and clients alternating, VIP .10', () => {
    const p = ok();
    expect(p.bridges.map((b) => b.name)).toEqual(['vlab-n1', 'vlab-n2']);
    expect(p.bridges[0].datapathId).not.toBe(p.bridges[1].datapathId);
    expect(p.vip).toBe('10.213.10.10');
    expect(p.vms.map((v) => v.ip)).toEqual([
      '10.213.10.11',
      '10.213.10.12',
      '10.213.10.13',
      '10.213.10.14',
      '10.213.10.15',
      '10.213.10.16',
    ]);
    expect(p.vms.map((v) => v.bridge)).toEqual([
      'vlab-n1',
      'vlab-n2',
      'vlab-n1',
      'vlab-n2',
      'vlab-n1',
      'vlab-n2',
    ]);
    expect(p.clients.map((c) => [c.ns, c.ip, c.bridge])).toEqual([
      ['vlab-c1', '10.213.10.101', 'vlab-n1'],
      ['vlab-c2', '10.213.10.102', 'vlab-n2'],
      ['vlab-c3', '10.213.10.103', 'vlab-n1'],
      ['vlab-c4', '10.213.10.104', 'vlab-n2'],
    ]);
  });

  it('gives unique names, addresses and MACs, all within limits, for any valid size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 89 }),
        fc.integer({ min: 1, max: 99 }),
        fc.constantFrom('vlab', 'vlabt', 'vlab9z'),
        (vms, clients, prefix) => {
          const p = ok({ vms, clients, prefix });
          const names = [
            ...p.bridges.map((b) => b.name),
            ...p.vms.map((v) => v.name),
            ...p.clients.map((c) => c.ns),
          ];
          const ips = [p.vip, ...p.vms.map((v) => v.ip), ...p.clients.map((c) => c.ip)];
          const macs = [p.vipMac, ...p.vms.map((v) => v.mac), ...p.clients.map((c) => c.mac)];
          expect(new Set(names).size).toBe(names.length);
          expect(new Set(ips).size).toBe(ips.length);
          expect(new Set(macs).size).toBe(macs.length);
          for (const n of names) {
            expect(n.startsWith(`${prefix}-`)).toBe(true);
            expect(n.length).toBeLessThanOrEqual(15 - 4); // room for link port suffixes
          }
          for (const ip of ips) expect(ip).toMatch(/^10\.213\.10\.(\d+)$/);
          for (const m of macs) expect(m).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
        },
      ),
    );
  });

  it('turns bad options into errors, not exceptions', () => {
    const bad: Partial<LabOptions>[] = [
      { prefix: 'lab' },
      { prefix: 'vlab-x' },
      { prefix: 'vlabxyz' },
      { subnet: '10.0.0' },
      { subnet: '10.213.300' },
      { vms: 0 },
      { vms: 90 },
      { vms: 1.5 },
      { clients: 0 },
      { clients: 100 },
      { memoryMiB: 10 },
      { apiPort: 0 },
      { apiPort: 16653 },
    ];
    for (const o of bad) {
      const r = planLab({ ...base, ...o });
      expect(r.ok, JSON.stringify(o)).toBe(false);
      if (!r.ok) expect(r.error.length).toBeGreaterThan(5);
    }
  });
});
