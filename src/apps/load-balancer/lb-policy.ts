// The load balancer as a pure policy: (state, now, event) -> actions. No I/O, no clock, no store calls:
// the adapter (lb-app.ts) sends the switch messages and applies the affinity operations to the store.
//
// Per VIP: ARP requests for the VIP are answered with the VIP's own MAC, and a gratuitous ARP announces
// it when it comes up. A TCP packet for the VIP from a client not seen before is placed on a member by the
// pool's algorithm; a client already in the affinity table keeps its member. Its flows: on the client's
// switch a forward flow (client -> VIP: rewrite the destination MAC/IP/port to the member's, out towards
// it), on every further switch of the path a flow that carries it on, and the mirror image back (member ->
// client: rewrite the source to the VIP's MAC/IP/port). Every flow has an idle timeout and a cookie naming
// the VIP and the member, so a member's flows can be deleted with one cookie-masked delete.

import type { HealthStatus } from '../../balancer/health-state.js';
import type { LoadBalancer } from '../../balancer/objects.js';
import type { PlacementReason } from '../../balancer/placement-log.js';
import type { SwitchLink } from '../../controller/app-api.js';
import { APP_ID, appCookie, APP_COOKIE_MASK } from '../../controller/cookies.js';
import {
  ARP_OP_REQUEST,
  buildArpFrame,
  buildArpReply,
  buildGratuitousArp,
  type ArpPacket,
} from '../../net/arp.js';
import { readU16, readU32 } from '../../net/bytes.js';
import { ETH_TYPE_ARP, ETH_TYPE_IPV4 } from '../../net/ethernet.js';
import type { Ipv4Header } from '../../net/ipv4.js';
import { formatIpv4, parseIpv4 } from '../../net/ipv4-address.js';
import { formatMac, isGroupMac, MAC_BROADCAST, parseMac, readMac } from '../../net/mac-address.js';
import { PacketError } from '../../net/packet-error.js';
import type { DecodedPacket } from '../../net/packet.js';
import type { TcpHeader } from '../../net/tcp.js';
import { tcpFrameIpv4Offset, tcpOffset } from '../../net/tcp-frame.js';
import { OFPP, OFPRR, type Match } from '../../openflow/model.js';
import { applyActions, flowMod, output, packetOut } from '../../openflow/builders.js';
import {
  addMember,
  candidatesOf,
  cookieMemberSlot,
  cookieVipIndex,
  countPending,
  keepsClients,
  newVip,
  recordPlacementTime,
  VIP_COOKIE_MASK,
  vipCookie,
  type LbState,
  type MemberRuntime,
  type VipRuntime,
} from './lb-state.js';
import { NO_CLIENT, type ClientSlot } from './client-table.js';
import { mix32 } from '../../store/hash.js';
import { deleteClientFlows, deleteMemberFlows, installPath } from './client-flows.js';
import { send, type LbAction, type LbPacketIn, type PacketInResult } from './lb-actions.js';

/** Priority of the flows that send ARP for VIPs and packets for VIPs to the controller. */
export const TRAP_PRIORITY_OFFSET = 100;

const CONTINUE: PacketInResult = Object.freeze({
  verdict: 'continue',
  actions: [] as LbAction[],
}) as PacketInResult;

export type { LbAction, LbNotice, LbPacketIn, PacketInResult } from './lb-actions.js';

// ---------------------------------------------------------------------------------------------------
// Configuration

/**
 * Brings the state in line with `lbs`: new VIPs come up (trap flows, gratuitous ARP), removed ones go
 * down (their flows deleted, their clients forgotten), members added, changed or removed.
 */
export function applyLoadBalancers(state: LbState, now: number, lbs: readonly LoadBalancer[]): LbAction[] {
  const out: LbAction[] = [];
  const wanted = new Map(lbs.map((lb) => [lb.id, lb]));
  for (const [id, v] of state.vips) {
    const lb = wanted.get(id);
    if (!lb || !sameService(v.lb, lb)) {
      withdrawVip(state, v, out);
      state.vips.delete(id);
    }
  }
  for (const lb of lbs) {
    const v = state.vips.get(lb.id);
    if (!v) {
      const nv = newVip(state, lb, now);
      for (const m of nv.members) locateFromCache(state, m);
      state.vips.set(lb.id, nv);
      state.reindex();
      if (lb.adminStateUp) announceVip(state, nv, out);
    } else {
      updatePool(state, v, lb, now, out);
    }
  }
  state.reindex();
  return out;
}

