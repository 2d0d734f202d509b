// The flows of one client: forward (client -> VIP, rewritten to the member on the client's switch, carried
// on by every further switch of the path) and reverse (member -> client, rewritten back to the VIP on the
// member's switch). Action lists are shared between clients of the same member and port.

import { ETH_TYPE_IPV4 } from '../../net/ethernet.js';
import { IP_PROTO_TCP } from '../../net/ipv4.js';
import { FlowModTemplate, matchWith, type TemplateField } from '../../openflow/flow-mod-template.js';
import {
  OFP_NO_BUFFER,
  OFPFF,
  type Action,
  type FlowMod,
  type Instruction,
  type Match,
} from '../../openflow/model.js';
import { applyActions, flowMod, frozen, output, outputTo, packetOut } from '../../openflow/builders.js';
import { send, type LbAction, type LbPacketIn } from './lb-actions.js';
import {
  COOKIE_COUNTED,
  COOKIE_OUT,
  flowsInstalled,
  MEMBER_COOKIE_MASK,
  type LbState,
  type MemberRuntime,
  type VipRuntime,
} from './lb-state.js';
import type { ClientSlot } from './client-table.js';

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
  const clientDp = t.datapathId[c]!;
  const clientPort = t.inPort[c]!;
  const clientIp = t.ip[c]!;
  const clientMac = t.mac[c]!;
  if (m.datapathId === undefined || m.ofport === undefined || m.mac === undefined || clientPort < 0) return;
  // Each direction crosses the hops of its route, then leaves its last switch towards the host.
  const fwd = state.paths.route(clientDp, m.datapathId);
  const rev = state.paths.route(m.datapathId, clientDp);
  if (fwd === undefined || rev === undefined) {
    out.push({
      kind: 'event',
      event: {
        type: 'client-dropped',
        pool: v.pool.id,
        client: t.keyText[c]!,
        reason: 'no path between the client and its member',
      },
    });
    return;
  }
  const byMac = v.keyBy === 'mac';
  const memberMac = m.mac;
  const packetAt = at.at;
  let packetActions: Action[] | undefined;

  let inPort = clientPort;
  for (let i = 0; i <= fwd.length; i++) {
    const hop = i < fwd.length ? fwd[i]! : undefined;
    const dp = hop ? hop.datapathId : m.datapathId;
    const outPort = hop ? hop.outPort : m.ofport;
    const first = i === 0;
    // The client's switch rewrites; every further switch of the path only carries the packets on.
    const set = first ? forwardActions(v, m, memberMac, outPort) : outputTo(outPort);
    const flow = first ? FORWARD_FIRST : FORWARD_ON;
    out.push(send(dp, clientFlow(state, v, m, flow, set, true, inPort, clientIp, clientMac)));
    if (
      at.direction === 'forward' &&
      dp === packetAt.datapathId &&
      (at.first ? first : !first && inPort === packetAt.inPort)
    )
      packetActions = set.actions;
    if (hop) inPort = hop.nextInPort;
  }
  inPort = m.ofport;
  for (let i = 0; i <= rev.length; i++) {
    const hop = i < rev.length ? rev[i]! : undefined;
    const dp = hop ? hop.datapathId : clientDp;
    const outPort = hop ? hop.outPort : clientPort;
    const first = i === 0;
    // Keyed by IP, the first switch writes the client's own MAC: that action list is the client's alone.
    const own = first && !byMac;
    const set = first ? reverseActions(v, m, own ? clientMac : undefined, outPort) : outputTo(outPort);
    const flow = first ? REVERSE_FIRST : REVERSE_ON;
    out.push(send(dp, clientFlow(state, v, m, flow, set, !own, inPort, clientIp, clientMac)));
    if (
      at.direction === 'reverse' &&
      dp === packetAt.datapathId &&
      (at.first ? first : !first && inPort === packetAt.inPort)
    )
      packetActions = set.actions;
    if (hop) inPort = hop.nextInPort;
  }
  flowsInstalled(t, c);
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

