// The monitor's sample writer: each sample goes to the store with sFlow's traffic of its VM, when a
// collector's enricher has written some there.

import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { sampleWriter } from '../../src/store/sample-writer.js';
import { VM_TRAFFIC_RECORD, type VmTraffic } from '../../src/store/vm-traffic.js';
import { LIMITS, sample } from './contract.js';

const traffic: VmTraffic = {
  uuid: 'aaaa-1',
  name: 'web-1',
  rxBytesPerSecond: 1200,
  txBytesPerSecond: 3400,
  rxPacketsPerSecond: 12,
  txPacketsPerSecond: 34,
  windowMs: 10_000,
  updatedAtMs: 1_000,
  joinedBy: 'port',
};

describe('sample writer', () => {
  it('adds the VM’s sFlow traffic from the store to its sample and its series', async () => {
    const store = new MemoryStore(LIMITS);
    await store.putRecord(VM_TRAFFIC_RECORD, 'aaaa-1', traffic, { ttlMs: 5000 });
    // What another process wrote is checked: this one is not VM traffic and is left out.
    await store.putRecord(
      VM_TRAFFIC_RECORD,
      'bbbb-2',
      { uuid: 'bbbb-2', rxBytesPerSecond: -1 },
      { ttlMs: 5000 },
    );
    const write = sampleWriter(store, silentLogger());
    const now = Date.now();
    write(sample('aaaa-1', now, { 'cpu.percent': 5 }));
    write(sample('bbbb-2', now, { 'cpu.percent': 6 }));
    for (let i = 0; i < 100 && (await store.listSamples()).length < 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    const a = await store.getSample('aaaa-1');
    expect(a?.sflow).toEqual(traffic);
    expect(a?.metrics).toEqual({
      'cpu.percent': 5,
      'sflow.rx_bytes_per_s': 1200,
      'sflow.tx_bytes_per_s': 3400,
      'sflow.rx_packets_per_s': 12,
      'sflow.tx_packets_per_s': 34,
    });
    expect(await store.readSeries('aaaa-1', 'sflow.tx_bytes_per_s', { from: 0, to: now })).toEqual([
      { time: now, value: 3400 },
    ]);
    const b = await store.getSample('bbbb-2');
    expect(b?.sflow).toBeUndefined();
    expect(b?.metrics).toEqual({ 'cpu.percent': 6 });
    await store.close();
  });
});
