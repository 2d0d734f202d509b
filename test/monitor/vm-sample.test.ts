import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDomainInventory, type DomainInventory } from '../../src/monitor/domain-inventory.js';
import { parseDomainStats } from '../../src/monitor/domain-stats.js';
import { computeVmMetrics } from '../../src/monitor/rates.js';
import { buildVmSample, markStale } from '../../src/monitor/vm-sample.js';

const novaXml = readFileSync(new URL('./fixtures/nova-domain.xml', import.meta.url), 'utf8');
const parsed = parseDomainInventory(novaXml);
if (!parsed.ok) throw new Error(parsed.error);
const inventory: DomainInventory = parsed.inventory;

function stats(rx: number, cpu: number) {
  return parseDomainStats({
    name: inventory.name,
    uuid: inventory.uuid,
    params: {
      'state.state': 1,
      'cpu.time': cpu,
      'vcpu.current': 1,
      'net.count': 2,
      'net.0.name': 'tap5e0c1d2a-7f',
      'net.0.rx.bytes': rx,
      'net.1.name': 'tap77aa1d2a-7f',
      'net.1.rx.bytes': 0,
    },
  });
}

describe('buildVmSample', () => {
  const metrics = computeVmMetrics(
    { timeMs: 12_000, stats: stats(5000, 2e9) },
    { timeMs: 10_000, stats: stats(1000, 1e9) },
  );
  const sample = buildVmSample({
    host: 'compute-1',
    time: 12_000,
    pollIntervalMs: 2000,
    state: 'running',
    uuid: inventory.uuid,
    name: inventory.name,
    metrics,
    inventory,
  });

  it('carries identity, time, freshness, state and the flat metric map', () => {
    expect(sample).toMatchObject({
      uuid: '9f0b7c1e-3d44-4e0b-9d5a-2b1c0e6f7a81',
      name: 'instance-0000002a',
      host: 'compute-1',
      time: 12_000,
      stale: false,
      state: 'running',
      intervalSeconds: 2,
      counterReset: false,
      vcpus: 1,
    });
    expect(sample.staleSeconds).toBeUndefined();
    expect(sample.metrics['cpu.percent']).toBeCloseTo(50, 9);
    expect(sample.cpuPercent).toBeCloseTo(50, 9);
    expect(sample.metrics['net.tap5e0c1d2a-7f.rx_bytes_per_s']).toBe(2000);
  });

  it('joins each vNIC with its inventory (MAC, bridge, OVS, Neutron port) and keeps Nova metadata', () => {
    expect(sample.nics).toEqual([
      { portName: 'tap5e0c1d2a-7f', mac: 'fa:16:3e:4b:2c:11', openvswitch: false, rxBytesPerSec: 2000 },
      {
        portName: 'tap77aa1d2a-7f',
        mac: 'fa:16:3e:4b:2c:12',
        bridge: 'br-int',
        openvswitch: true,
        interfaceId: '77aa1d2a-7f3b-4c9e-8d1a-6b2c3d4e5f61',
        rxBytesPerSec: 0,
      },
    ]);
    expect(sample.nova?.name).toBe('web-frontend-1');
    expect(sample.nova?.flavor?.name).toBe('m1.small');
  });

  it('is plain JSON: it survives a round trip unchanged', () => {
    expect(JSON.parse(JSON.stringify(sample))).toEqual(sample);
  });

  it('marks a sample stale with its age, leaving the original untouched', () => {
    const stale = markStale(sample, 19_500);
    expect(stale.stale).toBe(true);
    expect(stale.staleSeconds).toBe(7.5);
    expect(stale.metrics).toBe(sample.metrics);
    expect(sample.stale).toBe(false);
    expect(markStale(sample, 1000).staleSeconds).toBe(0);
  });
});
