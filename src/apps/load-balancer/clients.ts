// The placed clients (the affinity table) over time: a client's flows go idle or are deleted and its entry
// counts down; idle entries expire; active ones are kept alive in the store; entries come back from the
// store after a restart; a packet of a placed client whose flows are missing on one switch puts them back.

import type { Ipv4Header } from '../../net/ipv4.js';
import { parseIpv4 } from '../../net/ipv4-address.js';
import { parseMac } from '../../net/mac-address.js';
import type { DecodedPacket } from '../../net/packet.js';
import type { TcpHeader } from '../../net/tcp.js';
import { OFPRR, type Match } from '../../openflow/model.js';
import { NO_CLIENT, type ClientSlot } from './client-table.js';
import { deleteClientFlows, installPath } from './client-flows.js';
import type { LbAction, LbPacketIn, PacketInResult } from './lb-actions.js';
import {
  COOKIE_COUNTED,
  cookieKind,
  cookieMemberSlot,
  cookieVipIndex,
  flowsEnded,
  keepsClients,
  type LbState,
  type VipRuntime,
} from './lb-state.js';

/** Affinity entries examined per VIP and tick (for expiry, and to keep active ones alive in the store). */
export const TICK_SWEEP_BUDGET = 20_000;

/** Packets of placed clients arriving where their flows are missing (expired on one switch only). */
export function knownClientPacket(
  state: LbState,
  now: number,
  ev: LbPacketIn,
  p: DecodedPacket,
  ip: Ipv4Header,
  tcp: TcpHeader,
): PacketInResult | undefined {
  for (const v of state.vips.values()) {
    if (!v.pool.adminStateUp) continue;
    const t = v.clients;
    for (const m of v.members) {
      // Forward, after the rewrite: client -> member.
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
  return undefined;
}

export interface LbFlowRemoved {
  datapathId: bigint;
  cookie: bigint;
  reason: number;
  idleTimeout: number;
  durationSec: number;
  packetCount: bigint;
  byteCount: bigint;
  match: Match;
}

/**
 * A counted flow ended (client-flows.ts): its final counts go to the member's traffic; when it is the
 * client's forward flow, the client is idle and its affinity entry now counts down.
 */
export function flowRemoved(state: LbState, now: number, ev: LbFlowRemoved): LbAction[] {
  state.traffic.flowRemoved(ev.datapathId, ev, state.flowOwner);
  if (cookieKind(ev.cookie) !== COOKIE_COUNTED) return [];
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
  flowsEnded(t, c);
  const lastActive = ev.reason === OFPRR.IDLE_TIMEOUT ? now - ev.idleTimeout * 1000 : now;
  if (lastActive > t.lastSeen[c]!) t.lastSeen[c] = lastActive;
  const expiresAt = (t.expiresAt[c] = t.lastSeen[c]! + v.timeoutMs);
  // The store's copy must live as long as ours: a restart in between would lose the client.
  if (t.storedUntil[c]! < expiresAt && expiresAt > now) {
    t.storedUntil[c] = expiresAt;
    return [{ kind: 'touch', pool: v.pool.id, client: t.keyText[c]!, idleMs: expiresAt - now }];
  }
  return [];
}

/** The client's flows were removed by us (not idle): its entry counts down from now. */
export function flowsGone(v: VipRuntime, c: ClientSlot, now: number): void {
  const t = v.clients;
  if (!flowsEnded(t, c)) return;
  if (now > t.lastSeen[c]!) t.lastSeen[c] = now;
  t.expiresAt[c] = t.lastSeen[c]! + v.timeoutMs;
}

/** Forgets a client (its flows, if any, are gone or going). */
export function dropClient(v: VipRuntime, c: ClientSlot, out: LbAction[]): void {
  const t = v.clients;
  flowsEnded(t, c);
  t.member[c]!.clients--;
  out.push({ kind: 'forget', pool: v.pool.id, client: t.keyText[c]! });
  t.remove(c);
}

/**
 * Time passes: affinity entries of idle clients expire; the store's copies of active clients are kept
 * alive. A bounded slice of each table per tick, resuming where the last one stopped: a table of a million
 * clients never stalls the packet-in path for long; it is swept over several ticks instead.
 */
export function sweepClients(v: VipRuntime, now: number, out: LbAction[]): void {
  const pool = v.pool.id;
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
}

/** Affinity entries read back from the store (a restarted controller keeps every client on its member). */
export function restoreAffinity(
  state: LbState,
  now: number,
  poolId: string,
  entries: ReadonlyArray<{ client: string; member: string; lastSeen: number; expiresAt: number }>,
): number {
  const v = state.vips.get(poolId);
  if (v === undefined) return 0;
  let n = 0;
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
  const v = state.vips.get(poolId);
  if (v === undefined) return out;
  const key = v.keyBy === 'mac' ? parseMac(client) : parseIpv4(client);
  const t = v.clients;
  const c = key === undefined ? NO_CLIENT : t.find(key);
  const m = v.memberById.get(memberId);
  if (c === NO_CLIENT || !m || t.member[c] === m) return out;
  deleteClientFlows(state, v, c, out);
  flowsGone(v, c, now);
  t.member[c]!.clients--;
  t.member[c] = m;
  m.clients++;
  return out;
}
