// The monitor against the host's real libvirtd, through its read-only socket, on libvirt's test driver:
// the default test host and a file of many domains. Needs libvirt-daemon and libvirt-clients.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { register } from '../../src/cli/commands/monitor.js';
import { ensureLibvirtd, run } from '../../src/lab/host/services.js';
import { HostMonitor } from '../../src/monitor/host-monitor.js';
import type { VmSample } from '../../src/monitor/vm-sample.js';
import { parseVirshDomstats } from '../../src/lab/host/virsh-domstats.js';

const COUNT = 200;

function mac(i: number): string {
  return `52:54:00:d3:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
}

/** What Nova writes into the first domain's XML. */
const NOVA_METADATA =
  `<metadata><nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">` +
  `<nova:name>web-1</nova:name><nova:flavor name="m1.tiny"><nova:vcpus>1</nova:vcpus></nova:flavor>` +
  `<nova:owner><nova:user uuid="0b5e5a3c">alice</nova:user><nova:project uuid="7d1c2b4a">shop</nova:project>` +
  `</nova:owner></nova:instance></metadata>`;

function domainsFile(count: number): string {
  const doms = Array.from({ length: count }, (_, i) => {
    const hex = i.toString(16).padStart(12, '0');
    return (
      `<domain type='test'><name>vmon-t${i}</name><uuid>766d6f6e-7465-4000-8000-${hex}</uuid>` +
      (i === 0 ? NOVA_METADATA : '') +
      `<memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices>` +
      `<interface type='bridge'><mac address='${mac(i)}'/><source bridge='vmon0'/><target dev='vmon-t${i}'/></interface>` +
      `</devices></domain>`
    );
  });
  return `<node><cpu><mhz>2000</mhz><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads></cpu><memory>8388608</memory>${doms.join('')}</node>`;
}

describe('the monitor on libvirtd’s test driver', () => {
  let dir: string;
  let uri: string;

  beforeAll(async () => {
    await ensureLibvirtd();
    dir = await mkdtemp(join(tmpdir(), 'vmon-'));
    const file = join(dir, 'domains.xml');
    await writeFile(file, domainsFile(COUNT));
    uri = `test+unix://${file}`;
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads the default test host: inventory from the domain XML and a sample per running domain', async () => {
    const m = new HostMonitor({ uri: 'test+unix:///default', onSample: () => {} });
    try {
      await m.connect();
      expect(m.status()).toMatchObject({ connected: true });
      expect(m.status().hostname).toBeTruthy();
      const test = m.inventory().find((i) => i.name === 'test');
      expect(test).toMatchObject({ uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', type: 'test' });
      expect(test!.vnics[0]).toMatchObject({ mac: 'aa:bb:cc:dd:ee:ff' });
      expect(m.vmByMac('aa:bb:cc:dd:ee:ff')?.name).toBe('test');
      const samples = await m.poll();
      const s = samples.find((x) => x.name === 'test');
      expect(s).toMatchObject({ state: 'running', stale: false, host: 'test+unix:///default' });
      expect(s!.metrics['state.code']).toBe(1);
    } finally {
      await m.stop();
    }
  });

  it(`polls a host of ${COUNT} domains in one call, matching virsh domstats`, async () => {
    const m = new HostMonitor({ uri, onSample: () => {} });
    try {
      await m.connect();
      expect(m.inventory()).toHaveLength(COUNT);
      for (const i of [0, 1, COUNT - 1]) {
        expect(m.vmByMac(mac(i))?.name).toBe(`vmon-t${i}`);
        expect(m.vmByPort(`vmon-t${i}`)?.name).toBe(`vmon-t${i}`);
      }
      const samples = await m.poll();
      const { stdout } = await run('virsh', ['-c', uri, 'domstats', '--raw']);
      const ref = parseVirshDomstats(stdout);
      expect(samples.map((s) => s.name).sort()).toEqual(ref.map((r) => r.name).sort());
      for (const r of ref) {
        const s = samples.find((x) => x.name === r.name)!;
        expect(s.metrics['state.code']).toBe(r.params.get('state.state'));
      }
    } finally {
      await m.stop();
    }
  });

  it('`vigil monitor --once --json` prints every VM’s sample after two polls one interval apart, with its inventory', async () => {
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const program = new Command('vigil').option('-c, --config <file>').option('--log-level <level>');
    register(program);
    const t = Date.now();
    try {
      await program.parseAsync([
        'node',
        'vigil',
        '--log-level',
        'silent',
        'monitor',
        '--libvirt',
        uri,
        '--interval',
        '0.3',
        '--once',
        '--json',
      ]);
    } finally {
      write.mockRestore();
    }
    expect(Date.now() - t).toBeGreaterThanOrEqual(300);
    const samples = JSON.parse(out.join('')) as VmSample[];
    expect(samples).toHaveLength(COUNT);
    for (const s of samples) {
      expect(s.host).toBe(uri);
      expect(s.intervalSeconds).toBeGreaterThanOrEqual(0.29);
    }
    expect(new Set(samples.map((s) => s.uuid)).size).toBe(COUNT);
    // The test driver reports no interface statistics: each vNIC comes from the domain XML alone.
    const { stdout } = await run('virsh', ['-c', uri, 'domstats', '--raw', '--interface', 'vmon-t0']);
    expect([...parseVirshDomstats(stdout)[0]!.params.keys()].filter((k) => k.startsWith('net.'))).toEqual([]);
    for (let i = 0; i < COUNT; i++) {
      const s = samples.find((x) => x.name === `vmon-t${i}`);
      expect(s?.nics, `vmon-t${i}`).toEqual([
        { portName: `vmon-t${i}`, mac: mac(i), bridge: 'vmon0', openvswitch: false },
      ]);
    }
    expect(samples.find((x) => x.name === 'vmon-t0')!.nova).toMatchObject({
      name: 'web-1',
      flavor: { name: 'm1.tiny', vcpus: 1 },
      project: { uuid: '7d1c2b4a', name: 'shop' },
      user: { uuid: '0b5e5a3c', name: 'alice' },
    });
  });

  it('`vigil monitor` refuses to start without a host, and --json without --once', async () => {
    const errors: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    });
    const before = process.exitCode;
    try {
      for (const args of [['monitor'], ['monitor', '--libvirt', uri, '--json']]) {
        const program = new Command('vigil').option('-c, --config <file>').option('--log-level <level>');
        register(program);
        process.exitCode = undefined;
        await program.parseAsync(['node', 'vigil', ...args]);
        expect(process.exitCode).toBe(2);
      }
    } finally {
      write.mockRestore();
      process.exitCode = before;
    }
    expect(errors.join('')).toMatch(/no libvirt host to monitor/);
    expect(errors.join('')).toMatch(/--json goes with --once/);
  });
});
