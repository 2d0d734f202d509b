import { describe, expect, it } from 'vitest';
import { emptyState, type LabState } from '../../src/lab/lab-state.js';
import {
  clientTargets,
  intervalVms,
  mergeClientIntervals,
  runIdNow,
  type Reading,
  type Snapshot,
} from '../../src/lab/traffic-run.js';
import type { IntervalReport } from '../../src/lab/traffic-client.js';

function state(target: 'vip' | 'direct'): LabState {
  const s = emptyState({
    prefix: 'vlab',
    vip: '10.213.10.10',
    target,
    libvirtUri: 'qemu:///system',
    options: {
      vms: 3,
      clients: 1,
      memoryMiB: 96,
      controllerPort: 1,
      collectorPort: 2,
      recorderPort: 3,
      apiPort: 4,
      algorithm: 'ROUND_ROBIN',
    },
  });
  for (let i = 1; i <= 3; i++) {
    s.domains.push({
      name: `vlab-vm${i}`,
      ip: `10.213.10.${10 + i}`,
      mac: `52:54:00:d5:0a:0${i}`,
      bridge: 'vlab-n1',
      port: `vlab-vm${i}`,
      consoleLog: 'x',
    });
  }
  return s;
}

const counters = (tx: number, cpuNs = 0) => ({
  txBytes: tx,
  rxBytes: tx / 10,
  txPackets: 0,
  rxPackets: 0,
  cpuTimeNs: cpuNs,
});

describe('traffic run', () => {
  it('targets: the VIP with a load balancer, else the client’s own VM first and the others as fallbacks', () => {
    expect(clientTargets(state('vip'), 4)).toEqual(['10.213.10.10']);
    const d = state('direct');
    expect(clientTargets(d, 0)).toEqual(['10.213.10.11', '10.213.10.12', '10.213.10.13']);
    expect(clientTargets(d, 4)).toEqual(['10.213.10.12', '10.213.10.13', '10.213.10.11']);
  });

  it('interval figures are differences of counters; a stopped VM keeps its last reading and is marked down', () => {
    const s = state('direct');
    const a: Snapshot = {
      libvirt: new Map<string, Reading>([
        ['vlab-vm1', counters(1000, 1e9)],
        ['vlab-vm2', counters(500)],
        ['vlab-vm3', counters(0)],
      ]),
      sflow: { 'vlab-vm1': { bytes: 900, samples: 3 }, 'vlab-vm2': { bytes: 0, samples: 0 } },
    };
    const b: Snapshot = {
      libvirt: new Map<string, Reading>([
        ['vlab-vm1', counters(6000, 3.5e9)],
        ['vlab-vm2', { ...counters(2500), gone: true }],
      ]),
      sflow: { 'vlab-vm1': { bytes: 6100, samples: 10 }, 'vlab-vm2': { bytes: 1900, samples: 2 } },
    };
    const v = intervalVms(s, a, b);
    expect(v['vlab-vm1']).toEqual({
      libvirtTxBytes: 5000,
      libvirtRxBytes: 500,
      cpuSeconds: 2.5,
      sflowBytes: 5200,
      sflowSamples: 7,
      up: true,
    });
    expect(v['vlab-vm2']).toMatchObject({ libvirtTxBytes: 2000, sflowBytes: 1900, up: false });
    expect(v['vlab-vm3']).toMatchObject({ libvirtTxBytes: 0, up: false });
  });

  it('merges the clients’ reports of an interval', () => {
    const r = (ok: number, failed: number, lat: number[], target: string): IntervalReport => ({
      t: 'interval',
      clientId: target,
      index: 0,
      ok,
      failed,
      bytes: ok * 10,
      pageLatencyMs: lat,
      streamTtfbMs: [],
      byTarget: { [target]: { ok, failed, bytes: ok * 10 } },
      errors: failed ? { timeout: failed } : {},
    });
    const m = mergeClientIntervals([r(3, 1, [1, 2, 3], 'a'), r(2, 0, [10, 20], 'b'), r(1, 2, [4], 'a')]);
    expect(m.ok).toBe(6);
    expect(m.failed).toBe(3);
    expect(m.bytes).toBe(60);
    expect(m.pageLatency).toEqual({ count: 6, p50: 3, p95: 20, p99: 20, max: 20 });
    expect(m.byTarget).toEqual({ a: { ok: 4, failed: 3, bytes: 40 }, b: { ok: 2, failed: 0, bytes: 20 } });
    expect(m.errors).toEqual({ timeout: 3 });
    expect(Number.isNaN(m.streamTtfb.p50)).toBe(true);
  });

  it('run ids sort by time and are safe folder names', () => {
    expect(runIdNow(new Date('2026-03-04T05:06:07.890Z'))).toBe('20260304T050607Z');
  });
});
