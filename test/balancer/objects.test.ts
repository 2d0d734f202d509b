import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { ConfigLoadBalancer, ConfigLoadBalancers } from '../../src/balancer/objects.js';
import { PlacementLog, type PlacementInput } from '../../src/balancer/placement-log.js';
import { checkServedPools, type ServedPool } from '../../src/balancer/served-pool.js';
import { BALANCER_DEFAULTS, BalancerSettingsSchema } from '../../src/balancer/settings.js';

const member = {
  id: 'm1',
  address: '10.213.4.11',
  protocol_port: 8080,
  weight: 1,
  vm_uuid: '3c1f2e9a-0000-4000-8000-000000000001',
};
const monitor = {
  type: 'HTTP',
  delay: 5,
  timeout: 3,
  max_retries: 2,
  max_retries_down: 3,
  http_method: 'GET',
  url_path: '/health',
  expected_codes: '200-299',
};
const pool = {
  id: 'web-pool',
  protocol: 'TCP',
  protocol_port: 80,
  lb_algorithm: 'LEAST_LOAD',
  session_persistence: { type: 'SOURCE_MAC', idle_timeout_seconds: 300 },
  members: [member],
  healthmonitor: monitor,
};
const good = { id: 'web', name: 'shop', vip_address: '10.213.4.100', pools: [pool] };
const withPool = (p: object) => ({ ...good, pools: [{ ...pool, ...p }] });

describe('load-balancer objects in a config file', () => {
  it('accepts an Octavia fully populated load balancer', () => {
    expect(Value.Check(ConfigLoadBalancer, good)).toBe(true);
    expect(Value.Check(ConfigLoadBalancers, [good])).toBe(true);
  });

  it.each([
    ['a bad VIP address', { ...good, vip_address: '10.213.4.300' }],
    ['an unknown algorithm', withPool({ lb_algorithm: 'RANDOM' })],
    ['an algorithm Vigil does not implement', withPool({ lb_algorithm: 'WEIGHTED_ROUND_ROBIN' })],
    ['a weight above 256', withPool({ members: [{ ...member, weight: 257 }] })],
    ['port 0', withPool({ protocol_port: 0 })],
    ['an unknown field', { ...good, extra: 1 }],
    ['a member without an id', withPool({ members: [{ address: '10.213.4.11' }] })],
    ['bad expected codes', withPool({ healthmonitor: { ...monitor, expected_codes: '2xx' } })],
    ['a bad member MAC', withPool({ members: [{ ...member, mac_address: '0a:00:00' }] })],
  ])('refuses %s', (_what, value) => {
    expect(Value.Check(ConfigLoadBalancer, value)).toBe(false);
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

describe('served pools consistency', () => {
  const served = (
    id: string,
    address: string,
    port: number,
    members: Array<[string, string]>,
  ): ServedPool => ({
    id,
    loadBalancerId: `${id}-lb`,
    adminStateUp: true,
    vip: { address, port },
    algorithm: 'ROUND_ROBIN',
    persistence: { type: 'SOURCE_MAC', timeoutSeconds: 60 },
    members: members.map(([mid, a]) => ({ id: mid, address: a, port: 80, weight: 1, adminStateUp: true })),
  });

  it('accepts distinct VIP ports and finds duplicates and VIP/member clashes', () => {
    expect(
      checkServedPools([
        served('a', '10.213.4.100', 80, [['m1', '10.213.4.11']]),
        served('b', '10.213.4.100', 443, [['m1', '10.213.4.11']]),
      ]),
    ).toEqual([]);
    expect(
      checkServedPools([
        served('a', '10.213.4.100', 80, [
          ['m1', '10.213.4.11'],
          ['m1', '10.213.4.12'],
        ]),
        served('a', '10.213.4.100', 80, [['m2', '10.213.4.100']]),
      ]),
    ).toEqual([
      'pool a: member id m1 is used twice',
      'pool a: the id is used twice',
      "pool a: VIP 10.213.4.100:80 is already pool a's",
      "pool a: member m2 has a VIP's address 10.213.4.100",
    ]);
  });
});
