// A client's TCP segment to a VIP: a client never seen before (by the pool's key: source MAC, as in the
// paper, or source IP) is placed on a member by the pool's algorithm and the placement is logged with the
// scores that decided it; a client already in the affinity table keeps its member. Either way its flows
// are installed along the path (client-flows.ts) and the segment goes on.

import { mix32 } from '../../store/hash.js';
import type { PlacementReason } from '../../balancer/placement-log.js';
import { formatIpv4 } from '../../net/ipv4-address.js';
import { formatMac } from '../../net/mac-address.js';
import { NO_CLIENT } from './client-table.js';
import { installPath } from './client-flows.js';
import { dropClient } from './clients.js';
import type { LbAction, LbPacketIn } from './lb-actions.js';
import {
  candidatesOf,
  keepsClients,
  recordPlacementTime,
  type LbState,
  type MemberRuntime,
  type VipRuntime,
} from './lb-state.js';
import { probeMember } from './members.js';

/** A TCP segment to a VIP from the client at `mac` and `ip`, source port `srcPort`. */
export function clientPacket(
  state: LbState,
  v: VipRuntime,
  now: number,
  ev: LbPacketIn,
  mac: number,
  ip: number,
  srcPort: number,
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
    const text = v.keyBy === 'mac' ? formatMac(mac) : formatIpv4(ip);
    if (t.size >= state.settings.maxClientsPerPool) {
      out.push({
        kind: 'event',
        event: { type: 'client-dropped', pool: v.pool.id, client: text, reason: 'affinity table full' },
      });
      return out;
    }
    const m = place(state, v, now, text, ip, srcPort, 'new-client', out);
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
    out.push({ kind: 'claim', pool: v.pool.id, client: text, member: m.id, idleMs: v.timeoutMs });
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

/** Chooses the new client's member and logs why; undefined (and an event) when no member can take it. */
function place(
  state: LbState,
  v: VipRuntime,
  now: number,
  client: string,
  ip: number,
  srcPort: number,
  reason: PlacementReason,
  out: LbAction[],
): MemberRuntime | undefined {
  const candidates = candidatesOf(v);
  const ipHash = mix32(ip ^ 0x9e3779b9);
  const choice = v.algorithm.choose(
    { clientKey: client, ipHash, flowHash: mix32(ipHash ^ srcPort), now },
    candidates,
  );
  if (choice === undefined) {
    out.push({
      kind: 'event',
      event: { type: 'client-dropped', pool: v.pool.id, client, reason: 'no member can take new clients' },
    });
    for (const m of v.members) if (m.datapathId === undefined) probeMember(state, v, m, now, out);
    return undefined;
  }
  const m = v.candidateMembers[choice.index]!;
  const seq = state.log.add(
    {
      time: now,
      loadBalancer: v.pool.loadBalancerId,
      pool: v.pool.id,
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
  m.traffic.clients++;
  return m;
}
