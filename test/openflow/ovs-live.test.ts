// The codec against a live Open vSwitch: a bridge connects to a minimal controller built only from this
// codec (framing, HELLO negotiation, requests, replies), in an OpenFlow 1.3 and an OpenFlow 1.0 run.
// Flows encoded here must be accepted without OFPT_ERROR, come back identical in flow stats, show their
// cookies in ovs-ofctl, and report their removal.

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureOpenvswitch, run } from '../../src/lab/host/services.js';
import { Topology } from '../../src/lab/host/topology.js';
import { allFlows, applyActions, flowMod, output } from '../../src/openflow/builders.js';
import { decodeMessage, encodeMessage } from '../../src/openflow/codec.js';
import { helloFor, negotiateVersion } from '../../src/openflow/hello.js';
import type { FlowMod, FlowStats, OfMessage, OfVersion } from '../../src/openflow/model.js';
import {
  OFPFF,
  OFPG_ANY,
  OFPMPF_MORE,
  OFPP,
  OFPRR,
  OFPTT_ALL,
  OFPVID_NONE,
  OFPVID_PRESENT,
} from '../../src/openflow/model.js';
import { OfStreamDecoder } from '../../src/openflow/stream-decoder.js';

interface Received {
  version: number;
  xid: number;
  msg: OfMessage;
}

/** One switch connection, spoken through the codec only. */
class MiniController {
  readonly received: Received[] = [];
  readonly decodeFailures: string[] = [];
  version: OfVersion | undefined;
  private sock: net.Socket | undefined;
  private server: net.Server;
  private waiters: (() => void)[] = [];
  private xid = 1000;
  port = 0;

  constructor() {
    this.server = net.createServer((s) => this.accept(s));
  }

  listen(): Promise<void> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve();
      }),
    );
  }

  private accept(s: net.Socket): void {
    this.sock?.destroy();
    this.sock = s;
    const dec = new OfStreamDecoder();
    s.write(encodeMessage(4, 1, helloFor([1, 4])));
    s.on('data', (chunk: Buffer) => {
      const err = dec.push(chunk, (buf, start, end) => {
        const r = decodeMessage(buf, start, end);
        if (!r.ok) {
          this.decodeFailures.push(`${r.error.code}: ${r.error.message}`);
          return;
        }
        if (r.msg.type === 'hello') this.version = negotiateVersion([1, 4], r.version, r.msg.versions);
        if (r.msg.type === 'echoRequest' && this.version)
          this.send({ type: 'echoReply', data: r.msg.data }, r.xid);
        this.received.push({ version: r.version, xid: r.xid, msg: r.msg });
        for (const w of this.waiters.splice(0)) w();
      });
      if (err) this.decodeFailures.push(`stream: ${err.message}`);
    });
    s.on('error', () => undefined);
  }

  send(msg: OfMessage, xid = this.xid++): number {
    if (!this.sock || !this.version) throw new Error('no switch connected');
    this.sock.write(encodeMessage(this.version, xid, msg));
    return xid;
  }

  async waitFor(pred: (r: Received) => boolean, what: string, timeoutMs = 10_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Sends a request and collects its replies (all parts of a multipart reply). */
  async request(msg: OfMessage): Promise<OfMessage[]> {
    const xid = this.send(msg);
    const barrier = this.send({ type: 'barrierRequest' });
    await this.waitFor((r) => r.xid === barrier && r.msg.type === 'barrierReply', `barrier ${barrier}`);
    return this.received.filter((r) => r.xid === xid).map((r) => r.msg);
  }

  errors(): Received[] {
    return this.received.filter((r) => r.msg.type === 'error');
  }

  close(): void {
    this.sock?.destroy();
    this.server.close();
  }
}

function flowsOf(version: OfVersion): FlowMod[] {
  const common = [
    flowMod({
      cookie: 0xa1n,
      priority: 100,
      match: { inPort: 1, ethType: 0x0800, ipv4Dst: 0x0ad5f900, ipv4DstMask: 0xffffff00 },
      instructions: [
        applyActions({ type: 'setField', field: 'ethDst', value: 0x02000000f902 }, output(2, 0)),
      ],
    }),
    flowMod({
      cookie: 0xa2n,
      priority: 90,
      match: { ethType: 0x0806, arpOp: 1, arpTpa: 0x0ad5f901 },
      instructions: [applyActions(output(OFPP.CONTROLLER))],
    }),
  ];
  if (version === 4) {
    return [
      ...common,
      flowMod({
        cookie: 0xa3n,
        priority: 80,
        match: { ethType: 0x0800, ipProto: 6, tcpDst: 80 },
        instructions: [
          applyActions(
            { type: 'pushVlan', ethType: 0x8100 },
            { type: 'setField', field: 'vlanVid', value: OFPVID_PRESENT | 10 },
          ),
          { type: 'gotoTable', tableId: 1 },
        ],
      }),
      flowMod({
        cookie: 0xa4n,
        priority: 70,
        idleTimeout: 1,
        flags: OFPFF.SEND_FLOW_REM,
        match: { ethType: 0x86dd, ipProto: 17, udpDst: 53 },
        instructions: [applyActions(output(OFPP.FLOOD))],
      }),
    ];
  }
  return [
    ...common,
    flowMod({
      cookie: 0xa3n,
      priority: 80,
      match: { vlanVid: OFPVID_NONE, ethType: 0x0800, ipProto: 6, tcpDst: 80 },
      instructions: [
        applyActions({ type: 'setField', field: 'vlanVid', value: OFPVID_PRESENT | 10 }, output(OFPP.FLOOD)),
      ],
    }),
    flowMod({
      cookie: 0xa4n,
      priority: 70,
      idleTimeout: 1,
      flags: OFPFF.SEND_FLOW_REM,
      match: { ethType: 0x0800, ipProto: 17, udpDst: 53 },
      instructions: [applyActions(output(OFPP.ALL))],
    }),
  ];
}

