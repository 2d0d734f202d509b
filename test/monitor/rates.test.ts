import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDomainStats, type TypedValue } from '../../src/monitor/domain-stats.js';
import { computeVmMetrics, metricSegment, type StatsSnapshot } from '../../src/monitor/rates.js';

function snap(timeMs: number, params: Record<string, TypedValue>, uuid = 'vm-1'): StatsSnapshot {
  return { timeMs, stats: parseDomainStats({ name: 'vm', uuid, params }) };
}

interface Counters {
  cpu: number;
  user: number;
  system: number;
  vcpuTime: number[];
  rx: number;
  tx: number;
  rxPkts: number;
  rd: number;
  wr: number;
}

function params(c: Counters, extra: Record<string, TypedValue> = {}): Record<string, TypedValue> {
  const p: Record<string, TypedValue> = {
    'state.state': 1,
    'cpu.time': c.cpu,
    'cpu.user': c.user,
    'cpu.system': c.system,
    'vcpu.current': c.vcpuTime.length,
    'vcpu.maximum': c.vcpuTime.length,
    'balloon.current': 98304,
    'balloon.maximum': 131072,
    'balloon.rss': 150000,
    'net.count': 2,
    'net.0.name': 'vnet0',
    'net.0.rx.bytes': c.rx,
    'net.0.rx.pkts': c.rxPkts,
    'net.0.rx.errs': 0,
    'net.0.rx.drop': 0,
    'net.0.tx.bytes': c.tx,
    'net.0.tx.pkts': 7,
    'net.0.tx.errs': 0,
    'net.0.tx.drop': 0,
    'net.1.name': 'vnet1',
    'net.1.rx.bytes': 500,
    'net.1.tx.bytes': 600,
    'block.count': 1,
    'block.0.name': 'vda',
    'block.0.rd.bytes': c.rd,
    'block.0.rd.reqs': c.rd / 4096,
    'block.0.wr.bytes': c.wr,
    'block.0.wr.reqs': c.wr / 512,
  };
  c.vcpuTime.forEach((t, i) => {
    p[`vcpu.${i}.time`] = t;
    p[`vcpu.${i}.wait`] = i * 1e6;
    p[`vcpu.${i}.delay`] = 2e6;
  });
  return { ...p, ...extra };
}

const base: Counters = {
  cpu: 10e9,
  user: 8e9,
  system: 2e9,
  vcpuTime: [4e9, 5e9],
  rx: 1000,
  tx: 2000,
  rxPkts: 10,
  rd: 4096 * 100,
  wr: 512 * 100,
};

