// The flows of one client: forward (client -> VIP, rewritten to the member on the client's switch, carried
// on by every further switch of the path) and reverse (member -> client, rewritten back to the VIP on the
// member's switch). Action lists are shared between clients of the same member and port.

import { ETH_TYPE_IPV4 } from '../../net/ethernet.js';
import { IP_PROTO_TCP } from '../../net/ipv4.js';
import { OFP_NO_BUFFER, OFPFF, type Action, type Instruction, type Match } from '../../openflow/model.js';
import { applyActions, flowMod, frozen, output, outputTo, packetOut } from '../../openflow/builders.js';
import { send, type LbAction, type LbPacketIn } from './lb-actions.js';
import { MEMBER_COOKIE_MASK, type LbState, type MemberRuntime, type VipRuntime } from './lb-state.js';
import type { ClientSlot } from './client-table.js';

interface Segment {
  datapathId: bigint;
  inPort: number;
  outPort: number;
}

function segments(
  state: LbState,
  fromDp: bigint,
  fromPort: number,
  toDp: bigint,
  toPort: number,
): Segment[] | undefined {
  const hops = state.paths.route(fromDp, toDp);
  if (hops === undefined) return undefined;
  const segs: Segment[] = [];
  let inPort = fromPort;
  for (const h of hops) {
    segs.push({ datapathId: h.datapathId, inPort, outPort: h.outPort });
    inPort = h.nextInPort;
  }
  segs.push({ datapathId: toDp, inPort, outPort: toPort });
  return segs;
}

/**
 * Installs the client's forward and reverse flows on every switch of the path, then sends the packet
 * that came in (`at`) on with the actions of its own switch and direction.
 */
export function installPath(
  state: LbState,
  v: VipRuntime,
  c: ClientSlot,
  out: LbAction[],
  at: { at: LbPacketIn; direction: 'forward' | 'reverse'; first: boolean },
): void {
  const t = v.clients;
  const m = t.member[c]!;
  const s = state.settings;
  const clientDp = t.datapathId[c]!;
  const clientPort = t.inPort[c]!;
  const clientIp = t.ip[c]!;
  const clientMac = t.mac[c]!;
  if (m.datapathId === undefined || m.ofport === undefined || m.mac === undefined || clientPort < 0) return;
  const fwd = segments(state, clientDp, clientPort, m.datapathId, m.ofport);
  const rev = segments(state, m.datapathId, m.ofport, clientDp, clientPort);
  if (fwd === undefined || rev === undefined) {
    out.push({
      kind: 'event',
      event: {
        type: 'client-dropped',
        pool: v.lb.pool.id,
        client: t.keyText[c]!,
        reason: 'no path between the client and its member',
      },
    });
    return;
  }
  const cookie = m.cookie;
  const byMac = v.keyBy === 'mac';
  const memberMac = m.mac;
  let packetActions: Action[] | undefined;

  for (let i = 0; i < fwd.length; i++) {
    const seg = fwd[i]!;
    const first = i === 0;
    const match: Match = first
      ? {
          inPort: seg.inPort,
          ethType: ETH_TYPE_IPV4,
          ipv4Src: clientIp,
          ipv4Dst: v.ip,
          ipProto: IP_PROTO_TCP,
          tcpDst: v.port,
        }
      : {
          inPort: seg.inPort,
          ethType: ETH_TYPE_IPV4,
          ipv4Src: clientIp,
          ipv4Dst: m.ip,
          ipProto: IP_PROTO_TCP,
          tcpDst: m.port,
        };
    if (byMac) match.ethSrc = clientMac;
    // The client's switch rewrites; every further switch of the path only carries the packets on.
    const cached = first ? forwardActions(v, m, memberMac, seg.outPort) : outputTo(seg.outPort);
    const actions = cached.actions;
    out.push(
      send(
        seg.datapathId,
        flowMod({
          cookie,
          priority: s.flowPriority,
          idleTimeout: s.flowIdleTimeoutSeconds,
          // Only the client's first flow reports its removal: one flow-removed per client.
          flags: first ? OFPFF.SEND_FLOW_REM : 0,
          match,
          instructions: cached.instructions,
        }),
      ),
    );
    if (
      at.direction === 'forward' &&
      seg.datapathId === at.at.datapathId &&
      (at.first ? first : !first && seg.inPort === at.at.inPort)
    )
      packetActions = actions;
  }
  for (let i = 0; i < rev.length; i++) {
    const seg = rev[i]!;
    const first = i === 0;
    const match: Match = first
      ? {
          inPort: seg.inPort,
          ethType: ETH_TYPE_IPV4,
          ipv4Src: m.ip,
          ipv4Dst: clientIp,
          ipProto: IP_PROTO_TCP,
          tcpSrc: m.port,
        }
      : {
          inPort: seg.inPort,
          ethType: ETH_TYPE_IPV4,
          ipv4Src: v.ip,
          ipv4Dst: clientIp,
          ipProto: IP_PROTO_TCP,
          tcpSrc: v.port,
        };
    if (byMac) match.ethDst = clientMac;
    const cached = first
      ? reverseActions(v, m, byMac ? undefined : clientMac, seg.outPort)
      : outputTo(seg.outPort);
    const actions = cached.actions;
    out.push(
      send(
        seg.datapathId,
        flowMod({
          cookie,
          priority: s.flowPriority,
          idleTimeout: s.flowIdleTimeoutSeconds,
          match,
          instructions: cached.instructions,
        }),
      ),
    );
    if (
      at.direction === 'reverse' &&
      seg.datapathId === at.at.datapathId &&
      (at.first ? first : !first && seg.inPort === at.at.inPort)
    )
      packetActions = actions;
  }
  t.flowsLive[c] = 1;
  if (packetActions !== undefined) {
    const ev = at.at;
    out.push(
      send(
        ev.datapathId,
        packetOut({
          inPort: ev.inPort,
          bufferId: ev.bufferId,
          actions: packetActions,
          data: ev.bufferId === OFP_NO_BUFFER ? ev.data : Buffer.alloc(0),
        }),
      ),
    );
  }
}

