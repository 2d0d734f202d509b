// Captures OpenFlow frames from real Open vSwitch for the codec's fixture tests:
//  1. switch -> controller: ovs-vswitchd connects bridge vofcap0 to a small controller here, which sends
//     requests (encoded by this codec) and records every frame the switch sends back, in OpenFlow 1.3
//     and 1.0 runs. Two hosts in namespaces ping each other to produce packet-ins; a flow with
//     SEND_FLOW_REM is deleted to produce a flow-removed.
//  2. controller -> switch: ovs-ofctl connects to a small fake switch here (ovs-ofctl's tcp:HOST:PORT
//     target is the switch end) and records the requests ovs-ofctl encodes.
// Every frame is stored with ovs-ofctl ofp-print's reading of it, an independent reference decoder.
//
// Run (root, Open vSwitch installed): npx tsx test/openflow/capture/capture-ovs.ts
// Writes test/openflow/fixtures/ovs-captured.json.

import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { runIn } from '../../../src/lab/host/netns.js';
import { ensureOpenvswitch, run } from '../../../src/lab/host/services.js';
import { Topology } from '../../../src/lab/host/topology.js';
import { decodeMessage, encodeMessage } from '../../../src/openflow/codec.js';
import { helloFor } from '../../../src/openflow/hello.js';
import type { OfMessage, OfVersion } from '../../../src/openflow/model.js';
import { OFPCR_ROLE, OFPFF, OFPP, OFPTT_ALL } from '../../../src/openflow/model.js';
import { allFlows, applyActions, flowMod, output } from '../../../src/openflow/builders.js';
import { OfStreamDecoder } from '../../../src/openflow/stream-decoder.js';

interface CapturedFrame {
  source: 'ovs-vswitchd' | 'ovs-ofctl';
  /** What made OVS send it. */
  context: string;
  version: number;
  /** First line of `ovs-ofctl ofp-print` for the frame. */
  printed: string;
  hex: string;
}

const OUT = new URL('../fixtures/ovs-captured.json', import.meta.url);
const frames: CapturedFrame[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ofpPrint(hex: string): Promise<string> {
  const { stdout } = await run('ovs-ofctl', ['ofp-print', hex]);
  return stdout;
}

function listen(onSocket: (s: net.Socket) => void): Promise<{ server: net.Server; port: number }> {
  return new Promise((resolve) => {
    const server = net.createServer(onSocket);
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as net.AddressInfo).port }),
    );
  });
}

