// sFlow datagrams of flow samples as Open vSwitch sends them: one sampled TCP frame each, 1-in-64, from
// one agent.

import { createSocket } from 'node:dgram';
import { encodeDatagram } from '../../../src/sflow/datagram-encoder.js';
import type { FlowSample } from '../../../src/sflow/types.js';
import { tcpFrame } from './packets.js';

export interface Station {
  mac: string;
  ip: string;
}

export const AGENT = '10.213.2.254';

export function flowSample(
  seq: number,
  pool: number,
  from: Station,
  to: Station,
  input: number,
  output: number,
  frameLength = 1518,
  sport = 40000,
): FlowSample {
  const header = tcpFrame({
    srcMac: from.mac,
    dstMac: to.mac,
    srcIp: from.ip,
    dstIp: to.ip,
    srcPort: sport,
    dstPort: 5001,
    payload: 74,
  });
  return {
    kind: 'flow',
    expanded: false,
    sequence: seq,
    sourceIdType: 0,
    sourceIdIndex: input,
    samplingRate: 64,
    samplePool: pool,
    drops: 0,
    input: { format: 0, value: input },
    output: { format: 0, value: output },
    records: [
      {
        type: 'raw-packet-header',
        headerProtocol: 1,
        frameLength,
        stripped: 4,
        headerLength: header.length,
        header,
        decoded: undefined,
      },
    ],
  };
}

export function flowDatagram(seq: number, samples: FlowSample[], uptimeMs = seq * 1000): Buffer {
  return encodeDatagram({ agent: AGENT, subAgentId: 0, sequence: seq, uptimeMs, samples });
}

/** Sends `count` datagrams of one sampled frame each, `from` -> `to` (port 1 -> 2), to a collector. */
export async function sendFlowDatagrams(
  port: number,
  from: Station,
  to: Station,
  count: number,
): Promise<void> {
  const socket = createSocket('udp4');
  try {
    for (let seq = 1; seq <= count; seq++) {
      const d = flowDatagram(seq, [flowSample(seq, seq * 64, from, to, 1, 2)]);
      await new Promise<void>((resolve, reject) =>
        socket.send(d, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
      );
    }
  } finally {
    socket.close();
  }
}
