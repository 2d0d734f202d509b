import { describe, expect, it } from 'vitest';
import * as policy from '../../../src/apps/load-balancer/lb-policy.js';
import {
  COOKIE_COUNTED,
  COOKIE_OUT,
  cookieKind,
  MEMBER_COOKIE_MASK,
} from '../../../src/apps/load-balancer/lb-state.js';
import { vipMac } from '../../../src/apps/load-balancer/vip-mac.js';
import { ARP_OP_REPLY, ARP_OP_REQUEST, buildArpFrame } from '../../../src/net/arp.js';
import { formatMac, MAC_BROADCAST } from '../../../src/net/mac-address.js';
import { PacketError } from '../../../src/net/packet-error.js';
import { decodePacket, type DecodedPacket } from '../../../src/net/packet.js';
import type { AlgorithmName } from '../../../src/balancer/objects.js';
import type { ServedMember } from '../../../src/balancer/served-pool.js';
import { Harness, ip, lbConfig, mac, member, VIP, VIP_PORT } from './harness.js';

const VMAC = vipMac(VIP);
const LINK = 100;

function decode(b: Buffer): DecodedPacket {
  const p = decodePacket(b);
  if (p instanceof PacketError) throw new Error(p.toString());
  return p;
}

interface Net {
  h: Harness;
  members: Array<{ host: string; mac: number; ip: number; dp: bigint; port: number }>;
  clients: Array<{ host: string; mac: number; ip: number; dp: bigint; port: number }>;
}

/** Two switches joined on port 100; three members on each (ports 1-3), clients on ports 10+. */
function build(
  opts: {
    algorithm?: AlgorithmName;
    members?: ServedMember[];
    clients?: number;
    settings?: ConstructorParameters<typeof Harness>[0];
    persistence?: 'SOURCE_MAC' | 'SOURCE_IP';
  } = {},
): Net {
  const h = new Harness(opts.settings);
  h.switchUp(1n, [1, 2, 3, 10, 11, 12, 13, 14, 15, LINK]);
  h.switchUp(2n, [1, 2, 3, 10, 11, 12, 13, 14, 15, LINK]);
  h.links([
    { src: 1n, srcPort: LINK, dst: 2n, dstPort: LINK },
    { src: 2n, srcPort: LINK, dst: 1n, dstPort: LINK },
  ]);
  const ms = opts.members ?? [1, 2, 3, 4, 5, 6].map((n) => member(n));
  const members = ms.map((m, i) => {
    const dp = i < 3 ? 1n : 2n;
    const port = (i % 3) + 1;
    const host = m.id;
    h.fabric.attachHost(host, dp, port);
    h.fabric.servers.add(host);
    return { host, mac: mac(0x100 + i), ip: ip(10 + i + 1), dp, port };
  });
  const clients = Array.from({ length: opts.clients ?? 6 }, (_, i) => {
    const dp = i % 2 === 0 ? 1n : 2n;
    const port = 10 + Math.floor(i / 2);
    const host = `c${i}`;
    h.fabric.attachHost(host, dp, port);
    return { host, mac: mac(0x200 + i), ip: ip(100 + i + 1 + 20), dp, port };
  });
  h.configure([
    lbConfig({
      algorithm: opts.algorithm ?? 'ROUND_ROBIN',
      members: ms,
      persistence: { type: opts.persistence ?? 'SOURCE_MAC', timeoutSeconds: 60 },
    }),
  ]);
  // The VIP came up: every member heard the controller's ARP probe for its address and answers it.
  for (const m of members) {
    const probes = h.fabric.received
      .get(m.host)!
      .map(decode)
      .filter((p) => p.arp?.op === ARP_OP_REQUEST && p.arp.tpa === m.ip);
    expect(probes.length).toBeGreaterThan(0);
    expect(probes[0]!.arp!.sha).toBe(VMAC);
    h.memberAnswers(m.host, m, VMAC);
  }
  h.fabric.clearReceived();
  return { h, members, clients };
}

function tcpTo(h: Harness, host: string): DecodedPacket[] {
  return h.fabric.received
    .get(host)!
    .map(decode)
    .filter((p) => p.tcp !== undefined);
}

