import { describe, expect, it } from 'vitest';
import { AgentSequences } from '../../src/sflow/agent-sequences.js';
import { counterDelta32, counterDelta64, InterfaceCounterRates } from '../../src/sflow/counter-rates.js';
import { encodeDatagram } from '../../src/sflow/datagram-encoder.js';
import { InventoryDirectory } from '../../src/sflow/inventory-directory.js';
import { SflowIngest } from '../../src/sflow/sflow-ingest.js';
import { RateWindow } from '../../src/sflow/sliding-window.js';
import { staticDirectory } from '../../src/sflow/traffic-accounting.js';
import type { GenericInterfaceCounters } from '../../src/sflow/types.js';
import { flowDatagram, flowSample } from './support/flow-datagrams.js';

const A = { mac: '02:00:00:00:00:0a', ip: '10.213.2.10' };
const B = { mac: '02:00:00:00:00:0b', ip: '10.213.2.11' };

const sample = flowSample;
const datagram = flowDatagram;

describe('sliding-window rates', () => {
  it('rates over the window; old buckets fall out', () => {
    const w = new RateWindow(10_000);
    for (let t = 0; t < 20_000; t += 100) w.add(t, 1000, 1); // 10 kB/s, 10 pkt/s for 20 s
    const r = w.rates(19_999);
    expect(r.bytesPerSecond).toBeCloseTo(10_000, -1);
    expect(r.packetsPerSecond).toBeCloseTo(10, 0);
    expect(w.rates(40_000).bytesPerSecond).toBe(0);
    expect(w.totalBytes).toBe(200 * 1000);
  });

  it('a new flow is not diluted by the part of the window before it started', () => {
    const w = new RateWindow(10_000);
    for (let t = 50_000; t < 52_000; t += 100) w.add(t, 500, 1);
    expect(w.rates(52_000).bytesPerSecond).toBeCloseTo(5_000, -2);
  });
});

describe('agent sequence tracking', () => {
  it('in order, gaps (lost), late arrivals, restarts', () => {
    const s = new AgentSequences();
    expect(s.observe('a', 0, 10, 10_000, 0)).toBe('first');
    expect(s.observe('a', 0, 11, 11_000, 0)).toBe('in-order');
    expect(s.observe('a', 0, 15, 15_000, 0)).toBe('gap');
    expect(s.observe('a', 0, 13, 13_000, 0)).toBe('late');
    expect(s.observe('a', 0, 1, 500, 0)).toBe('restart');
    expect(s.observe('a', 0, 2, 1500, 0)).toBe('in-order');
    expect(s.observe('a', 0, 0, 1600, 0)).toBe('late');
    // sequence wraps modulo 2^32
    expect(s.observe('b', 0, 0xffffffff, 100_000, 0)).toBe('first');
    expect(s.observe('b', 0, 0, 101_000, 0)).toBe('in-order');
    const a = s.stats().find((x) => x.agent === 'a')!;
    expect(a).toMatchObject({ datagrams: 7, lost: 1, late: 2, restarts: 1 });
  });

  it('the uptime wrapping after 2^32 ms is not a restart', () => {
    const s = new AgentSequences();
    s.observe('a', 0, 100, 0xffffffff - 500, 0);
    expect(s.observe('a', 0, 101, 500, 0)).toBe('in-order');
    expect(s.stats()[0]).toMatchObject({ restarts: 0, lost: 0 });
  });

  it('sub-agents are tracked apart', () => {
    const s = new AgentSequences();
    s.observe('a', 1, 5, 0, 0);
    expect(s.observe('a', 2, 100, 0, 0)).toBe('first');
    expect(s.observe('a', 1, 6, 0, 0)).toBe('in-order');
  });
});

