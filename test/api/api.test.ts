import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auth, harness, TOKEN, type Harness } from './support/harness.js';
import { demoVms } from './support/vm-feed.js';

const V1 = '/api/v1';
const [WEB1, WEB2, DB1] = demoVms();

let h: Harness;
let t0: number;

beforeEach(async () => {
  h = await harness();
  t0 = Date.now() - 20_000;
  for (let i = 0; i < 5; i++) await h.feed.poll(t0 + i * 5000);
});
afterEach(async () => h.close());

async function get(url: string, headers: Record<string, string> = {}) {
  const r = await h.app.inject({ method: 'GET', url, headers });
  return {
    status: r.statusCode,
    body: r.headers['content-type']?.toString().includes('json') ? r.json() : r.body,
    headers: r.headers,
  };
}
async function send(
  method: 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = auth,
) {
  const r = await h.app.inject({ method, url, payload: payload as object, headers });
  return { status: r.statusCode, body: r.body ? r.json() : undefined, headers: r.headers };
}

async function makePool(): Promise<{ lb: string; pool: string }> {
  const lb = await send('POST', `${V1}/loadbalancers`, {
    loadbalancer: { name: 'shop', vip_address: '10.213.9.100' },
  });
  expect(lb.status).toBe(201);
  const pool = await send('POST', `${V1}/pools`, {
    pool: {
      loadbalancer_id: lb.body.loadbalancer.id,
      name: 'web',
      protocol: 'TCP',
      protocol_port: 80,
      lb_algorithm: 'LEAST_CONNECTIONS',
    },
  });
  expect(pool.status).toBe(201);
  return { lb: lb.body.loadbalancer.id, pool: pool.body.pool.id };
}