describe('load-balancer policy: VIP ARP', () => {
  it('answers ARP for each VIP with a MAC of that VIP and announces each VIP when it comes up', () => {
    const h = new Harness();
    h.switchUp(1n, [1, 2]);
    h.fabric.attachHost('a', 1n, 1);
    h.configure([
      lbConfig({ members: [member(1)] }, '10.213.4.100'),
      { ...lbConfig({ id: 'p2', members: [member(2)] }, '10.213.4.101'), loadBalancerId: 'web2' },
    ]);
    const garps = h.fabric.received
      .get('a')!
      .map(decode)
      .filter((p) => p.arp?.spa === p.arp?.tpa);
    expect(garps.map((p) => [p.arp!.spa, p.arp!.sha, p.eth.dst])).toEqual([
      [VIP, vipMac(VIP), MAC_BROADCAST],
      [VIP + 1, vipMac(VIP + 1), MAC_BROADCAST],
    ]);
    expect(vipMac(VIP)).not.toBe(vipMac(VIP + 1));
    expect(formatMac(vipMac(VIP))).toBe('02:56:0a:d5:04:64');
    h.fabric.clearReceived();
    const before = h.fabric.packetIns;
    for (const [target, want] of [
      [VIP, vipMac(VIP)],
      [VIP + 1, vipMac(VIP + 1)],
    ] as const) {
      h.arpRequest('a', { mac: mac(1), ip: ip(50) }, target);
      const reply = h.fabric.received.get('a')!.map(decode).pop()!;
      expect(reply.arp).toEqual({ op: ARP_OP_REPLY, sha: want, spa: target, tha: mac(1), tpa: ip(50) });
      expect(reply.eth.src).toBe(want);
    }
    // The ARP trap flow sent both requests to the controller.
    expect(h.fabric.packetIns - before).toBe(2);
  });

  it('does not answer for addresses that are not VIPs and lets other apps see them', () => {
    const h = new Harness();
    h.switchUp(1n, [1]);
    h.configure([lbConfig({ members: [member(1)] })]);
    const p = decode(Buffer.from(require_arp(mac(1), ip(50), ip(51))));
    const r = policy.packetIn(h.state, 0, {
      datapathId: 1n,
      inPort: 1,
      bufferId: 0xffffffff,
      data: Buffer.alloc(0),
      packet: p,
    });
    expect(r.verdict).toBe('continue');
    expect(r.actions.filter((a) => a.kind === 'send')).toEqual([]);
  });
});

function require_arp(sha: number, spa: number, tpa: number): Buffer {
  const b = Buffer.alloc(42);
  b.writeUIntBE(MAC_BROADCAST, 0, 6);
  b.writeUIntBE(sha, 6, 6);
  b.writeUInt16BE(0x0806, 12);
  b.writeUInt16BE(1, 14);
  b.writeUInt16BE(0x0800, 16);
  b[18] = 6;
  b[19] = 4;
  b.writeUInt16BE(ARP_OP_REQUEST, 20);
  b.writeUIntBE(sha, 22, 6);
  b.writeUInt32BE(spa, 28);
  b.writeUInt32BE(tpa, 38);
  return b;
}

