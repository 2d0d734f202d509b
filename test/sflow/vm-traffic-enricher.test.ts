// The sFlow enricher on its own: a real collector fed sFlow datagrams over UDP, a store holding the
// inventory a monitor in some other process wrote, and no libvirt host anywhere in this process.

import { afterEach, describe, expect, it } from 'vitest';
import { SflowCollector } from '../../src/sflow/collector.js';
import { VmTrafficEnricher } from '../../src/sflow/vm-traffic-enricher.js';
import { storeName } from '../../src/store/checked.js';
import { HOST_INVENTORY_RECORD, type HostInventory } from '../../src/store/host-inventory.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import {
  parseSflowTraffic,
  parseVmTraffic,
  SFLOW_TRAFFIC_RECORD,
  VM_TRAFFIC_RECORD,
} from '../../src/store/vm-traffic.js';
import { sendFlowDatagrams } from './support/flow-datagrams.js';

const CLIENT = { mac: '02:00:00:00:00:0a', ip: '10.213.2.10' };
const VM = { mac: '52:54:00:00:00:0b', ip: '10.213.2.11', uuid: '6f1c6a52-2222-4c1e-9a51-00000000000b' };
const HOST = 'qemu+tcp://compute-7/system';

const inventory = (time: number): HostInventory => ({
  host: HOST,
  time,
  domains: [{ uuid: VM.uuid, name: 'web-b', vnics: [{ mac: VM.mac, portName: 'vnet3', bridge: 'br-int' }] }],
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, get: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function warnings() {
  const lines: Array<{ obj: object; msg: string }> = [];
  return { lines, log: { warn: (obj: object, msg: string) => lines.push({ obj, msg }), info() {} } };
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function collectorWithTraffic(): Promise<SflowCollector> {
  const collector = new SflowCollector({ host: '127.0.0.1', port: 0, windowMs: 10_000 });
  const { port } = await collector.start();
  stops.push(() => collector.stop());
  await sendFlowDatagrams(port, CLIENT, VM, 20);
  await until('the datagrams', async () => (collector.ingest.counters.accepted === 20 ? true : undefined));
  return collector;
}

describe('the sFlow enricher', () => {
  it('writes each VM’s traffic to the store on its own timer, joined through the stored inventory', async () => {
    const store = new MemoryStore({ sampleTtlMs: 60_000, seriesRetentionMs: 3_600_000, seriesMaxPoints: 16 });
    stops.push(() => store.close());
    await store.putRecord(HOST_INVENTORY_RECORD, storeName(HOST), inventory(Date.now()), { ttlMs: 60_000 });
    const collector = await collectorWithTraffic();
    const { log } = warnings();
    const enricher = new VmTrafficEnricher({
      ingest: collector.ingest,
      store,
      collector: 'collector-1',
      intervalMs: 50,
      log,
    });
    enricher.start();
    stops.push(() => enricher.stop());

    const stored = await until('the VM’s traffic in the store', () =>
      store.getRecord(VM_TRAFFIC_RECORD, VM.uuid),
    );
    const vm = parseVmTraffic(stored);
    expect(vm.ok).toBe(true);
    if (!vm.ok) return;
    // The VM received every sampled frame and sent nothing.
    expect(vm.value).toMatchObject({ uuid: VM.uuid, name: 'web-b', joinedBy: 'mac', txBytesPerSecond: 0 });
    expect(vm.value.rxBytesPerSecond).toBeGreaterThan(0);
    expect(vm.value.rxPacketsPerSecond).toBeGreaterThan(0);

    const snapshot = parseSflowTraffic(await store.getRecord(SFLOW_TRAFFIC_RECORD, 'collector-1'));
    expect(snapshot.ok).toBe(true);
    if (!snapshot.ok) return;
    expect(snapshot.value.windowSeconds).toBe(10);
    const macs = Object.fromEntries(snapshot.value.macs.map((m) => [m.mac, m]));
    expect(macs[VM.mac]).toMatchObject({ vm_uuid: VM.uuid, vm_name: 'web-b', tx_bytes_per_s: 0 });
    expect(macs[VM.mac]!.rx_bytes_per_s).toBeGreaterThan(0);
    expect(macs[CLIENT.mac]!.vm_uuid).toBeUndefined();
    expect(snapshot.value.flows).toMatchObject([
      { src_ip: CLIENT.ip, dst_ip: VM.ip, ip_protocol: 6, src_port: 40000, dst_port: 5001 },
    ]);
  });

  it('writes the collector’s own figures: the rates are the accounting’s at the same instant', async () => {
    const store = new MemoryStore({ sampleTtlMs: 60_000, seriesRetentionMs: 3_600_000, seriesMaxPoints: 16 });
    stops.push(() => store.close());
    await store.putRecord(HOST_INVENTORY_RECORD, storeName(HOST), inventory(Date.now()), { ttlMs: 60_000 });
    const collector = await collectorWithTraffic();
    const enricher = new VmTrafficEnricher({
      ingest: collector.ingest,
      store,
      collector: 'c',
      log: warnings().log,
    });
    const now = Date.now();
    await enricher.enrich(now);
    const [expected] = collector.ingest.vmTraffic(now, enricher.directory);
    expect(expected?.uuid).toBe(VM.uuid);
    expect(await store.getRecord(VM_TRAFFIC_RECORD, VM.uuid)).toEqual(expected);
  });

  it('refuses an inventory record that is not one, with a log line, and joins through the others', async () => {
    const store = new MemoryStore({ sampleTtlMs: 60_000, seriesRetentionMs: 3_600_000, seriesMaxPoints: 16 });
    stops.push(() => store.close());
    await store.putRecord(HOST_INVENTORY_RECORD, storeName(HOST), inventory(Date.now()));
    await store.putRecord(HOST_INVENTORY_RECORD, 'broken', { host: 'x', time: 1, domains: [{ uuid: 7 }] });
    const collector = await collectorWithTraffic();
    const { lines, log } = warnings();
    const enricher = new VmTrafficEnricher({ ingest: collector.ingest, store, collector: 'c', log });
    await enricher.enrich();
    expect(lines).toMatchObject([
      { obj: { kind: HOST_INVENTORY_RECORD, id: 'broken' }, msg: expect.stringMatching(/refused/) },
    ]);
    expect(await store.getRecord(VM_TRAFFIC_RECORD, VM.uuid)).toMatchObject({ name: 'web-b' });
  });

  it('writes nothing for a VM no inventory names, and says once when the store fails', async () => {
    const store = new MemoryStore({ sampleTtlMs: 60_000, seriesRetentionMs: 3_600_000, seriesMaxPoints: 16 });
    const collector = await collectorWithTraffic();
    const { lines, log } = warnings();
    const enricher = new VmTrafficEnricher({ ingest: collector.ingest, store, collector: 'c', log });
    await enricher.enrich();
    expect(await store.listRecords(VM_TRAFFIC_RECORD)).toEqual([]);
    expect(((await store.getRecord(SFLOW_TRAFFIC_RECORD, 'c')) as { macs: unknown[] }).macs).toHaveLength(2);
    const failing = Object.assign(Object.create(store) as MemoryStore, {
      listRecords: () => Promise.reject(new Error('Redis at redis://x is unavailable')),
    });
    const down = new VmTrafficEnricher({ ingest: collector.ingest, store: failing, collector: 'c', log });
    await down.enrich();
    await down.enrich();
    expect(lines.map((l) => l.msg)).toEqual(['sFlow traffic not written to the store']);
    await store.close();
  });
});
