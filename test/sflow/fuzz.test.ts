import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDatagram } from '../../src/sflow/datagram.js';
import { encodeDatagram } from '../../src/sflow/datagram-encoder.js';
import { DatagramWalker, type SampleSink } from '../../src/sflow/datagram-walker.js';
import { formatIpv6 } from '../../src/net/ipv6-address.js';
import { decodePacketHeader } from '../../src/sflow/packet-header.js';
import type {
  CounterRecord,
  FlowRecord,
  FlowSample,
  CounterSample,
  SflowDatagram,
} from '../../src/sflow/types.js';

const walker = new DatagramWalker();
const sink: SampleSink = { datagram() {}, flowSample() {}, counterSample() {} };

/** Both decoders on one input: neither throws, and they accept or reject it together. */
function checkBoth(buf: Buffer): void {
  const r = decodeDatagram(buf);
  const err = walker.walk(buf, sink);
  expect(r.ok).toBe(err === undefined);
}

const dir = new URL('./fixtures/ovs/', import.meta.url);
const ovs = readdirSync(dir)
  .filter((f) => f.endsWith('.bin'))
  .map((f) => readFileSync(new URL(f, dir)));

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const mac = fc
  .uint8Array({ minLength: 6, maxLength: 6 })
  .map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':'));
const ip4 = fc.ipV4();

const flowRecord: fc.Arbitrary<FlowRecord> = fc.oneof(
  fc
    .record({
      protocol: fc.constantFrom(1, 11, 12, 7),
      frameLength: u32,
      stripped: u32,
      header: fc.uint8Array({ maxLength: 160 }),
    })
    .map(({ protocol, frameLength, stripped, header }): FlowRecord => {
      const h = Buffer.from(header);
      return {
        type: 'raw-packet-header',
        headerProtocol: protocol,
        frameLength,
        stripped,
        headerLength: h.length,
        header: h,
        decoded: decodePacketHeader(h, protocol),
      };
    }),
  fc
    .record({ length: u32, srcMac: mac, dstMac: mac, etherType: u32 })
    .map((r): FlowRecord => ({ type: 'ethernet-frame', ...r })),
  fc
    .record({
      length: u32,
      protocol: u32,
      srcIp: ip4,
      dstIp: ip4,
      srcPort: u32,
      dstPort: u32,
      tcpFlags: u32,
      tos: u32,
    })
    .map((r): FlowRecord => ({ type: 'ipv4', ...r })),
  fc
    .record({ srcVlan: u32, srcPriority: u32, dstVlan: u32, dstPriority: u32 })
    .map((r): FlowRecord => ({ type: 'extended-switch', ...r })),
  fc
    .record({ nextHop: ip4, srcMaskLength: u32, dstMaskLength: u32 })
    .map((r): FlowRecord => ({ type: 'extended-router', ...r })),
  fc
    .record({
      enterprise: fc.integer({ min: 1, max: 0xfffff }),
      format: fc.integer({ min: 0, max: 0xfff }),
      length: fc.integer({ min: 0, max: 16 }).map((n) => n * 4),
    })
    .map((r): FlowRecord => ({ type: 'unknown', ...r })),
);

const counterRecord: fc.Arbitrary<CounterRecord> = fc.oneof(
  fc
    .record({
      vlanId: u32,
      octets: u64,
      ucastPkts: u32,
      multicastPkts: u32,
      broadcastPkts: u32,
      discards: u32,
    })
    .map((r): CounterRecord => ({ type: 'vlan', ...r })),
  fc.record({ memory: u64, maxMemory: u64 }).map((r): CounterRecord => ({ type: 'virt-memory', ...r })),
  fc.record({ name: fc.string({ maxLength: 40 }) }).map((r): CounterRecord => ({ type: 'port-name', ...r })),
  fc.record({ datapathId: u64, portNo: u32 }).map((r): CounterRecord => ({ type: 'openflow-port', ...r })),
  fc
    .record({
      adapters: fc.array(fc.record({ ifIndex: u32, macs: fc.array(mac, { maxLength: 3 }) }), {
        maxLength: 3,
      }),
    })
    .map((r): CounterRecord => ({ type: 'host-adapters', ...r })),
);

