import { describe, expect, it } from 'vitest';
import { BalancerCatalog, type CatalogRecords } from '../../src/balancer/catalog.js';
import type { ConfigLoadBalancer } from '../../src/balancer/objects.js';
import { ServiceError } from '../../src/balancer/service.js';

/** A catalog whose clock stands still (every object "created" at the same ms) and whose ids count up. */
function catalog(now = 1_700_000_000_000): BalancerCatalog {
  let n = 0;
  return new BalancerCatalog({ now: () => now, newId: () => `id-${++n}` });
}

const config: ConfigLoadBalancer[] = [
  {
    id: 'web',
    name: 'shop',
    vip_address: '10.213.4.100',
    pools: [
      {
        id: 'web-pool',
        protocol: 'TCP',
        protocol_port: 80,
        lb_algorithm: 'ROUND_ROBIN',
        members: [
          { id: 'm1', address: '10.213.4.11', vm_uuid: 'vm-1' },
          {
            id: 'm2',
            address: '10.213.4.12',
            protocol_port: 8080,
            weight: 3,
            mac_address: '0A:00:00:00:00:02',
          },
          { id: 'm3', address: '10.213.4.13', backup: true },
        ],
        healthmonitor: { type: 'HTTP', delay: 5, timeout: 2, max_retries: 2 },
      },
    ],
  },
];

function records(c: BalancerCatalog): CatalogRecords {
  return c.snapshot();
}

const fail = (fn: () => unknown): ServiceError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error('expected a ServiceError');
};

