// The adapter on a fake controller API and a real MemoryStore: switch messages reach the API, affinity
// entries reach the store (and come back from it after a restart), samples from the store reach the policy.

import { afterEach, describe, expect, it } from 'vitest';
import { LoadBalancerApp } from '../../../src/apps/load-balancer/lb-app.js';
import { vipMac } from '../../../src/apps/load-balancer/vip-mac.js';
import type {
  ControllerApi,
  DatapathInfo,
  PacketInEvent,
  SwitchMessage,
} from '../../../src/controller/app-api.js';
import { buildArpFrame, ARP_OP_REPLY } from '../../../src/net/arp.js';
import { formatMac } from '../../../src/net/mac-address.js';
import { PacketError } from '../../../src/net/packet-error.js';
import { decodePacket } from '../../../src/net/packet.js';
import { OFP_VERSION_13, type FlowMod } from '../../../src/openflow/model.js';
import { vmSample } from '../../support/vm-sample.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { recordingControllerApi } from '../../support/fake-controller-api.js';
import { tcpFrame } from './fake-fabric.js';
import { ip, lbConfig, mac, member, VIP } from './harness.js';

const LIMITS = { sampleTtlMs: 60_000, seriesRetentionMs: 60_000, seriesMaxPoints: 100 };
const VMAC = vipMac(VIP);

const fakeApi = (sent: SwitchMessage[]): ControllerApi => recordingControllerApi((m) => sent.push(m));

function packetIn(frame: Buffer, inPort: number): PacketInEvent {
  const packet = decodePacket(frame);
  if (packet instanceof PacketError) throw new Error(packet.toString());
  return {
    datapathId: 1n,
    version: OFP_VERSION_13,
    inPort,
    now: 0,
    packet,
    bufferId: 0xffffffff,
    data: frame,
    msg: {
      type: 'packetIn',
      bufferId: 0xffffffff,
      totalLen: frame.length,
      reason: 0,
      tableId: 0,
      cookie: 0n,
      inPort,
      match: { inPort },
      data: frame,
    },
  };
}

const dp: DatapathInfo = {
  datapathId: 1n,
  version: OFP_VERSION_13,
  ports: new Map(),
  peer: 'test',
  connectedAt: 0,
};
const settle = () => new Promise((r) => setTimeout(r, 20));

async function startApp(store: MemoryStore, sent: SwitchMessage[]) {
  const app = new LoadBalancerApp({
    store,
    pools: [lbConfig({ members: [member(1), member(2)] })],
    tickMs: 60_000,
  });
  await app.restore();
  app.start(fakeApi(sent));
  app.onSwitchUp(dp);
  for (const [n, port] of [
    [1, 1],
    [2, 2],
  ] as const) {
    const m = { mac: mac(0x100 + n), ip: ip(10 + n) };
    app.onPacketIn(
      packetIn(
        buildArpFrame(VMAC, m.mac, { op: ARP_OP_REPLY, sha: m.mac, spa: m.ip, tha: VMAC, tpa: VIP }),
        port,
      ),
    );
  }
  return app;
}

const syn = (n: number) =>
  tcpFrame({ srcMac: mac(0x200 + n), dstMac: VMAC, src: ip(50 + n), dst: VIP, srcPort: 40000, dstPort: 80 });