function sameService(a: LoadBalancer, b: LoadBalancer): boolean {
  return (
    a.vip.address === b.vip.address &&
    a.vip.port === b.vip.port &&
    a.vip.mac === b.vip.mac &&
    a.adminStateUp === b.adminStateUp &&
    a.pool.id === b.pool.id &&
    a.pool.algorithm === b.pool.algorithm &&
    a.pool.sessionPersistence.type === b.pool.sessionPersistence.type
  );
}

function updatePool(state: LbState, v: VipRuntime, lb: LoadBalancer, now: number, out: LbAction[]): void {
  v.lb = lb;
  v.timeoutMs = lb.pool.sessionPersistence.timeoutSeconds * 1000;
  const wanted = new Map(lb.pool.members.map((m) => [m.id, m]));
  for (const m of [...v.members]) {
    const c = wanted.get(m.id);
    if (!c || c.address !== m.config.address || c.port !== m.config.port) {
      memberGone(state, v, m, c ? 'changed' : 'deleted', out);
      v.members.splice(v.members.indexOf(m), 1);
      v.memberById.delete(m.id);
      v.memberBySlot.delete(m.slot);
    }
  }
  lb.pool.members.forEach((c, position) => {
    const m = v.memberById.get(c.id);
    if (!m) {
      locateFromCache(state, addMember(v, c, position));
      return;
    }
    const wasKeeping = keepsClients(m);
    m.config = c;
    m.position = position;
    if (c.mac !== undefined) m.mac = parseMac(c.mac);
    if (wasKeeping && !keepsClients(m)) memberGone(state, v, m, 'disabled', out);
  });
  v.members.sort((a, b) => a.position - b.position);
  v.candidates = undefined;
}

function withdrawVip(state: LbState, v: VipRuntime, out: LbAction[]): void {
  for (const dp of state.datapaths) {
    out.push(
      send(dp, flowMod({ command: 'delete', cookie: vipCookie(v.index), cookieMask: VIP_COOKIE_MASK })),
    );
  }
  const t = v.clients;
  for (let c = 0; c < t.end; c++)
    if (t.live(c)) out.push({ kind: 'forget', pool: v.lb.pool.id, client: t.keyText[c]! });
  t.clear();
  for (const m of v.members) m.clients = 0;
  out.push({ kind: 'event', event: { type: 'vip-down', loadBalancer: v.lb.id, address: v.lb.vip.address } });
}

function announceVip(state: LbState, v: VipRuntime, out: LbAction[]): void {
  for (const dp of state.datapaths) vipFlows(state, v, dp, out);
  out.push({
    kind: 'event',
    event: { type: 'vip-up', loadBalancer: v.lb.id, address: v.lb.vip.address, mac: formatMac(v.mac) },
  });
}

/** Trap flows for one VIP on one switch, its gratuitous ARP, and ARP probes for unlocated members. */
function vipFlows(state: LbState, v: VipRuntime, dp: bigint, out: LbAction[]): void {
  const priority = state.settings.flowPriority + TRAP_PRIORITY_OFFSET;
  const cookie = vipCookie(v.index);
  out.push(
    send(
      dp,
      flowMod({
        cookie,
        priority,
        match: { ethType: ETH_TYPE_ARP, arpOp: ARP_OP_REQUEST, arpTpa: v.ip },
        instructions: [applyActions(output(OFPP.CONTROLLER))],
      }),
    ),
    // Below the clients' flows: only packets of clients without flows reach the controller.
    send(
      dp,
      flowMod({
        cookie,
        priority: state.settings.flowPriority - 1,
        match: { ethType: ETH_TYPE_IPV4, ipv4Dst: v.ip },
        instructions: [applyActions(output(OFPP.CONTROLLER))],
      }),
    ),
    // RFC 5227 announcement, so neighbours that cached the VIP learn its MAC.
    send(dp, packetOut({ actions: [output(OFPP.FLOOD)], data: buildGratuitousArp(v.mac, v.ip) })),
  );
  for (const m of v.members) if (m.datapathId === undefined) out.push(send(dp, arpProbe(v, m)));
}

