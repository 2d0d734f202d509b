import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_DEVICES,
  domainStateName,
  parseDomainStats,
  type TypedValue,
} from '../../src/monitor/domain-stats.js';
import { parseVirshDomstats } from '../../src/lab/host/virsh-domstats.js';

const recorded = parseVirshDomstats(
  readFileSync(new URL('./fixtures/qemu-domstats.txt', import.meta.url), 'utf8'),
);

describe('parseDomainStats', () => {
  it('reads a recorded QEMU record: state, CPU, balloon, vCPUs, vNIC, disk', () => {
    const rec = recorded.find((r) => r.name === 'vmon-try')!;
    const s = parseDomainStats({ name: rec.name, uuid: 'u-1', params: rec.params });
    expect(s.state).toBe('running');
    expect(s.stateCode).toBe(1);
    expect(s.cpuTimeNs).toBe(rec.params.get('cpu.time'));
    expect(s.cpuUserNs).toBe(rec.params.get('cpu.user'));
    expect(s.balloon).toMatchObject({
      currentKiB: rec.params.get('balloon.current'),
      maximumKiB: rec.params.get('balloon.maximum'),
      rssKiB: rec.params.get('balloon.rss'),
      availableKiB: rec.params.get('balloon.available'),
      usableKiB: rec.params.get('balloon.usable'),
      unusedKiB: rec.params.get('balloon.unused'),
    });
    expect(s.vcpus).toEqual([
      {
        index: 0,
        state: 1,
        timeNs: rec.params.get('vcpu.0.time'),
        waitNs: rec.params.get('vcpu.0.wait'),
        delayNs: rec.params.get('vcpu.0.delay'),
      },
    ]);
    expect(s.nets).toHaveLength(1);
    expect(s.nets[0]).toMatchObject({
      name: 'vnet0',
      rxBytes: rec.params.get('net.0.rx.bytes'),
      txPackets: rec.params.get('net.0.tx.pkts'),
    });
    expect(s.blocks).toHaveLength(1);
    expect(s.blocks[0]).toMatchObject({
      name: 'vda',
      path: rec.params.get('block.0.path'),
      readBytes: rec.params.get('block.0.rd.bytes'),
      readRequests: rec.params.get('block.0.rd.reqs'),
      writeBytes: rec.params.get('block.0.wr.bytes'),
      writeRequests: rec.params.get('block.0.wr.reqs'),
    });
  });

  it('keeps only the vCPUs that report, and several vNICs in order', () => {
    const rec = recorded.find((r) => r.name === 'vmon-two')!;
    const s = parseDomainStats({ name: rec.name, uuid: 'u-2', params: rec.params });
    expect(s.state).toBe('paused');
    expect(s.vcpuCurrent).toBe(2);
    expect(s.vcpuMaximum).toBe(4);
    expect(s.vcpus.map((v) => v.index)).toEqual([0, 1, 2, 3]);
    expect(s.vcpus[2]).toEqual({ index: 2, state: 0 });
    expect(s.nets.map((n) => n.name)).toEqual(['tap5e0c1d2a-7f', 'vnet7']);
    expect(s.balloon.availableKiB).toBeUndefined();
  });

  it('accepts a plain object and bigint values (unsigned long long parameters)', () => {
    const s = parseDomainStats({
      name: 'd',
      uuid: 'u',
      params: {
        'state.state': 5,
        'cpu.time': 123n,
        'net.count': 1,
        'net.0.name': 'vnet3',
        'net.0.rx.bytes': 2n ** 40n,
      },
    });
    expect(s.state).toBe('shutoff');
    expect(s.cpuTimeNs).toBe(123);
    expect(s.nets[0]!.rxBytes).toBe(2 ** 40);
  });

  it('ignores mistyped values and nameless devices instead of failing', () => {
    const s = parseDomainStats({
      name: 'd',
      uuid: 'u',
      params: new Map<string, TypedValue>([
        ['state.state', 'running'],
        ['cpu.time', true],
        ['net.count', 2],
        ['net.0.rx.bytes', 5],
        ['net.1.name', 'vnet1'],
        ['net.1.rx.bytes', 'many'],
        ['block.count', -3],
      ]),
    });
    expect(s.state).toBe('unknown');
    expect(s.cpuTimeNs).toBeUndefined();
    expect(s.nets).toHaveLength(1);
    expect(s.nets[0]).toMatchObject({ index: 1, name: 'vnet1' });
    expect(s.nets[0]!.rxBytes).toBeUndefined();
    expect(s.blocks).toEqual([]);
  });

  it('bounds the device loops whatever count a reply claims', () => {
    const t = Date.now();
    const s = parseDomainStats({
      name: 'd',
      uuid: 'u',
      params: { 'net.count': 2 ** 31, 'block.count': 1e300, 'vcpu.maximum': 1e9 },
    });
    expect(s.nets).toEqual([]);
    expect(Date.now() - t).toBeLessThan(1000);
    expect(MAX_DEVICES).toBeLessThan(100_000);
  });

  it('names every virDomainState and flags unknown codes', () => {
    // include/libvirt/libvirt-domain.h: enum virDomainState (VIR_DOMAIN_NOSTATE = 0, ...).
    const virDomainState = {
      nostate: 0,
      running: 1,
      blocked: 2,
      paused: 3,
      shutdown: 4,
      shutoff: 5,
      crashed: 6,
      pmsuspended: 7,
    };
    for (const [name, code] of Object.entries(virDomainState))
      expect(domainStateName(code), `state ${code}`).toBe(name);
    expect(domainStateName(8)).toBe('unknown');
    expect(domainStateName(undefined)).toBe('unknown');
    expect(domainStateName(1.5)).toBe('unknown');
  });

  it('never throws on arbitrary parameter lists (fuzz)', () => {
    const key = fc.oneof(
      fc.constantFrom(
        'state.state',
        'cpu.time',
        'net.count',
        'block.count',
        'vcpu.current',
        'vcpu.maximum',
        'balloon.current',
        'net.0.name',
        'block.0.name',
        'vcpu.0.time',
        '__proto__',
        'constructor',
      ),
      fc.string(),
    );
    const value = fc.oneof(fc.integer(), fc.double(), fc.bigInt(), fc.boolean(), fc.string());
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 40 }), (entries) => {
        const s = parseDomainStats({ name: 'x', uuid: 'y', params: new Map(entries) });
        const o = parseDomainStats({ name: 'x', uuid: 'y', params: Object.fromEntries(entries) });
        expect(s.nets.length).toBeLessThanOrEqual(MAX_DEVICES);
        expect(o.blocks.length).toBeLessThanOrEqual(MAX_DEVICES);
      }),
      { numRuns: 500 },
    );
  });
});