async function flowStats(c: MiniController): Promise<FlowStats[]> {
  const replies = await c.request({
    type: 'multipartRequest',
    flags: 0,
    body: { kind: 'flow', ...allFlows() },
  });
  const flows: FlowStats[] = [];
  for (const m of replies)
    if (m.type === 'multipartReply' && m.body.kind === 'flow') flows.push(...m.body.flows);
  expect(replies.length).toBeGreaterThan(0);
  const last = replies[replies.length - 1];
  expect(last?.type === 'multipartReply' && (last.flags & OFPMPF_MORE) === 0).toBe(true);
  return flows;
}

describe.each([
  ['OpenFlow13', 4],
  ['OpenFlow10', 1],
] as const)('codec against live Open vSwitch, %s', (proto, version) => {
  const topo = new Topology('vofcap');
  const c = new MiniController();
  const flows = flowsOf(version);

  beforeAll(async () => {
    await ensureOpenvswitch();
    await c.listen();
    await topo.bridge('vofcap0', {
      protocols: [proto],
      failMode: 'secure',
      datapathId: '00000000000000a1',
      controller: `tcp:127.0.0.1:${c.port}`,
    });
    await c.waitFor((r) => r.msg.type === 'hello', 'the switch HELLO', 20_000);
  });

  afterAll(async () => {
    c.close();
    await topo.destroy();
  });

  it('negotiates the bridge version from HELLO', () => {
    expect(c.version).toBe(version);
  });

  it('reads the datapath id from FEATURES_REPLY', async () => {
    const [reply] = await c.request({ type: 'featuresRequest' });
    expect(reply).toMatchObject({ type: 'featuresReply', datapathId: 0xa1n });
  });

  it('installs flows that OVS accepts and reports back unchanged in flow stats', async () => {
    for (const fm of flows) c.send(fm);
    const stats = await flowStats(c);
    expect(c.errors()).toEqual([]);
    for (const fm of flows) {
      const s = stats.find((f) => f.cookie === fm.cookie);
      expect(s, `flow with cookie 0x${fm.cookie.toString(16)}`).toBeDefined();
      expect(s?.priority).toBe(fm.priority);
      expect(s?.idleTimeout).toBe(fm.idleTimeout);
      // OVS 1.0 reports "untagged" (dl_vlan 0xffff) with dl_vlan_pcp exact at 0, a form of its own.
      const expected =
        version === 1 && fm.match.vlanVid === OFPVID_NONE ? { ...fm.match, vlanPcp: 0 } : fm.match;
      expect(s?.match).toEqual(expected);
      expect(s?.instructions).toEqual(fm.instructions);
    }
  });

  it('shows the cookies in ovs-ofctl dump-flows', async () => {
    const { stdout } = await run('ovs-ofctl', ['-O', proto, 'dump-flows', 'vofcap0']);
    for (const fm of flows) expect(stdout).toContain(`cookie=0x${fm.cookie.toString(16)},`);
  });

  it('gets FLOW_REMOVED when a flow idles out', async () => {
    const removed = await c.waitFor((r) => r.msg.type === 'flowRemoved', 'FLOW_REMOVED', 15_000);
    expect(removed.msg).toMatchObject({
      type: 'flowRemoved',
      cookie: 0xa4n,
      reason: OFPRR.IDLE_TIMEOUT,
      priority: 70,
    });
    if (removed.msg.type === 'flowRemoved') expect(removed.msg.match).toEqual(flows[3]?.match);
  });

  it('deletes flows (1.3 by cookie mask, 1.0 strictly) and counts the rest with aggregate stats', async () => {
    const del =
      version === 4
        ? flowMod({ command: 'delete', tableId: OFPTT_ALL, cookie: 0xa1n, cookieMask: 0xffffffffffffffffn })
        : flowMod({ command: 'deleteStrict', priority: 100, match: flows[0]?.match ?? {} });
    c.send(del);
    const [agg] = await c.request({
      type: 'multipartRequest',
      flags: 0,
      body: {
        kind: 'aggregate',
        tableId: OFPTT_ALL,
        outPort: OFPP.ANY,
        outGroup: OFPG_ANY,
        cookie: 0n,
        cookieMask: 0n,
        match: {},
      },
    });
    expect(agg).toMatchObject({
      type: 'multipartReply',
      body: { kind: 'aggregate', stats: { flowCount: 2 } },
    });
    const left = (await flowStats(c)).map((f) => f.cookie).sort();
    expect(left).toEqual([0xa2n, 0xa3n]);
    expect(c.errors()).toEqual([]);
    expect(c.decodeFailures).toEqual([]);
  });
});
