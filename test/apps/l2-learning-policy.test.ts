import { describe, expect, it } from 'vitest';
import type { SwitchMessage } from '../../src/controller/app-api.js';
import { APP_COOKIE_MASK, APP_ID, appCookie } from '../../src/controller/cookies.js';
import {
  L2_DEFAULTS,
  L2State,
  l2Age,
  l2PacketIn,
  l2PortDown,
  type FloodView,
  type L2LearningOptions,
} from '../../src/apps/l2-learning-policy.js';
import { buildGratuitousArp } from '../../src/net/arp.js';
import { ETH_TYPE_IPV4, writeEthernet } from '../../src/net/ethernet.js';
import { IP_PROTO_UDP, writeIpv4 } from '../../src/net/ipv4.js';
import { buildDiscoveryFrame } from '../../src/net/lldp.js';
import { writeUdp } from '../../src/net/udp.js';
import { OFP_NO_BUFFER, OFPFF, OFPP, type FlowMod, type PacketOut } from '../../src/openflow/model.js';
import { FakeNetwork } from './fake-network.js';

const COOKIE = appCookie(APP_ID.L2_LEARNING);
const OPTS: L2LearningOptions = {
  ...L2_DEFAULTS,
  idleTimeoutSeconds: 10,
  cookie: COOKIE,
  cookieMask: APP_COOKIE_MASK,
};
const MAC = { h1: 0x0a0000000001, h2: 0x0a0000000002, h3: 0x0a0000000003, h4: 0x0a0000000004 };
const IP = { h1: 0x0ad50101, h2: 0x0ad50102, h3: 0x0ad50103, h4: 0x0ad50104 };
type H = keyof typeof MAC;

function udp(from: H, to: H, vlanVid?: number): Buffer {
  const b = Buffer.alloc(14 + (vlanVid === undefined ? 0 : 4) + 20 + 8 + 4);
  let p = writeEthernet(b, 0, {
    dst: MAC[to],
    src: MAC[from],
    ethType: ETH_TYPE_IPV4,
    ...(vlanVid === undefined ? {} : { vlanVid }),
  });
  p = writeIpv4(b, p, { src: IP[from], dst: IP[to], protocol: IP_PROTO_UDP, payloadLength: 12 });
  writeUdp(b, p, { srcPort: 1000, dstPort: 2000 }, { src: IP[from], dst: IP[to] }, 4);
  return b;
}

const OPEN: FloodView = { floodPorts: () => undefined, acceptsFrom: () => true };

/** dp1: h1@1 h2@2, link@3 <-> dp2: link@3, h3@1 h4@2. */
function twoSwitches(view: FloodView = OPEN) {
  const state = new L2State();
  const sent: SwitchMessage[] = [];
  const net = new FakeNetwork((ev, now) => {
    const ms = l2PacketIn(state, OPTS, now, { ...ev, eth: ev.packet.eth }, view);
    sent.push(...ms);
    return ms;
  });
  net.addSwitch(1n, [1, 2, 3]);
  net.addSwitch(2n, [1, 2, 3]);
  net.attachHost('h1', 1n, 1);
  net.attachHost('h2', 1n, 2);
  net.attachHost('h3', 2n, 1);
  net.attachHost('h4', 2n, 2);
  net.link(1n, 3, 2n, 3);
  return { state, net, sent };
}

const got = (net: FakeNetwork, h: H) => net.received.get(h)!.length;