/** Affinity entries examined per VIP and tick (for expiry, and to keep active ones alive in the store). */
export const TICK_SWEEP_BUDGET = 20_000;

/** Unlocated members are asked for at most once per PROBE_INTERVAL_MS, on every switch. */
export const PROBE_INTERVAL_MS = 1000;

function probeMember(state: LbState, v: VipRuntime, m: MemberRuntime, now: number, out: LbAction[]): void {
  if (now - m.probedAt < PROBE_INTERVAL_MS) return;
  m.probedAt = now;
  for (const dp of state.datapaths) out.push(send(dp, arpProbe(v, m)));
}

function arpProbe(v: VipRuntime, m: MemberRuntime) {
  const frame = buildArpFrame(MAC_BROADCAST, v.mac, {
    op: ARP_OP_REQUEST,
    sha: v.mac,
    spa: v.ip,
    tha: 0,
    tpa: m.ip,
  });
  return packetOut({ actions: [output(OFPP.FLOOD)], data: frame });
}

// ---------------------------------------------------------------------------------------------------
// Switches and topology

/** A switch connected: start clean (our old flows there may be stale) and install every VIP's flows. */
export function switchUp(state: LbState, now: number, datapathId: bigint): LbAction[] {
  state.datapaths.add(datapathId);
  const out: LbAction[] = [
    send(
      datapathId,
      flowMod({ command: 'delete', cookie: appCookie(APP_ID.LOAD_BALANCER), cookieMask: APP_COOKIE_MASK }),
    ),
  ];
  for (const v of state.vips.values()) {
    if (!v.lb.adminStateUp) continue;
    vipFlows(state, v, datapathId, out);
    const t = v.clients;
    for (let c = 0; c < t.end; c++)
      if (t.live(c) && (t.datapathId[c] === datapathId || t.member[c]!.datapathId === datapathId))
        flowsGone(v, c, now);
  }
  return out;
}

export function switchDown(state: LbState, datapathId: bigint): void {
  state.datapaths.delete(datapathId);
}

export function linksChanged(state: LbState, links: readonly SwitchLink[]): void {
  state.paths.setLinks(links);
}

// ---------------------------------------------------------------------------------------------------
// Packet-in

export function packetIn(state: LbState, now: number, ev: LbPacketIn): PacketInResult {
  // The common case, read straight from the frame without decoding it: a client's TCP segment to a VIP.
  const f = ev.data;
  const ipAt = tcpFrameIpv4Offset(f);
  if (ipAt >= 0) {
    const dst = readU32(f, ipAt + 16);
    if (state.vipMacs.has(dst)) {
      const v = state.vipFor(dst, readU16(f, tcpOffset(f, ipAt) + 2));
      if (v === undefined || state.paths.isLinkPort(ev.datapathId, ev.inPort))
        return { verdict: 'stop', actions: [] };
      return {
        verdict: 'stop',
        actions: clientPacket(state, v, now, ev, readMac(f, 6), readU32(f, ipAt + 12)),
      };
    }
  }
  const p = ev.packet;
  if (p instanceof PacketError) return CONTINUE;
  if (p.arp !== undefined) return arpIn(state, now, ev, p, p.arp);
  const ip = p.ipv4;
  if (ip === undefined) return CONTINUE;
  // For a VIP but not a TCP segment (or a later fragment): nobody else wants it.
  if (state.vipMacs.has(ip.dst)) return { verdict: 'stop', actions: [] };
  if (p.tcp === undefined || state.vips.size === 0) return CONTINUE;
  // A packet of a placed client whose flows on this switch are gone: forward or reverse direction.
  return knownClientPacket(state, now, ev, p, ip, p.tcp);
}