describe('balancer catalog', () => {
  it('creates the config file’s objects with their ids and serves each pool on its VIP port', () => {
    const c = catalog();
    const seeded = c.seed(config);
    expect(seeded.result).toEqual(['web', 'web-pool', 'm1', 'm2', 'm3', 'web-pool-monitor']);
    expect(seeded.save.map(([kind, id]) => `${kind}/${id}`)).toEqual([
      'octavia-loadbalancer/web',
      'octavia-pool/web-pool',
      'octavia-member/m1',
      'octavia-member/m2',
      'octavia-member/m3',
      'octavia-healthmonitor/web-pool-monitor',
      'octavia-pool/web-pool',
    ]);
    expect(c.servedPools()).toEqual([
      {
        id: 'web-pool',
        loadBalancerId: 'web',
        adminStateUp: true,
        vip: { address: '10.213.4.100', port: 80 },
        algorithm: 'ROUND_ROBIN',
        persistence: { type: 'SOURCE_MAC', timeoutSeconds: 300 },
        members: [
          { id: 'm1', address: '10.213.4.11', port: 80, weight: 1, adminStateUp: true, vm: 'vm-1' },
          // The MAC as the policy compares it: lower case.
          {
            id: 'm2',
            address: '10.213.4.12',
            port: 8080,
            weight: 3,
            adminStateUp: true,
            mac: '0a:00:00:00:00:02',
          },
          // A backup member takes no new clients.
          { id: 'm3', address: '10.213.4.13', port: 80, weight: 0, adminStateUp: true },
        ],
        healthMonitor: {
          type: 'HTTP',
          delaySeconds: 5,
          timeoutSeconds: 2,
          rise: 2,
          fall: 3,
          httpMethod: 'GET',
          urlPath: '/',
          expectedCodes: '200',
        },
      },
    ]);
  });

  it('keeps the store’s copy of a config object and adds only what the store lacks', () => {
    const first = catalog();
    first.seed(config);
    first.updateMember('web-pool', 'm2', { weight: 7 });
    first.updatePool('web-pool', { name: 'renamed' });
    first.deleteMember('web-pool', 'm3');
    const stored = records(first);

    const second = catalog(1_700_000_100_000);
    second.load(stored);
    const seeded = second.seed(config);
    // m3 was deleted through the API, so the config file brings it back; the rest is the store's.
    expect(seeded.result).toEqual(['m3']);
    expect(second.getMember('web-pool', 'm2')!.weight).toBe(7);
    expect(second.getPool('web-pool')!.name).toBe('renamed');
    expect(second.servedPools()[0]!.members.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
  });

  it('orders members by creation even when the clock stands still and the store lists them out of order', () => {
    const c = catalog();
    c.seed(config);
    const r = records(c);
    const created = r.members.map((m) => m.created_at);
    expect(new Set(created).size).toBe(created.length);
    const shuffled = catalog();
    shuffled.load({ ...r, members: [...r.members].reverse() });
    expect(shuffled.membersOf('web-pool').map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    // A member added later comes after them, though the clock still stands still.
    const added = shuffled.createMember('web-pool', { address: '10.213.4.14' }).result;
    expect(shuffled.membersOf('web-pool').map((m) => m.id)).toEqual(['m1', 'm2', 'm3', added.id]);
  });

  it('refuses conflicts and what it cannot serve, naming the field', () => {
    const c = catalog();
    c.seed(config);
    expect(fail(() => c.createLoadBalancer({ vip_address: '10.213.4.100' })).kind).toBe('conflict');
    expect(fail(() => c.createLoadBalancer({ vip_address: '10.213.4.11' })).field).toBe('vip_address');
    expect(
      fail(() =>
        c.createPool({
          loadbalancer_id: 'web',
          protocol: 'TCP',
          protocol_port: 80,
          lb_algorithm: 'LEAST_LOAD',
        }),
      ).kind,
    ).toBe('conflict');
    expect(
      fail(() =>
        c.createPool({
          loadbalancer_id: 'web',
          protocol: 'UDP',
          protocol_port: 53,
          lb_algorithm: 'LEAST_LOAD',
        }),
      ).field,
    ).toBe('protocol');
    expect(
      fail(() => c.createPool({ loadbalancer_id: 'web', protocol: 'TCP', lb_algorithm: 'LEAST_LOAD' })).field,
    ).toBe('protocol_port');
    expect(fail(() => c.createMember('web-pool', { address: '10.213.4.11' })).kind).toBe('conflict');
    expect(fail(() => c.createMember('web-pool', { address: '10.213.4.100' })).field).toBe('address');
    expect(fail(() => c.createMember('nope', { address: '10.213.4.20' })).kind).toBe('not_found');
    expect(
      fail(() =>
        c.createHealthMonitor({ pool_id: 'web-pool', type: 'TCP', delay: 5, timeout: 2, max_retries: 1 }),
      ).kind,
    ).toBe('conflict');
    const lb2 = c.createLoadBalancer({ vip_address: '10.213.4.101' }).result;
    const p2 = c.createPool({
      loadbalancer_id: lb2.id,
      protocol: 'TCP',
      protocol_port: 80,
      lb_algorithm: 'LEAST_LOAD',
    }).result;
    expect(
      fail(() => c.createHealthMonitor({ pool_id: p2.id, type: 'TCP', delay: 2, timeout: 5, max_retries: 1 }))
        .field,
    ).toBe('timeout');
    expect(
      fail(() =>
        c.createHealthMonitor({ pool_id: p2.id, type: 'PING', delay: 5, timeout: 2, max_retries: 1 }),
      ).field,
    ).toBe('type');
    expect(fail(() => c.deleteLoadBalancer('web', { cascade: false })).kind).toBe('conflict');
    // A config file whose pool id is another load balancer's.
    const other: ConfigLoadBalancer[] = [
      { id: 'x', vip_address: '10.213.4.102', pools: [{ ...config[0]!.pools[0]! }] },
    ];
    expect(fail(() => c.seed(other)).message).toContain('pool web-pool belongs to load balancer web');
  });

  it('deletes a load balancer with its pools, members and monitor when cascading', () => {
    const c = catalog();
    c.seed(config);
    const change = c.deleteLoadBalancer('web', { cascade: true });
    expect(change.drop.map(([kind, id]) => `${kind}/${id}`).sort()).toEqual([
      'octavia-healthmonitor/web-pool-monitor',
      'octavia-loadbalancer/web',
      'octavia-member/m1',
      'octavia-member/m2',
      'octavia-member/m3',
      'octavia-pool/web-pool',
    ]);
    expect(c.servedPools()).toEqual([]);
    expect(c.size).toBe(0);
  });

  it('undoes a change from a snapshot', () => {
    const c = catalog();
    c.seed(config);
    const before = c.snapshot();
    c.updateMember('web-pool', 'm1', { admin_state_up: false });
    c.deletePool('web-pool');
    c.restore(before);
    expect(c.servedPools()[0]!.members[0]!.adminStateUp).toBe(true);
    expect(c.snapshot()).toEqual(before);
  });
});
