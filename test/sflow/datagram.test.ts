import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeDatagram } from '../../src/sflow/datagram.js';
import { encodeDatagram } from '../../src/sflow/datagram-encoder.js';
import { DatagramWalker, type SampleSink } from '../../src/sflow/datagram-walker.js';
import type { SflowDatagram } from '../../src/sflow/types.js';
import { element, hex } from './support/hex.js';

// Each fixture: bytes written field group by field group, and the object they mean. Tested both ways:
// decode(bytes) = object, encode(object) = bytes.

const tcpFrameHex = `
  020000000002 020000000001 0800           # Ethernet: dst, src, type IPv4
  45 00 05dc 1234 4000 40 06 0000          # IPv4: IHL 5, tos 0, total 1500, id 0x1234, DF, ttl 64, TCP
  0ad50201 0ad50202                        # 10.213.2.1 -> 10.213.2.2
  9c40 1f90 00000001 00000002 50 18 ffff 0000 0000  # TCP 40000 -> 8080, seq 1, ack 2, doff 5, PSH|ACK, win 65535
`;

const flowDatagram = {
  name: 'IPv4 agent, compact flow sample: raw Ethernet/IPv4/TCP header + extended switch',
  bytes: Buffer.concat([
    hex`00000005                              # version 5
        00000001 0ad50201                     # agent address: IPv4 10.213.2.1
        00000000                              # sub-agent id 0
        0000002a                              # datagram sequence 42
        000003e8                              # uptime 1000 ms
        00000001                              # 1 sample`,
    element(
      1, // flow_sample
      Buffer.concat([
        hex`00000007                          # sample sequence 7
            00000005                          # source id: type 0 (ifIndex), index 5
            00000040                          # sampling rate 1 in 64
            00001000                          # sample pool 4096
            00000002                          # drops 2
            00000005                          # input: ifIndex 5
            80000002                          # output: format 2 (multiple), 2 interfaces
            00000002                          # 2 records`,
        element(
          1, // sampled_header
          hex`00000001                        # header protocol 1: Ethernet
              000005ee                        # frame length 1518
              00000004                        # stripped 4 (FCS)
              00000036                        # 54 header bytes follow
              ${tcpFrameHex}
              0000                            # padding to 4`,
        ),
        element(
          1001,
          hex`0000000a 00000003 00000014 00000005  # extended switch: in vlan 10 pcp 3, out vlan 20 pcp 5`,
        ),
      ]),
    ),
  ]),
  object: {
    version: 5,
    agent: '10.213.2.1',
    agentAddressType: 'ipv4',
    subAgentId: 0,
    sequence: 42,
    uptimeMs: 1000,
    unknownRecords: 0,
    unknownSamples: 0,
    samples: [
      {
        kind: 'flow',
        expanded: false,
        sequence: 7,
        sourceIdType: 0,
        sourceIdIndex: 5,
        samplingRate: 64,
        samplePool: 4096,
        drops: 2,
        input: { format: 0, value: 5 },
        output: { format: 2, value: 2 },
        records: [
          {
            type: 'raw-packet-header',
            headerProtocol: 1,
            frameLength: 1518,
            stripped: 4,
            headerLength: 54,
            header: hex(tcpFrameHex),
            decoded: {
              ethernet: { dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', etherType: 0x0800, vlans: [] },
              ipv4: {
                src: '10.213.2.1',
                dst: '10.213.2.2',
                protocol: 6,
                ttl: 64,
                tos: 0,
                totalLength: 1500,
                id: 0x1234,
                flags: 2,
                fragmentOffset: 0,
                headerLength: 20,
              },
              tcp: {
                srcPort: 40000,
                dstPort: 8080,
                seq: 1,
                ack: 2,
                flags: 0x18,
                window: 65535,
                dataOffset: 20,
              },
            },
          },
          { type: 'extended-switch', srcVlan: 10, srcPriority: 3, dstVlan: 20, dstPriority: 5 },
        ],
      },
    ],
  } satisfies SflowDatagram,
};

const expandedFlowDatagram = {
  name: 'IPv6 agent, expanded flow sample: Ethernet, IPv4, IPv6 data, extended router, unknown record',
  bytes: Buffer.concat([
    hex`00000005                              # version 5
        00000002 fd000213000000000000000000000001  # agent address: IPv6 fd00:213::1
        00000003                              # sub-agent id 3
        ffffffff                              # datagram sequence 2^32-1
        7fffffff                              # uptime
        00000001                              # 1 sample`,
    element(
      3, // flow_sample_expanded
      Buffer.concat([
        hex`00000008                          # sample sequence 8
            00000000 00000007                 # source id: type 0, index 7
            00000200                          # sampling rate 512
            00010000                          # sample pool 65536
            00000000                          # drops 0
            00000000 00000007                 # input: format 0, ifIndex 7
            00000001 00000101                 # output: format 1 (discarded), reason 257
            00000005                          # 5 records`,
        element(
          2,
          hex`000005ea                        # sampled_ethernet: length 1514
              020000000001 0000               # src MAC + padding
              020000000002 0000               # dst MAC + padding
              00000800                        # type IPv4`,
        ),
        element(
          3,
          hex`00000578 00000011               # sampled_ipv4: length 1400, protocol UDP
              0ad50201 0ad50202               # src, dst
              00000035 0000d431               # ports 53 -> 54321
              00000000 000000b8               # tcp flags 0, tos 184`,
        ),
        element(
          4,
          hex`00000064 00000006               # sampled_ipv6: length 100, protocol TCP
              fd000213000000000000000000000001 fd000213000000000000000000000002
              00000050 0000c350               # ports 80 -> 50000
              00000012 00000000               # tcp flags SYN|ACK, priority 0`,
        ),
        element(
          1002,
          hex`00000001 0ad502fe 00000018 00000010  # extended router: next hop 10.213.2.254, masks /24 /16`,
        ),
        element((4413 << 12) | 5, hex`a5a5a5a5 a5a5a5a5  # a vendor record: skipped`),
      ]),
    ),
  ]),
  object: {
    version: 5,
    agent: 'fd00:213::1',
    agentAddressType: 'ipv6',
    subAgentId: 3,
    sequence: 0xffffffff,
    uptimeMs: 0x7fffffff,
    unknownRecords: 1,
    unknownSamples: 0,
    samples: [
      {
        kind: 'flow',
        expanded: true,
        sequence: 8,
        sourceIdType: 0,
        sourceIdIndex: 7,
        samplingRate: 512,
        samplePool: 65536,
        drops: 0,
        input: { format: 0, value: 7 },
        output: { format: 1, value: 257 },
        records: [
          {
            type: 'ethernet-frame',
            length: 1514,
            srcMac: '02:00:00:00:00:01',
            dstMac: '02:00:00:00:00:02',
            etherType: 0x0800,
          },
          {
            type: 'ipv4',
            length: 1400,
            protocol: 17,
            srcIp: '10.213.2.1',
            dstIp: '10.213.2.2',
            srcPort: 53,
            dstPort: 54321,
            tcpFlags: 0,
            tos: 184,
          },
          {
            type: 'ipv6',
            length: 100,
            protocol: 6,
            srcIp: 'fd00:213::1',
            dstIp: 'fd00:213::2',
            srcPort: 80,
            dstPort: 50000,
            tcpFlags: 0x12,
            priority: 0,
          },
          { type: 'extended-router', nextHop: '10.213.2.254', srcMaskLength: 24, dstMaskLength: 16 },
          { type: 'unknown', enterprise: 4413, format: 5, length: 8 },
        ],
      },
    ],
  } satisfies SflowDatagram,
};

const interfaceCountersDatagram = {
  name: 'compact counter sample: generic interface, Ethernet, VLAN, processor',
  bytes: Buffer.concat([
    hex`00000005 00000001 0ad50201 00000000 00000001 00000064 00000001  # v5, agent 10.213.2.1, sub 0, seq 1, uptime 100, 1 sample`,
    element(
      2, // counters_sample
      Buffer.concat([
        hex`00000003                          # sample sequence 3
            00000005                          # source id: type 0, index 5
            00000004                          # 4 records`,
        element(
          1,
          hex`00000005 00000006               # ifIndex 5, ifType 6 (ethernetCsmacd)
              00000002540be400                # ifSpeed 10 Gb/s
              00000001 00000003               # full duplex, admin+oper up
              0000000100000000                # ifInOctets 2^32
              0000000a 0000000b 0000000c      # in ucast, multicast, broadcast
              0000000d 0000000e 0000000f      # in discards, errors, unknown protos
              ffffffffffffff00                # ifOutOctets near 2^64
              00000010 00000011 00000012      # out ucast, multicast, broadcast
              00000013 00000014               # out discards, errors
              00000001                        # promiscuous`,
        ),
        element(
          2,
          hex`00000001 00000002 00000003 00000004 00000005 00000006 00000007
              00000008 00000009 0000000a 0000000b 0000000c 0000000d  # dot3 alignment .. symbol errors`,
        ),
        element(
          5,
          hex`00000064 0000000000001000 00000001 00000002 00000003 00000004  # vlan 100: octets 4096, ucast, mcast, bcast, discards`,
        ),
        element(
          1001,
          hex`000003e8 000007d0 00000bb8 0000000040000000 0000000010000000  # cpu 10% 20% 30%, memory 1 GiB total, 256 MiB free`,
        ),
      ]),
    ),
  ]),
  object: {
    version: 5,
    agent: '10.213.2.1',
    agentAddressType: 'ipv4',
    subAgentId: 0,
    sequence: 1,
    uptimeMs: 100,
    unknownRecords: 0,
    unknownSamples: 0,
    samples: [
      {
        kind: 'counters',
        expanded: false,
        sequence: 3,
        sourceIdType: 0,
        sourceIdIndex: 5,
        records: [
          {
            type: 'generic-interface',
            ifIndex: 5,
            ifType: 6,
            ifSpeed: 10_000_000_000n,
            ifDirection: 1,
            ifStatus: 3,
            ifInOctets: 4_294_967_296n,
            ifInUcastPkts: 10,
            ifInMulticastPkts: 11,
            ifInBroadcastPkts: 12,
            ifInDiscards: 13,
            ifInErrors: 14,
            ifInUnknownProtos: 15,
            ifOutOctets: 0xffffffffffffff00n,
            ifOutUcastPkts: 16,
            ifOutMulticastPkts: 17,
            ifOutBroadcastPkts: 18,
            ifOutDiscards: 19,
            ifOutErrors: 20,
            ifPromiscuousMode: 1,
          },
          {
            type: 'ethernet',
            dot3StatsAlignmentErrors: 1,
            dot3StatsFCSErrors: 2,
            dot3StatsSingleCollisionFrames: 3,
            dot3StatsMultipleCollisionFrames: 4,
            dot3StatsSQETestErrors: 5,
            dot3StatsDeferredTransmissions: 6,
            dot3StatsLateCollisions: 7,
            dot3StatsExcessiveCollisions: 8,
            dot3StatsInternalMacTransmitErrors: 9,
            dot3StatsCarrierSenseErrors: 10,
            dot3StatsFrameTooLongs: 11,
            dot3StatsInternalMacReceiveErrors: 12,
            dot3StatsSymbolErrors: 13,
          },
          {
            type: 'vlan',
            vlanId: 100,
            octets: 4096n,
            ucastPkts: 1,
            multicastPkts: 2,
            broadcastPkts: 3,
            discards: 4,
          },
          {
            type: 'processor',
            cpu5s: 1000,
            cpu1m: 2000,
            cpu5m: 3000,
            totalMemory: 1n << 30n,
            freeMemory: 1n << 28n,
          },
        ],
      },
    ],
  } satisfies SflowDatagram,
};

const hostCountersDatagram = {
  name: 'expanded counter sample: Host sFlow host description, adapters, parent, CPU, memory, disk, net',
  bytes: Buffer.concat([
    hex`00000005 00000001 0ad50201 00000000 00000002 000000c8 00000001  # v5, agent 10.213.2.1, sub 0, seq 2, uptime 200, 1 sample`,
    element(
      4, // counters_sample_expanded
      Buffer.concat([
        hex`00000004                          # sample sequence 4
            00000002 00000001                 # source: class 2 (physical entity), index 1
            00000007                          # 7 records`,
        element(
          2000,
          hex`00000005 766967696c 000000      # hostname "vigil" + padding
              4c32becd1d014a8ab11dd93447cb0a2f  # uuid
              00000003 00000002               # machine x86_64, OS linux
              00000005 362e312e30 000000      # os release "6.1.0" + padding`,
        ),
        element(
          2001,
          hex`00000002                        # 2 adapters
              00000003 00000001 525400130399 0000  # ifIndex 3: 1 MAC
              00000004 00000002 525400000001 0000 525400000002 0000  # ifIndex 4: 2 MACs`,
        ),
        element(2002, hex`00000003 00000001  # parent: logical entity 1`),
        element(
          2003,
          hex`3f800000 40000000 3f000000      # load 1.0, 2.0, 0.5
              00000001 00000002 00000003 00000004 00000005  # proc run, total, cpus, MHz, uptime
              00000006 00000007 00000008 00000009 0000000a 0000000b 0000000c  # user nice system idle wio intr sintr
              0000000d 0000000e               # interrupts, context switches`,
        ),
        element(
          2004,
          hex`0000000100000000 0000000080000000 0000000000100000 0000000000200000  # total, free, shared, buffers
              0000000000300000 0000000040000000 0000000020000000  # cached, swap total, swap free
              00000001 00000002 00000003 00000004  # page in/out, swap in/out`,
        ),
        element(
          2005,
          hex`0000001000000000 0000000800000000 00001388  # disk total, free, max used 50.00%
              00000064 0000000000100000 0000000a       # reads 100, 1 MiB, 10 ms
              000000c8 0000000000200000 00000014       # writes 200, 2 MiB, 20 ms`,
        ),
        element(
          2006,
          hex`0000000000010000 00000064 00000001 00000002  # in: bytes, packets, errors, drops
              0000000000020000 000000c8 00000003 00000004  # out: bytes, packets, errors, drops`,
        ),
      ]),
    ),
  ]),
  object: {
    version: 5,
    agent: '10.213.2.1',
    agentAddressType: 'ipv4',
    subAgentId: 0,
    sequence: 2,
    uptimeMs: 200,
    unknownRecords: 0,
    unknownSamples: 0,
    samples: [
      {
        kind: 'counters',
        expanded: true,
        sequence: 4,
        sourceIdType: 2,
        sourceIdIndex: 1,
        records: [
          {
            type: 'host-description',
            hostname: 'vigil',
            uuid: '4c32becd-1d01-4a8a-b11d-d93447cb0a2f',
            machineType: 3,
            osName: 2,
            osRelease: '6.1.0',
          },
          {
            type: 'host-adapters',
            adapters: [
              { ifIndex: 3, macs: ['52:54:00:13:03:99'] },
              { ifIndex: 4, macs: ['52:54:00:00:00:01', '52:54:00:00:00:02'] },
            ],
          },
          { type: 'host-parent', containerType: 3, containerIndex: 1 },
          {
            type: 'host-cpu',
            loadOne: 1,
            loadFive: 2,
            loadFifteen: 0.5,
            procRun: 1,
            procTotal: 2,
            cpuNum: 3,
            cpuSpeed: 4,
            uptime: 5,
            cpuUser: 6,
            cpuNice: 7,
            cpuSystem: 8,
            cpuIdle: 9,
            cpuWio: 10,
            cpuIntr: 11,
            cpuSintr: 12,
            interrupts: 13,
            contexts: 14,
          },
          {
            type: 'host-memory',
            memTotal: 1n << 32n,
            memFree: 1n << 31n,
            memShared: 0x100000n,
            memBuffers: 0x200000n,
            memCached: 0x300000n,
            swapTotal: 1n << 30n,
            swapFree: 1n << 29n,
            pageIn: 1,
            pageOut: 2,
            swapIn: 3,
            swapOut: 4,
          },
          {
            type: 'host-disk-io',
            diskTotal: 1n << 36n,
            diskFree: 1n << 35n,
            partMaxUsed: 5000,
            reads: 100,
            bytesRead: 1n << 20n,
            readTime: 10,
            writes: 200,
            bytesWritten: 2n << 20n,
            writeTime: 20,
          },
          {
            type: 'host-net-io',
            bytesIn: 0x10000n,
            pktsIn: 100,
            errsIn: 1,
            dropsIn: 2,
            bytesOut: 0x20000n,
            pktsOut: 200,
            errsOut: 3,
            dropsOut: 4,
          },
        ],
      },
    ],
  } satisfies SflowDatagram,
};

const virtCountersDatagram = {
  name: 'compact counter sample: virtual node/CPU/memory/disk/net, long host CPU form, OpenFlow port, port name, unknown sample',
  bytes: Buffer.concat([
    hex`00000005 00000001 0ad50201 00000000 00000003 0000012c 00000002  # v5, agent 10.213.2.1, sub 0, seq 3, uptime 300, 2 samples`,
    element(
      2,
      Buffer.concat([
        hex`00000009                          # sample sequence 9
            03000002                          # source id: type 3 (logical entity), index 2
            00000008                          # 8 records`,
        element(
          2100,
          hex`00000bb8 00000002 0000000080000000 0000000040000000 00000001  # 3000 MHz, 2 CPUs, 2 GiB, 1 GiB free, 1 domain`,
        ),
        element(2101, hex`00000001 000003e8 00000001  # running, 1000 ms CPU, 1 vCPU`),
        element(2102, hex`0000000006000000 0000000006000000  # 96 MiB used, 96 MiB max`),
        element(
          2103,
          hex`0000000040000000 0000000020000000 0000000020000000  # capacity, allocation, available
              0000000a 0000000000002800                   # 10 reads, 10240 bytes
              00000014 0000000000005000                   # 20 writes, 20480 bytes
              00000000                                    # errors`,
        ),
        element(
          2104,
          hex`0000000000001000 00000010 00000000 00000000  # rx: 4096 bytes, 16 packets
              0000000000002000 00000020 00000000 00000001  # tx: 8192 bytes, 32 packets, 1 drop`,
        ),
        element(
          2003,
          hex`3f800000 3f800000 3f800000 00000001 00000064 00000002 00000bb8 00000e10
              00000001 00000002 00000003 00000004 00000005 00000006 00000007 00000008 00000009
              0000000a 0000000b 0000000c      # long form: steal, guest, guest nice`,
        ),
        element(1004, hex`0000aee3c1ba9a47 00000002  # OpenFlow datapath id, port 2`),
        element(1005, hex`00000005 7673662d62 000000  # port name "vsf-b" + padding`),
      ]),
    ),
    element((9 << 12) | 7, hex`a5a5a5a5  # a vendor sample: skipped`),
  ]),
  object: {
    version: 5,
    agent: '10.213.2.1',
    agentAddressType: 'ipv4',
    subAgentId: 0,
    sequence: 3,
    uptimeMs: 300,
    unknownRecords: 0,
    unknownSamples: 1,
    samples: [
      {
        kind: 'counters',
        expanded: false,
        sequence: 9,
        sourceIdType: 3,
        sourceIdIndex: 2,
        records: [
          { type: 'virt-node', mhz: 3000, cpus: 2, memory: 1n << 31n, memoryFree: 1n << 30n, numDomains: 1 },
          { type: 'virt-cpu', state: 1, cpuTimeMs: 1000, nrVirtCpu: 1 },
          { type: 'virt-memory', memory: 96n << 20n, maxMemory: 96n << 20n },
          {
            type: 'virt-disk-io',
            capacity: 1n << 30n,
            allocation: 1n << 29n,
            available: 1n << 29n,
            rdReq: 10,
            rdBytes: 10240n,
            wrReq: 20,
            wrBytes: 20480n,
            errs: 0,
          },
          {
            type: 'virt-net-io',
            bytesIn: 4096n,
            pktsIn: 16,
            errsIn: 0,
            dropsIn: 0,
            bytesOut: 8192n,
            pktsOut: 32,
            errsOut: 0,
            dropsOut: 1,
          },
          {
            type: 'host-cpu',
            loadOne: 1,
            loadFive: 1,
            loadFifteen: 1,
            procRun: 1,
            procTotal: 100,
            cpuNum: 2,
            cpuSpeed: 3000,
            uptime: 3600,
            cpuUser: 1,
            cpuNice: 2,
            cpuSystem: 3,
            cpuIdle: 4,
            cpuWio: 5,
            cpuIntr: 6,
            cpuSintr: 7,
            interrupts: 8,
            contexts: 9,
            cpuSteal: 10,
            cpuGuest: 11,
            cpuGuestNice: 12,
          },
          { type: 'openflow-port', datapathId: 0xaee3c1ba9a47n, portNo: 2 },
          { type: 'port-name', name: 'vsf-b' },
        ],
      },
      { kind: 'unknown', enterprise: 9, format: 7, length: 4 },
    ],
  } satisfies SflowDatagram,
};

const table = [
  flowDatagram,
  expandedFlowDatagram,
  interfaceCountersDatagram,
  hostCountersDatagram,
  virtCountersDatagram,
];

const nullSink: SampleSink = { datagram() {}, flowSample() {}, counterSample() {} };

describe('sFlow v5 datagram fixtures, both directions', () => {
  for (const f of table) {
    it(`decodes: ${f.name}`, () => {
      const r = decodeDatagram(f.bytes);
      expect(r.ok ? undefined : r.error).toBeUndefined();
      expect(r.ok && r.datagram).toEqual(f.object);
    });
    it(`encodes: ${f.name}`, () => {
      expect(encodeDatagram(f.object).toString('hex')).toBe(f.bytes.toString('hex'));
    });
    it(`walker accepts and reports the same samples: ${f.name}`, () => {
      const seen: string[] = [];
      const err = new DatagramWalker().walk(f.bytes, {
        datagram: (d) => seen.push(`d:${d.agent}:${d.sequence}:${d.unknownRecords}:${d.unknownSamples}`),
        flowSample: (_d, s) => seen.push(`f:${s.sequence}:${s.samplingRate}:${s.input}:${s.output}`),
        counterSample: (_d, s) => seen.push(`c:${s.sequence}:${s.records.length}`),
      });
      expect(err).toBeUndefined();
      const o = f.object;
      const expected = [`d:${o.agent}:${o.sequence}:${o.unknownRecords}:${o.unknownSamples}`];
      for (const s of o.samples) {
        if (s.kind === 'flow')
          expected.push(`f:${s.sequence}:${s.samplingRate}:${s.input.value}:${s.output.value}`);
        else if (s.kind === 'counters') expected.push(`c:${s.sequence}:${s.records.length}`);
      }
      expect(seen).toEqual(expected);
    });
  }

  it('walker flattens the sampled header of the fixture flow sample', () => {
    let got: Record<string, number | boolean> = {};
    new DatagramWalker().walk(flowDatagram.bytes, {
      ...nullSink,
      flowSample: (_d, s) => {
        got = {
          frameLength: s.frameLength,
          stripped: s.stripped,
          srcMac: s.header.srcMac,
          dstMac: s.header.dstMac,
          src: s.header.ipv4Src,
          dst: s.header.ipv4Dst,
          proto: s.header.protocol,
          sport: s.header.srcPort,
          dport: s.header.dstPort,
          flags: s.header.tcpFlags,
        };
      },
    });
    expect(got).toEqual({
      frameLength: 1518,
      stripped: 4,
      srcMac: 0x020000000001,
      dstMac: 0x020000000002,
      src: 0x0ad50201,
      dst: 0x0ad50202,
      proto: 6,
      sport: 40000,
      dport: 8080,
      flags: 0x18,
    });
  });
});

describe('sFlow v5 datagram rejection', () => {
  const bytes = flowDatagram.bytes;
  const cases: Array<{
    name: string;
    mutate: (b: Buffer) => Buffer;
    code: string;
    agent: string | undefined;
  }> = [
    { name: 'empty', mutate: () => Buffer.alloc(0), code: 'truncated', agent: undefined },
    { name: 'version 4', mutate: (b) => (b.writeUInt32BE(4, 0), b), code: 'bad-version', agent: undefined },
    {
      name: 'address type 3',
      mutate: (b) => (b.writeUInt32BE(3, 4), b),
      code: 'bad-address-type',
      agent: undefined,
    },
    {
      name: 'cut inside the header',
      mutate: (b) => b.subarray(0, 18),
      code: 'truncated',
      agent: '10.213.2.1',
    },
    {
      name: 'cut inside a sample',
      mutate: (b) => b.subarray(0, b.length - 20),
      code: 'truncated',
      agent: '10.213.2.1',
    },
    {
      name: 'trailing bytes',
      mutate: (b) => Buffer.concat([b, Buffer.alloc(4)]),
      code: 'inconsistent',
      agent: '10.213.2.1',
    },
    {
      name: 'sample count too high',
      mutate: (b) => (b.writeUInt32BE(2, 24), b),
      code: 'truncated',
      agent: '10.213.2.1',
    },
    {
      name: 'sample count beyond limit',
      mutate: (b) => (b.writeUInt32BE(1_000_000, 24), b),
      code: 'limit',
      agent: '10.213.2.1',
    },
    // sample length 4 bytes longer than its records: they no longer fill it
    {
      name: 'sample longer than its records',
      mutate: (b) => Buffer.concat([(b.writeUInt32BE(b.readUInt32BE(32) + 4, 32), b), Buffer.alloc(4)]),
      code: 'inconsistent',
      agent: '10.213.2.1',
    },
    // extended switch record (last 24 bytes) declares 12 bytes: a known record must be exactly its size
    {
      name: 'known record shorter than its fields',
      mutate: (b) => (b.writeUInt32BE(12, b.length - 20), b),
      code: 'truncated',
      agent: '10.213.2.1',
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with '${c.code}', keeping the agent when known; the walker agrees`, () => {
      const bad = c.mutate(Buffer.from(bytes));
      const r = decodeDatagram(bad);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe(c.code);
      expect(r.error.agent).toBe(c.agent);
      const seen: string[] = [];
      const err = new DatagramWalker().walk(bad, {
        datagram: () => seen.push('d'),
        flowSample: () => seen.push('f'),
        counterSample: () => seen.push('c'),
      });
      expect(err?.code).toBeDefined();
      expect(seen).toEqual([]);
    });
  }
});

describe('datagrams captured from Open vSwitch 3.1', () => {
  const dir = new URL('./fixtures/ovs/', import.meta.url);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .sort();

  it('has the captured fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it('decodes every datagram, with consecutive sequence numbers from one agent', () => {
    const seqs: number[] = [];
    for (const f of files) {
      const r = decodeDatagram(readFileSync(new URL(f, dir)));
      expect(r.ok ? undefined : r.error).toBeUndefined();
      if (!r.ok) continue;
      expect(r.datagram.agent).toBe('127.0.0.1');
      seqs.push(r.datagram.sequence);
    }
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });

  it('first datagram: ICMP echo reply sampled 1-in-64 on the bridge sampler, and the bridge port counters', () => {
    const r = decodeDatagram(readFileSync(new URL('000.bin', dir)));
    if (!r.ok) throw new Error(r.error.message);
    const [first, , counters] = r.datagram.samples;
    expect(first).toMatchObject({
      kind: 'flow',
      sourceIdType: 2,
      sourceIdIndex: 1000,
      samplingRate: 64,
      input: { value: 19 },
      output: { value: 18 },
    });
    if (first?.kind !== 'flow') return;
    const header = first.records.find((x) => x.type === 'raw-packet-header');
    expect(header).toMatchObject({ headerProtocol: 1, frameLength: 102, stripped: 4, headerLength: 98 });
    expect(header?.type === 'raw-packet-header' && header.decoded).toMatchObject({
      ipv4: { src: '10.213.2.2', dst: '10.213.2.1', protocol: 1 },
      icmp: { version: 4, type: 0, code: 0 },
    });
    expect(counters).toMatchObject({ kind: 'counters', sourceIdIndex: 17 });
    if (counters?.kind !== 'counters') return;
    expect(counters.records.map((x) => x.type)).toEqual([
      'ethernet',
      'openflow-port',
      'port-name',
      'generic-interface',
    ]);
    expect(counters.records[2]).toEqual({ type: 'port-name', name: 'vsf0' });
  });

  it('counts the OVS records this decoder does not know (skipped by length), and the walker counts the same', () => {
    for (const f of files) {
      const buf = readFileSync(new URL(f, dir));
      const r = decodeDatagram(buf);
      if (!r.ok) throw new Error(r.error.message);
      let walked = -1;
      new DatagramWalker().walk(buf, { ...nullSink, datagram: (d) => (walked = d.unknownRecords) });
      expect(walked).toBe(r.datagram.unknownRecords);
    }
  });
});