function arpIn(
  state: LbState,
  now: number,
  ev: LbPacketIn,
  packet: DecodedPacket,
  arp: ArpPacket,
): PacketInResult {
  // Our own probes and announcements, flooded into a neighbouring switch.
  if (state.vipMacs.size > 0 && isOurMac(state, arp.sha)) return { verdict: 'stop', actions: [] };
  const actions: LbAction[] = [];
  if (!state.paths.isLinkPort(ev.datapathId, ev.inPort) && !isGroupMac(arp.sha))
    learnMember(state, now, arp.spa, arp.sha, ev, actions);
  if (arp.op === ARP_OP_REQUEST) {
    const client = memberAsksForClient(state, arp.spa, arp.tpa);
    if (client !== undefined) {
      // Answered here, so the client never hears of the member's address.
      actions.push(
        send(
          ev.datapathId,
          packetOut({
            inPort: ev.inPort,
            actions: [output(OFPP.IN_PORT)],
            data: buildArpReply(arp, client, packet.eth.vlanVid),
          }),
        ),
      );
      return { verdict: 'stop', actions };
    }
    const mac = state.vipMacs.get(arp.tpa);
    // RFC 5227: a request whose sender is the target is a probe/announcement, not a question.
    if (mac !== undefined && arp.spa !== arp.tpa) {
      actions.push(
        send(
          ev.datapathId,
          packetOut({
            inPort: ev.inPort,
            actions: [output(OFPP.IN_PORT)],
            data: buildArpReply(arp, mac, packet.eth.vlanVid),
          }),
        ),
      );
      return { verdict: 'stop', actions };
    }
  }
  // A reply to one of our probes is addressed to a VIP MAC: nobody else wants it.
  if (isOurMac(state, packet.eth.dst)) return { verdict: 'stop', actions };
  return { verdict: 'continue', actions };
}

/** The MAC of a client of `memberIp` at `clientIp`, when a member asks for one of its clients. */
function memberAsksForClient(state: LbState, memberIp: number, clientIp: number): number | undefined {
  for (const v of state.vips.values()) {
    const c = v.clients.findByIp(clientIp);
    if (c !== NO_CLIENT && v.clients.member[c]!.ip === memberIp) return v.clients.mac[c];
  }
  return undefined;
}

function isOurMac(state: LbState, mac: number): boolean {
  for (const m of state.vipMacs.values()) if (m === mac) return true;
  return false;
}

function learnMember(
  state: LbState,
  now: number,
  ip: number,
  mac: number,
  ev: LbPacketIn,
  out: LbAction[],
): void {
  let known = false;
  for (const v of state.vips.values()) {
    for (const m of v.members) {
      if (m.ip !== ip) continue;
      known = true;
      if (m.config.mac !== undefined && m.mac !== mac) continue;
      if (m.mac === mac && m.datapathId === ev.datapathId && m.ofport === ev.inPort) continue;
      const moved = m.datapathId !== undefined;
      m.mac = mac;
      m.datapathId = ev.datapathId;
      m.ofport = ev.inPort;
      v.candidates = undefined;
      if (moved) {
        // Its clients' paths lead to the old place: delete them; the clients keep their member.
        deleteMemberFlows(state, v, m, out);
        const t = v.clients;
        for (let c = 0; c < t.end; c++) if (t.member[c] === m) flowsGone(v, c, now);
      }
      out.push({
        kind: 'event',
        event: {
          type: 'member-located',
          pool: v.lb.pool.id,
          member: m.id,
          mac: formatMac(mac),
          datapathId: ev.datapathId.toString(16),
          port: ev.inPort,
        },
      });
    }
  }
  // Remembered by address: a pool created later with the same members finds them at once.
  if (known) state.hostLocations.set(ip, { mac, datapathId: ev.datapathId, ofport: ev.inPort });
}