/** A client's flows on one switch: which way, and whether it is the path's first switch. */
const FORWARD_FIRST = 0;
const FORWARD_ON = 1;
const REVERSE_FIRST = 2;
const REVERSE_ON = 3;

/** Flow templates kept per member (by action list and flow), at most. */
const MAX_TEMPLATES = 4096;

/**
 * One flow-mod of a client. Between the clients of one member, the flows of one kind through one port
 * differ only in the client's in-port, IPv4 address and (keyed by MAC) MAC: with a `shared` action list
 * they are made from the member's template for it, which the codec writes by copying its bytes.
 */
function clientFlow(
  state: LbState,
  v: VipRuntime,
  m: MemberRuntime,
  flow: number,
  set: ActionSet,
  shared: boolean,
  inPort: number,
  clientIp: number,
  clientMac: number,
): FlowMod {
  const forward = flow === FORWARD_FIRST || flow === FORWARD_ON;
  const byMac = v.keyBy === 'mac';
  let templates = shared ? m.flowTemplates.get(set.instructions) : undefined;
  if (shared && templates === undefined && m.flowTemplates.size < MAX_TEMPLATES) {
    templates = [];
    m.flowTemplates.set(set.instructions, templates);
  }
  const fields: TemplateField[] = forward
    ? byMac
      ? FORWARD_BY_MAC
      : FORWARD_BY_IP
    : byMac
      ? REVERSE_BY_MAC
      : REVERSE_BY_IP;
  const values = byMac ? [inPort, clientIp, clientMac] : [inPort, clientIp];
  if (templates === undefined) {
    const base = clientFlowFields(state, v, m, flow, set);
    return flowMod({ ...base, match: matchWith(base.match, fields, values) });
  }
  let t = templates[flow];
  if (t === undefined)
    t = templates[flow] = new FlowModTemplate(flowMod(clientFlowFields(state, v, m, flow, set)), fields);
  return t.instance(values);
}

/** The fields of a client's flow-mod that are the client's own, in the order of its template's values. */
const FORWARD_BY_MAC: TemplateField[] = ['inPort', 'ipv4Src', 'ethSrc'];
const FORWARD_BY_IP: TemplateField[] = ['inPort', 'ipv4Src'];
const REVERSE_BY_MAC: TemplateField[] = ['inPort', 'ipv4Dst', 'ethDst'];
const REVERSE_BY_IP: TemplateField[] = ['inPort', 'ipv4Dst'];

/** The fields of a client's flow-mod but the client's own: cookie, timeouts, flags, and the match's rest. */
function clientFlowFields(state: LbState, v: VipRuntime, m: MemberRuntime, flow: number, set: ActionSet) {
  const s = state.settings;
  const byMac = v.keyBy === 'mac';
  const match: Match = { inPort: 0, ethType: ETH_TYPE_IPV4, ipProto: IP_PROTO_TCP };
  if (flow === FORWARD_FIRST || flow === FORWARD_ON) {
    match.ipv4Src = 0;
    match.ipv4Dst = flow === FORWARD_FIRST ? v.ip : m.ip;
    match.tcpDst = flow === FORWARD_FIRST ? v.port : m.port;
    if (byMac) match.ethSrc = 0;
  } else {
    match.ipv4Src = flow === REVERSE_FIRST ? m.ip : v.ip;
    match.ipv4Dst = 0;
    match.tcpSrc = flow === REVERSE_FIRST ? m.port : v.port;
    if (byMac) match.ethDst = 0;
  }
  // The flows on the path's first switch of each direction count the client's traffic, and report their
  // removal with their final counts; the forward one's removal also says the client went idle.
  const kind =
    flow === FORWARD_FIRST ? COOKIE_COUNTED : flow === REVERSE_FIRST ? COOKIE_COUNTED | COOKIE_OUT : 0;
  return {
    cookie: m.cookie | BigInt(kind),
    priority: s.flowPriority,
    idleTimeout: s.flowIdleTimeoutSeconds,
    flags: kind !== 0 ? OFPFF.SEND_FLOW_REM : 0,
    match,
    instructions: set.instructions,
  };
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
