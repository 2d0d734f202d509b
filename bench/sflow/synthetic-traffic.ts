// Synthetic sFlow datagrams shaped like an OVS agent's under load: ~7 flow samples per datagram, each a
// 128-byte sampled Ethernet/IPv4 (some IPv6) TCP/UDP header plus an extended switch record, and now and
// then a counter sample. Deterministic (seeded), so every run decodes the same bytes.

import { encodeDatagram } from '../../src/sflow/datagram-encoder.js';
import type { CounterSample, FlowSample, SflowSample } from '../../src/sflow/types.js';

export interface SyntheticOptions {
  datagrams: number;
  samplesPerDatagram?: number;
  headerBytes?: number;
  flows?: number;
  ports?: number;
  seed?: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

interface Flow {
  srcMac: number[];
  dstMac: number[];
  v6: boolean;
  src: number[];
  dst: number[];
  proto: number;
  sport: number;
  dport: number;
  input: number;
  output: number;
  frameLength: number;
}

function frame(f: Flow, headerBytes: number): Buffer {
  const b = Buffer.alloc(headerBytes, 0x61);
  b.set(f.dstMac, 0);
  b.set(f.srcMac, 6);
  let p = 12;
  if (f.v6) {
    b.set([0x86, 0xdd, 0x60, 0, 0, 0], p);
    b.writeUInt16BE(f.frameLength - 54, p + 6);
    b[p + 8] = f.proto;
    b[p + 9] = 64;
    b.set(f.src, p + 10);
    b.set(f.dst, p + 26);
    p += 42;
  } else {
    b.set([0x08, 0x00, 0x45, 0], p);
    b.writeUInt16BE(f.frameLength - 14, p + 4);
    b.set([0, 1, 0x40, 0, 64, f.proto, 0, 0], p + 6);
    b.set(f.src, p + 14);
    b.set(f.dst, p + 18);
    p += 22;
  }
  b.writeUInt16BE(f.sport, p);
  b.writeUInt16BE(f.dport, p + 2);
  if (f.proto === 6) b.set([0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0], p + 4);
  else b.writeUInt16BE(f.frameLength - (f.v6 ? 54 : 34), p + 4);
  return b;
}

export function syntheticDatagrams(opts: SyntheticOptions): Buffer[] {
  const rand = rng(opts.seed ?? 42);
  const int = (n: number) => Math.floor(rand() * n);
  const headerBytes = opts.headerBytes ?? 128;
  const perDatagram = opts.samplesPerDatagram ?? 7;
  const ports = opts.ports ?? 48;
  const flows: Flow[] = [];
  for (let i = 0; i < (opts.flows ?? 4096); i++) {
    const v6 = rand() < 0.05;
    const host = () =>
      v6
        ? [0xfd, 0, 0x02, 0x13, ...Array.from({ length: 10 }, () => 0), int(256), int(256)]
        : [10, 213, 2 + int(4), 1 + int(250)];
    const mac = () => [0x52, 0x54, 0, int(256), int(256), int(256)];
    flows.push({
      srcMac: mac(),
      dstMac: mac(),
      v6,
      src: host(),
      dst: host(),
      proto: rand() < 0.8 ? 6 : 17,
      sport: 1024 + int(60000),
      dport: [80, 443, 5001, 53, 8080][int(5)]!,
      input: 1 + int(ports),
      output: 1 + int(ports),
      frameLength: rand() < 0.7 ? 1518 : 64 + int(1400),
    });
  }
  const out: Buffer[] = [];
  let flowSeq = 0;
  let counterSeq = 0;
  for (let d = 0; d < opts.datagrams; d++) {
    const samples: SflowSample[] = [];
    for (let s = 0; s < perDatagram; s++) {
      // a skewed choice: a few flows carry most of the traffic, as in real networks
      const f = flows[Math.floor(flows.length * rand() ** 3)]!;
      flowSeq++;
      const header = frame(f, headerBytes);
      const sample: FlowSample = {
        kind: 'flow',
        expanded: false,
        sequence: flowSeq,
        sourceIdType: 2,
        sourceIdIndex: 1000,
        samplingRate: 64,
        samplePool: (flowSeq * 64) >>> 0,
        drops: 0,
        input: { format: 0, value: f.input },
        output: { format: 0, value: f.output },
        records: [
          { type: 'extended-switch', srcVlan: 0, srcPriority: 0, dstVlan: 0, dstPriority: 0 },
          {
            type: 'raw-packet-header',
            headerProtocol: 1,
            frameLength: f.frameLength,
            stripped: 4,
            headerLength: header.length,
            header,
            decoded: undefined,
          },
        ],
      };
      samples.push(sample);
    }
    if (d % 50 === 0) {
      counterSeq++;
      const ifIndex = 1 + (counterSeq % ports);
      const c: CounterSample = {
        kind: 'counters',
        expanded: false,
        sequence: counterSeq,
        sourceIdType: 0,
        sourceIdIndex: ifIndex,
        records: [
          { type: 'port-name', name: `vnet${ifIndex}` },
          {
            type: 'generic-interface',
            ifIndex,
            ifType: 6,
            ifSpeed: 10_000_000_000n,
            ifDirection: 1,
            ifStatus: 3,
            ifInOctets: BigInt(counterSeq) * 1_000_000n,
            ifInUcastPkts: counterSeq * 1000,
            ifInMulticastPkts: 0,
            ifInBroadcastPkts: 0xffffffff,
            ifInDiscards: 0,
            ifInErrors: 0,
            ifInUnknownProtos: 0xffffffff,
            ifOutOctets: BigInt(counterSeq) * 900_000n,
            ifOutUcastPkts: counterSeq * 900,
            ifOutMulticastPkts: 0xffffffff,
            ifOutBroadcastPkts: 0xffffffff,
            ifOutDiscards: 0,
            ifOutErrors: 0,
            ifPromiscuousMode: 0,
          },
        ],
      };
      samples.push(c);
    }
    out.push(
      encodeDatagram({ agent: '10.213.2.254', subAgentId: 0, sequence: d + 1, uptimeMs: d * 10, samples }),
    );
  }
  return out;
}