/** Gives a new member the attachment last learned for its address and its VM's newest metrics. */
function locateFromCache(state: LbState, m: MemberRuntime): void {
  const vm = m.config.vm === undefined ? undefined : state.vmLoads.get(m.config.vm);
  if (vm !== undefined && m.load === undefined) {
    m.load = vm.load;
    m.vmRunning = vm.running;
  }
  const loc = state.hostLocations.get(m.ip);
  if (loc === undefined || m.datapathId !== undefined) return;
  if (m.config.mac !== undefined && m.mac !== loc.mac) return;
  m.mac = loc.mac;
  m.datapathId = loc.datapathId;
  m.ofport = loc.ofport;
}

/** A TCP segment to a VIP from the client at `mac` and `ip`. */
function clientPacket(
  state: LbState,
  v: VipRuntime,
  now: number,
  ev: LbPacketIn,
  mac: number,
  ip: number,
): LbAction[] {
  const key = v.keyBy === 'mac' ? mac : ip;
  const out: LbAction[] = [];
  const t = v.clients;
  let c = t.find(key);
  if (c !== NO_CLIENT && !keepsClients(t.member[c]!)) {
    dropClient(v, c, out);
    c = NO_CLIENT;
  }
  if (c === NO_CLIENT) {
    const text = keyText(v, mac, ip);
    if (t.size >= state.settings.maxClientsPerPool) {
      out.push({
        kind: 'event',
        event: {
          type: 'client-dropped',
          pool: v.lb.pool.id,
          client: text,
          reason: 'affinity table full',
        },
      });
      return out;
    }
    const m = place(state, v, now, text, key, 'new-client', out);
    if (m === undefined) return out;
    c = t.add({
      keyText: text,
      mac,
      ip,
      member: m,
      datapathId: ev.datapathId,
      inPort: ev.inPort,
      lastSeen: now,
      flowsLive: false,
      expiresAt: now + v.timeoutMs,
      storedUntil: now + v.timeoutMs,
    });
    m.clients++;
    installPath(state, v, c, out, { at: ev, direction: 'forward', first: true });
    // After the switch messages: the adapter sends those before it starts the store write.
    out.push({ kind: 'claim', pool: v.lb.pool.id, client: text, member: m.id, idleMs: v.timeoutMs });
    return out;
  }
  t.mac[c] = mac;
  t.setIp(c, ip);
  t.datapathId[c] = ev.datapathId;
  t.inPort[c] = ev.inPort;
  t.lastSeen[c] = now;
  const member = t.member[c]!;
  if (member.datapathId === undefined) {
    // Restored from the store before its member was located again: ask for it, drop this packet.
    probeMember(state, v, member, now, out);
    return out;
  }
  installPath(state, v, c, out, { at: ev, direction: 'forward', first: true });
  return out;
}

function keyText(v: VipRuntime, mac: number, ip: number): string {
  return v.keyBy === 'mac' ? formatMac(mac) : formatIpv4(ip);
}

function place(
  state: LbState,
  v: VipRuntime,
  now: number,
  client: string,
  key: number,
  reason: PlacementReason,
  out: LbAction[],
): MemberRuntime | undefined {
  const candidates = candidatesOf(v);
  const choice = v.algorithm.choose({ clientKey: client, clientHash: hashNumber(key), now }, candidates);
  if (choice === undefined) {
    out.push({
      kind: 'event',
      event: { type: 'client-dropped', pool: v.lb.pool.id, client, reason: 'no member can take new clients' },
    });
    for (const m of v.members) if (m.datapathId === undefined) probeMember(state, v, m, now, out);
    return undefined;
  }
  const m = v.candidateMembers[choice.index]!;
  const seq = state.log.add(
    {
      time: now,
      loadBalancer: v.lb.id,
      pool: v.lb.pool.id,
      client,
      member: m.id,
      algorithm: v.algorithm.typeName,
      reason,
      candidates: v.candidateIds,
    },
    candidates,
    choice.scores,
  );
  out.push({ kind: 'placed', seq });
  recordPlacementTime(m, now);
  return m;
}