describe('counter-sample rates', () => {
  it('32-bit wrap, 64-bit reset, unknown counters', () => {
    expect(counterDelta32(0xfffffff0, 0x10)).toBe(0x20);
    expect(counterDelta32(5, 9)).toBe(4);
    expect(counterDelta32(0xffffffff, 9)).toBeUndefined();
    expect(counterDelta64(10n, 4n)).toBeUndefined();
    expect(counterDelta64((1n << 63n) + 5n, (1n << 63n) + 105n)).toBe(100n);
  });

  const c = (inOctets: bigint, outOctets: bigint, inUcast: number): GenericInterfaceCounters => ({
    type: 'generic-interface',
    ifIndex: 7,
    ifType: 6,
    ifSpeed: 10_000_000_000n,
    ifDirection: 1,
    ifStatus: 3,
    ifInOctets: inOctets,
    ifInUcastPkts: inUcast,
    ifInMulticastPkts: 0,
    ifInBroadcastPkts: 0xffffffff,
    ifInDiscards: 0,
    ifInErrors: 0,
    ifInUnknownProtos: 0xffffffff,
    ifOutOctets: outOctets,
    ifOutUcastPkts: 0,
    ifOutMulticastPkts: 0xffffffff,
    ifOutBroadcastPkts: 0xffffffff,
    ifOutDiscards: 0,
    ifOutErrors: 0,
    ifPromiscuousMode: 0,
  });

  it('rates between samples by the agent uptime; wrap of a 32-bit packet counter; reset on restart', () => {
    const r = new InterfaceCounterRates();
    expect(r.update('s', 1, 10_000, 0, c(1000n, 0n, 0xffffff00))).toBeUndefined();
    const x = r.update('s', 2, 20_000, 10_000, c(101_000n, 5000n, 0x100));
    expect(x).toMatchObject({
      inBytesPerSecond: 10_000,
      outBytesPerSecond: 500,
      inPacketsPerSecond: 0x200 / 10,
    });
    // agent restart: uptime back -> baseline, no rate
    expect(r.update('s', 1, 1_000, 20_000, c(50n, 0n, 1))).toBeUndefined();
    expect(r.resets).toBe(1);
    // 64-bit counter going down (interface re-created) gives no byte rate
    expect(r.update('s', 2, 11_000, 30_000, c(10n, 10n, 2))?.inBytesPerSecond).toBeUndefined();
  });
});

