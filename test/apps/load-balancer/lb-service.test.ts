// The REST API's load-balancer routes on the real load-balancer app: what the API creates is what the
// app serves, statuses follow the app's state, and the objects survive a restart through the store.

import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiServer, type ApiServer } from '../../../src/api/server.js';
import { LoadBalancerApp } from '../../../src/apps/load-balancer/lb-app.js';
import { LoadBalancerService } from '../../../src/apps/load-balancer/lb-service.js';
import type { ConfigLoadBalancer } from '../../../src/balancer/objects.js';
import { silentLogger } from '../../../src/log/logger.js';
import { MemoryStore } from '../../../src/store/memory-store.js';

const TOKEN = 't0ken-for-tests';
const auth = { authorization: `Bearer ${TOKEN}` };
const LIMITS = { sampleTtlMs: 60_000, seriesRetentionMs: 3_600_000, seriesMaxPoints: 100 };

interface Running {
  server: ApiServer;
  app: LoadBalancerApp;
  service: LoadBalancerService;
}

const open: Running[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) {
    r.app.stop();
    await r.server.app.close();
  }
});

async function start(store: MemoryStore, config: ConfigLoadBalancer[] = []): Promise<Running> {
  const app = new LoadBalancerApp({ store, log: silentLogger() });
  const service = new LoadBalancerService(app, store, silentLogger());
  await service.start(config);
  const server = await createApiServer({ store, balancer: service }, { token: TOKEN, webRoot: false });
  const r = { server, app, service };
  open.push(r);
  return r;
}

async function post(r: Running, url: string, body: Record<string, unknown>) {
  return r.server.app.inject({ method: 'POST', url, headers: auth, payload: body });
}

