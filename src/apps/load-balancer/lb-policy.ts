// The load balancer as a pure policy: (state, now, event) -> actions. No I/O, no clock, no store calls:
// the adapter (lb-app.ts) sends the switch messages and applies the affinity operations to the store.
// This file is the policy's entry point, one function per event; the work is split by concern, as
// Faucet splits its valve:
//   pools.ts        the served pools: apply/update, VIP flows, switches coming and going
//   vip-arp.ts      ARP for the VIPs and for members' clients; asking for unlocated members
//   placement.ts    a client's TCP segment to a VIP: new clients placed, known ones kept
//   client-flows.ts a client's forward and reverse flows along its path
//   clients.ts      the affinity table over time: idle flows, expiry, restore, conflicts
//   members.ts      members: where they are, their health, their VMs' samples
//
// Per VIP: ARP requests for the VIP are answered with the VIP's own MAC. A TCP packet for the VIP from a
// client not seen before is placed on a member; a client already in the affinity table keeps its member.
// Its flows: on the client's switch a forward flow (client -> VIP: rewrite the destination MAC/IP/port to
// the member's, out towards it), on every further switch of the path a flow that carries it on, and the
// mirror image back (member -> client: rewrite the source to the VIP's MAC/IP/port). Every flow has an idle
// timeout and a cookie naming the VIP and the member, so a member's flows go with one cookie-masked delete.

import type { SwitchLink } from '../../controller/app-api.js';
import { readU16, readU32 } from '../../net/bytes.js';
import { readMac } from '../../net/mac-address.js';
import { PacketError } from '../../net/packet-error.js';
import { tcpFrameIpv4Offset, tcpOffset } from '../../net/tcp-frame.js';
import type { FlowReading } from './client-traffic.js';
import { knownClientPacket, sweepClients } from './clients.js';
import type { LbAction, LbPacketIn, PacketInResult } from './lb-actions.js';
import type { LbState } from './lb-state.js';
import { clientPacket } from './placement.js';
import { expireMoves, learnMember, probeMember } from './members.js';
import { arpIn } from './vip-arp.js';

export {
  affinityClaimed,
  flowRemoved,
  restoreAffinity,
  TICK_SWEEP_BUDGET,
  type LbFlowRemoved,
} from './clients.js';
export { applyPools, removeAll, switchDown, switchUp } from './pools.js';
export { TRAP_PRIORITY_OFFSET } from './vip-arp.js';
export {
  memberHealth,
  MOVE_TIMEOUT_MS,
  portStatus,
  PROBE_INTERVAL_MS,
  sample,
  vmLeft,
  type LbSample,
} from './members.js';
export type { LbAction, LbNotice, LbPacketIn, PacketInResult } from './lb-actions.js';

const CONTINUE: PacketInResult = Object.freeze({
  verdict: 'continue',
  actions: [] as LbAction[],
}) as PacketInResult;

export function linksChanged(state: LbState, links: readonly SwitchLink[]): void {
  state.paths.setLinks(links);
}

export function packetIn(state: LbState, now: number, ev: LbPacketIn): PacketInResult {
  // The common case, read straight from the frame without decoding it: a client's TCP segment to a VIP.
  const f = ev.data;
  const ipAt = tcpFrameIpv4Offset(f);
  if (ipAt >= 0) {
    const dst = readU32(f, ipAt + 16);
    if (state.vipMacs.has(dst)) {
      const tcpAt = tcpOffset(f, ipAt);
      const v = state.vipFor(dst, readU16(f, tcpAt + 2));
      if (v === undefined || state.paths.isLinkPort(ev.datapathId, ev.inPort))
        return { verdict: 'stop', actions: [] };
      return {
        verdict: 'stop',
        actions: clientPacket(state, v, now, ev, readMac(f, 6), readU32(f, ipAt + 12), readU16(f, tcpAt)),
      };
    }
  }
  const p = ev.packet;
  if (p instanceof PacketError) return CONTINUE;
  if (p.arp !== undefined) return arpIn(state, now, ev, p, p.arp);
  if (p.rarp !== undefined) {
    // A hypervisor announcing a VM it has just moved here: a member may have come to this port.
    const out: LbAction[] = [];
    if (!state.paths.isLinkPort(ev.datapathId, ev.inPort))
      learnMember(state, now, undefined, p.rarp.sha, ev, out);
    return out.length > 0 ? { verdict: 'continue', actions: out } : CONTINUE;
  }
  const ip = p.ipv4;
  if (ip === undefined) return CONTINUE;
  // For a VIP but not a TCP segment (or a later fragment): nobody else wants it.
  if (state.vipMacs.has(ip.dst)) return { verdict: 'stop', actions: [] };
  if (p.tcp === undefined || state.vips.size === 0) return CONTINUE;
  // A packet of a placed client whose flows on this switch are gone: forward or reverse direction.
  return knownClientPacket(state, now, ev, p, ip, p.tcp) ?? CONTINUE;
}

/** A statistics reply listed these flows of one switch: the members' traffic counts move on. */
export function flowStats(state: LbState, datapathId: bigint, flows: readonly FlowReading[]): void {
  state.traffic.flowStats(datapathId, flows, state.flowOwner);
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
  expireMoves(state, now, out);
  for (const v of state.vips.values()) {
    sweepClients(v, now, out);
    if (opts.probeUnlocated && v.pool.adminStateUp) {
      for (const m of v.members) if (m.datapathId === undefined) probeMember(state, v, m, now, out);
    }
  }
  return out;
}
