import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { checkLoadBalancers, LoadBalancerSchema, LoadBalancersSchema } from '../../src/balancer/objects.js';
import { PlacementLog, type PlacementInput } from '../../src/balancer/placement-log.js';
import { BALANCER_DEFAULTS, BalancerSettingsSchema } from '../../src/balancer/settings.js';

const good = {
  id: 'web',
  adminStateUp: true,
  vip: { address: '10.213.4.100', port: 80, protocol: 'HTTP' },
  pool: {
    id: 'web-pool',
    algorithm: 'LEAST_LOAD',
    sessionPersistence: { type: 'SOURCE_MAC', timeoutSeconds: 300 },
    members: [
      {
        id: 'm1',
        address: '10.213.4.11',
        port: 8080,
        weight: 1,
        adminStateUp: true,
        vm: '3c1f2e9a-0000-4000-8000-000000000001',
      },
    ],
    healthMonitor: {
      type: 'HTTP',
      delaySeconds: 5,
      timeoutSeconds: 3,
      rise: 2,
      fall: 3,
      httpMethod: 'GET',
      urlPath: '/health',
      expectedCodes: '200-299',
    },
  },
};

describe('load-balancer objects', () => {
  it('accepts an Octavia-shaped load balancer', () => {
    expect(Value.Check(LoadBalancerSchema, good)).toBe(true);
    expect(Value.Check(LoadBalancersSchema, [good])).toBe(true);
  });

  it.each([
    ['a bad VIP address', { ...good, vip: { ...good.vip, address: '10.213.4.300' } }],
    ['an unknown algorithm', { ...good, pool: { ...good.pool, algorithm: 'RANDOM' } }],
    [
      'a weight above 256',
      { ...good, pool: { ...good.pool, members: [{ ...good.pool.members[0], weight: 257 }] } },
    ],
    ['port 0', { ...good, vip: { ...good.vip, port: 0 } }],
    ['an unknown field', { ...good, extra: 1 }],
    [
      'bad expected codes',
      {
        ...good,
        pool: { ...good.pool, healthMonitor: { ...good.pool.healthMonitor, expectedCodes: '2xx' } },
      },
    ],
    [
      'a bad member MAC',
      { ...good, pool: { ...good.pool, members: [{ ...good.pool.members[0], mac: '0a:00:00' }] } },
    ],
  ])('refuses %s', (_what, value) => {
    expect(Value.Check(LoadBalancerSchema, value)).toBe(false);
  });

  it('fills the balancer settings defaults', () => {
    expect(Value.Default(BalancerSettingsSchema, {})).toEqual(BALANCER_DEFAULTS);
  });
});

describe('placement log', () => {
  const rec = (i: number, pool = 'p'): PlacementInput => ({
    time: i,
    loadBalancer: 'lb',
    pool,
    client: `c${i}`,
    member: 'm',
    algorithm: 'ROUND_ROBIN',
    reason: 'new-client',
    candidates: [],
  });

  it('keeps the newest `capacity` records, newest first, optionally of one pool', () => {
    const log = new PlacementLog(3);
    for (let i = 0; i < 5; i++) log.add(rec(i, i % 2 ? 'odd' : 'even'), []);
    expect(log.recent().map((r) => r.time)).toEqual([4, 3, 2]);
    expect(log.recent(2).map((r) => r.time)).toEqual([4, 3]);
    expect(log.recent(10, 'odd').map((r) => r.time)).toEqual([3]);
    expect(log.size).toBe(3);
    expect(log.total).toBe(5);
    expect(() => new PlacementLog(0)).toThrow(RangeError);
  });
});

describe('load-balancer set consistency', () => {
  const lb = (
    id: string,
    address: string,
    port: number,
    members: Array<[string, string]>,
    pool = `${id}-pool`,
  ) => ({
    id,
    adminStateUp: true,
    vip: { address, port, protocol: 'TCP' as const },
    pool: {
      id: pool,
      algorithm: 'ROUND_ROBIN' as const,
      sessionPersistence: { type: 'SOURCE_MAC' as const, timeoutSeconds: 60 },
      members: members.map(([mid, a]) => ({ id: mid, address: a, port: 80, weight: 1, adminStateUp: true })),
    },
  });

  it('accepts distinct VIPs and finds duplicates and VIP/member clashes', () => {
    expect(
      checkLoadBalancers([
        lb('a', '10.213.4.100', 80, [['m1', '10.213.4.11']]),
        lb('b', '10.213.4.100', 443, [['m1', '10.213.4.11']]),
      ]),
    ).toEqual([]);
    expect(
      checkLoadBalancers([
        lb('a', '10.213.4.100', 80, [
          ['m1', '10.213.4.11'],
          ['m1', '10.213.4.12'],
        ]),
        lb('a', '10.213.4.100', 80, [['m2', '10.213.4.100']], 'a-pool'),
      ]),
    ).toEqual([
      'load balancer a: member id m1 is used twice',
      'load balancer a: the id is used twice',
      'load balancer a: pool id a-pool is used twice',
      "load balancer a: VIP 10.213.4.100:80 is already load balancer a's",
      "load balancer a: member m2 has a VIP's address 10.213.4.100",
    ]);
  });
});
