import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLabRoute, inLabRange, LAB_RANGE } from '../../src/lab/host/lab-range.js';
import { deleteNamespace, runIn, succeedsIn } from '../../src/lab/host/netns.js';
import { ensureOpenvswitch, run, succeeds } from '../../src/lab/host/services.js';
import { Topology } from '../../src/lab/host/topology.js';

// Real Open vSwitch (userspace datapath) with two namespace hosts on a bridge that switches by itself.
describe('lab topology on real Open vSwitch', () => {
  const topo = new Topology('vtopo');

  beforeAll(async () => {
    await ensureOpenvswitch();
    await topo.bridge('vtopo0', { failMode: 'standalone' });
    await topo.bridge('vtopo1', { failMode: 'standalone' });
    await topo.link('vtopo0', 'vtopo1');
    await topo.host('vtopo0', { name: 'h1', ip: '10.213.9.1/24', mac: '02:13:09:00:00:01' });
    await topo.host('vtopo1', { name: 'h2', ip: '10.213.9.2/24' });
  });

  afterAll(() => topo.destroy());

  it('hosts on two bridges joined by a link reach each other', async () => {
    const h1 = topo.getHost('h1');
    expect(h1.mac).toBe('02:13:09:00:00:01');
    expect(h1.ofport).toBeGreaterThan(0);
    const { stdout } = await runIn(h1.ns, ['ping', '-c', '2', '-W', '2', '10.213.9.2']);
    expect(stdout).toMatch(/2 received/);
  });

  it('leaves the host a blackhole route for the lab range, and no way to route into it', async () => {
    const routes = JSON.parse((await run('ip', ['-j', 'route', 'show', 'exact', LAB_RANGE])).stdout);
    expect(routes).toEqual([expect.objectContaining({ type: 'blackhole', dst: LAB_RANGE })]);
    expect(await succeeds('ip', ['route', 'get', '10.213.9.2'])).toBe(false);
  });

  it('refuses a host address outside the lab range', async () => {
    const t = new Topology('vtopr');
    try {
      await expect(t.host('vtopo0', { name: 'h9', ip: '192.168.9.1/24' })).rejects.toThrow(
        "192.168.9.1 is outside the lab's range 10.213.0.0/16",
      );
      expect(await succeeds('ip', ['netns', 'pids', 'vtopr-h9'])).toBe(false);
    } finally {
      await t.destroy();
    }
    expect([inLabRange('10.213.0.0'), inLabRange('10.213.255.255'), inLabRange('10.214.0.1')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(inLabRange('10.213.1')).toBe(false);
  });

  it('destroy removes every bridge and namespace it made, and what still runs in them', async () => {
    const t = new Topology('vtopx');
    await t.bridge('vtopx0');
    const h = await t.host('vtopx0', { name: 'h1', ip: '10.213.9.9/24' });
    const sleeper = runIn(h.ns, ['sleep', '60'], { timeoutMs: 60_000 }).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 200));
    await t.destroy();
    expect(await sleeper).toBeInstanceOf(Error);
    const bridges = (await run('ovs-vsctl', ['list-br'])).stdout.split('\n');
    expect(bridges).not.toContain('vtopx0');
    const ns = (await run('ip', ['netns', 'list'])).stdout;
    expect(ns).not.toMatch(/vtopx-h1/);
  });
});

// The route guard inside a namespace of its own, so that the host's routes are never touched.
describe('the lab range route guard', () => {
  const NS = 'vtopg-rt';

  beforeAll(async () => {
    await deleteNamespace(NS);
    await run('ip', ['netns', 'add', NS]);
    await runIn(NS, ['ip', 'link', 'set', 'lo', 'up']);
  });

  afterAll(() => deleteNamespace(NS));

  it('installs the blackhole route where a default route would have carried lab traffic out', async () => {
    await runIn(NS, ['ip', 'addr', 'add', '198.51.100.1/24', 'dev', 'lo']);
    await runIn(NS, ['ip', 'route', 'add', 'default', 'dev', 'lo']);
    expect(await succeedsIn(NS, ['ip', 'route', 'get', '10.213.1.1'])).toBe(true);
    await ensureLabRoute(NS);
    expect(await succeedsIn(NS, ['ip', 'route', 'get', '10.213.1.1'])).toBe(false);
    const show = (await runIn(NS, ['ip', 'route', 'show', 'exact', LAB_RANGE])).stdout;
    expect(show.trim()).toBe(`blackhole ${LAB_RANGE}`);
    // Idempotent: a second call replaces the route with itself.
    await ensureLabRoute(NS);
    expect((await runIn(NS, ['ip', 'route', 'show', 'root', LAB_RANGE])).stdout.trim()).toBe(
      `blackhole ${LAB_RANGE}`,
    );
  });

  it('fails, naming the route, when an address in the range is routed', async () => {
    await runIn(NS, ['ip', 'addr', 'add', '10.213.77.1/24', 'dev', 'lo']);
    try {
      await expect(ensureLabRoute(NS)).rejects.toThrow(
        /network namespace vtopg-rt routes into .*10\.213\.77\.0\/24/,
      );
    } finally {
      await runIn(NS, ['ip', 'addr', 'del', '10.213.77.1/24', 'dev', 'lo']);
    }
    await expect(ensureLabRoute(NS)).resolves.toBeUndefined();
  });
});
