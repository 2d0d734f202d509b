import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, harness, type Harness } from './support/harness.js';

let h: Harness;
let poolId: string;
let lbId: string;

beforeAll(async () => {
  h = await harness();
  await h.feed.poll(Date.now());
  const lb = await h.balancer.createLoadBalancer({ vip_address: '10.213.9.100' });
  lbId = lb.id;
  poolId = (
    await h.balancer.createPool({
      loadbalancer_id: lb.id,
      protocol: 'TCP',
      protocol_port: 80,
      lb_algorithm: 'LEAST_CONNECTIONS',
    })
  ).id;
});
afterAll(async () => h.close());

const ERROR_KEYS = ['code', 'error', 'message', 'statusCode'];

function checkAnswer(status: number, body: string, what: string): void {
  expect(status, what).toBeLessThan(500);
  if (status >= 400) {
    const b = JSON.parse(body) as Record<string, unknown>;
    expect(
      Object.keys(b)
        .filter((k) => k !== 'field')
        .sort(),
      what,
    ).toEqual(ERROR_KEYS);
    expect(b.statusCode).toBe(status);
  }
}

describe('hostile input', () => {
  it('never fails with a 500 on random bodies to any change route', async () => {
    const routes = () =>
      [
        ['POST', '/api/v1/loadbalancers', 'loadbalancer'],
        ['PUT', `/api/v1/loadbalancers/${lbId}`, 'loadbalancer'],
        ['POST', '/api/v1/pools', 'pool'],
        ['PUT', `/api/v1/pools/${poolId}`, 'pool'],
        ['POST', `/api/v1/pools/${poolId}/members`, 'member'],
        ['POST', '/api/v1/healthmonitors', 'healthmonitor'],
      ] as const;
    const field = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.ipV4(),
      fc.constantFrom('TCP', 'UDP', 'LEAST_LOAD', 'SOURCE_MAC', lbId, poolId, '10.213.9.1', 'x'.repeat(300)),
      fc.integer({ min: -5, max: 70000 }),
    );
    const objectBody = fc.dictionary(
      fc.constantFrom(
        'name',
        'vip_address',
        'loadbalancer_id',
        'protocol',
        'protocol_port',
        'lb_algorithm',
        'address',
        'weight',
        'pool_id',
        'type',
        'delay',
        'timeout',
        'max_retries',
        'session_persistence',
        'admin_state_up',
        '__proto__',
        'constructor',
        'extra',
      ),
      field,
      { maxKeys: 8 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.nat(5),
        fc.oneof(objectBody, fc.jsonValue({ maxDepth: 3 })),
        fc.boolean(),
        async (i, inner, wrapped) => {
          const [method, url, key] = routes()[i]!;
          const payload = JSON.stringify(wrapped ? { [key]: inner } : inner);
          const r = await h.app.inject({
            method,
            url,
            payload,
            headers: { ...auth, 'content-type': 'application/json' },
          });
          checkAnswer(r.statusCode, r.body, `${method} ${url} ${payload}`);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never fails with a 500 on random paths and query strings', async () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom(
        'vms',
        'series',
        'switches',
        'flows',
        'pools',
        'members',
        'affinity',
        'stats',
        poolId,
        'a1',
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { maxLength: 5 }),
        fc.dictionary(
          fc.constantFrom(
            'metrics',
            'from',
            'to',
            'window',
            'limit',
            'by',
            'types',
            'vm',
            'host',
            'table_id',
            'cascade',
            'x',
          ),
          fc.string({ maxLength: 30 }),
        ),
        async (segs, query) => {
          const url = `/api/v1/${segs.map(encodeURIComponent).join('/')}?${new URLSearchParams(query)}`;
          if (url.startsWith('/api/v1/events')) return;
          const r = await h.app.inject({ method: 'GET', url });
          checkAnswer(r.statusCode, r.body, url);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never fails with a 500 on raw, truncated or oversized bodies', async () => {
    const good = JSON.stringify({ loadbalancer: { vip_address: '10.213.9.200', name: 'x' } });
    await fc.assert(
      fc.asyncProperty(
        fc.nat(good.length),
        fc.string({ maxLength: 40 }),
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/octet-stream',
        ),
        async (cut, junk, type) => {
          const payload = good.slice(0, cut) + junk;
          const r = await h.app.inject({
            method: 'POST',
            url: '/api/v1/loadbalancers',
            payload,
            headers: { ...auth, 'content-type': type },
          });
          checkAnswer(r.statusCode, r.body, payload);
        },
      ),
      { numRuns: 300 },
    );
  });
});