describe('compute', () => {
  it('lists hosts with their VMs summed', async () => {
    const r = await get(`${V1}/hosts`);
    expect(r.status).toBe(200);
    const byName = Object.fromEntries(r.body.hosts.map((x: { name: string }) => [x.name, x]));
    const c1 = byName[WEB1!.host];
    expect(c1.vms).toBe(2);
    expect(c1.running).toBe(2);
    expect(c1.vcpus).toBe(4);
    // vCPU-weighted: (35% * 2 + 70% * 2) / 4
    expect(c1.cpu_percent).toBeCloseTo((WEB1!.load * 100 * 2 + WEB2!.load * 100 * 2) / 4, 6);
    expect(c1.net_rx_bytes_per_s).toBeCloseTo(WEB1!.rxRate + WEB2!.rxRate, 0);
    expect(byName[DB1!.host].vms).toBe(1);
  });

  it('lists VMs with metrics and inventory, filtered by host and project', async () => {
    const all = await get(`${V1}/vms`);
    expect(all.body.vms.map((v: { name: string }) => v.name).sort()).toEqual(['db-1', 'web-1', 'web-2']);
    const web1 = all.body.vms.find((v: { uuid: string }) => v.uuid === WEB1!.uuid);
    expect(web1.metrics['cpu.percent']).toBeCloseTo(WEB1!.load * 100, 6);
    expect(web1.stale).toBe(false);
    expect(web1.nics[0].mac).toBe(WEB1!.mac);
    expect(web1.nova.project.name).toBe('shop');
    const onC2 = await get(`${V1}/vms?host=${encodeURIComponent(DB1!.host)}`);
    expect(onC2.body.vms.map((v: { name: string }) => v.name)).toEqual(['db-1']);
    const shop = await get(`${V1}/vms?project=shop`);
    expect(shop.body.vms).toHaveLength(2);
  });

  it('flags a VM stale when its sample is older than three poll intervals (at least 15 s)', async () => {
    await h.close();
    h = await harness();
    await h.feed.poll(Date.now() - 20_000);
    const r = await get(`${V1}/vms/${WEB1!.uuid}`);
    expect(r.body.vm.stale).toBe(true);
    expect(r.body.vm.staleSeconds).toBeGreaterThanOrEqual(20);
    const hosts = await get(`${V1}/hosts`);
    expect(hosts.body.hosts[0].stale).toBe(2);
  });

  it('returns one VM, 404 for an unknown one, 400 for a malformed id', async () => {
    expect((await get(`${V1}/vms/${DB1!.uuid}`)).body.vm.name).toBe('db-1');
    const missing = await get(`${V1}/vms/no-such-vm`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
    const bad = await get(`${V1}/vms/${encodeURIComponent('a b')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('/params/uuid');
  });

  it('returns a metric history over a window', async () => {
    const r = await get(
      `${V1}/vms/${WEB2!.uuid}/series?metrics=cpu.percent,net.rx_bytes_per_s&from=${t0 + 5000}&to=${t0 + 15000}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.series['cpu.percent'].map((p: number[]) => p[0])).toEqual([
      t0 + 5000,
      t0 + 10000,
      t0 + 15000,
    ]);
    for (const [, v] of r.body.series['cpu.percent']) expect(v).toBeCloseTo(WEB2!.load * 100, 6);
    expect(r.body.series['net.rx_bytes_per_s']).toHaveLength(3);
    const windowed = await get(`${V1}/vms/${WEB2!.uuid}/series?metrics=cpu.percent&window=60`);
    // The first poll has no rates: four points carry cpu.percent.
    expect(windowed.body.series['cpu.percent']).toHaveLength(4);
  });

  it('rejects bad series queries naming the field', async () => {
    const cases: Array<[string, string]> = [
      [`${V1}/vms/${WEB1!.uuid}/series`, '/querystring/metrics'],
      [`${V1}/vms/${WEB1!.uuid}/series?metrics=cpu percent`, '/querystring/metrics'],
      [`${V1}/vms/${WEB1!.uuid}/series?metrics=cpu.percent&window=0`, '/querystring/window'],
      [`${V1}/vms/${WEB1!.uuid}/series?metrics=cpu.percent&from=20&to=10`, '/querystring/from'],
      [`${V1}/vms/${WEB1!.uuid}/series?metrics=cpu.percent&bogus=1`, '/querystring/bogus'],
      [
        `${V1}/vms/${WEB1!.uuid}/series?metrics=${Array.from({ length: 17 }, (_, i) => `m${i}`).join(',')}`,
        '/querystring/metrics',
      ],
    ];
    for (const [url, field] of cases) {
      const r = await get(url);
      expect(r.status, url).toBe(400);
      expect(r.body.field, url).toBe(field);
      expect(r.body.message).toContain(field);
    }
    expect((await get(`${V1}/vms/unknown/series?metrics=cpu.percent`)).status).toBe(404);
  });
});

describe('switches and traffic', () => {
  it('lists switches with ports and port stats', async () => {
    const r = await get(`${V1}/switches`);
    expect(r.status).toBe(200);
    expect(r.body.switches).toHaveLength(1);
    const dp = r.body.switches[0];
    expect(dp.datapath_id).toBe('00000000000000a1');
    expect(dp.ports.find((p: { port_no: number }) => p.port_no === 1).stats.rx_bytes).toBe(1_500_000);
    expect(dp.ports.find((p: { port_no: number }) => p.port_no === 3).link_down).toBe(true);
  });

  it('finds a switch by short, full or colon-separated datapath id', async () => {
    for (const id of ['a1', '00000000000000A1', '00:00:00:00:00:00:00:a1']) {
      const r = await get(`${V1}/switches/${id}`);
      expect(r.status, id).toBe(200);
      expect(r.body.switch.datapath_id).toBe('00000000000000a1');
    }
    expect((await get(`${V1}/switches/b2`)).status).toBe(404);
    const bad = await get(`${V1}/switches/xyz`);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('/params/dpid');
  });

  it('returns a flow table, optionally one table', async () => {
    const r = await get(`${V1}/switches/a1/flows`);
    expect(r.body.flows).toHaveLength(2);
    const lb = r.body.flows.find((f: { priority: number }) => f.priority === 200);
    expect(lb.match.ip_dst).toBe('10.213.9.100');
    expect(lb.actions).toContain('output:1');
    expect(lb.owner).toBe('load-balancer');
    expect((await get(`${V1}/switches/a1/flows?table_id=1`)).body.flows).toEqual([]);
    expect((await get(`${V1}/switches/a1/flows?table_id=255`)).status).toBe(400);
    expect((await get(`${V1}/switches/b2/flows`)).status).toBe(404);
  });

  it('returns top flows by bytes or packets, limited', async () => {
    const byBytes = await get(`${V1}/traffic/flows`);
    expect(byBytes.body.window_seconds).toBe(10);
    expect(byBytes.body.flows.map((f: { dst_port: number }) => f.dst_port)).toEqual([80, 53]);
    const byPackets = await get(`${V1}/traffic/flows?by=packets&limit=1`);
    expect(byPackets.body.flows.map((f: { dst_port: number }) => f.dst_port)).toEqual([53]);
    const bad = await get(`${V1}/traffic/flows?by=bits`);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('/querystring/by');
    expect(bad.body.message).toContain('bytes, packets');
    expect((await get(`${V1}/traffic/flows?limit=0`)).body.field).toBe('/querystring/limit');
  });

  it('returns per-VM sFlow estimates', async () => {
    const r = await get(`${V1}/traffic/vms`);
    expect(r.body.vms[0]).toMatchObject({ mac: WEB1!.mac, vm_name: 'web-1', rx_bytes_per_s: 50_000 });
  });
});

describe('providers absent', () => {
  it('answers 503 naming the missing part', async () => {
    await h.close();
    h = await harness({}, { omit: ['switches', 'traffic', 'balancer', 'internals'] });
    await h.feed.poll(Date.now());
    const cases: Array<[string, string]> = [
      [`${V1}/switches`, 'OpenFlow controller'],
      [`${V1}/switches/a1/flows`, 'OpenFlow controller'],
      [`${V1}/traffic/flows`, 'sFlow collector'],
      [`${V1}/traffic/vms`, 'sFlow collector'],
      [`${V1}/loadbalancers`, 'load balancer'],
      [`${V1}/pools`, 'load balancer'],
      [`${V1}/placements`, 'load balancer'],
    ];
    for (const [url, what] of cases) {
      const r = await get(url);
      expect(r.status, url).toBe(503);
      expect(r.body.message).toContain(what);
    }
    const post = await send('POST', `${V1}/loadbalancers`, { loadbalancer: { vip_address: '10.213.9.100' } });
    expect(post.status).toBe(503);
    // The store-backed routes still work.
    expect((await get(`${V1}/vms`)).body.vms).toHaveLength(3);
    const status = await get(`${V1}/status`);
    expect(status.body.providers).toEqual({
      switches: false,
      traffic: false,
      balancer: false,
      internals: false,
    });
  });
});

describe('load balancing', () => {
  it('creates, reads, updates and deletes a load balancer, Octavia-style', async () => {
    const c = await send('POST', `${V1}/loadbalancers`, {
      loadbalancer: { name: 'shop', vip_address: '10.213.9.100' },
    });
    expect(c.status).toBe(201);
    const lb = c.body.loadbalancer;
    expect(lb).toMatchObject({
      name: 'shop',
      vip_address: '10.213.9.100',
      provisioning_status: 'ACTIVE',
      operating_status: 'ONLINE',
      admin_state_up: true,
      pools: [],
    });
    expect((await get(`${V1}/loadbalancers`)).body.loadbalancers.map((x: { id: string }) => x.id)).toEqual([
      lb.id,
    ]);
    const u = await send('PUT', `${V1}/loadbalancers/${lb.id}`, { loadbalancer: { admin_state_up: false } });
    expect(u.body.loadbalancer.operating_status).toBe('OFFLINE');
    expect(u.body.loadbalancer.updated_at).not.toBeNull();
    expect((await get(`${V1}/loadbalancers/${lb.id}`)).body.loadbalancer.admin_state_up).toBe(false);
    // Octavia's statistics names (and Vigil's client counts), all zero for a load balancer without pools.
    const zero = (await get(`${V1}/loadbalancers/${lb.id}/stats`)).body.stats;
    expect(Object.keys(zero).sort().join(' ')).toBe(
      'active_clients active_connections bytes_in bytes_out packets_in packets_out request_errors total_clients total_connections',
    );
    expect(Object.values(zero).every((v) => v === 0)).toBe(true);
    expect((await send('DELETE', `${V1}/loadbalancers/${lb.id}`)).status).toBe(204);
    expect((await get(`${V1}/loadbalancers/${lb.id}`)).status).toBe(404);
    expect((await send('DELETE', `${V1}/loadbalancers/${lb.id}`)).status).toBe(404);
  });

  it('validates load balancer bodies, naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, '/body/loadbalancer'],
      [{ loadbalancer: {} }, '/body/loadbalancer/vip_address'],
      [{ loadbalancer: { vip_address: '10.213.9' } }, '/body/loadbalancer/vip_address'],
      [
        { loadbalancer: { vip_address: '10.213.9.1', vip_mac_address: 'zz:00:00:00:00:00' } },
        '/body/loadbalancer/vip_mac_address',
      ],
      [{ loadbalancer: { vip_address: '10.213.9.1', name: 'x'.repeat(256) } }, '/body/loadbalancer/name'],
      [{ loadbalancer: { vip_address: '10.213.9.1', flavor: 'big' } }, '/body/loadbalancer/flavor'],
      [{ loadbalancer: { vip_address: '10.213.9.1' }, extra: 1 }, '/body/extra'],
    ];
    for (const [body, field] of cases) {
      const r = await send('POST', `${V1}/loadbalancers`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.field, JSON.stringify(body)).toBe(field);
      expect(r.body.code).toBe('invalid_input');
    }
    const empty = await send('PUT', `${V1}/loadbalancers/x`, { loadbalancer: {} });
    expect(empty.status).toBe(400);
    const notJson = await h.app.inject({
      method: 'POST',
      url: `${V1}/loadbalancers`,
      payload: '{"loadbalancer":',
      headers: { ...auth, 'content-type': 'application/json' },
    });
    expect(notJson.statusCode).toBe(400);
    const text = await h.app.inject({
      method: 'POST',
      url: `${V1}/loadbalancers`,
      payload: '<vip/>',
      headers: { ...auth, 'content-type': 'application/xml' },
    });
    expect(text.statusCode).toBe(415);
  });

  it('refuses a duplicate VIP (409) and deleting a load balancer with pools unless cascading', async () => {
    const { lb, pool } = await makePool();
    const dup = await send('POST', `${V1}/loadbalancers`, { loadbalancer: { vip_address: '10.213.9.100' } });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toContain('10.213.9.100');
    const del = await send('DELETE', `${V1}/loadbalancers/${lb}`);
    expect(del.status).toBe(409);
    expect((await send('DELETE', `${V1}/loadbalancers/${lb}?cascade=true`)).status).toBe(204);
    expect((await get(`${V1}/pools/${pool}`)).status).toBe(404);
    expect((await send('DELETE', `${V1}/loadbalancers/${lb}?cascade=maybe`)).status).toBe(400);
  });

  it('manages pools: algorithm check, references, conflicts, filter', async () => {
    const { lb, pool } = await makePool();
    const got = await get(`${V1}/pools/${pool}`);
    expect(got.body.pool).toMatchObject({
      loadbalancer_id: lb,
      protocol: 'TCP',
      protocol_port: 80,
      lb_algorithm: 'LEAST_CONNECTIONS',
      healthmonitor_id: null,
    });
    expect(got.body.pool.session_persistence).toEqual({ type: 'SOURCE_MAC', idle_timeout_seconds: 300 });
    expect((await get(`${V1}/loadbalancers/${lb}`)).body.loadbalancer.pools).toEqual([{ id: pool }]);

    const unknownAlg = await send('POST', `${V1}/pools`, {
      pool: { loadbalancer_id: lb, protocol: 'TCP', lb_algorithm: 'FASTEST' },
    });
    expect(unknownAlg.status).toBe(400);
    expect(unknownAlg.body.field).toBe('/body/pool/lb_algorithm');
    expect(unknownAlg.body.message).toContain(
      'LEAST_LOAD, ROUND_ROBIN, LEAST_CONNECTIONS, SOURCE_IP, SOURCE_IP_PORT',
    );
    const noLb = await send('POST', `${V1}/pools`, {
      pool: { loadbalancer_id: 'nope', protocol: 'TCP', protocol_port: 80, lb_algorithm: 'LEAST_LOAD' },
    });
    expect(noLb.status).toBe(400);
    expect(noLb.body.field).toBe('/body/pool/loadbalancer_id');
    const badProto = await send('POST', `${V1}/pools`, {
      pool: { loadbalancer_id: lb, protocol: 'SCTP', lb_algorithm: 'LEAST_LOAD' },
    });
    expect(badProto.body.field).toBe('/body/pool/protocol');
    const badPersist = await send('POST', `${V1}/pools`, {
      pool: {
        loadbalancer_id: lb,
        protocol: 'UDP',
        lb_algorithm: 'LEAST_LOAD',
        session_persistence: { type: 'COOKIE', idle_timeout_seconds: 10 },
      },
    });
    expect(badPersist.body.field).toBe('/body/pool/session_persistence/type');
    const clash = await send('POST', `${V1}/pools`, {
      pool: { loadbalancer_id: lb, protocol: 'TCP', protocol_port: 80, lb_algorithm: 'ROUND_ROBIN' },
    });
    expect(clash.status).toBe(409);

    const udp = await send('POST', `${V1}/pools`, {
      pool: { loadbalancer_id: lb, protocol: 'UDP', protocol_port: 53, lb_algorithm: 'ROUND_ROBIN' },
    });
    expect(udp.status).toBe(400);
    expect(udp.body.field).toBe('/body/pool/protocol');
    const noPort = await send('POST', `${V1}/pools`, {
      pool: { loadbalancer_id: lb, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' },
    });
    expect(noPort.body.field).toBe('/body/pool/protocol_port');
    const alt = await send('POST', `${V1}/pools`, {
      pool: {
        loadbalancer_id: lb,
        protocol: 'TCP',
        protocol_port: 8080,
        lb_algorithm: 'ROUND_ROBIN',
        session_persistence: { type: 'SOURCE_IP', idle_timeout_seconds: 60 },
      },
    });
    expect(alt.status).toBe(201);
    expect(alt.body.pool.protocol_port).toBe(8080);
    expect((await get(`${V1}/pools?loadbalancer_id=${lb}`)).body.pools).toHaveLength(2);
    expect((await get(`${V1}/pools?loadbalancer_id=other`)).body.pools).toHaveLength(0);

    const upd = await send('PUT', `${V1}/pools/${pool}`, {
      pool: { lb_algorithm: 'ROUND_ROBIN', name: 'web-rr' },
    });
    expect(upd.body.pool).toMatchObject({ lb_algorithm: 'ROUND_ROBIN', name: 'web-rr' });
    expect((await send('PUT', `${V1}/pools/${pool}`, { pool: { lb_algorithm: 'nope' } })).body.field).toBe(
      '/body/pool/lb_algorithm',
    );
    expect((await send('PUT', `${V1}/pools/${pool}`, { pool: { protocol: 'UDP' } })).body.field).toBe(
      '/body/pool/protocol',
    );
    expect((await send('PUT', `${V1}/pools/missing`, { pool: { name: 'x' } })).status).toBe(404);
    expect((await send('DELETE', `${V1}/pools/${alt.body.pool.id}`)).status).toBe(204);
    expect((await send('DELETE', `${V1}/pools/${alt.body.pool.id}`)).status).toBe(404);
    expect((await get(`${V1}/algorithms`)).body.algorithms).toEqual([
      'LEAST_LOAD',
      'ROUND_ROBIN',
      'LEAST_CONNECTIONS',
      'SOURCE_IP',
      'SOURCE_IP_PORT',
    ]);
  });

  it('manages members and health monitors with status that follows health', async () => {
    const { pool } = await makePool();
    const m1 = await send('POST', `${V1}/pools/${pool}/members`, {
      member: {
        address: '10.213.9.11',
        protocol_port: 80,
        name: 'web-1',
        vm_uuid: WEB1!.uuid,
        mac_address: WEB1!.mac,
      },
    });
    expect(m1.status).toBe(201);
    expect(m1.body.member).toMatchObject({
      pool_id: pool,
      weight: 1,
      backup: false,
      operating_status: 'NO_MONITOR',
    });
    const m2 = await send('POST', `${V1}/pools/${pool}/members`, {
      member: { address: '10.213.9.12', protocol_port: 80, name: 'web-2', weight: 2 },
    });
    expect(m2.status).toBe(201);
    expect(
      (
        await send('POST', `${V1}/pools/${pool}/members`, {
          member: { address: '10.213.9.12', protocol_port: 80 },
        })
      ).status,
    ).toBe(409);
    expect(
      (await send('POST', `${V1}/pools/${pool}/members`, { member: { address: '10.213.9.13', weight: 257 } }))
        .body.field,
    ).toBe('/body/member/weight');
    expect(
      (await send('POST', `${V1}/pools/missing/members`, { member: { address: '10.213.9.13' } })).status,
    ).toBe(404);
    expect((await get(`${V1}/pools/${pool}/members`)).body.members).toHaveLength(2);
    expect((await get(`${V1}/pools/missing/members`)).status).toBe(404);

    const hmBad = await send('POST', `${V1}/healthmonitors`, {
      healthmonitor: { pool_id: pool, type: 'TCP', delay: 2, timeout: 5, max_retries: 3 },
    });
    expect(hmBad.status).toBe(400);
    expect(hmBad.body.field).toBe('/body/healthmonitor/timeout');
    expect(
      (
        await send('POST', `${V1}/healthmonitors`, {
          healthmonitor: { pool_id: pool, type: 'ICMP', delay: 5, timeout: 2, max_retries: 3 },
        })
      ).body.field,
    ).toBe('/body/healthmonitor/type');
    expect(
      (
        await send('POST', `${V1}/healthmonitors`, {
          healthmonitor: { pool_id: 'nope', type: 'TCP', delay: 5, timeout: 2, max_retries: 3 },
        })
      ).body.field,
    ).toBe('/body/healthmonitor/pool_id');
    const hm = await send('POST', `${V1}/healthmonitors`, {
      healthmonitor: {
        pool_id: pool,
        type: 'HTTP',
        delay: 1,
        timeout: 1,
        max_retries: 1,
        max_retries_down: 1,
        url_path: '/health',
        expected_codes: '200-204',
      },
    });
    expect(hm.status).toBe(201);
    expect(
      (
        await send('POST', `${V1}/healthmonitors`, {
          healthmonitor: { pool_id: pool, type: 'TCP', delay: 5, timeout: 2, max_retries: 3 },
        })
      ).status,
    ).toBe(409);
    expect((await get(`${V1}/pools/${pool}`)).body.pool.healthmonitor_id).toBe(hm.body.healthmonitor.id);

    const id1 = m1.body.member.id;
    const id2 = m2.body.member.id;
    expect((await get(`${V1}/pools/${pool}/members/${id1}`)).body.member.operating_status).toBe('ONLINE');
    await h.driver.setHealth(pool, '10.213.9.12', false);
    expect((await get(`${V1}/pools/${pool}/members/${id2}`)).body.member.operating_status).toBe('ERROR');
    expect((await get(`${V1}/pools/${pool}`)).body.pool.operating_status).toBe('DEGRADED');
    const drain = await send('PUT', `${V1}/pools/${pool}/members/${id1}`, { member: { weight: 0 } });
    expect(drain.body.member.operating_status).toBe('DRAINING');
    const off = await send('PUT', `${V1}/pools/${pool}/members/${id1}`, {
      member: { admin_state_up: false },
    });
    expect(off.body.member.operating_status).toBe('OFFLINE');
    expect(
      (await send('PUT', `${V1}/pools/${pool}/members/${id1}`, { member: { address: '10.213.9.99' } })).body
        .field,
    ).toBe('/body/member/address');
    expect((await get(`${V1}/pools/${pool}/members/unknown`)).status).toBe(404);

    const hmId = hm.body.healthmonitor.id;
    expect((await get(`${V1}/healthmonitors`)).body.healthmonitors).toHaveLength(1);
    expect(
      (await send('PUT', `${V1}/healthmonitors/${hmId}`, { healthmonitor: { delay: 10 } })).body.healthmonitor
        .delay,
    ).toBe(10);
    expect((await get(`${V1}/healthmonitors/${hmId}`)).body.healthmonitor.url_path).toBe('/health');
    expect((await send('DELETE', `${V1}/healthmonitors/${hmId}`)).status).toBe(204);
    expect((await get(`${V1}/healthmonitors/${hmId}`)).status).toBe(404);
    expect((await send('PUT', `${V1}/healthmonitors/${hmId}`, { healthmonitor: { delay: 10 } })).status).toBe(
      404,
    );
    expect((await get(`${V1}/pools/${pool}/members/${id2}`)).body.member.operating_status).toBe('NO_MONITOR');
    expect((await send('DELETE', `${V1}/pools/${pool}/members/${id2}`)).status).toBe(204);
    expect((await send('DELETE', `${V1}/pools/${pool}/members/${id2}`)).status).toBe(404);
  });

  it('shows placements, the affinity table and stats', async () => {
    const { lb, pool } = await makePool();
    const a = (
      await send('POST', `${V1}/pools/${pool}/members`, {
        member: { address: '10.213.9.11', name: 'web-1', vm_uuid: WEB1!.uuid },
      })
    ).body.member.id;
    const b = (
      await send('POST', `${V1}/pools/${pool}/members`, {
        member: { address: '10.213.9.12', name: 'web-2', vm_uuid: WEB2!.uuid },
      })
    ).body.member.id;
    for (const [client, bytes] of [
      ['02:00:00:00:00:01', 1000],
      ['02:00:00:00:00:02', 2000],
      ['02:00:00:00:00:03', 4000],
    ] as const) {
      expect(await h.driver.place(pool, client)).toBeDefined();
      h.driver.traffic(client, bytes, 4 * bytes);
    }
    const log = await get(`${V1}/placements?pool_id=${pool}&limit=2`);
    expect(log.body.placements).toHaveLength(2);
    expect(log.body.placements[0].client).toBe('02:00:00:00:00:03');
    expect(log.body.placements[0].reason).toContain(
      'new client; LEAST_CONNECTIONS chose it among 2 eligible',
    );
    expect([a, b]).toContain(log.body.placements[0].member_id);
    expect((await get(`${V1}/placements?pool_id=other`)).body.placements).toEqual([]);
    expect((await get(`${V1}/placements?limit=5000`)).body.field).toBe('/querystring/limit');

    const aff = await get(`${V1}/pools/${pool}/affinity`);
    expect(aff.body.affinity).toHaveLength(3);
    expect(aff.body.affinity.map((e: { client: string }) => e.client).sort()).toEqual([
      '02:00:00:00:00:01',
      '02:00:00:00:00:02',
      '02:00:00:00:00:03',
    ]);
    expect((await get(`${V1}/pools/nope/affinity`)).status).toBe(404);

    const stats = (await get(`${V1}/pools/${pool}/stats`)).body.stats;
    expect(stats.active_clients).toBe(3);
    expect(stats.total_clients).toBe(3);
    expect(stats.bytes_in).toBe(7000);
    // Counted from the clients' flows: 1000-byte packets, one connection per client (flows installed).
    expect(stats.packets_in).toBe(7);
    expect(stats.packets_out).toBe(28);
    expect(stats.active_connections).toBe(3);
    expect(stats.total_connections).toBe(3);
    expect(stats.members.map((m: { active_clients: number }) => m.active_clients).sort()).toEqual([1, 2]);
    expect((await get(`${V1}/loadbalancers/${lb}/stats`)).body.stats.bytes_out).toBe(28000);
    expect((await get(`${V1}/loadbalancers/nope/stats`)).status).toBe(404);
  });
});

