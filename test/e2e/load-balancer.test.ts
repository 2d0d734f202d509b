// The load balancer end to end on real Open vSwitch (userspace datapath, OpenFlow 1.3, fail_mode=secure):
// two bridges as two compute nodes joined by a link, six backend hosts (three per bridge) each running an
// HTTP server that answers with its own name, a VIP in front of them, and a dozen client hosts.
//
// The backends are namespace hosts, not VMs: a small sampler in this file stands in for the monitor and
// writes real samples to the store: each backend's CPU use from /proc (the processes running in its
// namespace) and its traffic from its OVS port counters. "Busy" is real: a CPU burner in the namespace.

import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { L2LearningApp } from '../../src/apps/l2-learning.js';
import { LoadBalancerApp } from '../../src/apps/load-balancer/lb-app.js';
import type { ProbeResult } from '../../src/apps/load-balancer/health-prober.js';
import type { AlgorithmName } from '../../src/balancer/objects.js';
import type { ServedMember, ServedPool } from '../../src/balancer/served-pool.js';
import { Controller } from '../../src/controller/controller.js';
import { SESSION_DEFAULTS } from '../../src/controller/switch-session.js';
import { runIn, spawnIn, succeedsIn } from '../../src/lab/host/netns.js';
import { ensureOpenvswitch, requireProgram, run } from '../../src/lab/host/services.js';
import { silentLogger } from '../../src/log/logger.js';
import { RedisStore } from '../../src/store/redis-store.js';
import type { Store } from '../../src/store/store.js';
import { Topology, type Host } from '../../src/lab/host/topology.js';
import { freePort, RedisServer } from '../support/redis-server.js';
import { vmSample } from '../support/vm-sample.js';

const VIP = '10.213.4.100';
const VIP_MAC = '02:56:0a:d5:04:64';
const DPID = { vlb0: 0xb0n, vlb1: 0xb1n };
const FLOW_IDLE_S = 3;
const LIMITS = { sampleTtlMs: 60_000, seriesRetentionMs: 600_000, seriesMaxPoints: 1000 };

const HTTP_SERVER = `const [name, ip] = process.argv.slice(1);
require('http').createServer((q, s) => s.end(name)).listen(80, ip);`;
const BURNER = `const end = Date.now() + Number(process.argv[1]); while (Date.now() < end) {}`;
// Sends TCP SYNs to the VIP from many source MACs through a packet socket (cheap: one process).
const CHURN = `
import socket, struct, sys, time
n, rate, src_ip, dst_ip, dst_mac = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], bytes.fromhex(sys.argv[5].replace(':', ''))
def csum(b):
    if len(b) % 2: b += b'\\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(('eth0', 0))
sip, dip = socket.inet_aton(src_ip), socket.inet_aton(dst_ip)
t0 = time.time()
for i in range(n):
    mac = bytes([0x0a, 0xc0, 0, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff])
    sport = 20000 + i % 40000
    tcp = struct.pack('!HHIIBBHHH', sport, 80, i, 0, 5 << 4, 0x02, 65535, 0, 0)
    tcp = tcp[:16] + struct.pack('!H', csum(sip + dip + struct.pack('!BBH', 0, 6, 20) + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 40, i & 0xffff, 0x4000, 64, 6, 0, sip, dip)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    s.send(dst_mac + mac + b'\\x08\\x00' + ip + tcp)
    ahead = (i + 1) / rate - (time.time() - t0)
    if ahead > 0: time.sleep(ahead)
`;

function member(n: number): ServedMember {
  return {
    id: `b${n}`,
    address: `10.213.4.${10 + n}`,
    port: 80,
    weight: 1,
    adminStateUp: true,
    vm: `vm-b${n}`,
  };
}