const iface = fc.record({
  format: fc.integer({ min: 0, max: 2 }),
  value: fc.integer({ min: 0, max: 0x3fffffff }),
});
const flowSample: fc.Arbitrary<FlowSample> = fc.record({
  kind: fc.constant('flow' as const),
  expanded: fc.boolean(),
  sequence: u32,
  sourceIdType: fc.integer({ min: 0, max: 255 }),
  sourceIdIndex: fc.integer({ min: 0, max: 0xffffff }),
  samplingRate: u32,
  samplePool: u32,
  drops: u32,
  input: iface,
  output: iface,
  records: fc.array(flowRecord, { maxLength: 4 }),
});
const counterSample: fc.Arbitrary<CounterSample> = fc.record({
  kind: fc.constant('counters' as const),
  expanded: fc.boolean(),
  sequence: u32,
  sourceIdType: fc.integer({ min: 0, max: 255 }),
  sourceIdIndex: fc.integer({ min: 0, max: 0xffffff }),
  records: fc.array(counterRecord, { maxLength: 4 }),
});
const datagram: fc.Arbitrary<SflowDatagram> = fc
  .record({
    agent: fc.oneof(
      ip4,
      fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIpv6(b, 0)),
    ),
    subAgentId: u32,
    sequence: u32,
    uptimeMs: u32,
    samples: fc.array(fc.oneof(flowSample, counterSample), { maxLength: 6 }),
  })
  .map((d) => {
    const v6 = d.agent.includes(':');
    let unknownRecords = 0;
    for (const s of d.samples) unknownRecords += s.records.filter((r) => r.type === 'unknown').length;
    return {
      version: 5 as const,
      ...d,
      agentAddressType: v6 ? ('ipv6' as const) : ('ipv4' as const),
      unknownRecords,
      unknownSamples: 0,
    };
  });

describe('sFlow decoder fuzzing', () => {
  it('random bytes: no throw escapes, both decoders agree', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => checkBoth(Buffer.from(bytes))),
      { numRuns: 3000 },
    );
  });

  it('random bytes behind a valid v5 header: no throw escapes, both decoders agree', () => {
    const head = Buffer.from('00000005000000010ad502010000000000000001000003e8', 'hex');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) =>
        checkBoth(Buffer.concat([head, Buffer.from(bytes)])),
      ),
      { numRuns: 3000 },
    );
  });

  it('mutated real OVS datagrams (byte flips, 32-bit overwrites, cuts, extensions): no throw, agreement', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({
        kind: fc.constant('word' as const),
        at: fc.nat(),
        value: fc.oneof(u32, fc.constantFrom(0, 1, 3, 4, 0x7fffffff, 0xffffffff, 0x10000)),
      }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('extend' as const),
        bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }),
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: ovs.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (which, mutations) => {
          let b = Buffer.from(ovs[which]!);
          for (const m of mutations) {
            if (b.length === 0) break;
            if (m.kind === 'flip') b[m.at % b.length]! ^= 1 << m.bit;
            else if (m.kind === 'word') {
              const at = (m.at % Math.max(1, b.length >> 2)) * 4;
              if (at + 4 <= b.length) b.writeUInt32BE(m.value, at);
            } else if (m.kind === 'cut') b = b.subarray(0, m.at % b.length);
            else b = Buffer.concat([b, Buffer.from(m.bytes)]);
          }
          checkBoth(b);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('generated datagrams round-trip: decode(encode(x)) = x, and the walker accepts them', () => {
    fc.assert(
      fc.property(datagram, (d) => {
        const bytes = encodeDatagram(d);
        const r = decodeDatagram(bytes);
        expect(r.ok ? r.datagram : r.error).toEqual(d);
        expect(walker.walk(bytes, sink)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('a hostile sample count cannot make the decoder loop: 1,000,000 declared samples in 40 bytes returns at once', () => {
    const b = Buffer.from('00000005000000010ad502010000000000000001000003e8000f4240', 'hex');
    const t = performance.now();
    checkBoth(b);
    expect(performance.now() - t).toBeLessThan(50);
  });
});