describe('load-balancer app', () => {
  const apps: LoadBalancerApp[] = [];
  afterEach(() => {
    for (const a of apps) a.stop();
  });

  it('installs flows through the API and writes the affinity table to the store', async () => {
    const store = new MemoryStore(LIMITS);
    const sent: SwitchMessage[] = [];
    const app = await startApp(store, sent);
    apps.push(app);
    sent.length = 0;
    expect(app.onPacketIn(packetIn(syn(1), 3))).toBe('stop');
    const kinds = sent.map((m) =>
      m.message.type === 'flowMod' ? `flowMod:${(m.message as FlowMod).command}` : m.message.type,
    );
    expect(kinds).toEqual(['flowMod:add', 'flowMod:add', 'packetOut']);
    await settle();
    const entries = await store.listAffinity('web-pool');
    expect(entries.map((e) => [e.client, e.member])).toEqual([[formatMac(mac(0x201)), 'm1']]);
    expect(app.placements()[0]).toMatchObject({
      client: formatMac(mac(0x201)),
      member: 'm1',
      algorithm: 'ROUND_ROBIN',
    });
  });

  it('a restarted app reads the affinity table back and keeps each client on its member', async () => {
    const store = new MemoryStore(LIMITS);
    const first = await startApp(store, []);
    first.onPacketIn(packetIn(syn(1), 3)); // m1
    first.onPacketIn(packetIn(syn(2), 3)); // m2
    await settle();
    first.stop();
    const second = await startApp(store, []);
    apps.push(second);
    second.onPacketIn(packetIn(syn(2), 3));
    second.onPacketIn(packetIn(syn(1), 3));
    expect(second.placements()).toEqual([]);
    const v = second.state.vips.get('web-pool')!;
    expect(
      v.clients
        .entries()
        .map((e) => [e.keyText, e.member.id])
        .sort(),
    ).toEqual([
      [formatMac(mac(0x201)), 'm1'],
      [formatMac(mac(0x202)), 'm2'],
    ]);
  });

  it('follows the store when another controller placed the client first', async () => {
    const store = new MemoryStore(LIMITS);
    await store.claimAffinity('web-pool', formatMac(mac(0x201)), 'm2', 60_000);
    const sent: SwitchMessage[] = [];
    const app = new LoadBalancerApp({
      store,
      pools: [lbConfig({ members: [member(1), member(2)] })],
      tickMs: 60_000,
    });
    apps.push(app);
    // Started without restore(): the claim only shows up when the store answers.
    app.start(fakeApi(sent));
    app.onSwitchUp(dp);
    for (const [n, port] of [
      [1, 1],
      [2, 2],
    ] as const) {
      const m = { mac: mac(0x100 + n), ip: ip(10 + n) };
      app.onPacketIn(
        packetIn(
          buildArpFrame(VMAC, m.mac, { op: ARP_OP_REPLY, sha: m.mac, spa: m.ip, tha: VMAC, tpa: VIP }),
          port,
        ),
      );
    }
    app.onPacketIn(packetIn(syn(1), 3));
    expect(app.state.vips.get('web-pool')!.clients.entry(mac(0x201))!.member.id).toBe('m1');
    sent.length = 0;
    await settle();
    expect(app.state.vips.get('web-pool')!.clients.entry(mac(0x201))!.member.id).toBe('m2');
    expect(sent.some((m) => m.message.type === 'flowMod' && m.message.command === 'delete')).toBe(true);
  });

  it('scores members on the samples published in the store', async () => {
    const store = new MemoryStore(LIMITS);
    const app = await startApp(store, []);
    apps.push(app);
    await store.putSample(
      vmSample({
        uuid: 'vm-2',
        time: Date.now(),
        state: 'running',
        metrics: { 'cpu.percent': 77, 'memory.used_bytes': 50, 'memory.maximum_bytes': 200 },
      }),
    );
    await settle();
    const m2 = app.state.vips.get('web-pool')!.memberById.get('m2')!;
    expect(m2.load).toMatchObject({ cpuPercent: 77, memoryFraction: 0.25 });
    await store.putSample(vmSample({ uuid: 'vm-2', time: Date.now() + 1, state: 'shutoff', metrics: {} }));
    await settle();
    expect(m2.vm).toBe('gone');
  });
});

describe('load-balancer app: a VM that leaves', () => {
  it('takes its member down at once and places its clients again', async () => {
    const store = new MemoryStore(LIMITS);
    const sent: SwitchMessage[] = [];
    const app = await startApp(store, sent);
    app.onPacketIn(packetIn(syn(1), 3)); // round robin: m1 (vm-1)
    app.onPacketIn(packetIn(syn(2), 3)); // m2 (vm-2)
    const v = app.state.vips.get('web-pool')!;
    expect(v.clients.entry(mac(0x201))!.member.id).toBe('m1');
    sent.length = 0;
    // Destroyed: no sample will ever say so, the monitor's removal does.
    app.vmLeft('vm-1', 'destroyed');
    expect(v.memberById.get('m1')!.vm).toBe('gone');
    expect(sent.some((m) => m.message.type === 'flowMod' && m.message.command === 'delete')).toBe(true);
    // The client's next packet goes to the member that is left.
    app.onPacketIn(packetIn(syn(1), 3));
    expect(v.clients.entry(mac(0x201))!.member.id).toBe('m2');
    // Its entry went with its member: it is placed afresh.
    expect(app.placements()[0]).toMatchObject({ client: formatMac(mac(0x201)), member: 'm2' });
    app.stop();
  });
});

