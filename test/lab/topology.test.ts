import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureOpenvswitch, run } from '../../src/lab/host-services.js';
import { Topology } from '../../src/lab/topology.js';

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
    const { stdout } = await topo.exec(h1.ns, ['ping', '-c', '2', '-W', '2', '10.213.9.2']);
    expect(stdout).toMatch(/2 received/);
  });

  it('destroy removes every bridge and namespace it made', async () => {
    const t = new Topology('vtopx');
    await t.bridge('vtopx0');
    await t.host('vtopx0', { name: 'h1', ip: '10.213.9.9/24' });
    await t.destroy();
    const bridges = (await run('ovs-vsctl', ['list-br'])).stdout.split('\n');
    expect(bridges).not.toContain('vtopx0');
    const ns = (await run('ip', ['netns', 'list'])).stdout;
    expect(ns).not.toMatch(/vtopx-h1/);
  });
});
