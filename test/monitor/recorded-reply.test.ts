// A CONNECT_GET_ALL_DOMAIN_STATS reply recorded from libvirtd for a running QEMU guest, and
// `virsh domstats --raw` taken right after it: decoded through the RPC codec into the monitor's metrics.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/libvirt/message.js';
import { decodeGetAllDomainStats } from '../../src/libvirt/procedures.js';
import { parseDomainStats } from '../../src/monitor/domain-stats.js';
import { computeVmMetrics } from '../../src/monitor/rates.js';
import { buildVmSample } from '../../src/monitor/vm-sample.js';
import { parseVirshDomstats } from '../../src/lab/host/virsh-domstats.js';

const reply = readFileSync(new URL('./fixtures/qemu-all-domain-stats.bin', import.meta.url));
const virsh = parseVirshDomstats(
  readFileSync(new URL('./fixtures/qemu-all-domain-stats.virsh.txt', import.meta.url), 'utf8'),
)[0]!;

/** Frame (length word included) -> records, or undefined when the bytes do not decode. */
function decode(frame: Buffer) {
  if (frame.length < 4) return undefined;
  const msg = decodeMessage(frame.subarray(4));
  if (!msg.ok) return undefined;
  const recs = decodeGetAllDomainStats(msg.value.body);
  return recs.ok ? recs.value : undefined;
}

describe('a recorded GetAllDomainStats reply', () => {
  const records = decode(reply)!;

  it('decodes into the domain virsh reported, with the same statistics', () => {
    expect(records).toHaveLength(1);
    const rec = records[0]!;
    expect(rec.domain.name).toBe(virsh.name);
    const s = parseDomainStats({ name: rec.domain.name, uuid: rec.domain.uuid, params: rec.params });
    const v = (k: string) => virsh.params.get(k) as number;
    expect(s.state).toBe('running');
    expect(s.stateCode).toBe(v('state.state'));
    // Sizes, the vCPU count and the vNIC's name are the same a moment later...
    expect(s.balloon).toMatchObject({
      currentKiB: v('balloon.current'),
      maximumKiB: v('balloon.maximum'),
      rssKiB: v('balloon.rss'),
      availableKiB: v('balloon.available'),
      usableKiB: v('balloon.usable'),
      unusedKiB: v('balloon.unused'),
    });
    expect(s.vcpuCurrent).toBe(v('vcpu.current'));
    expect(s.nets.map((n) => n.name)).toEqual([virsh.params.get('net.0.name')]);
    // ...counters can only have grown by the time virsh ran (a few ms of one vCPU at most).
    expect(s.cpuTimeNs).toBeLessThanOrEqual(v('cpu.time'));
    expect(v('cpu.time') - s.cpuTimeNs!).toBeLessThan(50e6);
    expect(s.vcpus[0]!.timeNs).toBeLessThanOrEqual(v('vcpu.0.time'));
    expect(s.nets[0]!.rxBytes).toBeLessThanOrEqual(v('net.0.rx.bytes'));
    expect(s.nets[0]!.txPackets).toBeLessThanOrEqual(v('net.0.tx.pkts'));
  });

  it('gives a sample whose raw metrics are the reply’s values, scaled to bytes', () => {
    const rec = records[0]!;
    const s = parseDomainStats({ name: rec.domain.name, uuid: rec.domain.uuid, params: rec.params });
    const sample = buildVmSample({
      host: 'qemu:///system',
      time: 1,
      pollIntervalMs: 5000,
      state: s.state,
      uuid: s.uuid,
      name: s.name,
      metrics: computeVmMetrics({ timeMs: 1, stats: s }),
    });
    const p = new Map(rec.params.map((x) => [x.field, x.value]));
    expect(sample.metrics['cpu.time_ns']).toBe(p.get('cpu.time'));
    expect(sample.metrics['memory.rss_bytes']).toBe((p.get('balloon.rss') as number) * 1024);
    expect(sample.metrics['memory.used_bytes']).toBe(
      ((p.get('balloon.available') as number) - (p.get('balloon.usable') as number)) * 1024,
    );
    expect(sample.metrics[`net.${p.get('net.0.name') as string}.rx_bytes`]).toBe(p.get('net.0.rx.bytes'));
  });

  it('survives every mutation of its bytes: decode error values or finite, non-negative metrics (fuzz)', () => {
    const mutated = fc
      .array(fc.tuple(fc.nat({ max: reply.length - 1 }), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8,
      })
      .chain((edits) => fc.tuple(fc.constant(edits), fc.nat({ max: reply.length }), fc.nat({ max: 64 })))
      .map(([edits, cutAt, cutLen]) => {
        const b = Buffer.from(reply);
        for (const [at, byte] of edits) b[at] = byte;
        return Buffer.concat([b.subarray(0, cutAt), b.subarray(Math.min(b.length, cutAt + cutLen))]);
      });
    fc.assert(
      fc.property(mutated, (frame) => {
        const recs = decode(frame);
        if (!recs) return;
        let prev;
        for (const rec of recs) {
          const s = parseDomainStats({ name: rec.domain.name, uuid: rec.domain.uuid, params: rec.params });
          const cur = { timeMs: 10_000, stats: s };
          const m = computeVmMetrics(cur, prev);
          prev = { timeMs: 5000, stats: s };
          for (const v of Object.values(m.metrics)) {
            expect(Number.isFinite(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(0);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