describe('load-balancer API on the real balancer', () => {
  it('turns a load balancer, pool, members and health monitor into one served VIP port', async () => {
    const store = new MemoryStore(LIMITS);
    const r = await start(store);
    const lb = await post(r, '/api/v1/loadbalancers', {
      loadbalancer: { name: 'web', vip_address: '10.213.4.100' },
    });
    expect(lb.statusCode).toBe(201);
    const lbId = lb.json().loadbalancer.id as string;
    // A load balancer without a pool serves nothing yet.
    expect(r.app.servedPools()).toHaveLength(0);

    const pool = await post(r, '/api/v1/pools', {
      pool: { loadbalancer_id: lbId, protocol: 'TCP', protocol_port: 80, lb_algorithm: 'ROUND_ROBIN' },
    });
    expect(pool.statusCode).toBe(201);
    const poolId = pool.json().pool.id as string;
    for (const [i, vm] of ['a', 'b'].entries()) {
      const m = await post(r, `/api/v1/pools/${poolId}/members`, {
        member: { address: `10.213.4.1${i + 1}`, vm_uuid: `vm-${vm}`, weight: i + 1 },
      });
      expect(m.statusCode).toBe(201);
    }
    const hm = await post(r, '/api/v1/healthmonitors', {
      healthmonitor: {
        pool_id: poolId,
        type: 'TCP',
        delay: 2,
        timeout: 1,
        max_retries: 2,
        max_retries_down: 3,
      },
    });
    expect(hm.statusCode).toBe(201);

    const served = r.app.servedPools();
    expect(served).toHaveLength(1);
    expect(served[0]!.id).toBe(poolId);
    expect(served[0]!.loadBalancerId).toBe(lbId);
    expect(served[0]!.vip).toMatchObject({ address: '10.213.4.100', port: 80 });
    expect(served[0]!.algorithm).toBe('ROUND_ROBIN');
    expect(served[0]!.members.map((m) => [m.address, m.port, m.weight, m.vm])).toEqual([
      ['10.213.4.11', 80, 1, 'vm-a'],
      ['10.213.4.12', 80, 2, 'vm-b'],
    ]);
    expect(served[0]!.healthMonitor).toMatchObject({ type: 'TCP', delaySeconds: 2, rise: 2, fall: 3 });

    // Statuses come from the app's state: the members are up until a probe says otherwise.
    const members = await r.server.app.inject({ url: `/api/v1/pools/${poolId}/members` });
    expect(members.json().members.map((m: { operating_status: string }) => m.operating_status)).toEqual([
      'ONLINE',
      'ONLINE',
    ]);
    const drained = await r.server.app.inject({
      method: 'PUT',
      url: `/api/v1/pools/${poolId}/members/${members.json().members[0].id}`,
      headers: auth,
      payload: { member: { weight: 0 } },
    });
    expect(drained.json().member.operating_status).toBe('DRAINING');
    expect(r.app.servedPools()[0]!.members[0]!.weight).toBe(0);

    // Deleting the pool withdraws the VIP port from the app.
    const del = await r.server.app.inject({
      method: 'DELETE',
      url: `/api/v1/pools/${poolId}`,
      headers: auth,
    });
    expect(del.statusCode).toBe(204);
    expect(r.app.servedPools()).toHaveLength(0);
  });

  it('refuses what the balancer cannot serve, naming the field, and changes nothing', async () => {
    const r = await start(new MemoryStore(LIMITS));
    const lbId = (
      await post(r, '/api/v1/loadbalancers', { loadbalancer: { vip_address: '10.213.4.100' } })
    ).json().loadbalancer.id as string;
    const dup = await post(r, '/api/v1/loadbalancers', { loadbalancer: { vip_address: '10.213.4.100' } });
    expect(dup.statusCode).toBe(409);
    const noPort = await post(r, '/api/v1/pools', {
      pool: { loadbalancer_id: lbId, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' },
    });
    expect(noPort.statusCode).toBe(400);
    expect(noPort.body).toContain('protocol_port');
    const badAlgo = await post(r, '/api/v1/pools', {
      pool: { loadbalancer_id: lbId, protocol: 'TCP', protocol_port: 80, lb_algorithm: 'FASTEST' },
    });
    expect(badAlgo.statusCode).toBe(400);
    expect(badAlgo.body).toContain('lb_algorithm');
    const udp = await post(r, '/api/v1/pools', {
      pool: { loadbalancer_id: lbId, protocol: 'UDP', protocol_port: 53, lb_algorithm: 'ROUND_ROBIN' },
    });
    expect(udp.statusCode).toBe(400);
    expect((await r.server.app.inject({ url: '/api/v1/pools' })).json().pools).toEqual([]);
    expect(r.app.servedPools()).toHaveLength(0);
  });

  it('keeps the objects in the store for the next process, and adopts config-defined ones', async () => {
    const store = new MemoryStore(LIMITS);
    const config: ConfigLoadBalancer[] = [
      {
        id: 'lab',
        vip_address: '10.213.10.10',
        pools: [
          {
            id: 'lab-pool',
            protocol: 'TCP',
            protocol_port: 80,
            lb_algorithm: 'LEAST_LOAD',
            members: [{ id: 'vm1', address: '10.213.10.11' }],
          },
        ],
      },
    ];
    const first = await start(store, config);
    const listed = (await first.server.app.inject({ url: '/api/v1/pools' })).json().pools;
    expect(listed.map((p: { id: string; protocol_port: number }) => [p.id, p.protocol_port])).toEqual([
      ['lab-pool', 80],
    ]);
    await post(first, '/api/v1/pools/lab-pool/members', { member: { address: '10.213.10.12' } });
    first.app.stop();
    await first.server.app.close();
    open.splice(0);

    // A new process on the same store serves what the API made, not just the config.
    const second = await start(store, config);
    expect(second.app.servedPools()[0]!.members.map((m) => m.address)).toEqual([
      '10.213.10.11',
      '10.213.10.12',
    ]);
  });
});

describe('load-balancer objects read back from the store', () => {
  it('refuses an object that does not fit its schema, saying why, and serves the rest', async () => {
    const store = new MemoryStore(LIMITS);
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const first = new LoadBalancerService(
      new LoadBalancerApp({ store, log: silentLogger() }),
      store,
      silentLogger(),
    );
    await first.start([
      {
        id: 'shop',
        vip_address: '10.213.4.100',
        pools: [
          {
            id: 'shop-pool',
            protocol: 'TCP',
            protocol_port: 80,
            lb_algorithm: 'ROUND_ROBIN',
            members: [
              { id: 'm1', address: '10.213.4.11' },
              { id: 'm2', address: '10.213.4.12' },
            ],
          },
        ],
      },
    ]);
    // Another writer left a member with a port that is no number.
    const m2 = (await store.listRecords<Record<string, unknown>>('octavia-member')).find(
      (r) => r.id === 'm2',
    )!;
    await store.putRecord('octavia-member', 'm2', { ...m2.value, protocol_port: 'eighty' });
    const app = new LoadBalancerApp({ store, log: silentLogger() });
    await new LoadBalancerService(app, store, log).start();
    expect(app.servedPools()[0]!.members.map((m) => m.id)).toEqual(['m1']);
    expect(lines).toEqual([
      expect.objectContaining({
        kind: 'octavia-member',
        id: 'm2',
        msg: 'store record refused: it does not match its schema',
        err: expect.stringContaining('/protocol_port'),
      }),
    ]);
    app.stop();
  });
});
