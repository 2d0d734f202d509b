// Against real QEMU VMs through the host's libvirtd (read-only socket): two tiny guests on an OVS bridge,
// a namespace host sending them traffic, and `virsh domstats --raw` as the reference.
// Needs openvswitch-switch, libvirt-daemon, libvirt-clients, qemu-system-x86, busybox-static, cpio.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureGuestImage } from '../../src/lab/guest-image.js';
import { runIn } from '../../src/lab/host/netns.js';
import { ensureLibvirtd, ensureOpenvswitch, requireProgram, run } from '../../src/lab/host/services.js';
import { Topology, type Host } from '../../src/lab/host/topology.js';
import { destroyVm, startVm, type LabVm } from '../../src/lab/vm.js';
import { HostMonitor, type VmRemoved } from '../../src/monitor/host-monitor.js';
import type { VmSample } from '../../src/monitor/vm-sample.js';
import { parseVirshDomstats } from '../../src/lab/host/virsh-domstats.js';

const URI = 'qemu:///system';
const VMS = [
  { name: 'vmon-a', ip: '10.213.3.10/24', mac: '52:54:00:d3:03:0a', port: 'vmon-a0' },
  { name: 'vmon-b', ip: '10.213.3.11/24', mac: '52:54:00:d3:03:0b', port: 'vmon-b0' },
] as const;

type Stats = Map<string, number | string | boolean | bigint>;

async function virshStats(): Promise<Map<string, Stats>> {
  const { stdout } = await run('virsh', ['-c', URI, 'domstats', '--raw', ...VMS.map((v) => v.name)]);
  return new Map(parseVirshDomstats(stdout).map((d) => [d.name, d.params]));
}

/** virsh field(s) behind each raw (non-rate) metric name, as [field, scale]. */
function virshFieldOf(metric: string, stats: Stats): [string, number] | undefined {
  const fixed: Record<string, [string, number]> = {
    'state.code': ['state.state', 1],
    'cpu.time_ns': ['cpu.time', 1],
    'vcpu.count': ['vcpu.current', 1],
    'vcpu.maximum': ['vcpu.maximum', 1],
    'memory.current_bytes': ['balloon.current', 1024],
    'memory.maximum_bytes': ['balloon.maximum', 1024],
    'memory.rss_bytes': ['balloon.rss', 1024],
    'memory.available_bytes': ['balloon.available', 1024],
    'memory.usable_bytes': ['balloon.usable', 1024],
    'memory.unused_bytes': ['balloon.unused', 1024],
  };
  if (fixed[metric]) return fixed[metric];
  let m = /^vcpu\.(\d+)\.(time|wait|delay)_ns$/.exec(metric);
  if (m) return [`vcpu.${m[1]}.${m[2]}`, 1];
  m = /^net\.([^.]+)\.(rx|tx)_(bytes|packets|errors|drops)$/.exec(metric);
  if (m) {
    const idx = [...stats.entries()]
      .find(([k, v]) => /^net\.\d+\.name$/.test(k) && v === m![1])?.[0]
      .split('.')[1];
    const field = { bytes: 'bytes', packets: 'pkts', errors: 'errs', drops: 'drop' }[m[3] as 'bytes'];
    return idx === undefined ? undefined : [`net.${idx}.${m[2]}.${field}`, 1];
  }
  m = /^disk\.([^.]+)\.(read|write)_(bytes|requests)$/.exec(metric);
  if (m) {
    const idx = [...stats.entries()]
      .find(([k, v]) => /^block\.\d+\.name$/.test(k) && v === m![1])?.[0]
      .split('.')[1];
    const field = `${m[2] === 'read' ? 'rd' : 'wr'}.${m[3] === 'bytes' ? 'bytes' : 'reqs'}`;
    return idx === undefined ? undefined : [`block.${idx}.${field}`, 1];
  }
  return undefined;
}

const num = (v: unknown): number => {
  if (typeof v !== 'number') throw new Error(`not a number: ${String(v)}`);
  return v;
};

/** Derived metrics: rates and percentages (checked separately), flags and computed memory. */
const DERIVED = /(_per_s|_percent)$|^memory\.(used_bytes|guest_reported)$/;