function hashNumber(x: number): number {
  // Both halves of a 48-bit MAC (exact in a double) feed the hash.
  return mix32((x >>> 0) ^ mix32(Math.floor(x / 4_294_967_296) + 0x9e3779b9));
}

/** Packets of placed clients arriving where their flows are missing (expired on one switch only). */
function knownClientPacket(
  state: LbState,
  now: number,
  ev: LbPacketIn,
  p: DecodedPacket,
  ip: Ipv4Header,
  tcp: TcpHeader,
): PacketInResult {
  for (const v of state.vips.values()) {
    if (!v.lb.adminStateUp) continue;
    const t = v.clients;
    // Forward, after the rewrite: client -> member.
    for (const m of v.members) {
      if (m.ip === ip.dst && m.port === tcp.dstPort) {
        const c = t.find(v.keyBy === 'mac' ? p.eth.src : ip.src);
        if (c !== NO_CLIENT && t.member[c] === m && keepsClients(m)) {
          const out: LbAction[] = [];
          t.lastSeen[c] = now;
          installPath(state, v, c, out, { at: ev, direction: 'forward', first: false });
          return { verdict: 'stop', actions: out };
        }
      }
      // Reverse, before the rewrite: member -> client.
      if (m.ip === ip.src && m.port === tcp.srcPort) {
        const c = t.find(v.keyBy === 'mac' ? p.eth.dst : ip.dst);
        if (c !== NO_CLIENT && t.member[c] === m && keepsClients(m)) {
          const out: LbAction[] = [];
          installPath(state, v, c, out, { at: ev, direction: 'reverse', first: true });
          return { verdict: 'stop', actions: out };
        }
      }
    }
    // Reverse, after the rewrite: VIP -> client, on a switch between the member and the client.
    if (ip.src === v.ip && tcp.srcPort === v.port) {
      const c = t.find(v.keyBy === 'mac' ? p.eth.dst : ip.dst);
      if (c !== NO_CLIENT && keepsClients(t.member[c]!)) {
        const out: LbAction[] = [];
        installPath(state, v, c, out, { at: ev, direction: 'reverse', first: false });
        return { verdict: 'stop', actions: out };
      }
    }
  }
  return CONTINUE;
}

// ---------------------------------------------------------------------------------------------------
// Flow removal, health, metrics, time

export interface LbFlowRemoved {
  datapathId: bigint;
  cookie: bigint;
  reason: number;
  idleTimeout: number;
  match: Match;
}

/** The client's first flow went away: the client is idle; its affinity entry now counts down. */
export function flowRemoved(state: LbState, now: number, ev: LbFlowRemoved): LbAction[] {
  const v = state.vipByIndex.get(cookieVipIndex(ev.cookie));
  if (v === undefined) return [];
  const m = v.memberBySlot.get(cookieMemberSlot(ev.cookie));
  const key = v.keyBy === 'mac' ? ev.match.ethSrc : ev.match.ipv4Src;
  if (m === undefined || key === undefined) return [];
  const t = v.clients;
  const c = t.find(key);
  // A flow of an older placement (the client has moved on) says nothing about the current one.
  if (
    c === NO_CLIENT ||
    t.member[c] !== m ||
    t.datapathId[c] !== ev.datapathId ||
    t.inPort[c] !== ev.match.inPort
  )
    return [];
  t.flowsLive[c] = 0;
  const lastActive = ev.reason === OFPRR.IDLE_TIMEOUT ? now - ev.idleTimeout * 1000 : now;
  if (lastActive > t.lastSeen[c]!) t.lastSeen[c] = lastActive;
  const expiresAt = (t.expiresAt[c] = t.lastSeen[c]! + v.timeoutMs);
  // The store's copy must live as long as ours: a restart in between would lose the client.
  if (t.storedUntil[c]! < expiresAt && expiresAt > now) {
    t.storedUntil[c] = expiresAt;
    return [{ kind: 'touch', pool: v.lb.pool.id, client: t.keyText[c]!, idleMs: expiresAt - now }];
  }
  return [];
}

