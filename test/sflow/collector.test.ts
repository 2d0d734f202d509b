import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { SflowCollector } from '../../src/sflow/collector.js';
import { encodeDatagram } from '../../src/sflow/datagram-encoder.js';
import type { FlowSample } from '../../src/sflow/types.js';
import { tcpFrame } from './support/packets.js';

function datagram(seq: number): Buffer {
  const header = tcpFrame({
    srcMac: '02:00:00:00:00:0a',
    dstMac: '02:00:00:00:00:0b',
    srcIp: '10.213.2.10',
    dstIp: '10.213.2.11',
    srcPort: 1000,
    dstPort: 2000,
  });
  const s: FlowSample = {
    kind: 'flow',
    expanded: false,
    sequence: seq,
    sourceIdType: 0,
    sourceIdIndex: 3,
    samplingRate: 10,
    samplePool: seq * 10,
    drops: 0,
    input: { format: 0, value: 3 },
    output: { format: 0, value: 4 },
    records: [
      {
        type: 'raw-packet-header',
        headerProtocol: 1,
        frameLength: 1000,
        stripped: 0,
        headerLength: header.length,
        header,
        decoded: undefined,
      },
    ],
  };
  return encodeDatagram({
    agent: '10.213.2.254',
    subAgentId: 0,
    sequence: seq,
    uptimeMs: seq * 100,
    samples: [s],
  });
}

async function send(family: 'udp4' | 'udp6', host: string, port: number, msgs: Buffer[]): Promise<void> {
  const s = createSocket(family);
  for (const m of msgs) await new Promise<void>((r, j) => s.send(m, port, host, (e) => (e ? j(e) : r())));
  s.close();
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('UDP collector', () => {
  let collector: SflowCollector | undefined;
  afterEach(async () => {
    await collector?.stop();
    collector = undefined;
  });

  it('counts, logs and survives bad datagrams; accounts the good ones; tracks loss', async () => {
    const warnings: Array<Record<string, unknown>> = [];
    collector = new SflowCollector({
      host: '127.0.0.1',
      port: 0,
      maxDatagramBytes: 2000,
      logger: { info() {}, warn: (o) => warnings.push(o as Record<string, unknown>) },
    });
    const { port } = await collector.start();
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(6343);
    const good = [1, 2, 3, 5].map(datagram); // 4 is lost
    const cut = datagram(6).subarray(0, 40);
    await send('udp4', '127.0.0.1', port, [good[0]!, good[1]!, cut, good[2]!, Buffer.alloc(3000), good[3]!]);
    const ingest = collector.ingest;
    await until(() => ingest.counters.datagrams === 5 && collector!.tooLarge === 1);
    expect(ingest.counters.accepted).toBe(4);
    expect(ingest.counters.rejected.truncated).toBe(1);
    expect(ingest.lostDatagrams()).toBe(1);
    expect(warnings.find((w) => w.code === 'truncated')).toMatchObject({
      agent: '10.213.2.254',
      sequence: 6,
      from: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
    expect(collector.internals()).toMatchObject({
      datagrams: 6,
      flowSamples: 4,
      drops: { too_large: 1, decode_truncated: 1, unknown_agent: 0 },
    });
    const p3 = ingest.accounting.portTraffic(Date.now()).find((p) => p.ifIndex === 3)!;
    expect(p3.in.totalPackets).toBe(40); // 4 samples, 1-in-10
  });

  it('a dual-stack listener ([::]) sees IPv4 agents by their plain address', async () => {
    collector = new SflowCollector({ host: '::', port: 0, allowAgents: ['127.0.0.1'] });
    const { port } = await collector.start();
    await send('udp4', '127.0.0.1', port, [datagram(1)]);
    await until(() => collector!.ingest.counters.accepted === 1);
    expect(collector.ingest.counters.notAllowed).toBe(0);
  });

  it('listens on IPv6 and enforces the agent allowlist', async () => {
    collector = new SflowCollector({ host: '::1', port: 0, allowAgents: ['::2'] });
    const { port, address } = await collector.start();
    expect(address).toBe('::1');
    await send('udp6', '::1', port, [datagram(1)]);
    await until(() => collector!.ingest.counters.notAllowed === 1);
    expect(collector.ingest.counters.datagrams).toBe(0);
  });
});
