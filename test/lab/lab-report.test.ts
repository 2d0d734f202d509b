import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildReport, renderCsv, renderMarkdown } from '../../src/lab/lab-report.js';
import { niceScale, renderSvg } from '../../src/lab/report-chart.js';
import type { IntervalRecord, TrafficResult, VmInterval } from '../../src/lab/traffic-run.js';

const none = { count: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };

function vm(libvirt: number, sflow: number, up = true): VmInterval {
  return {
    libvirtTxBytes: libvirt,
    libvirtRxBytes: 1000,
    cpuSeconds: 1.5,
    sflowBytes: sflow,
    sflowSamples: 100,
    up,
  };
}

function interval(index: number, vms: Record<string, VmInterval>, failed = 0): IntervalRecord {
  return {
    index,
    startMs: index * 60_000,
    endMs: (index + 1) * 60_000,
    vms,
    ok: 100,
    failed,
    bytes: 0,
    pageLatency: { count: 3, p50: 12, p95: 40, p99: 55, max: 60 },
    streamTtfb: none,
    byTarget: {},
    errors: {},
  };
}

function result(intervals: IntervalRecord[]): TrafficResult {
  return {
    version: 1,
    runId: 'r1',
    prefix: 'vlab',
    target: 'direct',
    algorithm: 'LEAST_LOAD',
    startedAt: '2026-01-01T00:00:00.000Z',
    command: 'vigil lab traffic --intervals 2',
    options: {
      intervals: 2,
      intervalMs: 60_000,
      streamShare: 0.3,
      thinkMs: 200,
      streamKbps: 4000,
      clients: 4,
    },
    vms: [
      { name: 'vlab-vm1', ip: '10.213.10.11', bridge: 'vlab-n1' },
      { name: 'vlab-vm2', ip: '10.213.10.12', bridge: 'vlab-n2' },
    ],
    intervals,
    events: [{ atMs: 30_000, what: 'vlab-vm2 killed (virsh destroy)' }],
    sflow: { datagrams: 10, rejected: 0, otherSamples: 0 },
    libvirtReconnects: 0,
    clientFailures: [],
  };
}

describe('buildReport', () => {
  it('computes per-interval CV, spread, libvirt/sFlow differences and the checks', () => {
    const rep = buildReport(
      result([
        interval(0, { 'vlab-vm1': vm(40e6, 42e6), 'vlab-vm2': vm(60e6, 57e6) }),
        interval(1, { 'vlab-vm1': vm(50e6, 50e6), 'vlab-vm2': vm(50e6, 56e6) }, 2),
      ]),
    );
    // interval 1: mean 50e6, population sd 10e6
    expect(rep.intervals[0]!.cv).toBeCloseTo(0.2, 12);
    expect(rep.intervals[0]!.spread).toBeCloseTo(0.4, 12);
    expect(rep.intervals[1]!.cv).toBe(0);
    expect(rep.intervals[0]!.cells.map((c) => c.difference)).toEqual([0.05, 0.05]);
    expect(rep.checks.maxDifference).toBeCloseTo(0.12, 12);
    expect(rep.checks.agreement).toBe(true);
    expect(rep.checks.failedRequests).toBe(2);
    expect(rep.checks.okRequests).toBe(200);
    expect(rep.checks.everyVmServed).toBe(true);
    expect(rep.totals.map((t) => t.share)).toEqual([0.45, 0.55]);
    expect(rep.checks.meanCv).toBeCloseTo(0.1, 12);
  });

  it('fails the agreement check beyond 15%, and the served check for a silent VM', () => {
    const rep = buildReport(result([interval(0, { 'vlab-vm1': vm(10e6, 12e6), 'vlab-vm2': vm(0, 0) })]));
    expect(rep.checks.agreement).toBe(false);
    expect(rep.checks.maxDifference).toBeCloseTo(0.2, 12);
    expect(rep.checks.everyVmServed).toBe(false);
  });

  it('leaves a VM that is down out of the CV', () => {
    const rep = buildReport(
      result([interval(0, { 'vlab-vm1': vm(30e6, 30e6), 'vlab-vm2': vm(5e6, 5e6, false) })]),
    );
    expect(rep.intervals[0]!.cv).toBe(0);
  });
});

describe('report files', () => {
  const rep = buildReport(
    result([
      interval(0, { 'vlab-vm1': vm(47.2e6, 48e6), 'vlab-vm2': vm(63.1e6, 61e6) }),
      interval(1, { 'vlab-vm1': vm(55e6, 54e6), 'vlab-vm2': vm(52e6, 53e6) }),
    ]),
  );

  it('CSV: a header and one row per interval and VM', () => {
    const lines = renderCsv(rep).trim().split('\n');
    expect(lines).toHaveLength(1 + 2 * 2);
    expect(lines[0]!.split(',')).toContain('libvirt_mb');
    expect(lines[1]!.split(',').slice(0, 4)).toEqual(['1', 'vlab-vm1', '47.200', '48.000']);
    expect(lines[4]!.split(',').slice(0, 4)).toEqual(['2', 'vlab-vm2', '52.000', '53.000']);
  });

  it('Markdown: the command, the table (libvirt / sFlow) and the checks', () => {
    const md = renderMarkdown(rep, 'chart.svg');
    expect(md).toContain('`vigil lab traffic --intervals 2`');
    expect(md).toContain('| 1 | 47.2 / 48.0 | 63.1 / 61.0 |');
    expect(md).toContain('requests failed: 0 of 200');
    expect(md).toContain('| 2 | 1.5 | 1.5 |');
    expect(md).toContain('killed');
    expect(md).toContain('![traffic per VM and interval](chart.svg)');
  });

  it('SVG: well-formed, two bars per VM and interval with heights in proportion', () => {
    const svg = renderSvg(rep);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    const bars = [...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="9" height="([\d.]+)"/g)].map((m) =>
      Number(m[2]),
    );
    expect(bars).toHaveLength(2 * 2 * 2);
    // order: interval 1 vm1 libvirt, vm1 sFlow, vm2 libvirt, vm2 sFlow, then interval 2
    expect(bars[0]! / bars[2]!).toBeCloseTo(47.2 / 63.1, 2);
    expect(bars[1]! / bars[3]!).toBeCloseTo(48 / 61, 2);
    expect(svg).toContain('vlab-vm2');
  });

  it('niceScale covers the maximum with round steps', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 1e9, noNaN: true }), (max) => {
        const { top, step } = niceScale(max);
        expect(top).toBeGreaterThanOrEqual(max);
        expect(top / step).toBeLessThanOrEqual(10);
        const mant = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
        expect([1, 2, 2.5, 5, 10].some((m) => Math.abs(m - mant) < 1e-6)).toBe(true);
      }),
    );
  });
});
