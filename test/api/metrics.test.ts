import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from './support/harness.js';
import { parsePrometheusText, type PromFamily } from './support/prometheus-text.js';
import { demoVms } from './support/vm-feed.js';
import { deviceMetric } from '../../src/api/prometheus.js';

const [WEB1, WEB2, DB1] = demoVms();

/** `promtool check metrics` (Debian's prometheus package) on `text`: its exit code and every line it wrote. */
function promtoolCheck(text: string): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new Error('promtool is missing: install Debian’s prometheus package (scripts/setup does)')
          : err,
      ),
    );
    child.once('close', (code) => resolve({ code, lines: out.split('\n').filter((l) => l !== '') }));
    child.stdin.end(text);
  });
}

function one(fams: Map<string, PromFamily>, name: string, labels: Record<string, string>): number {
  const f = fams.get(name);
  expect(f, name).toBeDefined();
  const hits = f!.samples.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  expect(hits, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return hits[0]!.value;
}

describe('the strict exposition parser', () => {
  it('accepts the format and rejects deviations', () => {
    const good =
      '# HELP a_total help\n# TYPE a_total counter\na_total{x="1",y="q\\"\\\\\\n"} 3\na_total{x="2"} 4e3\n# TYPE g gauge\ng NaN\ng{l="v"} +Inf\n';
    const f = parsePrometheusText(good);
    expect(f.get('a_total')!.samples.map((s) => s.value)).toEqual([3, 4000]);
    expect(f.get('a_total')!.samples[0]!.labels.y).toBe('q"\\\n');
    const bad = [
      'a 1',
      'a{x=1} 1\n',
      'a{x="1"} one\n',
      '1a 1\n',
      'a{x="1",x="2"} 1\n',
      'a{x="1"} 1\na{x="1"} 2\n',
      '# TYPE a counter\na -1\n',
      '# TYPE a counter\na 1\n# TYPE b gauge\nb 1\na 2\n',
      '# TYPE a bogus\n',
      'a{x="\\t"} 1\n',
      'a 1\n# TYPE a gauge\n',
    ];
    for (const b of bad) expect(() => parsePrometheusText(b), JSON.stringify(b)).toThrow();
  });

  it('splits per-device sample keys and leaves totals alone', () => {
    expect(deviceMetric('net.vnet0.rx_bytes', 'net.')).toEqual(['vnet0', 'rx_bytes']);
    expect(deviceMetric('net.rx_bytes_per_s', 'net.')).toBeUndefined();
    expect(deviceMetric('disk.vda.read_bytes_per_s', 'disk.')).toEqual(['vda', 'read_bytes_per_s']);
    expect(deviceMetric('disk.a.b.c', 'disk.')).toBeUndefined();
    expect(deviceMetric('cpu.percent', 'net.')).toBeUndefined();
  });
});

describe('/metrics', () => {
  let h: Harness;
  let text: string;
  let fams: Map<string, PromFamily>;
  let pool: string;

  beforeAll(async () => {
    h = await harness({ processMetrics: true });
    const t0 = Date.now() - 10_000;
    for (let i = 0; i < 3; i++) await h.feed.poll(t0 + i * 5000);
    const lb = await h.balancer.createLoadBalancer({ vip_address: '10.213.9.100', name: 'shop' });
    pool = (
      await h.balancer.createPool({
        loadbalancer_id: lb.id,
        protocol: 'TCP',
        protocol_port: 80,
        lb_algorithm: 'LEAST_CONNECTIONS',
        name: 'web',
      })
    ).id;
    await h.balancer.createMember(pool, { address: '10.213.9.11', vm_uuid: WEB1!.uuid, weight: 3 });
    for (const [client, bytes] of [
      ['02:00:00:00:00:01', 1500],
      ['02:00:00:00:00:02', 500],
    ] as const) {
      await h.driver.place(pool, client);
      h.driver.traffic(client, bytes, 4 * bytes);
    }
    const r = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain; version=0.0.4');
    text = r.body;
    fams = parsePrometheusText(text);
  });
  afterAll(async () => h.close());

  it('parses as Prometheus text and types every family', () => {
    expect(fams.size).toBeGreaterThan(30);
    for (const f of fams.values()) {
      expect(f.type, f.name).not.toBe('untyped');
      expect(f.help, f.name).toBeTruthy();
      if (f.type === 'counter') expect(f.name, f.name).toMatch(/_total$/);
    }
  });

  it('carries every VM’s figures with vm, uuid, host and project labels', () => {
    for (const vm of [WEB1!, WEB2!, DB1!]) {
      const l = { vm: vm.name, uuid: vm.uuid, host: vm.host, project: vm.project };
      expect(one(fams, 'vigil_vm_cpu_percent', l)).toBeCloseTo(vm.load * 100, 6);
      expect(one(fams, 'vigil_vm_vcpus', l)).toBe(vm.vcpus);
      expect(one(fams, 'vigil_vm_memory_used_bytes', l)).toBe((1_000_000 - 600_000) * 1024);
      expect(one(fams, 'vigil_vm_running', l)).toBe(1);
      expect(one(fams, 'vigil_vm_stale', l)).toBe(0);
      expect(one(fams, 'vigil_vm_cpu_seconds_total', l)).toBeCloseTo(5 + vm.load * vm.vcpus * 10, 6);
      const nic = { ...l, interface: `vnet-${vm.name}` };
      expect(one(fams, 'vigil_vm_network_receive_bytes_per_second', nic)).toBeCloseTo(vm.rxRate, 0);
      expect(one(fams, 'vigil_vm_network_receive_bytes_total', nic)).toBe(1000 + vm.rxRate * 10);
      expect(one(fams, 'vigil_vm_disk_write_bytes_total', { ...l, device: 'vda' })).toBe(8192);
    }
  });

  it('carries pool, member and internal figures', () => {
    expect(one(fams, 'vigil_pool_active_clients', { pool, pool_name: 'web' })).toBe(2);
    expect(one(fams, 'vigil_pool_bytes_in_total', { pool })).toBe(2000);
    expect(one(fams, 'vigil_member_active_clients', { pool, vm: WEB1!.uuid })).toBe(2);
    expect(one(fams, 'vigil_member_weight', { pool })).toBe(3);
    expect(one(fams, 'vigil_member_operating_status', { pool, status: 'NO_MONITOR' })).toBe(1);
    expect(one(fams, 'vigil_member_operating_status', { pool, status: 'ONLINE' })).toBe(0);
    expect(one(fams, 'vigil_openflow_packet_ins_total', {})).toBe(1234);
    expect(one(fams, 'vigil_openflow_flow_mods_total', {})).toBe(56);
    expect(one(fams, 'vigil_sflow_datagrams_total', {})).toBe(9000);
    expect(one(fams, 'vigil_sflow_dropped_datagrams_total', { reason: 'decode_error' })).toBe(3);
    expect(
      one(fams, 'vigil_libvirt_poll_duration_seconds_total', { host: 'qemu+tcp://compute-1/system' }),
    ).toBe(3.5);
    expect(one(fams, 'vigil_libvirt_connected', { host: 'qemu+tcp://compute-1/system' })).toBe(1);
    expect(fams.get('vigil_process_cpu_seconds_total')?.type).toBe('counter');
  });

  it('passes `promtool check metrics` without a warning, scraped over HTTP with every part populated', async () => {
    const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${address}/metrics`);
    expect(res.status).toBe(200);
    const scraped = await res.text();
    for (const part of ['vm', 'pool', 'member', 'openflow', 'sflow', 'libvirt', 'api', 'process', 'nodejs']) {
      expect(scraped, `no vigil_${part}_* sample`).toMatch(new RegExp(`^vigil_${part}_[a-z_]+[{ ]`, 'm'));
    }
    const check = await promtoolCheck(scraped);
    expect(check.lines).toEqual([]);
    expect(check.code).toBe(0);
  });

  it('follows the state: changed counters show their new value, a deleted pool disappears', async () => {
    h.internals.state.controller!.packetIns = 2000;
    const r1 = parsePrometheusText((await h.app.inject({ method: 'GET', url: '/metrics' })).body);
    expect(one(r1, 'vigil_openflow_packet_ins_total', {})).toBe(2000);
    await h.balancer.deletePool(pool);
    const r2 = parsePrometheusText((await h.app.inject({ method: 'GET', url: '/metrics' })).body);
    expect(r2.get('vigil_pool_active_clients')?.samples ?? []).toEqual([]);
    expect(r2.get('vigil_member_weight')?.samples ?? []).toEqual([]);
  });

  it('counts the dropped packet-ins of the controller by reason', async () => {
    h.internals.state.controller!.droppedMessages = { hold_queue_full: 3, session_dead: 0 };
    const f = parsePrometheusText((await h.app.inject({ method: 'GET', url: '/metrics' })).body);
    expect(f.get('vigil_openflow_dropped_messages_total')?.type).toBe('counter');
    expect(one(f, 'vigil_openflow_dropped_messages_total', { reason: 'hold_queue_full' })).toBe(3);
    expect(one(f, 'vigil_openflow_dropped_messages_total', { reason: 'session_dead' })).toBe(0);
  });

  it('escapes hostile label values', async () => {
    const s = (await h.store.getSample(WEB1!.uuid))!;
    await h.store.putSample({ ...s, uuid: 'evil-1', name: 'a"b\\c\nd', time: Date.now() });
    const f = parsePrometheusText((await h.app.inject({ method: 'GET', url: '/metrics' })).body);
    expect(one(f, 'vigil_vm_vcpus', { uuid: 'evil-1' })).toBe(WEB1!.vcpus);
    expect(f.get('vigil_vm_vcpus')!.samples.find((x) => x.labels.uuid === 'evil-1')!.labels.vm).toBe(
      'a"b\\c\nd',
    );
  });
});

describe('the Grafana dashboard', () => {
  it('queries only metrics and labels that /metrics exposes', async () => {
    const { readFileSync } = await import('node:fs');
    const dash = JSON.parse(
      readFileSync(new URL('../../docs/grafana/vigil-dashboard.json', import.meta.url), 'utf8'),
    ) as {
      panels: Array<{ title: string; targets?: Array<{ expr: string; legendFormat?: string }> }>;
      templating: { list: Array<{ query: unknown }> };
    };
    const h = await harness({ processMetrics: true });
    try {
      await h.feed.poll(Date.now() - 5000);
      await h.feed.poll(Date.now());
      const lb = await h.balancer.createLoadBalancer({ vip_address: '10.213.9.100' });
      const pool = await h.balancer.createPool({
        loadbalancer_id: lb.id,
        protocol: 'TCP',
        protocol_port: 80,
        lb_algorithm: 'LEAST_CONNECTIONS',
      });
      await h.balancer.createMember(pool.id, { address: '10.213.9.11' });
      await h.driver.place(pool.id, '02:00:00:00:00:01');
      h.driver.traffic('02:00:00:00:00:01', 100, 400);
      await h.events.start();
      const fams = parsePrometheusText((await h.app.inject({ method: 'GET', url: '/metrics' })).body);
      const labelsOf = (name: string) =>
        new Set(fams.get(name)!.samples.flatMap((s) => Object.keys(s.labels)));
      const exprs = dash.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));
      for (const v of dash.templating.list) {
        const q = v.query as { query?: string } | string | undefined;
        const text = typeof q === 'string' ? q : q?.query;
        if (text?.includes('vigil_')) exprs.push({ panel: 'variable', expr: text });
      }
      expect(exprs.length).toBeGreaterThan(25);
      for (const { panel, expr, legendFormat } of exprs) {
        const used = [...expr.matchAll(/\b(vigil_[a-z0-9_]+)(\{([^}]*)\})?/g)];
        expect(used.length, `${panel}: ${expr}`).toBeGreaterThan(0);
        const names = new Set<string>();
        for (const [, name, , selector] of used) {
          expect(fams.has(name!), `${panel}: ${name} is not exported`).toBe(true);
          names.add(name!);
          for (const [, label] of (selector ?? '').matchAll(/([a-z_]+)\s*=~?/g)) {
            expect(labelsOf(name!).has(label!), `${panel}: ${name} has no label ${label}`).toBe(true);
          }
        }
        const all = new Set([...names].flatMap((n) => [...labelsOf(n)]));
        for (const [, label] of expr.matchAll(/by \(([a-z_, ]+)\)/g)) {
          for (const l of label!.split(',').map((x) => x.trim()))
            expect(all.has(l), `${panel}: by (${l})`).toBe(true);
        }
        for (const [, label] of (legendFormat ?? '').matchAll(/\{\{(\w+)\}\}/g)) {
          expect(all.has(label!), `${panel}: legend {{${label}}}`).toBe(true);
        }
      }
    } finally {
      await h.close();
    }
  });
});