describe('load-balancer policy: placement and flows', () => {
  it('places a new client, rewrites both ways, and the client only ever sees the VIP', () => {
    const { h, members, clients } = build();
    const c = clients[0]!;
    h.connect(c.host, c, VMAC);
    const [placed] = h.placements();
    expect(placed).toEqual({ client: formatMac(c.mac), member: 'm1' });
    const m = members[0]!;
    // The member got the SYN addressed to itself, from the client's own addresses.
    const atMember = tcpTo(h, m.host);
    expect(atMember).toHaveLength(1);
    expect(atMember[0]!.eth).toMatchObject({ dst: m.mac, src: c.mac });
    expect(atMember[0]!.ipv4).toMatchObject({ dst: m.ip, src: c.ip });
    expect(atMember[0]!.tcp).toMatchObject({ dstPort: 8080, srcPort: 40000 });
    // Its SYN-ACK came back rewritten to the VIP.
    const atClient = tcpTo(h, c.host);
    expect(atClient).toHaveLength(1);
    expect(atClient[0]!.eth).toMatchObject({ src: VMAC, dst: c.mac });
    expect(atClient[0]!.ipv4).toMatchObject({ src: VIP, dst: c.ip });
    expect(atClient[0]!.tcp).toMatchObject({ srcPort: VIP_PORT, dstPort: 40000 });
    // Same switch: two flows (forward and reverse); the store got the claim.
    expect(h.store.get(`web-pool/${formatMac(c.mac)}`)).toBe('m1');
    const clientFlows = h.fabric.switches.get(1n)!.flows.filter((f) => f.priority === 2000);
    expect(clientFlows).toHaveLength(2);
    // The next packets use the flows: no packet-in.
    const before = h.fabric.packetIns;
    h.connect(c.host, c, VMAC, 40001);
    h.connect(c.host, c, VMAC, 40002);
    expect(h.fabric.packetIns).toBe(before);
    expect(tcpTo(h, m.host)).toHaveLength(3);
    expect(tcpTo(h, c.host).every((p) => p.ipv4!.src === VIP && p.eth.src === VMAC)).toBe(true);
  });

  it('forwards across switches when the member is on the other compute node', () => {
    const { h, members, clients } = build();
    // Round robin: clients 0,1,2,3 -> m1,m2,m3,m4; m4 sits on switch 2, client 3 too, client 2 on switch 1.
    for (const c of clients.slice(0, 3)) h.connect(c.host, c, VMAC);
    const c = clients[4]!; // on switch 1
    h.connect(c.host, c, VMAC);
    expect(h.placements().pop()).toEqual({ client: formatMac(c.mac), member: 'm4' });
    const m4 = members[3]!;
    expect(m4.dp).toBe(2n);
    const atMember = tcpTo(h, m4.host);
    expect(atMember).toHaveLength(1);
    expect(atMember[0]!.ipv4!.dst).toBe(m4.ip);
    const atClient = tcpTo(h, c.host);
    expect(atClient).toHaveLength(1);
    expect(atClient[0]!.ipv4!.src).toBe(VIP);
    expect(atClient[0]!.eth.src).toBe(VMAC);
    // Forward + reverse flow on each of the two switches for this client, all with the member's cookie.
    const memberCookie = (f: { cookie: bigint }) => f.cookie & MEMBER_COOKIE_MASK;
    const cookieOf = memberCookie(h.fabric.switches.get(1n)!.flows.find((f) => f.match.ethSrc === c.mac)!);
    const clientFlows = (dp: bigint) =>
      h.fabric.switches
        .get(dp)!
        .flows.filter(
          (f) => memberCookie(f) === cookieOf && (f.match.ethSrc === c.mac || f.match.ethDst === c.mac),
        );
    for (const dp of [1n, 2n]) expect(clientFlows(dp)).toHaveLength(2);
    // The client's traffic is counted once each way: forward where the client enters (switch 1), reverse
    // where the member answers (switch 2); the flows that only carry it on between them are not counted.
    const kinds = (dp: bigint) =>
      clientFlows(dp)
        .map((f) => `${f.match.ethSrc === c.mac ? 'fwd' : 'rev'}:${cookieKind(f.cookie)}`)
        .sort();
    expect(kinds(1n)).toEqual([`fwd:${COOKIE_COUNTED}`, 'rev:0']);
    expect(kinds(2n)).toEqual(['fwd:0', `rev:${COOKIE_COUNTED | COOKIE_OUT}`]);
  });

  it('keeps each client on its member after its flows expire (affinity), and forgets it after the timeout', () => {
    const { h, clients } = build();
    for (const c of clients) h.connect(c.host, c, VMAC);
    const first = new Map(h.placements().map((p) => [p.client, p.member]));
    expect(first.size).toBe(6);
    h.fabric.advance(31_000); // flows idle out (30 s)
    expect(h.fabric.flowCount()).toBe(h.fabric.switches.size * 2); // only the two trap flows per switch
    h.tick();
    for (const c of clients) h.connect(c.host, c, VMAC, 41000);
    expect(h.placements()).toHaveLength(6); // no new placement
    for (const c of clients) expect(tcpTo(h, c.host).every((p) => p.ipv4!.src === VIP)).toBe(true);
    // Idle for longer than the persistence timeout (60 s after the last activity): the entries go.
    h.fabric.advance(31_000);
    h.fabric.advance(31_000);
    h.tick();
    expect(h.store.size).toBe(0);
    expect(h.actions.filter((a) => a.kind === 'forget')).toHaveLength(6);
    h.connect(clients[0]!.host, clients[0]!, VMAC, 42000);
    expect(h.placements()).toHaveLength(7);
  });

  it('keeps the store entries of active clients alive', () => {
    const { h, clients } = build();
    const c = clients[0]!;
    h.connect(c.host, c, VMAC);
    for (let t = 0; t < 10; t++) {
      h.fabric.advance(10_000);
      h.connect(c.host, c, VMAC, 40000 + t); // traffic keeps the flows alive
      h.tick();
    }
    const touches = h.actions.filter((a) => a.kind === 'touch');
    expect(touches.length).toBeGreaterThanOrEqual(2);
    expect(h.store.size).toBe(1);
    expect(h.actions.filter((a) => a.kind === 'forget')).toHaveLength(0);
  });

  it('spreads new clients evenly under ROUND_ROBIN (no member more than one above another)', () => {
    const { h, clients } = build({ clients: 12 });
    for (const c of clients) h.connect(c.host, c, VMAC);
    const counts = countBy(h.placements().map((p) => p.member));
    expect(Object.keys(counts)).toHaveLength(6);
    expect(Math.max(...Object.values(counts)) - Math.min(...Object.values(counts))).toBeLessThanOrEqual(1);
  });

  it('LEAST_LOAD: a burst within one metrics interval spreads, and a busy member gets markedly fewer clients', () => {
    const { h, clients } = build({ algorithm: 'LEAST_LOAD', clients: 60 });
    for (let i = 1; i <= 6; i++)
      h.exec(
        policy.sample(h.state, {
          vm: `vm-${i}`,
          time: 0,
          state: 'running',
          metrics: { 'cpu.percent': 5, 'net.rx_bytes_per_s': 1000, 'net.tx_bytes_per_s': 1000 },
        }),
      );
    h.fabric.now = 100;
    for (const c of clients) h.connect(c.host, c, VMAC);
    const even = countBy(h.placements().map((p) => p.member));
    expect(Math.max(...Object.values(even))).toBeLessThanOrEqual(2 * (60 / 6));
    expect(Object.keys(even)).toHaveLength(6);
    // Each placement's log entry carries every candidate's score.
    const rec = h.records[0]!;
    expect(rec.candidates).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    expect(rec.scores).toHaveLength(6);
    expect(rec.scores!.every((x) => Number.isFinite(x) && x > 0)).toBe(true);
    expect(rec.clients).toEqual([0, 0, 0, 0, 0, 0]);
    // Each later record has its own numbers (not the algorithm's scratch scores, not the live counts).
    const last = h.records.at(-1)!;
    expect(last.clients.reduce((a, b) => a + b, 0)).toBe(59);
    expect(rec.clients).toEqual([0, 0, 0, 0, 0, 0]);
    expect(rec.scores).not.toEqual(last.scores);

    // A second run: m2's VM is busy (CPU 95 %).
    const busy = build({ algorithm: 'LEAST_LOAD', clients: 60 });
    for (let i = 1; i <= 6; i++)
      busy.h.exec(
        policy.sample(busy.h.state, {
          vm: `vm-${i}`,
          time: 0,
          state: 'running',
          metrics: { 'cpu.percent': i === 2 ? 95 : 5 },
        }),
      );
    busy.h.fabric.now = 100;
    for (const c of busy.clients) busy.h.connect(c.host, c, VMAC);
    const counts = countBy(busy.h.placements().map((p) => p.member));
    const others = ['m1', 'm3', 'm4', 'm5', 'm6'].map((m) => counts[m] ?? 0);
    expect(counts.m2 ?? 0).toBeLessThan(Math.min(...others) / 2);
  });

  it('ROUND_ROBIN ignores load: the busy member gets its turn', () => {
    const { h, clients } = build({ algorithm: 'ROUND_ROBIN', clients: 12 });
    for (let i = 1; i <= 6; i++)
      h.exec(
        policy.sample(h.state, { vm: `vm-${i}`, time: 0, metrics: { 'cpu.percent': i === 2 ? 95 : 5 } }),
      );
    for (const c of clients) h.connect(c.host, c, VMAC);
    expect(countBy(h.placements().map((p) => p.member)).m2).toBe(2);
  });

  it('a member that goes down loses its flows and entries; its clients are placed again and answered', () => {
    const { h, members, clients } = build();
    for (const c of clients) h.connect(c.host, c, VMAC);
    const victim = h.placements().find((p) => p.member === 'm2')!;
    const c = clients.find((x) => formatMac(x.mac) === victim.client)!;
    h.exec(policy.memberHealth(h.state, 'web-pool', 'm2', 'DOWN'));
    expect(h.actions.some((a) => a.kind === 'forgetMember' && a.member === 'm2')).toBe(true);
    expect(h.store.get(`web-pool/${victim.client}`)).toBeUndefined();
    const m2 = members[1]!;
    for (const sw of h.fabric.switches.values())
      expect(
        sw.flows.filter((f) =>
          f.actions.some((a) => a.type === 'setField' && a.field === 'ipv4Dst' && a.value === m2.ip),
        ),
      ).toEqual([]);
    h.fabric.clearReceived();
    h.connect(c.host, c, VMAC, 43000);
    const again = h.placements().pop()!;
    expect(again.client).toBe(victim.client);
    expect(again.member).not.toBe('m2');
    expect(tcpTo(h, m2.host)).toHaveLength(0);
    expect(tcpTo(h, c.host)).toHaveLength(1);
    // New clients avoid it until it is back up.
    for (let i = 0; i < 10; i++) h.connect(c.host, { mac: mac(0x900 + i), ip: c.ip }, VMAC, 44000 + i);
    expect(
      h
        .placements()
        .slice(-10)
        .some((p) => p.member === 'm2'),
    ).toBe(false);
    h.exec(policy.memberHealth(h.state, 'web-pool', 'm2', 'UP'));
    for (let i = 10; i < 16; i++) h.connect(c.host, { mac: mac(0x900 + i), ip: c.ip }, VMAC, 44000 + i);
    expect(
      h
        .placements()
        .slice(-6)
        .some((p) => p.member === 'm2'),
    ).toBe(true);
  });

  it('a member whose VM stops (monitor) is taken out at once; disabling and deleting remove its flows', () => {
    const { h, clients } = build();
    for (const c of clients) h.connect(c.host, c, VMAC);
    h.exec(policy.sample(h.state, { vm: 'vm-1', time: 1, state: 'shutoff', metrics: {} }));
    expect(h.state.vips.get('web-pool')!.clients.size).toBe(5);
    const cfg = h.state.vips.get('web-pool')!.pool;
    // Disable m3, delete m4.
    const members = cfg.members
      .filter((m) => m.id !== 'm4')
      .map((m) => (m.id === 'm3' ? { ...m, adminStateUp: false } : m));
    h.configure([{ ...cfg, members }]);
    const left = h.state.vips
      .get('web-pool')!
      .clients.entries()
      .map((e) => e.member.id)
      .sort();
    expect(left).toEqual(['m2', 'm5', 'm6']);
    for (const sw of h.fabric.switches.values())
      for (const f of sw.flows) expect(f.cookie & 0x3fffn).not.toBe(4n);
  });

  it('draining (weight 0): existing clients stay, new clients go elsewhere', () => {
    const { h, clients } = build({ clients: 6 });
    for (const c of clients) h.connect(c.host, c, VMAC);
    const cfg = h.state.vips.get('web-pool')!.pool;
    h.configure([{ ...cfg, members: cfg.members.map((m) => (m.id === 'm1' ? { ...m, weight: 0 } : m)) }]);
    const holder = h.placements().find((p) => p.member === 'm1')!;
    const c = clients.find((x) => formatMac(x.mac) === holder.client)!;
    h.fabric.advance(31_000);
    h.connect(c.host, c, VMAC, 45000);
    expect(h.placements()).toHaveLength(6);
    expect(tcpTo(h, c.host).pop()!.ipv4!.src).toBe(VIP);
    for (let i = 0; i < 12; i++) h.connect(c.host, { mac: mac(0xa00 + i), ip: c.ip }, VMAC, 46000 + i);
    expect(
      h
        .placements()
        .slice(-12)
        .some((p) => p.member === 'm1'),
    ).toBe(false);
  });

  it('flow-removed of an older placement does not end the current one', () => {
    const { h, clients } = build();
    const c = clients[0]!;
    h.connect(c.host, c, VMAC);
    const t = h.state.vips.get('web-pool')!.clients;
    expect(t.entry(c.mac)!.flowsLive).toBe(true);
    const acts = policy.flowRemoved(h.state, 5, {
      datapathId: 1n,
      cookie: 0n,
      reason: 0,
      idleTimeout: 30,
      durationSec: 5,
      packetCount: 1n,
      byteCount: 60n,
      match: { ethSrc: c.mac, inPort: c.port },
    });
    expect(acts).toEqual([]);
    expect(t.entry(c.mac)!.flowsLive).toBe(true);
  });

  it('the flow tables and the affinity table stay bounded over 10,000 short-lived clients', () => {
    const { h, clients } = build({ algorithm: 'LEAST_CONNECTIONS', settings: { flowIdleTimeoutSeconds: 5 } });
    const c = clients[0]!;
    let maxFlows = 0;
    for (let i = 0; i < 10_000; i++) {
      h.connect(c.host, { mac: mac(0x10000 + i), ip: c.ip }, VMAC, 1024 + (i % 50000));
      if (i % 100 === 99) {
        h.fabric.advance(1000);
        h.tick();
        maxFlows = Math.max(maxFlows, h.fabric.flowCount());
      }
    }
    // 5 s idle timeout at 100 clients/s: about 500 clients' flows (two each on one switch) at most.
    expect(maxFlows).toBeLessThanOrEqual(2 * 700 + 4);
    expect(maxFlows).toBeGreaterThan(2 * 400);
    h.fabric.advance(6_000);
    h.fabric.advance(61_000);
    h.tick();
    expect(h.fabric.flowCount()).toBe(4);
    expect(h.state.vips.get('web-pool')!.clients.size).toBe(0);
    expect(h.store.size).toBe(0);
    expect(h.placements()).toHaveLength(10_000);
  });

  it('restores affinity from the store after a restart and follows another controller’s claim', () => {
    const { h, clients } = build();
    for (const c of clients) h.connect(c.host, c, VMAC);
    const before = new Map(h.placements().map((p) => [p.client, p.member]));
    const entries = [...before].map(([client, m]) => ({ client, member: m, lastSeen: 0, expiresAt: 60_000 }));
    // A new controller: fresh state, switches reconnect (old flows deleted), entries read back.
    const r = build();
    expect(policy.restoreAffinity(r.h.state, 10, 'web-pool', entries)).toBe(6);
    for (const c of clients) r.h.connect(c.host, c, VMAC, 47000);
    expect(r.h.placements()).toEqual([]);
    for (const [client, m] of before)
      expect(
        r.h.state.vips.get('web-pool')!.clients.entry(parseInt(client.replace(/:/g, ''), 16))!.member.id,
      ).toBe(m);
    const m = r.members.find((x) => x.host === before.get(formatMac(clients[0]!.mac)))!;
    expect(tcpTo(r.h, m.host).some((p) => p.ipv4!.src === clients[0]!.ip)).toBe(true);
    // Another controller placed client 0 elsewhere first: follow the store.
    const other = before.get(formatMac(clients[0]!.mac)) === 'm6' ? 'm5' : 'm6';
    r.h.exec(policy.affinityClaimed(r.h.state, 20, 'web-pool', formatMac(clients[0]!.mac), other));
    r.h.fabric.clearReceived();
    r.h.connect(clients[0]!.host, clients[0]!, VMAC, 48000);
    const otherHost = r.members.find((x) => x.host === other)!;
    expect(tcpTo(r.h, otherHost.host)).toHaveLength(1);
  });

  it('keys clients by source IP when the pool says so', () => {
    const { h, clients } = build({ persistence: 'SOURCE_IP' });
    const c = clients[0]!;
    h.connect(c.host, c, VMAC);
    h.connect(c.host, { mac: mac(0xbbb), ip: c.ip }, VMAC, 40010);
    expect(h.placements()).toEqual([{ client: '10.213.4.121', member: 'm1' }]);
  });

  it('withdrawing the VIP removes all its flows and forgets its clients', () => {
    const { h, clients } = build();
    for (const c of clients) h.connect(c.host, c, VMAC);
    expect(h.fabric.flowCount()).toBeGreaterThan(10);
    h.configure([]);
    expect(h.fabric.flowCount()).toBe(0);
    expect(h.store.size).toBe(0);
  });

  it('drops non-TCP traffic to the VIP and traffic to a VIP port it does not serve', () => {
    const { h, clients } = build();
    const c = clients[0]!;
    h.fabric.send(
      c.host,
      (() => {
        const f = Buffer.from(require_tcp(c.mac, c.ip, 443));
        return f;
      })(),
    );
    expect(h.placements()).toEqual([]);
  });
});