/**
 * An action list and the instruction list holding it, shared by every client of a member and port: frozen,
 * so the codec encodes each once and copies the bytes into every flow-mod and packet-out.
 */
interface ActionSet {
  actions: Action[];
  instructions: Instruction[];
}

function actionSet(actions: Action[]): ActionSet {
  return { actions: frozen(actions), instructions: frozen([applyActions(...actions)]) };
}

/** On the client's switch: rewrite the destination from the VIP to the member, then out towards it. */
function forwardActions(v: VipRuntime, m: MemberRuntime, memberMac: number, port: number): ActionSet {
  const cache = m.forwardActions;
  let a = cache.get(port);
  if (a === undefined || a.actions[0]?.type !== 'setField' || a.actions[0].value !== memberMac) {
    const list: Action[] = [
      { type: 'setField', field: 'ethDst', value: memberMac },
      { type: 'setField', field: 'ipv4Dst', value: m.ip },
    ];
    if (m.port !== v.port) list.push({ type: 'setField', field: 'tcpDst', value: m.port });
    list.push(output(port));
    a = actionSet(list);
    if (cache.size < 4096) cache.set(port, a);
  }
  return a;
}

/** On the member's switch: rewrite the source back to the VIP, then out towards the client. */
function reverseActions(
  v: VipRuntime,
  m: MemberRuntime,
  clientMac: number | undefined,
  port: number,
): ActionSet {
  const cached = clientMac === undefined ? m.reverseActions.get(port) : undefined;
  if (cached !== undefined) return cached;
  const list: Action[] = [
    { type: 'setField', field: 'ethSrc', value: v.mac },
    { type: 'setField', field: 'ipv4Src', value: v.ip },
  ];
  if (m.port !== v.port) list.push({ type: 'setField', field: 'tcpSrc', value: v.port });
  // Keyed by IP, the member may address any of the client's MACs: write the one placed.
  if (clientMac !== undefined) list.push({ type: 'setField', field: 'ethDst', value: clientMac });
  list.push(output(port));
  const a = actionSet(list);
  if (clientMac === undefined && m.reverseActions.size < 4096) m.reverseActions.set(port, a);
  return a;
}

export function deleteMemberFlows(state: LbState, v: VipRuntime, m: MemberRuntime, out: LbAction[]): void {
  for (const dp of state.datapaths)
    out.push(send(dp, flowMod({ command: 'delete', cookie: m.cookie, cookieMask: MEMBER_COOKIE_MASK })));
}

export function deleteClientFlows(state: LbState, v: VipRuntime, c: ClientSlot, out: LbAction[]): void {
  const t = v.clients;
  const cookie = t.member[c]!.cookie;
  const ip = t.ip[c]!;
  const mac = t.mac[c]!;
  const byMac = v.keyBy === 'mac';
  for (const dp of state.datapaths) {
    const fwd: Match = { ethType: ETH_TYPE_IPV4, ipv4Src: ip };
    const rev: Match = { ethType: ETH_TYPE_IPV4, ipv4Dst: ip };
    if (byMac) {
      fwd.ethSrc = mac;
      rev.ethDst = mac;
    }
    out.push(send(dp, flowMod({ command: 'delete', cookie, cookieMask: MEMBER_COOKIE_MASK, match: fwd })));
    out.push(send(dp, flowMod({ command: 'delete', cookie, cookieMask: MEMBER_COOKIE_MASK, match: rev })));
  }
}
