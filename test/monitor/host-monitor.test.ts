import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainStatsFlag, LifecycleDetail, LifecycleEventType } from '../../src/libvirt/constants.js';
import { HostMonitor, type MonitorLogger, type VmRemoved } from '../../src/monitor/host-monitor.js';
import { VmMonitor } from '../../src/monitor/vm-monitor.js';
import type { VmSample } from '../../src/monitor/vm-sample.js';
import { FakeHost, domainXml } from './support/fake-host.js';

const A = { name: 'web-a', uuid: '11111111-2222-4333-8444-555555555555', id: 1 };
const B = { name: 'web-b', uuid: '66666666-7777-4888-9999-aaaaaaaaaaaa', id: 2 };

function stats(cpuNs: number, rxBytes: number, port: string): Record<string, number | string> {
  return {
    'state.state': 1,
    'state.reason': 1,
    'cpu.time': cpuNs,
    'vcpu.current': 1,
    'vcpu.maximum': 1,
    'balloon.current': 98304,
    'balloon.maximum': 98304,
    'net.count': 1,
    'net.0.name': port,
    'net.0.rx.bytes': rxBytes,
    'net.0.rx.pkts': rxBytes / 100,
    'net.0.tx.bytes': 0,
    'net.0.tx.pkts': 0,
  };
}

interface LogLine {
  level: string;
  obj: object;
  msg: string;
}