describe('L2 learning policy on a fake two-switch network', () => {
  it('floods an unknown destination once to every other host, across the link, without a loop', () => {
    const { net, state } = twoSwitches();
    net.send('h1', udp('h1', 'h3'));
    expect([got(net, 'h1'), got(net, 'h2'), got(net, 'h3'), got(net, 'h4')]).toEqual([0, 1, 1, 1]);
    expect(state.tables.get(1n)!.get(MAC.h1)?.port).toBe(1);
    expect(state.tables.get(2n)!.get(MAC.h1)?.port).toBe(3);
  });

  it('installs flows with the app cookie once both ends are known; later packets need no controller', () => {
    const { net, sent } = twoSwitches();
    net.send('h1', udp('h1', 'h3'));
    net.clearReceived();
    net.send('h3', udp('h3', 'h1'));
    expect([got(net, 'h1'), got(net, 'h2'), got(net, 'h3'), got(net, 'h4')]).toEqual([1, 0, 0, 0]);
    net.send('h1', udp('h1', 'h3'));
    expect(got(net, 'h3')).toBe(1);
    const flows = sent
      .filter((m) => m.message.type === 'flowMod')
      .map((m) => [m.datapathId, m.message as FlowMod] as const);
    expect(flows.length).toBe(4); // h3->h1 on dp2 and dp1, h1->h3 on dp1 and dp2
    for (const [, fm] of flows) {
      expect(fm.cookie).toBe(COOKIE);
      expect(fm.idleTimeout).toBe(10);
      expect(fm.flags & OFPFF.SEND_FLOW_REM).toBe(OFPFF.SEND_FLOW_REM);
    }
    expect(net.tables.get(1n)!.entries.map((e) => e.match)).toContainEqual({
      inPort: 3,
      ethSrc: MAC.h3,
      ethDst: MAC.h1,
    });
    const before = net.packetIns;
    net.clearReceived();
    for (let i = 0; i < 5; i++) {
      net.send('h1', udp('h1', 'h3'));
      net.send('h3', udp('h3', 'h1'));
    }
    expect(net.packetIns).toBe(before);
    expect([got(net, 'h1'), got(net, 'h2'), got(net, 'h3'), got(net, 'h4')]).toEqual([5, 0, 5, 0]);
  });

  it('lets flows idle out, after which the controller sees the traffic again', () => {
    const { net } = twoSwitches();
    net.send('h1', udp('h1', 'h2'));
    net.send('h2', udp('h2', 'h1'));
    net.send('h1', udp('h1', 'h2'));
    expect(net.tables.get(1n)!.entries.length).toBe(2);
    net.now = 9_000;
    net.tables.get(1n)!.expire(net.now);
    expect(net.tables.get(1n)!.entries.length).toBe(2);
    net.now = 20_000;
    net.tables.get(1n)!.expire(net.now);
    expect(net.tables.get(1n)!.entries.length).toBe(0);
    expect(net.tables.get(1n)!.removed.every((r) => r.reason === 'idle')).toBe(true);
    const before = net.packetIns;
    net.send('h1', udp('h1', 'h2'));
    expect(net.packetIns).toBe(before + 1);
    expect(net.tables.get(1n)!.entries.length).toBe(1);
  });

  it('uses the buffer on the switch instead of sending the packet back', () => {
    const state = new L2State();
    const eth = {
      dst: MAC.h2,
      src: MAC.h1,
      vlanVid: -1,
      vlanPcp: 0,
      ethType: ETH_TYPE_IPV4,
      payloadOffset: 14,
    };
    l2PacketIn(
      state,
      OPTS,
      0,
      {
        datapathId: 1n,
        inPort: 2,
        bufferId: 7,
        data: Buffer.alloc(0),
        eth: { ...eth, src: MAC.h2, dst: MAC.h1 },
      },
      OPEN,
    );
    const ms = l2PacketIn(
      state,
      OPTS,
      1,
      { datapathId: 1n, inPort: 1, bufferId: 42, data: Buffer.alloc(0), eth },
      OPEN,
    );
    expect(ms).toHaveLength(1);
    expect((ms[0]!.message as FlowMod).bufferId).toBe(42);
    const flood = l2PacketIn(
      state,
      OPTS,
      1,
      { datapathId: 1n, inPort: 1, bufferId: 43, data: Buffer.alloc(0), eth: { ...eth, dst: MAC.h4 } },
      OPEN,
    );
    expect(flood).toHaveLength(1);
    expect(flood[0]!.message).toMatchObject({
      type: 'packetOut',
      bufferId: 43,
      actions: [{ type: 'output', port: OFPP.FLOOD }],
    });
    expect((flood[0]!.message as PacketOut).data.length).toBe(0);
  });

  it('follows a host that moves to another port and deletes the stale flows', () => {
    const { net, state } = twoSwitches();
    net.send('h1', udp('h1', 'h2'));
    net.send('h2', udp('h2', 'h1'));
    net.send('h1', udp('h1', 'h2'));
    expect(net.tables.get(1n)!.entries.some((e) => e.match.ethDst === MAC.h1)).toBe(true);
    // h1 unplugs from port 1 and appears on dp2 port 2 (h4's port, h4 gone).
    net.attachHost('h1', 2n, 2);
    net.send('h1', udp('h1', 'h3'));
    expect(state.tables.get(2n)!.get(MAC.h1)?.port).toBe(2);
    net.send('h3', udp('h3', 'h1'));
    expect(got(net, 'h1')).toBeGreaterThan(0);
    // dp1 still believes h1 is on port 1 until it sees h1 again through the link: then it moves it.
    net.send('h1', udp('h1', 'h2'));
    expect(state.tables.get(1n)!.get(MAC.h1)?.port).toBe(3);
    expect(
      net.tables.get(1n)!.removed.some((r) => r.reason === 'delete' && r.entry.match.ethDst === MAC.h1),
    ).toBe(true);
    expect(
      net.tables
        .get(1n)!
        .entries.some(
          (e) => e.match.ethDst === MAC.h1 && e.actions.some((a) => a.type === 'output' && a.port === 1),
        ),
    ).toBe(false);
  });

  it('floods along the ports the topology allows and drops what arrives on a blocked port', () => {
    const view: FloodView = {
      floodPorts: (dp) => (dp === 1n ? [1, 2] : undefined),
      acceptsFrom: (dp, port) => !(dp === 1n && port === 3),
    };
    const { net } = twoSwitches(view);
    net.send('h1', udp('h1', 'h3'));
    expect([got(net, 'h2'), got(net, 'h3'), got(net, 'h4')]).toEqual([1, 0, 0]);
    net.send('h4', udp('h4', 'h1'));
    expect(got(net, 'h3')).toBe(1);
    expect(got(net, 'h1')).toBe(0);
  });

  it('matches the VLAN of tagged traffic', () => {
    const state = new L2State();
    const base = { datapathId: 1n, bufferId: OFP_NO_BUFFER, data: Buffer.alloc(0) };
    const eth = (src: number, dst: number) => ({
      dst,
      src,
      vlanVid: 42,
      vlanPcp: 0,
      ethType: ETH_TYPE_IPV4,
      payloadOffset: 18,
    });
    l2PacketIn(state, OPTS, 0, { ...base, inPort: 2, eth: eth(MAC.h2, MAC.h1) }, OPEN);
    const ms = l2PacketIn(state, OPTS, 0, { ...base, inPort: 1, eth: eth(MAC.h1, MAC.h2) }, OPEN);
    expect((ms[0]!.message as FlowMod).match).toEqual({
      inPort: 1,
      ethSrc: MAC.h1,
      ethDst: MAC.h2,
      vlanVid: 0x1000 | 42,
    });
  });

  it('never learns group sources or forwards LLDP and other link-local frames', () => {
    const state = new L2State();
    const base = { datapathId: 1n, inPort: 1, bufferId: OFP_NO_BUFFER, data: Buffer.alloc(0) };
    const bcastSrc = {
      dst: MAC.h2,
      src: 0xffffffffffff,
      vlanVid: -1,
      vlanPcp: 0,
      ethType: ETH_TYPE_IPV4,
      payloadOffset: 14,
    };
    expect(l2PacketIn(state, OPTS, 0, { ...base, eth: bcastSrc }, OPEN)).toHaveLength(1);
    expect(state.table(1n).size).toBe(0);
    const lldp = buildDiscoveryFrame(1n, 1, MAC.h1);
    const e = {
      dst: lldp.readUIntBE(0, 6),
      src: MAC.h1,
      vlanVid: -1,
      vlanPcp: 0,
      ethType: 0x88cc,
      payloadOffset: 14,
    };
    expect(l2PacketIn(state, OPTS, 0, { ...base, eth: e }, OPEN)).toEqual([]);
    expect(
      l2PacketIn(state, OPTS, 0, { ...base, eth: { ...e, ethType: 0x8809, dst: 0x0180c2000002 } }, OPEN),
    ).toEqual([]);
    const g = buildGratuitousArp(MAC.h1, IP.h1);
    expect(g.length).toBeGreaterThan(0);
  });

  it('caps the MAC table and ages entries out', () => {
    const state = new L2State();
    const opts = { ...OPTS, maxMacsPerDatapath: 3, macAgeMs: 1000 };
    const base = { datapathId: 1n, inPort: 1, bufferId: OFP_NO_BUFFER, data: Buffer.alloc(0) };
    for (let i = 0; i < 10; i++) {
      l2PacketIn(
        state,
        opts,
        i,
        {
          ...base,
          eth: {
            dst: 0xffffffffffff,
            src: 0x0a0000000100 + i,
            vlanVid: -1,
            vlanPcp: 0,
            ethType: ETH_TYPE_IPV4,
            payloadOffset: 14,
          },
        },
        OPEN,
      );
    }
    expect(state.table(1n).size).toBe(3);
    expect(l2Age(state, opts, 500)).toBe(0);
    expect(l2Age(state, opts, 1005)).toBe(3);
    expect(state.table(1n).size).toBe(0);
  });

  it('forgets a dead port and deletes the flows that output to it', () => {
    const { net, state } = twoSwitches();
    net.send('h1', udp('h1', 'h2'));
    net.send('h2', udp('h2', 'h1'));
    net.send('h1', udp('h1', 'h2'));
    const ms = l2PortDown(state, OPTS, 1n, 2);
    net.execute(ms);
    expect(state.table(1n).has(MAC.h2)).toBe(false);
    expect(state.table(1n).has(MAC.h1)).toBe(true);
    expect(net.tables.get(1n)!.entries.map((e) => e.match.ethDst)).toEqual([MAC.h1]);
  });
});
