// The load balancer as an operator runs it, end to end on real Open vSwitch: the whole `vigil up` runtime
// (controller, load-balancer app and service, API, Redis store) with a load balancer defined in its config
// file, two bridges as two compute nodes, three backends answering HTTP, six clients. What it checks is
// what an operator reads: the bytes the API counts are the bytes the clients moved, counters only go up,
// API changes never re-place a client (nor does a restart), and a backend that moves to the other compute
// node the way a migrated VM does keeps its clients.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigLoadBalancer } from '../../src/balancer/objects.js';
import { loadConfig } from '../../src/config/load.js';
import { runIn, spawnIn } from '../../src/lab/host/netns.js';
import { ensureOpenvswitch, requireProgram, run } from '../../src/lab/host/services.js';
import { Topology, type Host } from '../../src/lab/host/topology.js';
import { silentLogger } from '../../src/log/logger.js';
import { VigilRuntime } from '../../src/runtime/vigil-runtime.js';
import { parsePrometheusText } from '../api/support/prometheus-text.js';
import { freePort, RedisServer } from '../support/redis-server.js';
import { vmSample } from '../support/vm-sample.js';

const PREFIX = 'vls';
const VIP = '10.213.6.100';
const TOKEN = 'e2e-lb-service';
const POOL = 'shop-pool';
const FLOW_IDLE_S = 3;
const DPID = { vls0: 0xc0n, vls1: 0xc1n };
/** Answers `/` with its name and `/bytes/N` with N bytes. */
const HTTP_SERVER = `const [name, ip] = process.argv.slice(1);
require('http').createServer((q, s) => {
  const m = /^\\/bytes\\/(\\d+)$/.exec(q.url);
  if (!m) return s.end(name);
  const n = Math.min(Number(m[1]), 50e6);
  s.writeHead(200, { 'content-length': n });
  s.end(Buffer.alloc(n, 120));
}).listen(80, ip);`;

const config = (members: Host[]): ConfigLoadBalancer[] => [
  {
    id: 'shop',
    name: 'shop',
    vip_address: VIP,
    pools: [
      {
        id: POOL,
        name: 'web',
        protocol: 'TCP',
        protocol_port: 80,
        lb_algorithm: 'ROUND_ROBIN',
        session_persistence: { type: 'SOURCE_MAC', idle_timeout_seconds: 300 },
        members: members.map((b) => ({
          id: b.name,
          address: b.ip,
          protocol_port: 80,
          vm_uuid: `vm-${b.name}`,
        })),
      },
    ],
  },
];

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The byte and packet counters of a namespace host's interface (what it received and sent, frames). */
async function nicCounters(h: Host): Promise<{ rx: number; tx: number }> {
  const read = async (f: string) =>
    Number((await runIn(h.ns, ['cat', `/sys/class/net/eth0/statistics/${f}`])).stdout);
  return { rx: await read('rx_bytes'), tx: await read('tx_bytes') };
}