describe('the VM monitor against real QEMU VMs', () => {
  const topo = new Topology('vmon');
  let h1: Host;
  let dir: string;
  const vms: LabVm[] = [];
  let monitor: HostMonitor;
  const removed: Array<VmRemoved & { at: number }> = [];

  beforeAll(async () => {
    await requireProgram('qemu-system-x86_64', 'qemu-system-x86');
    await requireProgram('ping', 'iputils-ping');
    await requireProgram('curl', 'curl');
    await ensureOpenvswitch();
    await ensureLibvirtd();
    const image = await ensureGuestImage();
    dir = await mkdtemp(join(tmpdir(), 'vmon-'));
    await topo.bridge('vmon0');
    h1 = await topo.host('vmon0', { name: 'h1', ip: '10.213.3.1/24' });
    for (const v of VMS) {
      const disk = join(dir, `${v.name}.img`);
      await run('truncate', ['-s', '16M', disk]);
      vms.push(
        await startVm({
          name: v.name,
          kernel: image.kernel,
          initrd: image.initrd,
          ip: v.ip,
          bridge: 'vmon0',
          mac: v.mac,
          portName: v.port,
          consoleLog: join(dir, `${v.name}.console.log`),
          diskImage: disk,
        }),
      );
    }
    monitor = new HostMonitor({
      uri: URI,
      intervalMs: 60_000,
      onSample: () => {},
      onRemove: (r) => removed.push({ ...r, at: Date.now() }),
    });
    await monitor.connect();
  }, 240_000);

  afterAll(async () => {
    await monitor?.stop();
    for (const v of VMS) await destroyVm(v.name, { uri: URI });
    await topo.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('reads each VM’s inventory from its domain XML: MAC, OVS port, bridge', () => {
    for (const v of VMS) {
      const ref = monitor.vmByMac(v.mac);
      expect(ref?.name).toBe(v.name);
      expect(monitor.vmByPort(v.port)?.name).toBe(v.name);
      const inv = monitor.inventory().find((i) => i.name === v.name)!;
      expect(inv.uuid).toBe(vms.find((x) => x.name === v.name)!.uuid);
      expect(inv.vnics).toEqual([
        expect.objectContaining({ mac: v.mac, bridge: 'vmon0', portName: v.port, openvswitch: true }),
      ]);
      expect(inv.disks.map((d) => d.target)).toEqual(['vda']);
    }
  });

  it('reports every raw stat as virsh domstats --raw does at the same instant', async () => {
    // Let the balloon driver report at least once (stats period 2 s).
    await new Promise((r) => setTimeout(r, 2500));
    const before = await virshStats();
    const samples = mine(await monitor.poll());
    const after = await virshStats();
    expect(samples.map((s) => s.name).sort()).toEqual(VMS.map((v) => v.name));
    for (const s of samples) {
      const v1 = before.get(s.name)!;
      const v2 = after.get(s.name)!;
      let checked = 0;
      for (const [metric, value] of Object.entries(s.metrics)) {
        if (DERIVED.test(metric)) continue;
        const f = virshFieldOf(metric, v2);
        expect(f, `${s.name}: no virsh field for ${metric}`).toBeDefined();
        const [field, scale] = f!;
        const lo = Math.min(num(v1.get(field)), num(v2.get(field))) * scale;
        const hi = Math.max(num(v1.get(field)), num(v2.get(field))) * scale;
        // RSS is sampled by the daemon at each call: allow 2 % around the two readings.
        const slack = metric === 'memory.rss_bytes' ? hi * 0.02 : 0;
        expect(value, `${s.name} ${metric} (virsh ${field}: ${lo}..${hi})`).toBeGreaterThanOrEqual(
          lo - slack,
        );
        expect(value, `${s.name} ${metric} (virsh ${field}: ${lo}..${hi})`).toBeLessThanOrEqual(hi + slack);
        checked++;
      }
      // state, cpu, 2 vcpu, 4 balloon sizes + 3 guest figures, 3 per vCPU, 8 per vNIC, 4 per disk.
      expect(checked).toBeGreaterThanOrEqual(20);
      expect(s.memory.guestReported).toBe(true);
      expect(s.metrics['memory.guest_reported']).toBe(1);
      const avail = s.metrics['memory.available_bytes']!;
      expect(s.metrics['memory.used_bytes']).toBe(avail - s.metrics['memory.usable_bytes']!);
    }
  });

  it('shows traffic sent to one VM in its vNIC rx rate and not in the other’s; a CPU hog in its CPU %', async () => {
    await monitor.poll();
    const t0 = Date.now();
    const ping = runIn(h1.ns, ['ping', '-q', '-c', '250', '-i', '0.01', '-s', '1200', '10.213.3.10'], {
      timeoutMs: 30_000,
    });
    const hog = runIn(h1.ns, ['curl', '-sS', '-m', '10', 'http://10.213.3.10/cgi-bin/hog?seconds=4'], {
      timeoutMs: 15_000,
    });
    const disk = runIn(h1.ns, ['curl', '-sS', '-m', '20', 'http://10.213.3.10/cgi-bin/disk?mib=8'], {
      timeoutMs: 25_000,
    });
    const [pingOut, , diskOut] = await Promise.all([ping, hog, disk]);
    expect(pingOut.stdout).toMatch(/250 packets transmitted/);
    expect(diskOut.stdout).not.toMatch(/no disk/);
    // A short wait so that the hog, started by the CGI, burns inside the interval too.
    await new Promise((r) => setTimeout(r, Math.max(0, 3000 - (Date.now() - t0))));
    const samples = await monitor.poll();
    const a = samples.find((s) => s.name === 'vmon-a')!;
    const b = samples.find((s) => s.name === 'vmon-b')!;
    const aRx = a.metrics['net.vmon-a0.rx_bytes_per_s']!;
    const bRx = b.metrics['net.vmon-b0.rx_bytes_per_s']!;
    // ~250 x 1242-byte frames over the interval.
    expect(aRx * a.intervalSeconds!).toBeGreaterThan(250 * 1200 * 0.95);
    expect(a.metrics['net.vmon-a0.rx_packets_per_s']! * a.intervalSeconds!).toBeGreaterThan(249.5);
    expect(a.metrics['net.rx_bytes_per_s']).toBe(aRx);
    expect(bRx * b.intervalSeconds!).toBeLessThan(20_000);
    expect(aRx).toBeGreaterThan(bRx * 10);
    expect(a.metrics['disk.vda.read_bytes_per_s']! * a.intervalSeconds!).toBeGreaterThan(8 * 1024 * 1024 - 1);
    expect(b.metrics['disk.vda.read_bytes_per_s']! * b.intervalSeconds!).toBeLessThan(1024 * 1024);
    expect(a.metrics['cpu.percent']!).toBeGreaterThan(b.metrics['cpu.percent']! + 20);
  }, 60_000);

  it('drops a destroyed VM from the inventory within 1 s, through its lifecycle event', async () => {
    const t = Date.now();
    await run('virsh', ['-c', URI, 'destroy', 'vmon-b']);
    const done = Date.now();
    while (!removed.some((r) => r.name === 'vmon-b') && Date.now() - done < 1000) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const r = removed.find((x) => x.name === 'vmon-b');
    console.info(
      `virsh destroy vmon-b took ${done - t} ms; the VM left the inventory ` +
        (r ? `${r.at - done} ms after it returned` : 'never'),
    );
    expect(r, `not removed ${Date.now() - done} ms after virsh destroy returned`).toBeDefined();
    expect(r!.reason).toBe('stopped');
    expect(monitor.vmByMac(VMS[1].mac)).toBeUndefined();
    expect(mine(monitor.inventory()).map((i) => i.name)).toEqual(['vmon-a']);
    expect(Date.now() - t).toBeLessThan(10_000);
    // And it comes back through the 'started' event.
    await run('virsh', ['-c', URI, 'start', 'vmon-b'], { timeoutMs: 60_000 });
    const s = Date.now();
    while (!monitor.vmByPort(VMS[1].port) && Date.now() - s < 1000)
      await new Promise((r2) => setTimeout(r2, 10));
    expect(monitor.vmByPort(VMS[1].port)?.name).toBe('vmon-b');
  }, 60_000);

  it('recovers by itself when libvirtd restarts, serving stale samples meanwhile', async () => {
    const samples: VmSample[] = [];
    const m = new HostMonitor({
      uri: URI,
      intervalMs: 500,
      onSample: (x) => samples.push(x),
      backoff: { initialMs: 200, maxMs: 1000 },
    });
    m.start();
    try {
      const fresh = (from: number) => samples.slice(from).filter((x) => !x.stale && x.name === 'vmon-a');
      await waitFor('fresh samples', () => fresh(0).length >= 2, 10_000);
      const pid = Number((await readFile('/run/libvirtd.pid', 'utf8')).trim());
      process.kill(pid, 'SIGTERM');
      await waitFor('libvirtd to exit', () => !alive(pid), 15_000);
      const n = samples.length;
      await waitFor(
        'stale samples',
        () => samples.slice(n).some((x) => x.stale && x.name === 'vmon-a'),
        5000,
      );
      const stale = samples.slice(n).find((x) => x.stale)!;
      expect(stale.staleSeconds).toBeGreaterThanOrEqual(0);
      expect(m.status().connected).toBe(false);
      await ensureLibvirtd();
      const k = samples.length;
      await waitFor(
        'fresh samples after the restart',
        () => fresh(k).some((x) => x.intervalSeconds !== undefined),
        20_000,
      );
      expect(m.status().connected).toBe(true);
      expect(m.vmByMac(VMS[0].mac)?.name).toBe('vmon-a');
      const after = fresh(k).find((x) => x.intervalSeconds !== undefined)!;
      expect(after.metrics['cpu.percent']).toBeGreaterThanOrEqual(0);
    } finally {
      await m.stop();
    }
  }, 90_000);
});

/** Other VMs may run on the same host: only ours are checked. */
function mine<T extends { name: string }>(list: T[]): T[] {
  return list.filter((x) => VMS.some((v) => v.name === x.name));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, fn: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