describe('traffic accounting from flow samples', () => {
  it('scales samples by sample pool and rate; per port, MAC, IP pair, top flows, and VM joins', () => {
    const ingest = new SflowIngest({ windowMs: 10_000 });
    // 100 datagrams, 1 s apart: each has 1 sample A->B (port 1 -> 2) of 1518 bytes, 1-in-64
    let pool = 0;
    for (let i = 1; i <= 100; i++) {
      pool += 64;
      const samples = [sample(i, pool, A, B, 1, 2)];
      expect(ingest.ingest(datagram(i, samples), i * 1000)).toBeUndefined();
    }
    // 999 ms into the fixed window that started at 100 s: the sliding window covers 9.001 s of the previous one
    const now = 100_999;
    const ports = ingest.accounting.portTraffic(now);
    const p1 = ports.find((p) => p.ifIndex === 1)!;
    // each sample stands for 64 packets of 1514 bytes (frame less the 4-byte FCS)
    expect(p1.in.totalPackets).toBe(6400);
    expect(p1.in.totalBytes).toBe(6400 * 1514);
    expect(p1.in.bytesPerSecond).toBeCloseTo(64 * 1514, -2);
    expect(ports.find((p) => p.ifIndex === 2)!.out.totalBytes).toBe(6400 * 1514);
    const macs = ingest.accounting.macTraffic(now);
    expect(macs.find((m) => m.mac === A.mac)!.sent.totalBytes).toBe(6400 * 1514);
    expect(macs.find((m) => m.mac === B.mac)!.received.totalBytes).toBe(6400 * 1514);
    expect(ingest.accounting.pairTraffic(now)).toMatchObject([
      { src: A.ip, dst: B.ip, totalBytes: 6400 * 1514 },
    ]);
    expect(ingest.accounting.topFlows(now, 5)).toMatchObject([
      { protocol: 6, src: A.ip, dst: B.ip, srcPort: 40000, dstPort: 5001 },
    ]);

    const dir = staticDirectory({ [B.mac]: { uuid: 'vm-b', name: 'b' } });
    const vms = ingest.vmTraffic(now, dir);
    expect(vms).toHaveLength(1);
    expect(vms[0]).toMatchObject({
      uuid: 'vm-b',
      joinedBy: 'mac',
      txBytesPerSecond: 0,
      windowMs: 10_000,
      updatedAtMs: 100_000,
    });
    // 9.001 samples' worth from the previous fixed window + 1 in the current one, over 10 s
    expect(vms[0]!.rxBytesPerSecond).toBeCloseTo(64 * 1514, -2);
  });

  it('a lost datagram is made up by the next sample of the same sampler (sample pool delta)', () => {
    const ingest = new SflowIngest();
    ingest.ingest(datagram(1, [sample(1, 64, A, B, 1, 2)]), 1000);
    // datagram 2 (sample 2) lost; sample 3 covers pool 64 -> 192
    ingest.ingest(datagram(3, [sample(3, 192, A, B, 1, 2)]), 3000);
    const p1 = ingest.accounting.portTraffic(3000).find((p) => p.ifIndex === 1)!;
    expect(p1.in.totalPackets).toBe(64 + 64);
    expect(ingest.lostDatagrams()).toBe(1);
  });

  it('top-N orders flows by byte rate and keeps N', () => {
    const ingest = new SflowIngest();
    let seq = 0;
    for (let f = 0; f < 20; f++) {
      for (let k = 0; k <= f; k++) {
        seq++;
        ingest.ingest(datagram(seq, [sample(seq, seq * 64, A, B, 1, 2, 1518, 30000 + f)]), 1000);
      }
    }
    const top = ingest.accounting.topFlows(1000, 3);
    expect(top.map((t) => t.srcPort)).toEqual([30019, 30018, 30017]);
  });

  it('joins by port name (OVS port-name counter record) before MAC, and carries counter rates', () => {
    const ingest = new SflowIngest();
    const counters = (seq: number, uptime: number, inOctets: bigint) =>
      encodeDatagram({
        agent: '10.213.2.254',
        subAgentId: 0,
        sequence: seq,
        uptimeMs: uptime,
        samples: [
          {
            kind: 'counters',
            expanded: false,
            sequence: seq,
            sourceIdType: 0,
            sourceIdIndex: 1,
            records: [
              { type: 'port-name', name: 'vnet7' },
              {
                type: 'generic-interface',
                ifIndex: 1,
                ifType: 6,
                ifSpeed: 0n,
                ifDirection: 1,
                ifStatus: 3,
                ifInOctets: inOctets,
                ifInUcastPkts: 0,
                ifInMulticastPkts: 0,
                ifInBroadcastPkts: 0,
                ifInDiscards: 0,
                ifInErrors: 0,
                ifInUnknownProtos: 0,
                ifOutOctets: 0n,
                ifOutUcastPkts: 0,
                ifOutMulticastPkts: 0,
                ifOutBroadcastPkts: 0,
                ifOutDiscards: 0,
                ifOutErrors: 0,
                ifPromiscuousMode: 0,
              },
            ],
          },
        ],
      });
    ingest.ingest(counters(1, 10_000, 0n), 10_000);
    ingest.ingest(counters(2, 20_000, 1_000_000n), 20_000);
    ingest.ingest(datagram(3, [sample(1, 64, A, B, 1, 2)], 20_500), 20_500);
    const dir = staticDirectory(
      { [A.mac]: { uuid: 'vm-a', name: 'a-by-mac' } },
      { vnet7: { uuid: 'vm-a', name: 'a' } },
    );
    const [vm] = ingest.vmTraffic(21_000, dir);
    expect(vm).toMatchObject({
      uuid: 'vm-a',
      name: 'a',
      joinedBy: 'port',
      counters: { txBytesPerSecond: 100_000 },
    });
    expect(vm!.txBytesPerSecond).toBeGreaterThan(0);
  });

  it('rejected datagrams are counted by reason and change nothing', () => {
    const ingest = new SflowIngest();
    const good = datagram(1, [sample(1, 64, A, B, 1, 2)]);
    expect(ingest.ingest(good.subarray(0, good.length - 8), 0)?.code).toBe('truncated');
    expect(ingest.counters.rejected.truncated).toBe(1);
    expect(ingest.accounting.sizes()).toEqual({ ports: 0, macs: 0, flows: 0 });
  });

  it('sweep drops idle entries', () => {
    const ingest = new SflowIngest();
    ingest.ingest(datagram(1, [sample(1, 64, A, B, 1, 2)]), 1000);
    ingest.sweep(2000);
    expect(ingest.accounting.sizes()).toEqual({ ports: 0, macs: 0, flows: 0 });
  });
});