describe('load balancer through `vigil up` on real OVS: bytes, identity, a backend that moves', () => {
  const topo = new Topology(PREFIX);
  const backends: Host[] = [];
  const clients: Host[] = [];
  const servers: ChildProcess[] = [];
  let redis: RedisServer;
  let rt: VigilRuntime;
  let configFile: string;
  let dir: string;
  let base: string;

  async function startVigil(): Promise<void> {
    const { config: cfg } = loadConfig({ env: {}, file: configFile });
    rt = await VigilRuntime.start({ config: cfg, logger: silentLogger(), version: 'test' });
    base = `http://127.0.0.1:${rt.addresses.api.port}`;
    await until(
      () =>
        rt.controller.datapath(DPID.vls0) !== undefined && rt.controller.datapath(DPID.vls1) !== undefined,
      20_000,
      'both bridges connected',
    );
    await until(() => rt.controller.links().length === 2, 15_000, 'the link between the bridges');
    await until(
      () => rt.balancer.state.vips.get(POOL)?.members.every((m) => m.datapathId !== undefined) ?? false,
      15_000,
      'every backend located',
    );
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked field by field
  async function api(method: string, path: string, body?: unknown): Promise<any> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
    return res.json();
  }

  async function get(c: Host, path = '/'): Promise<string> {
    const r = await runIn(
      c.ns,
      ['curl', '-s', '-m', '5', '--retry', '2', '--retry-all-errors', `http://${VIP}${path}`],
      {
        timeoutMs: 30_000,
      },
    );
    return r.stdout;
  }

  const affinity = async () =>
    new Map((await rt.store.listAffinity(POOL)).map((e) => [e.client, e.member] as [string, string]));

  beforeAll(async () => {
    await ensureOpenvswitch();
    await requireProgram('curl', 'curl');
    redis = await RedisServer.start();
    const ofPort = await freePort();
    for (const [name, dpid] of Object.entries(DPID)) {
      await topo.bridge(name, {
        protocols: ['OpenFlow13'],
        failMode: 'secure',
        datapathId: dpid.toString(16).padStart(16, '0'),
        controller: `tcp:127.0.0.1:${ofPort}`,
        controllerMaxBackoffMs: 1000,
        controllerInactivityProbeMs: 10_000,
      });
    }
    await topo.link('vls0', 'vls1');
    for (let n = 1; n <= 3; n++)
      backends.push(
        await topo.host(n <= 2 ? 'vls0' : 'vls1', { name: `b${n}`, ip: `10.213.6.${10 + n}/24` }),
      );
    for (let n = 1; n <= 6; n++)
      clients.push(await topo.host(n % 2 ? 'vls0' : 'vls1', { name: `c${n}`, ip: `10.213.6.${20 + n}/24` }));
    for (const b of backends)
      servers.push(spawnIn(b.ns, [process.execPath, '-e', HTTP_SERVER, b.name, b.ip], { stdio: 'ignore' }));
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-lb-'));
    configFile = join(dir, 'vigil.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        log: { level: 'silent' },
        store: { kind: 'redis', redisUrl: redis.url, keyPrefix: PREFIX },
        controller: {
          listen: `127.0.0.1:${ofPort}`,
          statsIntervalSeconds: 1,
          discoveryIntervalSeconds: 1,
        },
        collector: { listen: '127.0.0.1:0' },
        api: { listen: '127.0.0.1:0', token: TOKEN },
        balancer: { flowIdleTimeoutSeconds: FLOW_IDLE_S },
        loadBalancers: config(backends),
      }),
    );
    await startVigil();
  }, 180_000);

  afterAll(async () => {
    for (const s of servers) s.kill();
    await rt?.stop();
    await redis?.stop();
    await topo.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('counts the bytes the clients moved, within 5 %, and no counter goes down as flows expire', async () => {
    const before = await Promise.all(clients.map(nicCounters));
    const sizes = [300_000, 700_000, 1_100_000];
    for (const [i, c] of clients.entries()) {
      for (const size of sizes) expect((await get(c, `/bytes/${size + i}`)).length).toBe(size + i);
    }
    const after = await Promise.all(clients.map(nicCounters));
    const received = after.reduce((a, x, i) => a + x.rx - before[i]!.rx, 0);
    const sent = after.reduce((a, x, i) => a + x.tx - before[i]!.tx, 0);
    expect(received).toBeGreaterThan(6 * 2_100_000);
    // The flows' last counts come with the next statistics poll (every second here).
    let stats = (await api('GET', `/api/v1/loadbalancers/shop/stats`)).stats;
    await until(
      async () => {
        stats = (await api('GET', `/api/v1/loadbalancers/shop/stats`)).stats;
        return Math.abs(stats.bytes_out - received) / received < 0.05;
      },
      10_000,
      `bytes_out near the ${received} bytes the clients received`,
    ).catch(() => undefined);
    console.info(
      `bytes: clients received ${received}, sent ${sent}; API out ${stats.bytes_out}, in ${stats.bytes_in}`,
    );
    expect(Math.abs(stats.bytes_out - received) / received).toBeLessThan(0.05);
    expect(Math.abs(stats.bytes_in - sent) / sent).toBeLessThan(0.05);
    expect(stats.total_connections).toBeGreaterThanOrEqual(6);
    expect(stats.total_clients).toBe(6);

    // Twenty scrapes while every client flow idles out (3 s) and is removed: no counter decreases.
    const counters = new Map<string, number>();
    let poolBytesOut = 0;
    for (let i = 0; i < 20; i++) {
      const fams = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
      poolBytesOut = fams
        .get('vigil_pool_bytes_out_total')!
        .samples.find((x) => x.labels.pool === POOL)!.value;
      for (const [name, fam] of fams) {
        if (fam.type !== 'counter' || !/^vigil_(pool|member)_/.test(name)) continue;
        for (const s of fam.samples) {
          const key = `${name}${JSON.stringify(s.labels)}`;
          const prev = counters.get(key);
          if (prev !== undefined) expect(s.value, key).toBeGreaterThanOrEqual(prev);
          counters.set(key, s.value);
        }
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    // The last scrape and the API agree, and every client's flows have ended.
    const last = (await api('GET', `/api/v1/pools/${POOL}/stats`)).stats;
    expect(poolBytesOut).toBe(last.bytes_out);
    expect(last.bytes_out).toBeGreaterThanOrEqual(stats.bytes_out);
    expect(last.active_connections).toBe(0);
  }, 180_000);

  it('changing a member’s weight and the pool’s name re-places no client, nor does a restart', async () => {
    const placed = await affinity();
    expect(placed.size).toBe(6);
    const served = new Map<string, string>();
    for (const c of clients) served.set(c.name, await get(c));
    for (const c of clients) expect(placed.get(c.mac)).toBe(served.get(c.name));
    const placements = rt.balancer.placements(1000, POOL).length;

    // Mid-traffic: clients keep asking while the operator changes the pool.
    let stop = false;
    const traffic = Promise.all(
      clients.map(async (c) => {
        const seen: string[] = [];
        while (!stop) seen.push(await get(c));
        return seen;
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    const weight = await api('PUT', `/api/v1/pools/${POOL}/members/b1`, { member: { weight: 3 } });
    expect(weight.member.weight).toBe(3);
    const name = await api('PUT', `/api/v1/pools/${POOL}`, { pool: { name: 'web-renamed' } });
    expect(name.pool.name).toBe('web-renamed');
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    const seen = await traffic;
    clients.forEach((c, i) => {
      expect(seen[i]!.length).toBeGreaterThan(0);
      expect(new Set(seen[i]), c.name).toEqual(new Set([served.get(c.name)]));
    });
    expect(rt.balancer.placements(1000, POOL)).toHaveLength(placements);
    expect(await affinity()).toEqual(placed);

    // A restart on the same Redis: the store's objects (with the changes) are served, the clients stay.
    await rt.stop();
    await startVigil();
    for (const c of clients) expect(await get(c), c.name).toBe(served.get(c.name));
    expect(rt.balancer.placements(1000, POOL)).toHaveLength(0);
    expect((await api('GET', `/api/v1/pools/${POOL}`)).pool.name).toBe('web-renamed');
    expect((await api('GET', `/api/v1/pools/${POOL}/members/b1`)).member.weight).toBe(3);
  }, 120_000);

  it('a backend that moves to the other compute node as a migrated VM does keeps its clients, on the new path within 1 s', async () => {
    const moving = backends[1]!; // b2, on vls0
    const placed = await affinity();
    const itsClients = clients.filter((c) => placed.get(c.mac) === moving.name);
    expect(itsClients.length).toBeGreaterThan(0);
    const placements = rt.balancer.placements(1000, POOL).length;
    const vm = `vm-${moving.name}`;
    // The event sequence of a live migration: the VM pauses on its host, leaves it (libvirt: stopped,
    // migrated), its port goes from the source's bridge to the target's, and it runs there.
    await rt.store.putSample(vmSample({ uuid: vm, time: Date.now(), state: 'paused', metrics: {} }));
    rt.balancer.vmLeft(vm, 'migrated');
    await run('ovs-vsctl', ['del-port', 'vls0', moving.port]);
    await run('ovs-vsctl', ['add-port', 'vls1', moving.port]);
    const resumedAt = Date.now();
    await rt.store.putSample(vmSample({ uuid: vm, time: resumedAt, state: 'running', metrics: {} }));
    const m = () => rt.balancer.state.vips.get(POOL)!.memberById.get(moving.name)!;
    await until(() => m().datapathId === DPID.vls1, 1000, 'the member found behind its new port');
    const answers = await Promise.all(itsClients.map((c) => get(c)));
    const answeredIn = Date.now() - resumedAt;
    console.info(
      `moved ${moving.name}: its ${itsClients.length} client(s) answered from the new node ${answeredIn} ms after it resumed`,
    );
    expect(answers).toEqual(itsClients.map(() => moving.name));
    expect(answeredIn).toBeLessThan(1000);
    expect(m().vm).toBe('running');
    expect(rt.balancer.placements(1000, POOL)).toHaveLength(placements);
    expect(await affinity()).toEqual(placed);
    // The member's flows on the new node lead out of its new port.
    const ofport = await topo.ofport(moving.port);
    const flows = (await run('ovs-ofctl', ['-O', 'OpenFlow13', 'dump-flows', 'vls1'])).stdout;
    expect(flows).toContain(`in_port=${ofport}`);
  }, 60_000);
});