function require_tcp(srcMac: number, src: number, dstPort: number): Buffer {
  const b = Buffer.alloc(54);
  b.writeUIntBE(VMAC, 0, 6);
  b.writeUIntBE(srcMac, 6, 6);
  b.writeUInt16BE(0x0800, 12);
  b[14] = 0x45;
  b.writeUInt16BE(40, 16);
  b[22] = 64;
  b[23] = 6;
  b.writeUInt32BE(src, 26);
  b.writeUInt32BE(VIP, 30);
  b.writeUInt16BE(40000, 34);
  b.writeUInt16BE(dstPort, 36);
  b[46] = 0x50;
  b[47] = 0x02;
  return b;
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

describe('load-balancer policy: switch reconnects', () => {
  it('keeps every client on its member when a switch reconnects long after the clients were placed', () => {
    const { h, clients } = build();
    for (const c of clients) h.connect(c.host, c, VMAC);
    const before = new Map(h.placements().map((p) => [p.client, p.member]));
    // Two minutes of traffic (flows stay live), then switch 1 reconnects: its flows are gone.
    for (let t = 0; t < 12; t++) {
      h.fabric.advance(10_000);
      for (const c of clients) h.connect(c.host, c, VMAC, 50000 + t);
      h.tick();
    }
    h.fabric.switches.get(1n)!.flows = [];
    h.exec(policy.switchUp(h.state, h.fabric.now, 1n));
    h.tick();
    h.fabric.advance(1000);
    h.tick();
    for (const c of clients) h.connect(c.host, c, VMAC, 51000);
    expect(h.placements()).toHaveLength(6);
    for (const [client, m] of before) expect(h.store.get(`web-pool/${client}`)).toBe(m);
  });
});

describe('load-balancer policy: member locations', () => {
  it('a new pool over the same members finds them and their metrics at once', () => {
    const { h, clients } = build({ clients: 6 });
    h.exec(policy.sample(h.state, { vm: 'vm-1', time: 0, state: 'running', metrics: { 'cpu.percent': 42 } }));
    const cfg = h.state.vips.get('web-pool')!.pool;
    h.configure([{ ...cfg, id: 'other-pool' }]);
    const v = h.state.vips.get('other-pool')!;
    expect(v.pool.id).toBe('other-pool');
    expect(v.members.every((m) => m.datapathId !== undefined)).toBe(true);
    // ... and scores them on their VMs' newest metrics at once.
    expect(v.members[0]!.load?.cpuPercent).toBe(42);
    for (const c of clients) h.connect(c.host, c, VMAC);
    const counts = countBy(h.placements().map((p) => p.member));
    expect(Object.values(counts)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});

describe('load-balancer policy: a VM that is paused or moves keeps its clients', () => {
  const placedOn = (h: Harness) =>
    new Map(
      h.state.vips
        .get('web-pool')!
        .clients.entries()
        .map((e) => [e.keyText, e.member.id]),
    );

  it('a paused VM keeps its clients and takes no new ones until it runs again', () => {
    const { h, clients } = build({ clients: 6 });
    for (const c of clients) h.connect(c.host, c, VMAC);
    const before = placedOn(h);
    h.exec(policy.sample(h.state, { vm: 'vm-1', time: 10, state: 'paused', metrics: {} }));
    expect(placedOn(h)).toEqual(before);
    expect(h.actions.some((a) => a.kind === 'forgetMember')).toBe(false);
    for (let i = 0; i < 10; i++)
      h.connect('c0', { mac: mac(0xb00 + i), ip: clients[0]!.ip }, VMAC, 41000 + i);
    expect(
      h
        .placements()
        .slice(-10)
        .filter((p) => p.member === 'm1'),
    ).toEqual([]);
    h.exec(policy.sample(h.state, { vm: 'vm-1', time: 20, state: 'running', metrics: {} }));
    for (let i = 0; i < 6; i++) h.connect('c0', { mac: mac(0xc00 + i), ip: clients[0]!.ip }, VMAC, 42000 + i);
    expect(
      h
        .placements()
        .slice(-6)
        .some((p) => p.member === 'm1'),
    ).toBe(true);
  });

  it('a member that migrates to the other switch keeps its clients; their flows follow it at once', () => {
    const { h, members, clients } = build({ clients: 6 });
    for (const c of clients) h.connect(c.host, c, VMAC);
    const before = placedOn(h);
    const m1 = members[0]!; // on switch 1, port 1
    const mine = clients.filter((c) => before.get(formatMac(c.mac)) === 'm1');
    expect(mine.length).toBeGreaterThan(0);
    // What a live migration looks like from here: the VM pauses, leaves its host (libvirt: stopped,
    // migrated), its port on switch 1 goes away, a port for it appears on switch 2, and it answers there.
    h.exec(policy.sample(h.state, { vm: 'vm-1', time: 10, state: 'paused', metrics: {} }));
    h.exec(policy.vmLeft(h.state, h.fabric.now, 'vm-1', 'migrated', 11));
    h.fabric.detachHost(m1.host);
    h.exec(policy.portStatus(h.state, h.fabric.now, 1n, 1, false));
    // Its clients' flows are gone from both switches; the clients still have their member.
    for (const sw of h.fabric.switches.values())
      expect(sw.flows.filter((f) => (f.cookie & 0x3fffn) === 1n && f.priority === 2000)).toEqual([]);
    expect(placedOn(h)).toEqual(before);
    h.fabric.attachHost(m1.host, 2n, 14);
    h.fabric.clearReceived();
    h.exec(policy.portStatus(h.state, h.fabric.now, 2n, 14, true));
    // Asked for on the new port at once, not at the next periodic probe.
    const probes = h.fabric.received
      .get(m1.host)!
      .map(decode)
      .filter((p) => p.arp?.op === ARP_OP_REQUEST && p.arp.tpa === m1.ip);
    expect(probes).toHaveLength(1);
    h.memberAnswers(m1.host, m1, VMAC);
    h.exec(policy.sample(h.state, { vm: 'vm-1', time: 12, state: 'running', metrics: {} }));
    h.fabric.clearReceived();
    for (const c of mine) h.connect(c.host, c, VMAC, 43000);
    // Nobody was placed again, and the member's clients reach it at its new place.
    expect(placedOn(h)).toEqual(before);
    expect(h.placements()).toHaveLength(6);
    expect(tcpTo(h, m1.host)).toHaveLength(mine.length);
    for (const c of mine) expect(tcpTo(h, c.host).pop()!.ipv4!.src).toBe(VIP);
  });

  it('a RARP announcement from the moved VM locates it without a probe', () => {
    const { h, members, clients } = build({ clients: 2 });
    for (const c of clients) h.connect(c.host, c, VMAC);
    const m1 = members[0]!;
    h.exec(policy.vmLeft(h.state, h.fabric.now, 'vm-1', 'migrated', 11));
    h.fabric.detachHost(m1.host);
    h.exec(policy.portStatus(h.state, h.fabric.now, 1n, 1, false));
    h.fabric.attachHost(m1.host, 2n, 14);
    // QEMU's self-announce: a RARP request from the VM's MAC, broadcast.
    const rarp = buildArpFrame(MAC_BROADCAST, m1.mac, { op: 3, sha: m1.mac, spa: 0, tha: m1.mac, tpa: 0 });
    rarp.writeUInt16BE(0x8035, 12);
    h.fabric.send(m1.host, rarp);
    const m = h.state.vips.get('web-pool')!.memberById.get('m1')!;
    expect([m.datapathId, m.ofport]).toEqual([2n, 14]);
  });

  it('a VM that left by migration and never ran again is taken down after the move timeout', () => {
    const { h, clients } = build({ clients: 6 });
    for (const c of clients) h.connect(c.host, c, VMAC);
    h.exec(policy.vmLeft(h.state, 0, 'vm-1', 'migrated', 0));
    h.exec(policy.tick(h.state, policy.MOVE_TIMEOUT_MS - 1));
    expect(h.state.vips.get('web-pool')!.memberById.get('m1')!.vm).toBe('suspended');
    expect([...placedOn(h).values()]).toContain('m1');
    h.exec(policy.tick(h.state, policy.MOVE_TIMEOUT_MS));
    expect(h.state.vips.get('web-pool')!.memberById.get('m1')!.vm).toBe('gone');
    expect([...placedOn(h).values()]).not.toContain('m1');
  });

  it('a paused VM keeps its clients however long it stays paused: only a move times out', () => {
    const { h, clients } = build({ clients: 6 });
    for (const c of clients) h.connect(c.host, c, VMAC);
    const before = placedOn(h);
    h.exec(policy.sample(h.state, { vm: 'vm-1', time: 10, state: 'paused', metrics: {} }));
    h.exec(policy.tick(h.state, 11));
    h.exec(policy.tick(h.state, 10 + policy.MOVE_TIMEOUT_MS));
    expect(h.state.vips.get('web-pool')!.memberById.get('m1')!.vm).toBe('suspended');
    expect(h.actions.some((a) => a.kind === 'forgetMember')).toBe(false);
    expect(placedOn(h)).toEqual(before);
  });

  /** The member's VM states the policy's events said, in order. */
  const vmEvents = (h: Harness) =>
    h.actions.flatMap((a) =>
      a.kind === 'event' && /^member-(suspended|resumed|up|down)$/.test(a.event.type) ? [a.event.type] : [],
    );

  it('during a live migration only the host the VM runs on says what it does', () => {
    const { h, clients } = build({ clients: 6 });
    for (const c of clients) h.connect(c.host, c, VMAC);
    const before = placedOn(h);
    const m1 = () => h.state.vips.get('web-pool')!.memberById.get('m1')!;
    const at = (host: string, time: number, state: string) =>
      h.exec(policy.sample(h.state, { vm: 'vm-1', host, time, state, metrics: {} }));
    at('A', 10, 'running');
    // The target's copy waits, paused, for the memory while the VM still runs on its source.
    at('B', 11, 'paused');
    at('A', 12, 'running');
    expect(m1().vm).toBe('running');
    expect(vmEvents(h)).toEqual([]);
    // The source pauses it for the last round, the target resumes it; the source reports that it left
    // (STOPPED, MIGRATED) only after that.
    at('A', 13, 'paused');
    at('B', 14, 'running');
    h.exec(policy.vmLeft(h.state, 16, 'vm-1', 'migrated', 16, 'A'));
    expect(m1().vm).toBe('running');
    expect(vmEvents(h)).toEqual(['member-suspended', 'member-resumed']);
    // From now on host B is the one that counts: its pause suspends the member, host A says nothing.
    at('A', 17, 'paused');
    expect(m1().vm).toBe('running');
    at('B', 18, 'paused');
    expect(m1().vm).toBe('suspended');
    expect(placedOn(h)).toEqual(before);
  });

  it('a migration that fails on its target leaves the VM and its clients on its source', () => {
    const { h, clients } = build({ clients: 6 });
    for (const c of clients) h.connect(c.host, c, VMAC);
    const before = placedOn(h);
    h.exec(policy.sample(h.state, { vm: 'vm-1', host: 'A', time: 10, state: 'running', metrics: {} }));
    h.exec(policy.sample(h.state, { vm: 'vm-1', host: 'B', time: 11, state: 'paused', metrics: {} }));
    // The target's copy stops (libvirt: STOPPED, FAILED); the VM goes on running on host A.
    h.exec(policy.vmLeft(h.state, 12, 'vm-1', 'stopped', 12, 'B'));
    expect(h.state.vips.get('web-pool')!.memberById.get('m1')!.vm).toBe('running');
    expect(h.actions.some((a) => a.kind === 'forgetMember')).toBe(false);
    expect(placedOn(h)).toEqual(before);
  });

  it('a migration reported after the VM’s first sample on its new host changes nothing', () => {
    const { h } = build({ clients: 0 });
    h.exec(policy.sample(h.state, { vm: 'vm-1', time: 20, state: 'running', metrics: {} }));
    h.exec(policy.vmLeft(h.state, 21, 'vm-1', 'migrated', 15));
    expect(h.state.vips.get('web-pool')!.memberById.get('m1')!.vm).toBe('running');
    // A destroyed VM is gone whatever came before.
    h.exec(policy.vmLeft(h.state, 30, 'vm-1', 'destroyed', 30));
    expect(h.state.vips.get('web-pool')!.memberById.get('m1')!.vm).toBe('gone');
  });
});
