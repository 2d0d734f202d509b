// ARP for the VIPs, answered by the controller as the ARP responder answers its bindings
// (apps/arp-responder-policy.ts): requests for a VIP get the VIP's own MAC, a member asking for one of its
// clients gets the client's MAC (so the client never hears of the member's address), and a gratuitous ARP
// announces a VIP on every switch. ARP and RARP from members tell where they are (members.ts).

import { arpReply, arpReplyFor, arpTrapFlows, gratuitousArps } from '../arp-responder-policy.js';
import type { SwitchMessage } from '../../controller/app-api.js';
import { ARP_OP_REQUEST, type ArpPacket } from '../../net/arp.js';
import { isGroupMac } from '../../net/mac-address.js';
import type { DecodedPacket } from '../../net/packet.js';
import { NO_CLIENT } from './client-table.js';
import { send, type LbAction, type LbPacketIn, type PacketInResult } from './lb-actions.js';
import { vipCookie, type LbState, type VipRuntime } from './lb-state.js';
import { arpProbe, learnMember } from './members.js';

/** Priority of the flows that send ARP for VIPs to the controller, above the clients' flows. */
export const TRAP_PRIORITY_OFFSET = 100;

const toAction = (m: SwitchMessage): LbAction => send(m.datapathId, m.message);

/** A VIP's ARP on one switch: its trap flow, its announcement, and probes for its unlocated members. */
export function vipArpFlows(state: LbState, v: VipRuntime, dp: bigint, out: LbAction[]): void {
  const binding = { entries: new Map([[v.ip, v.mac]]) };
  const priority = state.settings.flowPriority + TRAP_PRIORITY_OFFSET;
  for (const m of arpTrapFlows(binding, dp, { priority, cookie: vipCookie(v.index) })) out.push(toAction(m));
  // RFC 5227 announcement, so neighbours that cached the VIP learn its MAC.
  for (const m of gratuitousArps(binding, dp)) out.push(toAction(m));
  for (const m of v.members) if (m.datapathId === undefined) out.push(send(dp, arpProbe(v, m)));
}

/** An ARP packet: learn members from it, answer it when it asks for a VIP or a member's client. */
export function arpIn(
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
    const question = { datapathId: ev.datapathId, inPort: ev.inPort, eth: packet.eth, arp };
    const client = memberAsksForClient(state, arp.spa, arp.tpa);
    const reply =
      client !== undefined ? arpReply(question, client) : arpReplyFor({ entries: state.vipMacs }, question);
    if (reply !== undefined) {
      actions.push(toAction(reply));
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

export function isOurMac(state: LbState, mac: number): boolean {
  for (const m of state.vipMacs.values()) if (m === mac) return true;
  return false;
}