function frameReader(sock: net.Socket, onFrame: (frame: Buffer) => void): void {
  const dec = new OfStreamDecoder();
  sock.on('data', (chunk: Buffer) => {
    const err = dec.push(chunk, (buf, start, end) => onFrame(Buffer.from(buf.subarray(start, end))));
    if (err) {
      console.error('stream error', err);
      sock.destroy();
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// 1. switch -> controller

async function captureSwitch(proto: 'OpenFlow13' | 'OpenFlow10', version: OfVersion): Promise<void> {
  const raw: { context: string; frame: Buffer }[] = [];
  let context = 'handshake';
  let sock: net.Socket | undefined;
  let xid = 100;
  const send = (msg: OfMessage) => sock?.write(encodeMessage(version, xid++, msg));
  let helloSeen: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (helloSeen = resolve));
  const { server, port } = await listen((s) => {
    sock = s;
    s.write(encodeMessage(version, 1, version === 4 ? helloFor([1, 4]) : { type: 'hello' }));
    frameReader(s, (frame) => {
      raw.push({ context, frame });
      const r = decodeMessage(frame);
      if (r.ok && r.msg.type === 'echoRequest')
        s.write(encodeMessage(version, r.xid, { type: 'echoReply', data: r.msg.data }));
      if (r.ok && r.msg.type === 'hello') helloSeen();
    });
  });
  const topo = new Topology('vofcap');
  try {
    await topo.bridge('vofcap0', {
      protocols: [proto],
      failMode: 'secure',
      datapathId: '00000000000000a1',
      controller: `tcp:127.0.0.1:${port}`,
    });
    await connected;
    const step = async (ctx: string, msgs: OfMessage[], waitMs = 300) => {
      context = ctx;
      for (const m of msgs) send(m);
      await sleep(waitMs);
    };
    await step('features request', [{ type: 'featuresRequest' }]);
    await step('get-config request', [{ type: 'getConfigRequest' }]);
    await step('set-config then get-config', [
      { type: 'setConfig', flags: 0, missSendLen: 128 },
      { type: 'getConfigRequest' },
    ]);
    await step('echo request', [{ type: 'echoRequest', data: Buffer.from('vigil-echo') }]);
    await step('barrier request', [{ type: 'barrierRequest' }]);
    await step('desc request', [{ type: 'multipartRequest', flags: 0, body: { kind: 'desc' } }]);
    await step('port desc request', [{ type: 'multipartRequest', flags: 0, body: { kind: 'portDesc' } }]);
    if (version === 4) {
      await step('role request (equal)', [{ type: 'roleRequest', role: OFPCR_ROLE.EQUAL, generationId: 0n }]);
      await step(
        'table features request',
        [
          {
            type: 'multipartRequest',
            flags: 0,
            body: { kind: 'other', multipartType: 12, body: Buffer.alloc(0) },
          },
        ],
        1000,
      );
    }
    // An unknown message type: OVS answers OFPT_ERROR (bad request, bad type) quoting it.
    context = 'unknown message type';
    sock?.write(Buffer.from([version, 0x1e, 0x00, 0x08, 0x00, 0x00, 0x00, 0x63]));
    await sleep(300);
    // A flow-mod the switch must refuse (1.3: goto_table 0 from table 0 -> bad instruction; 1.0: output
    // to a port beyond OFPP_MAX -> bad action).
    await step('invalid flow-mod', [
      version === 4
        ? flowMod({ priority: 5, instructions: [{ type: 'gotoTable', tableId: 0 }] })
        : flowMod({ priority: 5, instructions: [applyActions(output(0xffffff01))] }),
    ]);

    // Flows: table-miss to the controller, and one that reports its removal.
    await step('flow-mods', [
      flowMod({ priority: 0, cookie: 0x5649474cn, instructions: [applyActions(output(OFPP.CONTROLLER))] }),
      flowMod({
        priority: 200,
        cookie: 0x5649474c0001n,
        idleTimeout: 60,
        flags: OFPFF.SEND_FLOW_REM,
        match: { ethType: 0x0800, ipv4Dst: 0x0ad5f900, ipv4DstMask: 0xffffff00 },
        instructions: [applyActions(output(OFPP.FLOOD))],
      }),
      { type: 'barrierRequest' },
    ]);
    const flowReq = allFlows();
    await step('flow stats request', [
      { type: 'multipartRequest', flags: 0, body: { kind: 'flow', ...flowReq } },
    ]);
    await step('aggregate stats request', [
      { type: 'multipartRequest', flags: 0, body: { kind: 'aggregate', ...flowReq } },
    ]);
    await step('table stats request', [{ type: 'multipartRequest', flags: 0, body: { kind: 'table' } }]);

    // Ports appear: port-status adds. Then traffic: packet-ins (ARP broadcast goes to the controller).
    context = 'ports added';
    const h1 = await topo.host('vofcap0', { name: 'h1', ip: '10.213.249.1/24', mac: '02:00:00:00:f9:01' });
    await topo.host('vofcap0', { name: 'h2', ip: '10.213.249.2/24', mac: '02:00:00:00:f9:02' });
    await sleep(500);
    context = 'ping h1 -> h2 (table miss)';
    await runIn(h1.ns, ['ping', '-c', '1', '-W', '1', '10.213.249.2'], { timeoutMs: 5000 }).catch(
      () => undefined,
    );
    await sleep(300);
    await step('port stats request', [
      { type: 'multipartRequest', flags: 0, body: { kind: 'port', portNo: OFPP.ANY } },
    ]);
    await step('delete the reporting flow', [
      flowMod({
        command: 'delete',
        tableId: version === 4 ? OFPTT_ALL : 0,
        match: { ethType: 0x0800, ipv4Dst: 0x0ad5f900, ipv4DstMask: 0xffffff00 },
      }),
      { type: 'barrierRequest' },
    ]);
    context = 'port deleted';
    await run('ovs-vsctl', ['del-port', 'vofcap0', 'vofcap-h2']);
    await sleep(500);
  } finally {
    sock?.destroy();
    await topo.destroy();
    server.close();
  }
  let featureFramesKept = 0;
  for (const { context: ctx, frame } of raw) {
    if (ctx === 'table features request' && frame[1] === 19) {
      tableFeatureFrames.push(frame);
      if (featureFramesKept++ > 0) continue; // keep one of the (large) table-features parts as a fixture
    }
    const hex = frame.toString('hex');
    frames.push({
      source: 'ovs-vswitchd',
      context: ctx,
      version: frame[0] as number,
      printed: (await ofpPrint(hex)).split('\n')[0] ?? '',
      hex,
    });
  }
  console.log(`${proto}: ${raw.length} frames from ovs-vswitchd`);
}

// ---------------------------------------------------------------------------------------------------
// 2. controller -> switch (ovs-ofctl as the controller, a fake switch here)

let fakeConfigFlags = 0;
/** ovs-vswitchd's own OFPMP_TABLE_FEATURES reply, replayed to ovs-ofctl (which asks before 1.3 flow-mods). */
const tableFeatureFrames: Buffer[] = [];

function fakeSwitchReply(version: OfVersion, msg: OfMessage): OfMessage | undefined {
  switch (msg.type) {
    case 'setConfig':
      fakeConfigFlags = msg.flags;
      return undefined;
    case 'hello':
      return undefined;
    case 'echoRequest':
      return { type: 'echoReply', data: msg.data };
    case 'barrierRequest':
      return { type: 'barrierReply' };
    case 'featuresRequest':
      return {
        type: 'featuresReply',
        datapathId: 0xa2n,
        nBuffers: 0,
        nTables: 254,
        auxiliaryId: 0,
        capabilities: 0x4f,
        actions: version === 1 ? 0xfff : 0,
        ports: [],
      };
    case 'getConfigRequest':
      return { type: 'getConfigReply', flags: fakeConfigFlags, missSendLen: 128 };
    case 'multipartRequest': {
      const b = msg.body;
      switch (b.kind) {
        case 'flow':
          return { type: 'multipartReply', flags: 0, body: { kind: 'flow', flows: [] } };
        case 'aggregate':
          return {
            type: 'multipartReply',
            flags: 0,
            body: { kind: 'aggregate', stats: { packetCount: 0n, byteCount: 0n, flowCount: 0 } },
          };
        case 'port':
          return { type: 'multipartReply', flags: 0, body: { kind: 'port', ports: [] } };
        case 'portDesc':
          return { type: 'multipartReply', flags: 0, body: { kind: 'portDesc', ports: [] } };
        case 'table':
          return { type: 'multipartReply', flags: 0, body: { kind: 'table', tables: [] } };
        case 'desc':
          return {
            type: 'multipartReply',
            flags: 0,
            body: {
              kind: 'desc',
              desc: { mfrDesc: 'fake', hwDesc: '', swDesc: '', serialNum: '', dpDesc: '' },
            },
          };
        case 'other':
          return undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

async function captureOfctl(
  proto: 'OpenFlow13' | 'OpenFlow10',
  version: OfVersion,
  commands: string[][],
): Promise<void> {
  let context = '';
  const raw: { context: string; frame: Buffer }[] = [];
  const { server, port } = await listen((s) => {
    s.write(encodeMessage(version, 1, { type: 'hello' }));
    frameReader(s, (frame) => {
      raw.push({ context, frame });
      const r = decodeMessage(frame);
      if (!r.ok) {
        console.error(`${context}: our decoder refused a frame: ${r.error.message}`);
        return;
      }
      if (
        r.msg.type === 'multipartRequest' &&
        r.msg.body.kind === 'other' &&
        r.msg.body.multipartType === 12
      ) {
        for (const f of tableFeatureFrames) {
          const copy = Buffer.from(f);
          copy.writeUInt32BE(r.xid, 4);
          s.write(copy);
        }
        return;
      }
      const reply = fakeSwitchReply(version, r.msg);
      if (reply) s.write(encodeMessage(version, r.xid, reply));
    });
  });
  try {
    for (const args of commands) {
      context = `ovs-ofctl ${args.join(' ')}`;
      const [cmd, ...rest] = args;
      const format = version === 1 ? ['-F', 'openflow10'] : [];
      await run('ovs-ofctl', ['-O', proto, ...format, cmd as string, `tcp:127.0.0.1:${port}`, ...rest], {
        timeoutMs: 10_000,
      }).catch((e: Error) => console.error(`${context}: ${e.message}`));
    }
  } finally {
    server.close();
  }
  for (const { context: ctx, frame } of raw) {
    if (frame[1] === 0) continue; // HELLOs come from the switch capture already
    const hex = frame.toString('hex');
    frames.push({
      source: 'ovs-ofctl',
      context: ctx,
      version: frame[0] as number,
      printed: (await ofpPrint(hex)).split('\n')[0] ?? '',
      hex,
    });
  }
  console.log(`${proto}: ${raw.length} frames from ovs-ofctl`);
}

const PKT = 'ffffffffffff0200000000010806000108000604000102000000000' + '10ad5f9010000000000000ad5f902';

const OFCTL_13: string[][] = [
  [
    'add-flow',
    'priority=100,tcp,nw_src=10.213.249.0/24,tp_dst=80,actions=set_field:02:00:00:00:f9:02->eth_dst,output:2',
  ],
  ['add-flow', 'priority=90,arp,arp_op=1,arp_tpa=10.213.249.1,arp_spa=10.213.249.0/24,actions=controller'],
  ['add-flow', 'priority=80,in_port=1,dl_vlan=10,dl_vlan_pcp=3,actions=pop_vlan,output:3'],
  [
    'add-flow',
    'priority=70,udp,udp_src=53,ip_dscp=10,actions=push_vlan:0x8100,set_field:4106->vlan_vid,group:1',
  ],
  ['add-flow', 'priority=60,ipv6,ipv6_src=2001:db8::/32,ipv6_dst=2001:db8::1,actions=set_queue:3,output:4'],
  [
    'add-flow',
    'table=0,priority=50,cookie=0x1234,idle_timeout=30,hard_timeout=300,dl_src=02:00:00:00:00:00/ff:00:00:00:00:00,actions=write_metadata:0x1/0xff,goto_table:2',
  ],
  ['add-flow', 'priority=40,icmp,icmp_type=8,icmp_code=0,actions=clear_actions'],
  [
    'add-flow',
    'priority=30,arp,arp_sha=02:00:00:00:f9:01,arp_tha=00:00:00:00:00:00,actions=output:in_port,LOCAL,FLOOD,ALL',
  ],
  ['add-flow', 'priority=20,metadata=0x5/0xf,eth_type=0x88cc,actions=write_actions(output:1),goto_table:3'],
  ['mod-flows', 'tcp,nw_src=10.213.249.0/24,tp_dst=80,actions=drop'],
  ['del-flows', 'cookie=0x1234/-1'],
  ['del-flows', '--strict', 'priority=40,icmp,icmp_type=8,icmp_code=0'],
  ['packet-out', `in_port=1 packet=${PKT} actions=output:2`],
  ['dump-flows'],
  ['dump-aggregate'],
  ['dump-ports'],
  ['dump-ports', '2'],
  ['dump-ports-desc'],
  ['dump-tables'],
  ['dump-desc'],
  ['get-frags'],
  ['set-frags', 'drop'],
];

const OFCTL_10: string[][] = [
  [
    'add-flow',
    'priority=100,tcp,nw_src=10.213.249.0/24,tp_dst=80,actions=mod_dl_dst:02:00:00:00:f9:02,output:2',
  ],
  ['add-flow', 'priority=90,arp,arp_op=1,arp_tpa=10.213.249.1,actions=controller'],
  ['add-flow', 'priority=80,in_port=1,dl_vlan=10,dl_vlan_pcp=3,actions=strip_vlan,output:3'],
  [
    'add-flow',
    'priority=70,udp,udp_src=53,nw_tos=40,actions=mod_vlan_vid:10,mod_vlan_pcp:2,mod_nw_src:10.213.249.9,mod_nw_tos:8,mod_tp_dst:5353,enqueue:2:7',
  ],
  [
    'add-flow',
    'priority=60,dl_vlan=0xffff,icmp,icmp_type=8,actions=mod_dl_src:02:00:00:00:f9:09,mod_nw_dst:10.213.249.2,mod_tp_src:1,output:in_port,LOCAL,FLOOD,ALL,NORMAL',
  ],
  [
    'add-flow',
    'priority=50,cookie=0x1234,idle_timeout=30,hard_timeout=300,dl_src=02:00:00:00:f9:01,dl_dst=02:00:00:00:f9:02,actions=drop',
  ],
  ['mod-flows', 'tcp,nw_src=10.213.249.0/24,tp_dst=80,actions=drop'],
  ['del-flows', 'in_port=1'],
  ['del-flows', '--strict', 'priority=50,dl_src=02:00:00:00:f9:01,dl_dst=02:00:00:00:f9:02'],
  ['packet-out', `in_port=1 packet=${PKT} actions=output:2`],
  ['dump-flows'],
  ['dump-aggregate'],
  ['dump-ports'],
  ['dump-ports', '2'],
  ['dump-ports-desc'],
  ['dump-tables'],
  ['dump-desc'],
  ['get-frags'],
  ['set-frags', 'drop'],
];

await ensureOpenvswitch();
await captureSwitch('OpenFlow13', 4);
await captureSwitch('OpenFlow10', 1);
await captureOfctl('OpenFlow13', 4, OFCTL_13);
await captureOfctl('OpenFlow10', 1, OFCTL_10);
await writeFile(OUT, `${JSON.stringify(frames, null, 1)}\n`);
console.log(`wrote ${frames.length} frames to ${OUT.pathname}`);