/** The pool served on the VIP; each test serves a pool of its own (its own id, clients and flows). */
function pool(
  id: string,
  algorithm: AlgorithmName,
  extra: Partial<ServedPool> = {},
  persistenceSeconds = 60,
): ServedPool {
  return {
    id,
    loadBalancerId: 'web',
    adminStateUp: true,
    vip: { address: VIP, port: 80 },
    algorithm,
    persistence: { type: 'SOURCE_MAC', timeoutSeconds: persistenceSeconds },
    members: [1, 2, 3, 4, 5, 6].map(member),
    ...extra,
  };
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Samples each backend as the monitor samples a VM: CPU % of its processes and its port's traffic. */
class NamespaceSampler {
  private timer: NodeJS.Timeout | undefined;
  private last = new Map<string, { time: number; ticks: number; rx: number; tx: number }>();
  readonly pids = new Map<string, Set<number>>();

  constructor(
    private readonly store: () => Store,
    private readonly backends: Host[],
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sample().catch(() => undefined), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private ticksOf(name: string): number {
    let ticks = 0;
    for (const pid of this.pids.get(name) ?? []) {
      try {
        // proc(5): fields 14 and 15 are utime and stime in clock ticks; the name in parentheses may hold spaces.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // the process has exited
      }
    }
    return ticks;
  }

  async sample(): Promise<void> {
    const args: string[] = [];
    for (const b of this.backends)
      args.push('--', 'get', 'Interface', b.port, 'statistics:rx_bytes', 'statistics:tx_bytes');
    const lines = (await run('ovs-vsctl', args.slice(1))).stdout.trim().split('\n');
    const now = Date.now();
    for (let i = 0; i < this.backends.length; i++) {
      const b = this.backends[i]!;
      const ticks = this.ticksOf(b.name);
      const rx = Number(lines[2 * i]);
      const tx = Number(lines[2 * i + 1]);
      const prev = this.last.get(b.name);
      this.last.set(b.name, { time: now, ticks, rx, tx });
      if (!prev) continue;
      const secs = (now - prev.time) / 1000;
      // USER_HZ is 100 on Linux.
      const cpu = Math.min(100, ((ticks - prev.ticks) / 100 / secs) * 100);
      await this.store().putSample(
        vmSample({
          uuid: `vm-${b.name}`,
          time: now,
          state: 'running',
          metrics: {
            'cpu.percent': cpu,
            // The port's rx is what the backend sent; tx what it received.
            'net.rx_bytes_per_s': Math.max(0, (tx - prev.tx) / secs),
            'net.tx_bytes_per_s': Math.max(0, (rx - prev.rx) / secs),
          },
        }),
      );
    }
  }
}

describe('load balancer on real OVS: two compute nodes, six backends, a VIP, a dozen clients', () => {
  const topo = new Topology('vlb');
  const backends: Host[] = [];
  const clients: Host[] = [];
  let probeHost: Host;
  const servers = new Map<string, ChildProcess>();
  const burners: ChildProcess[] = [];
  let redis: RedisServer;
  let store: Store;
  let ofPort = 0;
  let ctl: Controller;
  let lb: LoadBalancerApp;
  let sampler: NamespaceSampler;
  /** The pool being served now. */
  let current = '';
  const serve = (p: ServedPool): void => {
    lb.setPools([p]);
    current = p.id;
  };
  const vip = () => lb.state.vips.get(current)!;

  /** TCP connect from the probe host's namespace (the controller's own namespace has no route to the backends). */
  const probe = async (target: { address: string; port: number }): Promise<ProbeResult> => {
    const ok = await succeedsIn(
      probeHost.ns,
      ['bash', '-c', `exec 3<>/dev/tcp/${target.address}/${target.port}`],
      { timeoutMs: 2000 },
    );
    return { ok, detail: ok ? 'connected' : 'refused' };
  };

  async function startController(served: ServedPool): Promise<void> {
    ctl = new Controller(
      {
        host: '127.0.0.1',
        port: ofPort,
        discoveryIntervalMs: 1000,
        statsIntervalMs: 0,
        session: { ...SESSION_DEFAULTS, versions: [4], echoIntervalMs: 2000, echoTimeoutMs: 10_000 },
      },
      silentLogger(),
    );
    lb = new LoadBalancerApp({
      settings: { flowIdleTimeoutSeconds: FLOW_IDLE_S, placementLogSize: 20_000 },
      pools: [served],
      store,
      probe,
      tickMs: 250,
    });
    current = served.id;
    await lb.restore();
    ctl.use(lb);
    ctl.use(new L2LearningApp({ idleTimeoutSeconds: 10 }));
    await ctl.listen();
    await until(
      () => ctl.datapath(DPID.vlb0) !== undefined && ctl.datapath(DPID.vlb1) !== undefined,
      20_000,
      'both bridges connected',
    );
    await until(() => ctl.links().length === 2, 15_000, 'the link between the bridges discovered');
    await until(
      () => [...lb.state.vips.values()].every((v) => v.members.every((m) => m.datapathId !== undefined)),
      15_000,
      'every backend located',
    );
  }

  async function get(c: Host): Promise<{ body: string; remote: string }> {
    const r = await runIn(
      c.ns,
      [
        'curl',
        '-s',
        '-m',
        '5',
        '--retry',
        '2',
        '--retry-all-errors',
        '-w',
        ' %{remote_ip}',
        `http://${VIP}/`,
      ],
      { timeoutMs: 20_000 },
    );
    const [body, remote] = r.stdout.split(' ');
    return { body: body!, remote: remote! };
  }

  async function flowCount(bridge: string): Promise<number> {
    const out = (await run('ovs-ofctl', ['-O', 'OpenFlow13', 'dump-aggregate', bridge])).stdout;
    return Number(/flow_count=(\d+)/.exec(out)?.[1] ?? NaN);
  }

  async function lbFlows(bridge: string): Promise<string[]> {
    const out = (await run('ovs-ofctl', ['-O', 'OpenFlow13', 'dump-flows', bridge])).stdout;
    return out.split('\n').filter((l) => l.includes('priority=2000'));
  }

  function startServer(b: Host): void {
    const p = spawnIn(b.ns, [process.execPath, '-e', HTTP_SERVER, b.name, b.ip], { stdio: 'ignore' });
    servers.set(b.name, p);
    sampler.pids.set(b.name, new Set([p.pid!]));
  }

  beforeAll(async () => {
    await ensureOpenvswitch();
    await requireProgram('ip', 'iproute2');
    await requireProgram('curl', 'curl');
    await requireProgram('ethtool', 'ethtool');
    await requireProgram('python3', 'python3');
    redis = await RedisServer.start();
    store = await RedisStore.connect({ url: redis.url, keyPrefix: 'vlb', limits: LIMITS });
    ofPort = await freePort();
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
    await topo.link('vlb0', 'vlb1');
    for (let n = 1; n <= 6; n++)
      backends.push(
        await topo.host(n <= 3 ? 'vlb0' : 'vlb1', { name: `b${n}`, ip: `10.213.4.${10 + n}/24` }),
      );
    for (let n = 1; n <= 12; n++)
      clients.push(await topo.host(n % 2 ? 'vlb0' : 'vlb1', { name: `c${n}`, ip: `10.213.4.${20 + n}/24` }));
    probeHost = await topo.host('vlb0', { name: 'hp', ip: '10.213.4.250/24' });
    sampler = new NamespaceSampler(() => store, backends);
    for (const b of backends) startServer(b);
    sampler.start(1000);
    await startController(pool('rr', 'ROUND_ROBIN'));
  }, 180_000);

  afterAll(async () => {
    sampler?.stop();
    for (const b of burners) b.kill('SIGKILL');
    for (const s of servers.values()) s.kill();
    await ctl?.close();
    await store?.close();
    await redis?.stop();
    await topo.destroy();
  }, 60_000);

  it('answers every request through the VIP; clients see only the VIP; each client stays on its backend', async () => {
    const seen = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      for (const c of clients) {
        const r = await get(c);
        expect(r.remote).toBe(VIP);
        expect(r.body).toMatch(/^b[1-6]$/);
        if (round === 0) seen.set(c.name, r.body);
        else expect(r.body, `${c.name} round ${round}`).toBe(seen.get(c.name));
      }
    }
    for (const c of clients) {
      const neigh = (await runIn(c.ns, ['ip', 'neigh', 'show'])).stdout;
      expect(neigh).toContain(`${VIP} dev eth0 lladdr ${VIP_MAC}`);
      for (const b of backends) expect(neigh).not.toContain(`${b.ip} `);
    }
    // ROUND_ROBIN over twelve new clients: two each.
    const counts = countBy([...seen.values()]);
    expect(Object.keys(counts).sort()).toEqual(['b1', 'b2', 'b3', 'b4', 'b5', 'b6']);
    expect(Math.max(...Object.values(counts)) - Math.min(...Object.values(counts))).toBeLessThanOrEqual(1);
    // The affinity table is in the store.
    const entries = await store.listAffinity('rr');
    expect(entries.map((e) => e.member).sort()).toEqual([...seen.values()].sort());
  }, 120_000);

  it('keeps every client on its backend across a controller restart (affinity in Redis)', async () => {
    const before = new Map<string, string>();
    for (const e of await store.listAffinity('rr')) before.set(e.client, e.member);
    expect(before.size).toBe(12);
    await ctl.close();
    await startController(pool('rr', 'ROUND_ROBIN'));
    for (const c of clients) {
      const r = await get(c);
      expect(r.body, c.name).toBe(before.get(c.mac));
    }
    expect(lb.placements()).toHaveLength(0);
  }, 120_000);

  it('LEAST_LOAD: twelve clients within one metrics interval spread within twice the fair share', async () => {
    serve(pool('ll-burst', 'LEAST_LOAD'));
    const results = await Promise.all(clients.map((c) => get(c)));
    const counts = countBy(results.map((r) => r.body));
    console.info(`LEAST_LOAD burst of 12: ${JSON.stringify(counts)}`);
    expect(Math.max(...Object.values(counts))).toBeLessThanOrEqual(4);
  }, 120_000);

  it('a busy backend gets markedly fewer new clients under LEAST_LOAD, not under ROUND_ROBIN', async () => {
    const busy = backends[1]!; // b2
    // Two burners: the machine is shared, one alone may get a small share of a core.
    const mine = [0, 1].map(() =>
      spawnIn(busy.ns, [process.execPath, '-e', BURNER, '40000'], { stdio: 'ignore' }),
    );
    for (const b of mine) {
      burners.push(b);
      sampler.pids.get(busy.name)!.add(b.pid!);
    }
    const busyCpu = () => vip().members.find((m) => m.id === 'b2')?.load?.cpuPercent ?? 0;
    try {
      // Clearly busy, not a first sample that caught the burners starting (16 % once: the scores of b2
      // and of the idle backends were then within the hysteresis, and b2 got its fair share).
      await until(() => busyCpu() > 50, 20_000, 'the burners in the metrics');
      serve(pool('ll-busy', 'LEAST_LOAD'));
      await until(() => busyCpu() > 50, 20_000, 'the busy metrics');
      const cpuAtStart = busyCpu();
      const ll: string[] = [];
      for (const c of clients) ll.push((await get(c)).body);
      serve(pool('rr-busy', 'ROUND_ROBIN'));
      const rr: string[] = [];
      for (const c of clients) rr.push((await get(c)).body);
      const llCounts = countBy(ll);
      const rrCounts = countBy(rr);
      console.info(
        `busy b2 at ${cpuAtStart.toFixed(0)} % CPU: LEAST_LOAD ${JSON.stringify(llCounts)}, ROUND_ROBIN ${JSON.stringify(rrCounts)}`,
      );
      const others = ['b1', 'b3', 'b4', 'b5', 'b6'].map((b) => llCounts[b] ?? 0);
      expect(llCounts.b2 ?? 0).toBeLessThanOrEqual(1);
      expect(llCounts.b2 ?? 0).toBeLessThan(Math.min(...others.filter((x) => x > 0)));
      expect(rrCounts.b2).toBe(2);
    } finally {
      for (const b of mine) b.kill('SIGKILL');
    }
  }, 120_000);

  it('a stopped backend: new clients avoid it at once, its clients are placed again and answered', async () => {
    serve(
      pool('hm', 'ROUND_ROBIN', {
        healthMonitor: {
          type: 'TCP',
          delaySeconds: 0.5,
          timeoutSeconds: 1,
          rise: 1,
          fall: 2,
          httpMethod: 'GET',
          urlPath: '/',
          expectedCodes: '200',
        },
      }),
    );
    const first = new Map<string, string>();
    for (const c of clients) first.set(c.name, (await get(c)).body);
    const victim = backends[2]!; // b3
    const orphans = clients.filter((c) => first.get(c.name) === victim.name);
    expect(orphans.length).toBe(2);
    servers.get(victim.name)!.kill();
    await until(
      () => vip().members.find((m) => m.id === 'b3')!.health === 'DOWN',
      10_000,
      'the health monitor to take b3 down',
    );
    for (const c of orphans) {
      const r = await get(c);
      expect(r.body).not.toBe('b3');
      expect(r.body).toMatch(/^b[1-6]$/);
    }
    // Everyone else kept their backend.
    for (const c of clients.filter((x) => !orphans.includes(x)))
      expect((await get(c)).body).toBe(first.get(c.name));
    for (const br of ['vlb0', 'vlb1'])
      for (const l of await lbFlows(br)) expect(l).not.toContain('10.213.4.13');
    startServer(victim);
    await until(() => vip().members.find((m) => m.id === 'b3')!.health === 'UP', 10_000, 'b3 back up');
  }, 120_000);

  it('idle flows expire and affinity entries expire after their timeout', async () => {
    serve(pool('idle', 'ROUND_ROBIN', {}, 6));
    for (const c of clients.slice(0, 4)) await get(c);
    expect((await lbFlows('vlb0')).length + (await lbFlows('vlb1')).length).toBeGreaterThan(0);
    expect(await store.listAffinity('idle')).toHaveLength(4);
    await until(
      async () => (await lbFlows('vlb0')).length + (await lbFlows('vlb1')).length === 0,
      (FLOW_IDLE_S + 8) * 1000,
      'client flows to idle out',
    );
    // Persistence timeout 6 s after the last activity.
    await until(
      async () => (await store.listAffinity('idle')).length === 0,
      15_000,
      'affinity entries to expire',
    );
    // The controller's own copy goes at its next sweep (every 250 ms here).
    await until(() => vip().clients.size === 0, 2000, 'the controller to forget them');
  }, 60_000);

  it('the flow tables do not grow without bound over 10,000 short-lived clients', async () => {
    serve(pool('churn', 'LEAST_CONNECTIONS', {}, 5));
    const base = (await flowCount('vlb0')) + (await flowCount('vlb1'));
    const c = clients[0]!;
    const gen = spawnIn(c.ns, ['python3', '-c', CHURN, '10000', '1000', c.ip, VIP, VIP_MAC], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    gen.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    let peak = 0;
    const exited = new Promise<number>((r) => gen.on('exit', (code) => r(code ?? -1)));
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      peak = Math.max(peak, (await flowCount('vlb0')) + (await flowCount('vlb1')));
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(await exited, stderr).toBe(0);
    console.info(
      `churn: ${lb.placements(20_000, 'churn').length} placements, peak ${peak} flows on both bridges (baseline ${base})`,
    );
    await until(
      () => lb.placements(20_000, 'churn').length >= 9_900,
      20_000,
      'the placements of (nearly) every SYN',
    );
    // At 1,000 new clients/s and a 3 s idle timeout, about 3,000 clients have flows at once (2-4 each).
    expect(peak).toBeLessThan(base + 4 * 4_500);
    await until(
      async () => (await flowCount('vlb0')) + (await flowCount('vlb1')) <= base + 20,
      (FLOW_IDLE_S + 10) * 1000,
      'the churn flows to idle out',
    );
    await until(() => vip().clients.size === 0, 20_000, 'the churn affinity entries to expire');
  }, 180_000);
});

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
