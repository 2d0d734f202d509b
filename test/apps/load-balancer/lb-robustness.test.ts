import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as policy from '../../../src/apps/load-balancer/lb-policy.js';
import { PathTable } from '../../../src/apps/load-balancer/paths.js';
import { isVipMac, vipMac } from '../../../src/apps/load-balancer/vip-mac.js';
import { ARP_OP_REPLY } from '../../../src/net/arp.js';
import { PacketError } from '../../../src/net/packet-error.js';
import { decodePacket } from '../../../src/net/packet.js';
import { tcpFrame } from './fake-fabric.js';
import { Harness, ip, lbConfig, mac, member, VIP } from './harness.js';

function located(): Harness {
  const h = new Harness();
  h.switchUp(1n, [1, 2, 3, 4]);
  h.fabric.attachHost('m1', 1n, 1);
  h.fabric.attachHost('m2', 1n, 2);
  h.fabric.attachHost('c', 1n, 3);
  h.configure([lbConfig({ members: [member(1), member(2)] })]);
  h.memberAnswers('m1', { mac: mac(0x101), ip: ip(11) }, vipMac(VIP));
  h.memberAnswers('m2', { mac: mac(0x102), ip: ip(12) }, vipMac(VIP));
  return h;
}

describe('load-balancer policy under hostile input', () => {
  it('never throws on random or mutated frames from any port', () => {
    const h = located();
    const valid = tcpFrame({
      srcMac: mac(7),
      dstMac: vipMac(VIP),
      src: ip(50),
      dst: VIP,
      srcPort: 1234,
      dstPort: 80,
    });
    const frames = fc.oneof(
      fc.uint8Array({ minLength: 14, maxLength: 120 }),
      fc
        .tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(valid.length))
        .map(([at, byte, cut]) => {
          const f = Buffer.from(valid);
          f[at] = byte;
          return f.subarray(0, Math.max(14, cut));
        }),
    );
    fc.assert(
      fc.property(frames, fc.integer({ min: 1, max: 5 }), fc.nat(1_000_000), (frame, inPort, now) => {
        const p = decodePacket(frame);
        if (p instanceof PacketError) return;
        const r = policy.packetIn(h.state, now, {
          datapathId: 1n,
          inPort,
          bufferId: 0xffffffff,
          data: Buffer.from(frame),
          packet: p,
        });
        expect(['stop', 'continue']).toContain(r.verdict);
      }),
      { numRuns: 3000 },
    );
  });

  it('answers a member’s ARP for its client from the controller, so the client never hears of the member', () => {
    const h = located();
    h.connect('c', { mac: mac(0x300), ip: ip(50) }, vipMac(VIP));
    h.fabric.clearReceived();
    const before = h.fabric.packetIns;
    h.arpRequest('m1', { mac: mac(0x101), ip: ip(11) }, ip(50));
    expect(h.fabric.packetIns).toBe(before + 1);
    const answer = h.fabric.received
      .get('m1')!
      .map((f) => decodePacket(f))
      .pop();
    expect(answer instanceof PacketError ? undefined : answer?.arp).toEqual({
      op: ARP_OP_REPLY,
      sha: mac(0x300),
      spa: ip(50),
      tha: mac(0x101),
      tpa: ip(11),
    });
    expect(h.fabric.received.get('c')).toEqual([]);
  });

  it('drops new clients beyond the per-pool limit and says so', () => {
    const h = new Harness({ maxClientsPerPool: 3 });
    h.switchUp(1n, [1, 3]);
    h.fabric.attachHost('m1', 1n, 1);
    h.fabric.attachHost('c', 1n, 3);
    h.configure([lbConfig({ members: [member(1)] })]);
    h.memberAnswers('m1', { mac: mac(0x101), ip: ip(11) }, vipMac(VIP));
    for (let i = 0; i < 5; i++) h.connect('c', { mac: mac(0x400 + i), ip: ip(50) }, vipMac(VIP), 30000 + i);
    expect(h.placements()).toHaveLength(3);
    expect(h.actions.filter((a) => a.kind === 'event' && a.event.type === 'client-dropped')).toHaveLength(2);
  });

  it('drops a client while no member is located and asks for the members again', () => {
    const h = new Harness();
    h.switchUp(1n, [1, 3]);
    h.fabric.attachHost('c', 1n, 3);
    h.configure([lbConfig({ members: [member(1)] })]);
    h.fabric.clearReceived();
    h.connect('c', { mac: mac(0x500), ip: ip(50) }, vipMac(VIP));
    expect(h.placements()).toEqual([]);
    const probes = h.fabric.received
      .get('c')!
      .map((f) => decodePacket(f))
      .filter((p) => !(p instanceof PacketError) && p.arp?.tpa === ip(11));
    expect(probes.length).toBe(1);
  });
});

describe('paths and VIP MACs', () => {
  it('routes over the shortest chain of links and knows the link ports', () => {
    const t = new PathTable([
      { src: 1n, srcPort: 10, dst: 2n, dstPort: 20 },
      { src: 2n, srcPort: 21, dst: 3n, dstPort: 30 },
      { src: 1n, srcPort: 11, dst: 3n, dstPort: 31 },
      { src: 3n, srcPort: 30, dst: 2n, dstPort: 21 },
    ]);
    expect(t.route(1n, 1n)).toEqual([]);
    expect(t.route(1n, 3n)).toEqual([{ datapathId: 1n, outPort: 11, nextInPort: 31 }]);
    expect(t.route(1n, 2n)).toEqual([{ datapathId: 1n, outPort: 10, nextInPort: 20 }]);
    expect(t.route(3n, 1n)).toBeUndefined();
    expect(t.isLinkPort(2n, 21)).toBe(true);
    expect(t.isLinkPort(2n, 5)).toBe(false);
  });

  it('gives every VIP address its own locally administered unicast MAC', () => {
    fc.assert(
      fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), (a, b) => {
        const m = vipMac(a);
        expect(Math.floor(m / 2 ** 40) & 0x03).toBe(0x02);
        expect(isVipMac(m)).toBe(true);
        if (a !== b) expect(vipMac(b)).not.toBe(m);
      }),
    );
  });
});

describe('affinity sweep', () => {
  it('examines a bounded slice of a large table per tick and covers all of it over several ticks', () => {
    const h = located();
    const entries = Array.from({ length: 50_000 }, (_, i) => ({
      client: `0a:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
      member: i % 2 ? 'm1' : 'm2',
      lastSeen: 0,
      expiresAt: 1000,
    }));
    expect(policy.restoreAffinity(h.state, 0, 'web-pool', entries)).toBe(50_000);
    const forgotten = (acts: policy.LbAction[]) => acts.filter((a) => a.kind === 'forget').length;
    expect(forgotten(policy.tick(h.state, 500))).toBe(0);
    expect(forgotten(policy.tick(h.state, 2000))).toBe(policy.TICK_SWEEP_BUDGET);
    expect(forgotten(policy.tick(h.state, 3000))).toBe(policy.TICK_SWEEP_BUDGET);
    expect(forgotten(policy.tick(h.state, 4000))).toBe(50_000 - 2 * policy.TICK_SWEEP_BUDGET);
    expect(h.state.vips.get('web-pool')!.clients.size).toBe(0);
    expect(h.state.vips.get('web-pool')!.members.map((m) => m.clients)).toEqual([0, 0]);
  });
});