describe('security', () => {
  const lbBody = { loadbalancer: { vip_address: '10.213.9.100' } };

  it('needs the bearer token for every change', async () => {
    const none = await send('POST', `${V1}/loadbalancers`, lbBody, {});
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="vigil"');
    const wrong = await send('POST', `${V1}/loadbalancers`, lbBody, { authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_token');
    const basic = await send('POST', `${V1}/loadbalancers`, lbBody, {
      authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`,
    });
    expect(basic.status).toBe(401);
    expect((await send('DELETE', `${V1}/pools/x`, undefined, {})).status).toBe(401);
    expect((await send('PUT', `${V1}/pools/x`, { pool: { name: 'a' } }, {})).status).toBe(401);
    expect((await get(`${V1}/loadbalancers`)).body.loadbalancers).toEqual([]);
    const ok = await send('POST', `${V1}/loadbalancers`, lbBody, { authorization: `bearer ${TOKEN}` });
    expect(ok.status).toBe(201);
    // Auth is checked before the body: an unauthenticated bad body is 401, not 400.
    expect((await send('POST', `${V1}/loadbalancers`, { nonsense: true }, {})).status).toBe(401);
  });

  it('refuses changes when no token is configured, and in read-only mode', async () => {
    await h.close();
    h = await harness({ token: '' });
    const r = await send('POST', `${V1}/loadbalancers`, lbBody, { authorization: 'Bearer anything' });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('changes_disabled');
    await h.close();
    h = await harness({ readOnly: true });
    const ro = await send('POST', `${V1}/loadbalancers`, lbBody);
    expect(ro.status).toBe(403);
    expect(ro.body.code).toBe('read_only');
    expect((await get(`${V1}/loadbalancers`)).status).toBe(200);
    expect((await get(`${V1}/status`)).body).toMatchObject({
      read_only: true,
      changes_enabled: false,
      store: 'memory',
    });
  });

  it('can require the token for reads, leaving documentation open', async () => {
    await h.close();
    h = await harness({ readsNeedToken: true });
    for (const url of [`${V1}/vms`, `${V1}/hosts`, `${V1}/switches`, '/metrics', `${V1}/events`]) {
      expect((await get(url)).status, url).toBe(401);
    }
    expect((await get(`${V1}/vms`, auth)).status).toBe(200);
    expect((await get('/openapi.json')).status).toBe(200);
    expect((await get('/docs')).status).toBeLessThan(400);
  });

  it('limits request bodies', async () => {
    await h.close();
    h = await harness({ bodyLimitBytes: 1024 });
    const big = await send('POST', `${V1}/loadbalancers`, {
      loadbalancer: { vip_address: '10.213.9.100', description: 'x'.repeat(2000) },
    });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('body_too_large');
  });

  it('says how to build the dashboard when it is not built', async () => {
    await h.close();
    h = await harness({ webRoot: '/nonexistent/web-dist' });
    const r = await h.app.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('not built: run scripts/setup (or npm run build:web)');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const r = await get(`${V1}/nothing`);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ code: 'not_found', message: `no route GET ${V1}/nothing` });
  });
});