function recordingLogger(lines: LogLine[]): MonitorLogger {
  const at = (level: string) => (obj: object, msg?: string) => lines.push({ level, obj, msg: msg ?? '' });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('HostMonitor against a scripted libvirt host', () => {
  let host: FakeHost;
  let monitors: Array<HostMonitor | VmMonitor>;
  beforeEach(async () => {
    host = await FakeHost.start();
    host.add({
      ref: A,
      xml: domainXml(A.name, A.uuid, [{ mac: '52:54:00:AA:00:01', port: 'vnet0', bridge: 'br0' }]),
      stats: stats(1e9, 0, 'vnet0'),
    });
    host.add({
      ref: B,
      xml: domainXml(B.name, B.uuid, [{ mac: '52:54:00:bb:00:01', port: 'vnet1', bridge: 'br0' }]),
      stats: stats(5e9, 0, 'vnet1'),
    });
    monitors = [];
  });
  afterEach(async () => {
    for (const m of monitors) await m.stop();
    await host.stop();
  });

  function monitor(opts: Partial<ConstructorParameters<typeof HostMonitor>[0]> = {}): {
    m: HostMonitor;
    samples: VmSample[];
    removed: VmRemoved[];
    log: LogLine[];
  } {
    const samples: VmSample[] = [];
    const removed: VmRemoved[] = [];
    const log: LogLine[] = [];
    const m = new HostMonitor({
      uri: host.uri,
      label: 'compute-1.lab',
      intervalMs: 100,
      onSample: (s) => samples.push(s),
      onRemove: (r) => removed.push(r),
      logger: recordingLogger(log),
      backoff: { initialMs: 50, maxMs: 200 },
      client: { keepalive: false },
      ...opts,
    });
    monitors.push(m);
    return { m, samples, removed, log };
  }

  it('builds the inventory on connect and answers MAC and port lookups', async () => {
    const { m } = monitor();
    await m.connect();
    expect(
      m
        .inventory()
        .map((i) => i.name)
        .sort(),
    ).toEqual(['web-a', 'web-b']);
    expect(m.vmByMac('52:54:00:aa:00:01')).toEqual({ uuid: A.uuid, name: 'web-a', host: 'compute-1.lab' });
    expect(m.vmByMac('52:54:00:AA:00:01')?.uuid).toBe(A.uuid);
    expect(m.vmByPort('vnet1')?.name).toBe('web-b');
    expect(m.vmByPort('vnet9')).toBeUndefined();
    expect(m.matchesHost('compute-1')).toBe(true);
    expect(m.status()).toMatchObject({ connected: true, hostname: 'compute-1', domains: 2 });
  });

  it('polls all domains in one NOWAIT call and turns counter deltas into rates', async () => {
    const { m, samples } = monitor();
    await m.connect();
    const first = await m.poll();
    expect(host.statsCalls).toBe(1);
    expect(host.lastStatsFlags & DomainStatsFlag.NOWAIT).toBe(DomainStatsFlag.NOWAIT);
    expect(host.lastStatsFlags & DomainStatsFlag.ACTIVE).toBe(DomainStatsFlag.ACTIVE);
    expect(first).toHaveLength(2);
    expect(first[0]!.metrics['cpu.percent']).toBeUndefined();
    await new Promise((r) => setTimeout(r, 200));
    host.domains.get(A.uuid)!.stats = stats(1e9 + 0.1e9, 1_000_000, 'vnet0');
    const second = await m.poll();
    const a = second.find((s) => s.uuid === A.uuid)!;
    const b = second.find((s) => s.uuid === B.uuid)!;
    const dt = a.intervalSeconds!;
    expect(dt).toBeGreaterThan(0.15);
    expect(a.metrics['net.vnet0.rx_bytes_per_s']).toBeCloseTo(1_000_000 / dt, 3);
    expect(a.metrics['cpu.percent']).toBeCloseTo((0.1 / dt) * 100, 3);
    expect(b.metrics['net.vnet1.rx_bytes_per_s']).toBe(0);
    expect(a).toMatchObject({ name: 'web-a', host: 'compute-1.lab', state: 'running', stale: false });
    expect(a.nics[0]).toMatchObject({
      portName: 'vnet0',
      mac: '52:54:00:aa:00:01',
      bridge: 'br0',
      openvswitch: true,
    });
    expect(samples).toHaveLength(4);
  });

  it('removes a stopped VM at once on its lifecycle event and adds a started one', async () => {
    const { m, removed } = monitor();
    await m.connect();
    const t = Date.now();
    host.domains.delete(A.uuid);
    host.lifecycle(A.uuid, LifecycleEventType.STOPPED, 1);
    await until('removal', () => removed.length > 0);
    expect(Date.now() - t).toBeLessThan(1000);
    expect(removed[0]).toMatchObject({ uuid: A.uuid, reason: 'stopped', host: 'compute-1.lab' });
    expect(m.vmByMac('52:54:00:aa:00:01')).toBeUndefined();
    expect(m.inventory().map((i) => i.name)).toEqual(['web-b']);

    const C = { name: 'web-c', uuid: 'cccccccc-2222-4333-8444-555555555555', id: 3 };
    host.add({
      ref: C,
      xml: domainXml(C.name, C.uuid, [{ mac: '52:54:00:cc:00:01', port: 'vnet2', bridge: 'br0' }]),
      stats: stats(0, 0, 'vnet2'),
    });
    host.lifecycle(C.uuid, LifecycleEventType.STARTED, 0);
    await until('new VM in the inventory', () => m.vmByPort('vnet2'));
    expect(Date.now() - t).toBeLessThan(1000);
    const polled = await m.poll();
    expect(polled.map((s) => s.name).sort()).toEqual(['web-b', 'web-c']);
  });

  it('says a VM that stopped because it migrated away moved, not that it stopped', async () => {
    const { m, removed } = monitor();
    await m.connect();
    host.lifecycle(A.uuid, LifecycleEventType.SUSPENDED, LifecycleDetail.SUSPENDED_MIGRATED);
    host.domains.delete(A.uuid);
    host.lifecycle(A.uuid, LifecycleEventType.STOPPED, LifecycleDetail.STOPPED_MIGRATED);
    await until('removal', () => removed.length > 0);
    // Paused for the migration first: still in this host's inventory until it left.
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ uuid: A.uuid, reason: 'migrated', host: 'compute-1.lab' });
    expect(m.inventory().map((i) => i.name)).toEqual(['web-b']);
  });

  it('drops a VM a poll no longer lists, and learns one it was not told about', async () => {
    const { m, removed } = monitor();
    await m.connect();
    host.domains.delete(B.uuid);
    const C = { name: 'web-c', uuid: 'cccccccc-2222-4333-8444-555555555555', id: 3 };
    host.add({
      ref: C,
      xml: domainXml(C.name, C.uuid, [{ mac: '52:54:00:cc:00:01', port: 'vnet2', bridge: 'br0' }]),
      stats: stats(0, 0, 'vnet2'),
    });
    await m.poll();
    expect(removed).toEqual([{ uuid: B.uuid, name: 'web-b', host: 'compute-1.lab', reason: 'gone' }]);
    await until('XML of the new VM', () => m.vmByMac('52:54:00:cc:00:01'));
  });

  it('serves stale samples with their age while the host is down, then recovers by itself', async () => {
    const { m, samples, log } = monitor();
    m.start();
    await until('fresh samples', () => samples.filter((s) => !s.stale).length >= 4, 3000);
    host.goDown();
    await until('stale samples', () => samples.filter((s) => s.stale).length >= 4, 3000);
    const stale = samples.filter((s) => s.stale);
    expect(stale.every((s) => s.staleSeconds !== undefined && s.staleSeconds >= 0)).toBe(true);
    expect(new Set(stale.map((s) => s.uuid))).toEqual(new Set([A.uuid, B.uuid]));
    expect(log.some((l) => l.level === 'warn' && /stale/.test(l.msg))).toBe(true);
    expect(m.status().connected).toBe(false);
    expect(m.status().disconnectedSince).toBeGreaterThan(0);
    // Ages grow while the outage lasts.
    await new Promise((r) => setTimeout(r, 300));
    const later = m.samples();
    expect(later.every((s) => s.stale && s.staleSeconds! >= 0.25)).toBe(true);
    expect(log.filter((l) => l.msg === 'libvirt host unreachable').length).toBeGreaterThan(0);

    host.up();
    const n = samples.length;
    await until('fresh samples after the outage', () => samples.slice(n).some((s) => !s.stale), 3000);
    expect(m.status().connected).toBe(true);
    expect(log.some((l) => l.level === 'info' && l.msg === 'libvirt host reachable again')).toBe(true);
    await until(
      'rates after the outage',
      () => samples.slice(n).some((s) => !s.stale && s.intervalSeconds !== undefined),
      3000,
    );
  });

  it('serves stale samples when the stats call times out on a connection that stays up', async () => {
    const { m, samples, log } = monitor();
    m.start();
    await until('fresh samples', () => samples.filter((s) => !s.stale).length >= 2, 3000);
    host.stallStats = true;
    await until('stale samples after a timed-out poll', () => samples.some((s) => s.stale), 4000);
    expect(log.some((l) => l.level === 'warn' && /poll failed.*stale/.test(l.msg))).toBe(true);
    expect(m.status().connected).toBe(true);
    expect(m.samples().every((s) => s.stale)).toBe(true);
    host.stallStats = false;
    const n = samples.length;
    await until('fresh samples again', () => samples.slice(n).some((s) => !s.stale), 4000);
    expect(m.samples().some((s) => s.stale)).toBe(false);
  });

  it('keeps polling when the sample sink throws', async () => {
    let calls = 0;
    const { m, log } = monitor({
      onSample: () => {
        calls++;
        throw new Error('sink broke');
      },
    });
    await m.connect();
    await m.poll();
    await m.poll();
    expect(calls).toBe(4);
    expect(log.filter((l) => l.level === 'error' && l.msg === 'sample sink failed')).toHaveLength(4);
  });

  it('VmMonitor spans several hosts: lookups by MAC and by (host, port)', async () => {
    const other = await FakeHost.start();
    try {
      const D = { name: 'db-1', uuid: 'dddddddd-2222-4333-8444-555555555555', id: 1 };
      other.add({
        ref: D,
        xml: domainXml(D.name, D.uuid, [{ mac: '52:54:00:dd:00:01', port: 'vnet0', bridge: 'br1' }]),
        stats: stats(0, 0, 'vnet0'),
      });
      const got: VmSample[] = [];
      const vm = new VmMonitor({
        hosts: [host.uri, other.uri],
        intervalMs: 100,
        onSample: (s) => got.push(s),
        client: { keepalive: false },
      });
      monitors.push(vm);
      vm.start();
      await until('samples from both hosts', () => new Set(got.map((s) => s.host)).size === 2, 3000);
      await until('both inventories', () => vm.inventory().length === 3, 3000);
      expect(vm.vmByMac('52:54:00:dd:00:01')).toMatchObject({ name: 'db-1', host: other.uri });
      expect(vm.vmByPort(host.uri, 'vnet0')?.name).toBe('web-a');
      expect(vm.vmByPort(other.uri, 'vnet0')?.name).toBe('db-1');
      expect(vm.vmByPort('nowhere', 'vnet0')).toBeUndefined();
      // vnet0 exists on both hosts: ambiguous without the host; vnet1 only on the first.
      expect(vm.vmByPortName('vnet0')).toBeUndefined();
      expect(vm.vmByPortName('vnet1')?.name).toBe('web-b');
      expect(vm.status().every((s) => s.connected)).toBe(true);
    } finally {
      await other.stop();
    }
  });
});
