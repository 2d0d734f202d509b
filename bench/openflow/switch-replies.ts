// What the benchmarks' fake switches answer to the controller's own requests (features, echo, barrier,
// port description), shared by the OpenFlow and the load-balancer load generators.

import type { OfMessage, OfVersion, PortDesc } from '../../src/openflow/index.js';

/** Port `n` of a fake switch. */
export function benchPort(n: number): PortDesc {
  return {
    portNo: n,
    hwAddr: 0x020000000000 + n,
    name: `p${n}`,
    config: 0,
    state: 0,
    curr: 0,
    advertised: 0,
    supported: 0,
    peer: 0,
    currSpeed: 0,
    maxSpeed: 0,
  };
}

export interface SwitchIdentity {
  datapathId: bigint;
  ports: number;
  nBuffers: number;
  /** The OpenFlow 1.0 features reply's supported actions bitmap. */
  actions: number;
}

const ECHO_REQUEST = 2;
const FEATURES_REQUEST = 5;

/**
 * The reply to a controller request of OpenFlow `type` (the message is `buf[off, off + len)`), or
 * undefined when `type` is none of those a switch must answer.
 */
export function replyTo(
  version: OfVersion,
  sw: SwitchIdentity,
  type: number,
  buf: Buffer,
  off: number,
  len: number,
): OfMessage | undefined {
  const ports = () => Array.from({ length: sw.ports }, (_, i) => benchPort(i + 1));
  // OFPT_BARRIER_REQUEST is 18 in 1.0 and 20 in 1.3; OFPT_STATS_REQUEST 16 became OFPT_MULTIPART_REQUEST 18.
  const barrierRequest = version === 4 ? 20 : 18;
  const multipartRequest = version === 4 ? 18 : 16;
  if (type === FEATURES_REQUEST)
    return {
      type: 'featuresReply',
      datapathId: sw.datapathId,
      nBuffers: sw.nBuffers,
      nTables: 254,
      auxiliaryId: 0,
      capabilities: 0x47,
      actions: sw.actions,
      ports: version === 1 ? ports() : [],
    };
  if (type === ECHO_REQUEST)
    return { type: 'echoReply', data: Buffer.from(buf.subarray(off + 8, off + len)) };
  if (type === barrierRequest) return { type: 'barrierReply' };
  if (type === multipartRequest)
    return { type: 'multipartReply', flags: 0, body: { kind: 'portDesc', ports: ports() } };
  return undefined;
}