describe('load-balancer app: a VM copy that ends on another host', () => {
  it('leaves the member of a VM running elsewhere serving; the end on its own host takes it down', async () => {
    const store = new MemoryStore(LIMITS);
    const app = await startApp(store, []);
    const t = Date.now();
    await store.putSample(
      vmSample({ uuid: 'vm-1', host: 'compute-1', time: t, state: 'running', metrics: {} }),
    );
    await settle();
    const m1 = app.state.vips.get('web-pool')!.memberById.get('m1')!;
    // A live migration to compute-2: its paused copy there, then that copy's end (the migration failed).
    await store.putSample(
      vmSample({ uuid: 'vm-1', host: 'compute-2', time: t + 1, state: 'paused', metrics: {} }),
    );
    await settle();
    app.vmLeft('vm-1', 'stopped', 'compute-2');
    expect(m1.vm).toBe('running');
    app.vmLeft('vm-1', 'destroyed', 'compute-1');
    expect(m1.vm).toBe('gone');
    app.stop();
  });
});

describe('load-balancer app: what it serves', () => {
  it('refuses an inconsistent set of pools and keeps serving the one it had', async () => {
    const store = new MemoryStore(LIMITS);
    const app = new LoadBalancerApp({ store, pools: [lbConfig({ members: [member(1)] })], tickMs: 60_000 });
    await app.restore();
    const second = {
      ...lbConfig({ id: 'p2', members: [member(2)] }, '10.213.4.101'),
      loadBalancerId: 'web2',
    };
    app.setPools([second]);
    expect([...app.state.vips.keys()]).toEqual(['p2']);
    expect(() => app.setPools([second, second])).toThrow(/the id is used twice/);
    expect(app.servedPools()).toEqual([second]);
    expect([...app.state.vips.keys()]).toEqual(['p2']);
    app.stop();
  });
});

describe('load-balancer app: log flood protection', () => {
  it('publishes at most 10 dropped-client events per second', async () => {
    const store = new MemoryStore(LIMITS);
    const events: Array<{ type: string }> = [];
    await store.subscribe('events', (m) => events.push(m as { type: string }));
    let now = 1_000_000;
    const app = new LoadBalancerApp({
      store,
      pools: [lbConfig({ members: [member(1)] })],
      settings: { maxClientsPerPool: 1 },
      tickMs: 60_000,
      clock: () => now,
    });
    await app.restore();
    app.start(fakeApi([]));
    app.onSwitchUp(dp);
    const m = { mac: mac(0x101), ip: ip(11) };
    app.onPacketIn(
      packetIn(
        buildArpFrame(VMAC, m.mac, { op: ARP_OP_REPLY, sha: m.mac, spa: m.ip, tha: VMAC, tpa: VIP }),
        1,
      ),
    );
    for (let i = 1; i <= 31; i++) app.onPacketIn(packetIn(syn(i), 3));
    now += 1000;
    app.onPacketIn(packetIn(syn(40), 3));
    await settle();
    app.stop();
    expect(events.filter((e) => e.type === 'client-dropped')).toHaveLength(11);
    expect(events.filter((e) => e.type === 'placement')).toHaveLength(1);
    // The placement is published as its log record reads.
    const placement = events.find((e) => e.type === 'placement');
    expect(placement).toEqual({ type: 'placement', ...app.placements()[0] });
    expect(placement).toMatchObject({ pool: 'web-pool', member: 'm1', candidates: ['m1'], clients: [0] });
  });
});