describe('computeVmMetrics', () => {
  it('derives CPU % from cpu.time over wall time and vCPUs', () => {
    // 2 vCPUs, 5 s, 3 s of CPU time: 3 / 5 / 2 = 30 %.
    const a = snap(1_000_000, params(base));
    const b = snap(
      1_005_000,
      params({ ...base, cpu: base.cpu + 3e9, user: base.user + 2e9, system: base.system + 1e9 }),
    );
    const m = computeVmMetrics(b, a);
    expect(m.intervalSeconds).toBe(5);
    expect(m.cpuPercent).toBeCloseTo(30, 9);
    expect(m.metrics['cpu.percent']).toBeCloseTo(30, 9);
    expect(m.metrics['cpu.user_percent']).toBeCloseTo(20, 9);
    expect(m.metrics['cpu.system_percent']).toBeCloseTo(10, 9);
    expect(m.metrics['cpu.time_ns']).toBe(base.cpu + 3e9);
    expect(m.counterReset).toBe(false);
  });

  it('gives per-vCPU time/wait/delay as a share of wall time and their mean', () => {
    const a = snap(0, params(base));
    const b = snap(
      2000,
      params(
        { ...base, vcpuTime: [4e9 + 1e9, 5e9 + 0.5e9] },
        { 'vcpu.1.wait': 1e6 + 0.2e9, 'vcpu.0.delay': 2e6 + 0.1e9 },
      ),
    );
    const m = computeVmMetrics(b, a).metrics;
    expect(m['vcpu.0.time_percent']).toBeCloseTo(50, 9);
    expect(m['vcpu.1.time_percent']).toBeCloseTo(25, 9);
    expect(m['vcpu.time_percent']).toBeCloseTo(37.5, 9);
    expect(m['vcpu.1.wait_percent']).toBeCloseTo(10, 9);
    expect(m['vcpu.0.delay_percent']).toBeCloseTo(5, 9);
    expect(m['vcpu.delay_percent']).toBeCloseTo(2.5, 9);
    expect(m['vcpu.0.time_ns']).toBe(5e9);
    expect(m['vcpu.count']).toBe(2);
  });

  it('rates every vNIC counter, names them by device, and sums them', () => {
    const a = snap(0, params(base));
    const b = snap(
      4000,
      params(
        { ...base, rx: base.rx + 40_000, tx: base.tx + 8000, rxPkts: base.rxPkts + 40 },
        { 'net.1.rx.bytes': 500 + 4000 },
      ),
    );
    const m = computeVmMetrics(b, a);
    expect(m.metrics['net.vnet0.rx_bytes_per_s']).toBe(10_000);
    expect(m.metrics['net.vnet0.tx_bytes_per_s']).toBe(2000);
    expect(m.metrics['net.vnet0.rx_packets_per_s']).toBe(10);
    expect(m.metrics['net.vnet0.rx_errors_per_s']).toBe(0);
    expect(m.metrics['net.vnet1.rx_bytes_per_s']).toBe(1000);
    expect(m.metrics['net.rx_bytes_per_s']).toBe(11_000);
    expect(m.metrics['net.tx_bytes_per_s']).toBe(2000);
    expect(m.metrics['net.vnet0.rx_bytes']).toBe(base.rx + 40_000);
    expect(m.nics.find((n) => n.name === 'vnet0')).toMatchObject({
      rxBytesPerSec: 10_000,
      txBytesPerSec: 2000,
      rxPacketsPerSec: 10,
    });
    // vnet1 reports only bytes: no packet rate is invented for it.
    expect(m.metrics['net.vnet1.rx_packets_per_s']).toBeUndefined();
  });

  it('rates disk reads and writes in bytes and requests', () => {
    const a = snap(0, params(base));
    const b = snap(2000, params({ ...base, rd: base.rd + 4096 * 50, wr: base.wr + 512 * 10 }));
    const m = computeVmMetrics(b, a);
    expect(m.metrics['disk.vda.read_bytes_per_s']).toBe(4096 * 25);
    expect(m.metrics['disk.vda.read_requests_per_s']).toBe(25);
    expect(m.metrics['disk.vda.write_bytes_per_s']).toBe(512 * 5);
    expect(m.metrics['disk.vda.write_requests_per_s']).toBe(5);
    expect(m.metrics['disk.read_bytes_per_s']).toBe(4096 * 25);
    expect(m.disks[0]).toMatchObject({ name: 'vda', readBytesPerSec: 4096 * 25 });
  });

  it('takes guest-used memory from the balloon statistics when the guest reports them', () => {
    const m = computeVmMetrics(
      snap(
        0,
        params(base, { 'balloon.available': 80_000, 'balloon.usable': 30_000, 'balloon.unused': 10_000 }),
      ),
    );
    expect(m.memory.guestReported).toBe(true);
    expect(m.memory.usedBytes).toBe(50_000 * 1024);
    expect(m.metrics['memory.used_bytes']).toBe(50_000 * 1024);
    expect(m.metrics['memory.used_percent']).toBeCloseTo(62.5, 9);
    expect(m.metrics['memory.guest_reported']).toBe(1);
    expect(m.metrics['memory.current_bytes']).toBe(98304 * 1024);
    expect(m.metrics['memory.maximum_bytes']).toBe(131072 * 1024);
    expect(m.metrics['memory.rss_bytes']).toBe(150000 * 1024);
  });

  it('falls back to available - unused without usable, and flags a guest that reports nothing', () => {
    const withUnused = computeVmMetrics(
      snap(0, params(base, { 'balloon.available': 80_000, 'balloon.unused': 20_000 })),
    );
    expect(withUnused.memory.usedBytes).toBe(60_000 * 1024);
    const silent = computeVmMetrics(snap(0, params(base)));
    expect(silent.memory.guestReported).toBe(false);
    expect(silent.memory.usedBytes).toBeUndefined();
    expect(silent.metrics['memory.used_bytes']).toBeUndefined();
    expect(silent.metrics['memory.guest_reported']).toBe(0);
    expect(silent.metrics['memory.rss_bytes']).toBe(150000 * 1024);
  });

  it('gives no rates for a first record', () => {
    const m = computeVmMetrics(snap(0, params(base)));
    expect(m.intervalSeconds).toBeUndefined();
    expect(m.metrics['cpu.percent']).toBeUndefined();
    expect(m.metrics['net.rx_bytes_per_s']).toBeUndefined();
    expect(m.metrics['net.vnet0.rx_bytes']).toBe(base.rx);
  });

  it('treats a restart (CPU time going down) as a counter reset: no rates, flagged', () => {
    const a = snap(0, params(base));
    const b = snap(5000, params({ ...base, cpu: 1e8, rx: 10, tx: 10, rd: 0, wr: 0 }));
    const m = computeVmMetrics(b, a);
    expect(m.counterReset).toBe(true);
    for (const [k, v] of Object.entries(m.metrics)) {
      expect(k.endsWith('_per_s') || k.endsWith('_percent'), k).toBe(false);
      expect(v).toBeGreaterThanOrEqual(0);
    }
  });

  it('drops only the rates of a vNIC whose counters went down (re-plugged)', () => {
    const a = snap(0, params(base));
    const b = snap(1000, params({ ...base, cpu: base.cpu + 1e9, rx: 5, tx: base.tx + 100 }));
    const m = computeVmMetrics(b, a);
    expect(m.counterReset).toBe(true);
    expect(m.metrics['net.vnet0.rx_bytes_per_s']).toBeUndefined();
    expect(m.metrics['net.vnet0.tx_bytes_per_s']).toBe(100);
    expect(m.metrics['cpu.percent']).toBeCloseTo(50, 9);
  });

  it('gives no rates over a zero or negative interval, or across two different domains', () => {
    const a = snap(1000, params(base));
    const b = snap(1000, params({ ...base, cpu: base.cpu + 1e9 }));
    expect(computeVmMetrics(b, a).metrics['cpu.percent']).toBeUndefined();
    const c = snap(500, params({ ...base, cpu: base.cpu + 1e9 }));
    expect(computeVmMetrics(c, a).metrics['cpu.percent']).toBeUndefined();
    const other = snap(2000, params({ ...base, cpu: base.cpu + 1e9 }), 'vm-2');
    expect(computeVmMetrics(other, a).metrics['cpu.percent']).toBeUndefined();
  });

  it('caps CPU % at 100 when emulator threads push cpu.time past the vCPUs', () => {
    const a = snap(0, params(base));
    const b = snap(1000, params({ ...base, cpu: base.cpu + 5e9 }));
    expect(computeVmMetrics(b, a).metrics['cpu.percent']).toBe(100);
  });

  it('makes dotted-name-safe device segments', () => {
    expect(metricSegment('vnet0')).toBe('vnet0');
    expect(metricSegment('tap5e0c1d2a-7f')).toBe('tap5e0c1d2a-7f');
    expect(metricSegment('eth0.100')).toBe('eth0_100');
  });

  it('never yields a negative, non-finite or over-100 % value for any counter sequence (property)', () => {
    const counters = fc.record({
      cpu: fc.nat({ max: 2 ** 52 }),
      user: fc.nat({ max: 2 ** 52 }),
      system: fc.nat({ max: 2 ** 52 }),
      vcpuTime: fc.array(fc.nat({ max: 2 ** 52 }), { minLength: 0, maxLength: 4 }),
      rx: fc.nat({ max: 2 ** 52 }),
      tx: fc.nat({ max: 2 ** 52 }),
      rxPkts: fc.nat(),
      rd: fc.nat({ max: 2 ** 40 }),
      wr: fc.nat({ max: 2 ** 40 }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -5000, max: 60_000 }), counters), { minLength: 2, maxLength: 6 }),
        (seq) => {
          let t = 1_700_000_000_000;
          let prev: StatsSnapshot | undefined;
          for (const [dt, c] of seq) {
            t += dt;
            const cur = snap(t, params(c));
            const m = computeVmMetrics(cur, prev);
            for (const [k, v] of Object.entries(m.metrics)) {
              expect(Number.isFinite(v), k).toBe(true);
              expect(v, k).toBeGreaterThanOrEqual(0);
              if (k.endsWith('_percent') || k === 'cpu.percent') expect(v, k).toBeLessThanOrEqual(100);
            }
            prev = cur;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the stats-to-metrics chain on arbitrary replies (fuzz)', () => {
  it('never throws and yields only finite, non-negative metrics, whatever the parameters say', () => {
    const field = fc.oneof(
      fc.constantFrom(
        'state.state',
        'cpu.time',
        'cpu.user',
        'vcpu.current',
        'vcpu.maximum',
        'vcpu.0.time',
        'vcpu.1.wait',
        'balloon.current',
        'balloon.available',
        'balloon.usable',
        'balloon.unused',
        'balloon.rss',
        'net.count',
        'net.0.name',
        'net.0.rx.bytes',
        'net.0.tx.pkts',
        'net.1.name',
        'net.1.rx.drop',
        'block.count',
        'block.0.name',
        'block.0.rd.bytes',
        'block.0.wr.reqs',
        'block.1.name',
      ),
      fc.string({ maxLength: 12 }),
    );
    const value = fc.oneof(
      fc.integer({ min: -10, max: 1e6 }),
      fc.double(),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
      fc.boolean(),
      fc.constantFrom('vnet0', 'vda', '', 'a.b'),
    );
    const rec = fc.array(fc.record({ field, value }), { maxLength: 30 });
    fc.assert(
      fc.property(rec, rec, fc.integer({ min: -1000, max: 100_000 }), (a, b, dt) => {
        const prev = { timeMs: 1e12, stats: parseDomainStats({ name: 'x', uuid: 'u', params: a }) };
        const cur = { timeMs: 1e12 + dt, stats: parseDomainStats({ name: 'x', uuid: 'u', params: b }) };
        const m = computeVmMetrics(cur, prev);
        for (const [k, v] of Object.entries(m.metrics)) {
          expect(Number.isFinite(v), k).toBe(true);
          expect(v, k).toBeGreaterThanOrEqual(0);
          expect(k).toMatch(/^[A-Za-z0-9_.-]+$/);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