/** The client's flows were removed by us (not idle): its entry counts down from now. */
function flowsGone(v: VipRuntime, c: ClientSlot, now: number): void {
  const t = v.clients;
  if (t.flowsLive[c] === 0) return;
  t.flowsLive[c] = 0;
  if (now > t.lastSeen[c]!) t.lastSeen[c] = now;
  t.expiresAt[c] = t.lastSeen[c]! + v.timeoutMs;
}

/** A member's health monitor changed its verdict. */
export function memberHealth(
  state: LbState,
  _now: number,
  poolId: string,
  memberId: string,
  status: HealthStatus,
): LbAction[] {
  const out: LbAction[] = [];
  for (const v of state.vips.values()) {
    if (v.lb.pool.id !== poolId) continue;
    const m = v.memberById.get(memberId);
    if (!m || m.health === status) continue;
    const was = keepsClients(m);
    m.health = status;
    v.candidates = undefined;
    if (was && !keepsClients(m)) memberGone(state, v, m, 'health monitor failed', out);
    else if (!was && keepsClients(m))
      out.push({ kind: 'event', event: { type: 'member-up', pool: poolId, member: memberId } });
  }
  return out;
}

/** What the policy reads from a VM sample (the monitor's metrics map and state). */
export interface LbSample {
  vm: string;
  time: number;
  state?: string;
  metrics: Record<string, number>;
}

const RUNNING_STATES = new Set(['running', 'blocked', 'unknown']);

/** New metrics for a VM: members on it are scored on them; a VM not running takes its members down. */
export function sample(state: LbState, _now: number, s: LbSample): LbAction[] {
  const out: LbAction[] = [];
  const prev = state.vmLoads.get(s.vm);
  if (prev !== undefined && s.time < prev.load.sampleTime) return out;
  const mm = s.metrics;
  const rx = mm['net.rx_bytes_per_s'];
  const tx = mm['net.tx_bytes_per_s'];
  const used = mm['memory.used_bytes'];
  const max = mm['memory.maximum_bytes'];
  const memPct = mm['memory.used_percent'];
  const load = {
    sampleTime: s.time,
    cpuPercent: mm['cpu.percent'],
    netBytesPerSec: rx !== undefined || tx !== undefined ? (rx ?? 0) + (tx ?? 0) : undefined,
    memoryFraction: used !== undefined && max ? used / max : memPct !== undefined ? memPct / 100 : undefined,
  };
  const running = s.state === undefined || RUNNING_STATES.has(s.state);
  let known = false;
  for (const v of state.vips.values()) {
    for (const m of v.members) {
      if (m.config.vm !== s.vm) continue;
      known = true;
      m.load = load;
      m.pending = countPending(m, s.time);
      if (running !== m.vmRunning) {
        const was = keepsClients(m);
        m.vmRunning = running;
        v.candidates = undefined;
        if (was && !keepsClients(m)) memberGone(state, v, m, `VM ${s.state}`, out);
        else if (!was && keepsClients(m))
          out.push({ kind: 'event', event: { type: 'member-up', pool: v.lb.pool.id, member: m.id } });
      }
    }
  }
  // Kept per VM (of members only): a pool created later scores its members at once.
  if (known) state.vmLoads.set(s.vm, { load, running });
  return out;
}

/**
 * Time passes: affinity entries of idle clients expire; the store's copies of active clients are kept
 * alive; members not yet located are asked for (ARP) again.
 */
export function tick(
  state: LbState,
  now: number,
  opts: { probeUnlocated: boolean } = { probeUnlocated: true },
): LbAction[] {
  const out: LbAction[] = [];
  for (const v of state.vips.values()) {
    const pool = v.lb.pool.id;
    // A bounded slice of the table per tick, resuming where the last one stopped: a table of a million
    // clients never stalls the packet-in path for long; it is swept over several ticks instead.
    const t = v.clients;
    const budget = Math.min(t.end, TICK_SWEEP_BUDGET);
    let c = v.sweep;
    for (let visited = 0; visited < budget; visited++, c++) {
      if (c >= t.end) c = 0;
      if (!t.live(c)) continue;
      if (t.flowsLive[c] === 0) {
        if (now >= t.expiresAt[c]!) dropClient(v, c, out);
      } else if (t.storedUntil[c]! - now < v.timeoutMs / 2) {
        t.storedUntil[c] = now + v.timeoutMs;
        out.push({ kind: 'touch', pool, client: t.keyText[c]!, idleMs: v.timeoutMs });
      }
    }
    v.sweep = c;
    if (opts.probeUnlocated && v.lb.adminStateUp) {
      for (const m of v.members) if (m.datapathId === undefined) probeMember(state, v, m, now, out);
    }
  }
  return out;
}