describe('inventory directory', () => {
  it('joins by MAC anywhere, by port name when unique or when the agent is known to be the host', () => {
    const dir = new InventoryDirectory(new Map([['10.213.2.251', 'qemu+tcp://c1/system']]));
    dir.update('qemu+tcp://c1/system', [
      { uuid: 'u1', name: 'web-1', vnics: [{ mac: '52:54:00:AA:00:01', portName: 'vnet0' }] },
    ]);
    dir.update('qemu+tcp://c2/system', [
      { uuid: 'u2', name: 'web-2', vnics: [{ mac: '52:54:00:aa:00:02', portName: 'vnet0' }] },
      { uuid: 'u3', name: 'db-1', vnics: [{ mac: '52:54:00:aa:00:03', portName: 'tap1234abcd-12' }] },
    ]);
    expect(dir.vmByMac('52:54:00:aa:00:01')).toEqual({ uuid: 'u1', name: 'web-1' });
    expect(dir.vmByPort('10.213.2.252', 5, 'tap1234abcd-12')).toEqual({ uuid: 'u3', name: 'db-1' });
    // vnet0 exists on both hosts: only the agent known to be c1's switch resolves it
    expect(dir.vmByPort('10.213.2.251', 5, 'vnet0')).toEqual({ uuid: 'u1', name: 'web-1' });
    expect(dir.vmByPort('10.213.2.252', 5, 'vnet0')).toBeUndefined();
    dir.removeHost('qemu+tcp://c1/system');
    expect(dir.vmByPort('10.213.2.252', 5, 'vnet0')).toEqual({ uuid: 'u2', name: 'web-2' });
    expect(dir.vmByMac('52:54:00:aa:00:01')).toBeUndefined();
  });
});

describe('Host sFlow per-domain counters', () => {
  const domainSample = (seq: number, uptimeMs: number, bytesIn: bigint, bytesOut: bigint, pkts: number) =>
    encodeDatagram({
      agent: '10.213.2.250',
      subAgentId: 0,
      sequence: seq,
      uptimeMs,
      samples: [
        {
          kind: 'counters',
          expanded: false,
          sequence: seq,
          sourceIdType: 3,
          sourceIdIndex: 1,
          records: [
            {
              type: 'host-description',
              hostname: 'web-1',
              uuid: '4c32becd-1d01-4a8a-b11d-d93447cb0a2f',
              machineType: 3,
              osName: 2,
              osRelease: '',
            },
            { type: 'virt-cpu', state: 1, cpuTimeMs: seq * 100, nrVirtCpu: 1 },
            {
              type: 'virt-net-io',
              bytesIn,
              pktsIn: pkts,
              errsIn: 0,
              dropsIn: 0,
              bytesOut,
              pktsOut: pkts,
              errsOut: 0,
              dropsOut: 0,
            },
          ],
        },
      ],
    });

  it('become per-VM rates; a VM only Host sFlow reports is listed as such, a known one gets them alongside', () => {
    const ingest = new SflowIngest();
    ingest.ingest(domainSample(1, 10_000, 1_000n, 0n, 0xfffffff0), 10_000);
    ingest.ingest(domainSample(2, 20_000, 101_000n, 50_000n, 0x10), 20_000);
    const nobody = staticDirectory({});
    const [vm] = ingest.vmTraffic(20_500, nobody);
    // 100,000 bytes in over the 10 s between the samples (agent uptime); 32 packets across a 32-bit wrap
    expect(vm).toMatchObject({
      uuid: '4c32becd-1d01-4a8a-b11d-d93447cb0a2f',
      name: 'web-1',
      joinedBy: 'host-sflow',
      rxBytesPerSecond: 10_000,
      txBytesPerSecond: 5_000,
    });
    expect(vm!.rxPacketsPerSecond).toBeCloseTo(3.2, 5);

    const dir = new InventoryDirectory();
    dir.update('c1', [
      { uuid: '4c32becd-1d01-4a8a-b11d-d93447cb0a2f', name: 'web-1', vnics: [{ mac: '02:00:00:00:00:0a' }] },
    ]);
    ingest.ingest(datagram(1, [sample(1, 64, A, B, 1, 2)]), 20_600);
    const [known] = ingest.vmTraffic(21_000, dir);
    expect(known).toMatchObject({
      joinedBy: 'mac',
      hostSflow: { rxBytesPerSecond: 10_000, intervalMs: 10_000 },
    });
    // an agent restart (uptime back) is a reset: no rate from that pair
    ingest.ingest(domainSample(1, 1_000, 10n, 10n, 1), 30_000);
    ingest.ingest(domainSample(2, 11_000, 20_010n, 10n, 1), 40_000);
    expect(ingest.domains.get('4c32becd-1d01-4a8a-b11d-d93447cb0a2f')).toMatchObject({
      rxBytesPerSecond: 2_000,
      updatedAtMs: 40_000,
    });
  });
});