/** Affinity entries read back from the store (a restarted controller keeps every client on its member). */
export function restoreAffinity(
  state: LbState,
  now: number,
  poolId: string,
  entries: ReadonlyArray<{ client: string; member: string; lastSeen: number; expiresAt: number }>,
): number {
  let n = 0;
  for (const v of state.vips.values()) {
    if (v.lb.pool.id !== poolId) continue;
    for (const s of entries) {
      const m = v.memberById.get(s.member);
      const key = v.keyBy === 'mac' ? parseMac(s.client) : parseIpv4(s.client);
      if (!m || key === undefined || v.clients.find(key) !== NO_CLIENT || s.expiresAt <= now) continue;
      v.clients.add({
        keyText: s.client,
        mac: v.keyBy === 'mac' ? key : 0,
        ip: v.keyBy === 'ip' ? key : 0,
        member: m,
        // Unknown until the client's next packet-in; no flows of ours survive a restart (switchUp).
        datapathId: -1n,
        inPort: -1,
        lastSeen: s.lastSeen,
        flowsLive: false,
        expiresAt: s.expiresAt,
        storedUntil: s.expiresAt,
      });
      m.clients++;
      n++;
    }
    v.candidates = undefined;
  }
  return n;
}

/** The store holds another member for this client (another controller placed it first): follow it. */
export function affinityClaimed(
  state: LbState,
  now: number,
  poolId: string,
  client: string,
  memberId: string,
): LbAction[] {
  const out: LbAction[] = [];
  for (const v of state.vips.values()) {
    if (v.lb.pool.id !== poolId) continue;
    const key = v.keyBy === 'mac' ? parseMac(client) : parseIpv4(client);
    const t = v.clients;
    const c = key === undefined ? NO_CLIENT : t.find(key);
    const m = v.memberById.get(memberId);
    if (c === NO_CLIENT || !m || t.member[c] === m) continue;
    deleteClientFlows(state, v, c, out);
    t.member[c]!.clients--;
    t.member[c] = m;
    m.clients++;
    flowsGone(v, c, now);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Members leaving

/** The member went down, was disabled or deleted: its flows go, its clients are forgotten and placed again. */
function memberGone(state: LbState, v: VipRuntime, m: MemberRuntime, reason: string, out: LbAction[]): void {
  const clients = m.clients;
  deleteMemberFlows(state, v, m, out);
  const t = v.clients;
  for (let c = 0; c < t.end; c++) if (t.member[c] === m) t.remove(c);
  m.clients = 0;
  m.pending = 0;
  v.candidates = undefined;
  out.push({ kind: 'forgetMember', pool: v.lb.pool.id, member: m.id });
  out.push({
    kind: 'event',
    event: { type: 'member-down', pool: v.lb.pool.id, member: m.id, reason, clients },
  });
}

function dropClient(v: VipRuntime, c: ClientSlot, out: LbAction[]): void {
  const t = v.clients;
  t.member[c]!.clients--;
  out.push({ kind: 'forget', pool: v.lb.pool.id, client: t.keyText[c]! });
  t.remove(c);
}

/** Every flow of every VIP on every switch (the app stops). */
export function removeAll(state: LbState): LbAction[] {
  const out: LbAction[] = [];
  for (const dp of state.datapaths)
    out.push(
      send(
        dp,
        flowMod({ command: 'delete', cookie: appCookie(APP_ID.LOAD_BALANCER), cookieMask: APP_COOKIE_MASK }),
      ),
    );
  return out;
}
