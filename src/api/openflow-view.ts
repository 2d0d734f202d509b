// The controller's OpenFlow model as the API shows it: flow entries and ports in ovs-ofctl's words
// (OXM field names, "output:2", "set_field:10.213.0.5->ipv4_dst"), 64-bit values as hex strings.
// Pure functions, for whoever wires a SwitchView over the controller.

import { formatIpv4 } from '../net/ipv4-address.js';
import { formatMac } from '../net/mac-address.js';
import {
  OFPP,
  OFPPC,
  OFPPS,
  type Action,
  type FlowStats,
  type Instruction,
  type Match,
  type PortDesc,
  type PortStats,
} from '../openflow/model.js';
import { APP_ID, cookieAppId } from '../controller/cookies.js';
import type { Datapath, FlowEntry, PortStats as PortStatsView, SwitchPort } from './schemas/switches.js';

export const hex64 = (v: bigint): string => BigInt.asUintN(64, v).toString(16).padStart(16, '0');

const RESERVED_PORTS = new Map<number, string>([
  [OFPP.IN_PORT, 'IN_PORT'],
  [OFPP.TABLE, 'TABLE'],
  [OFPP.NORMAL, 'NORMAL'],
  [OFPP.FLOOD, 'FLOOD'],
  [OFPP.ALL, 'ALL'],
  [OFPP.CONTROLLER, 'CONTROLLER'],
  [OFPP.LOCAL, 'LOCAL'],
  [OFPP.ANY, 'ANY'],
]);

export const portName = (port: number): string => RESERVED_PORTS.get(port) ?? String(port);

const hex = (n: number, width = 0): string => `0x${n.toString(16).padStart(width, '0')}`;

function ipv6(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i + 1 < b.length && i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':');
}

type Formatter = (v: never) => string;

/** Model field -> [OXM name (OF1.3 spec 7.2.3.7), value format]. */
const FIELDS: Record<Exclude<keyof Match, `${string}Mask` | 'otherOxm'>, [string, Formatter]> = {
  inPort: ['in_port', portName as Formatter],
  inPhyPort: ['in_phy_port', portName as Formatter],
  metadata: ['metadata', ((v: bigint) => `0x${v.toString(16)}`) as Formatter],
  ethDst: ['eth_dst', formatMac as Formatter],
  ethSrc: ['eth_src', formatMac as Formatter],
  ethType: ['eth_type', ((v: number) => hex(v, 4)) as Formatter],
  vlanVid: ['vlan_vid', ((v: number) => hex(v)) as Formatter],
  vlanPcp: ['vlan_pcp', String as Formatter],
  ipDscp: ['ip_dscp', String as Formatter],
  ipEcn: ['ip_ecn', String as Formatter],
  ipProto: ['ip_proto', String as Formatter],
  ipv4Src: ['ipv4_src', formatIpv4 as Formatter],
  ipv4Dst: ['ipv4_dst', formatIpv4 as Formatter],
  tcpSrc: ['tcp_src', String as Formatter],
  tcpDst: ['tcp_dst', String as Formatter],
  udpSrc: ['udp_src', String as Formatter],
  udpDst: ['udp_dst', String as Formatter],
  icmpv4Type: ['icmpv4_type', String as Formatter],
  icmpv4Code: ['icmpv4_code', String as Formatter],
  arpOp: ['arp_op', String as Formatter],
  arpSpa: ['arp_spa', formatIpv4 as Formatter],
  arpTpa: ['arp_tpa', formatIpv4 as Formatter],
  arpSha: ['arp_sha', formatMac as Formatter],
  arpTha: ['arp_tha', formatMac as Formatter],
  ipv6Src: ['ipv6_src', ipv6 as Formatter],
  ipv6Dst: ['ipv6_dst', ipv6 as Formatter],
};

function fieldValue(field: keyof typeof FIELDS, value: unknown): string {
  const f = FIELDS[field];
  if (!f) return String(value);
  try {
    return (f[1] as (v: unknown) => string)(value);
  } catch {
    return String(value);
  }
}

/** A match as field -> value (value/mask when masked); wildcarded fields are absent. */
export function matchView(m: Match): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(FIELDS) as Array<keyof typeof FIELDS>) {
    const v = m[key];
    if (v === undefined) continue;
    const mask = (m as Record<string, unknown>)[`${key}Mask`];
    out[FIELDS[key][0]] =
      mask === undefined ? fieldValue(key, v) : `${fieldValue(key, v)}/${fieldValue(key, mask)}`;
  }
  for (const o of m.otherOxm ?? []) out[`oxm_${hex(o.oxmClass, 4)}_${o.field}`] = o.payload.toString('hex');
  return out;
}

export function actionText(a: Action): string {
  switch (a.type) {
    case 'output':
      return `output:${portName(a.port)}`;
    case 'setField':
      return `set_field:${fieldValue(a.field, a.value)}->${FIELDS[a.field]?.[0] ?? a.field}`;
    case 'pushVlan':
      return `push_vlan:${hex(a.ethType, 4)}`;
    case 'popVlan':
      return 'pop_vlan';
    case 'group':
      return `group:${a.groupId}`;
    case 'setQueue':
      return `set_queue:${a.queueId}`;
    case 'enqueue':
      return `enqueue:${portName(a.port)}:${a.queueId}`;
    case 'decNwTtl':
      return 'dec_ttl';
    case 'other':
      return `action_${a.actionType}`;
  }
}

/** A flow's instructions as one action list; an empty list drops the packet. */
export function instructionsText(ins: readonly Instruction[]): string[] {
  const out: string[] = [];
  for (const i of ins) {
    switch (i.type) {
      case 'applyActions':
        for (const a of i.actions) out.push(actionText(a));
        break;
      case 'writeActions':
        out.push(`write_actions(${i.actions.map(actionText).join(',')})`);
        break;
      case 'clearActions':
        out.push('clear_actions');
        break;
      case 'gotoTable':
        out.push(`goto_table:${i.tableId}`);
        break;
      case 'writeMetadata':
        out.push(`write_metadata:0x${i.metadata.toString(16)}/0x${i.metadataMask.toString(16)}`);
        break;
      case 'meter':
        out.push(`meter:${i.meterId}`);
        break;
    }
  }
  return out;
}

const APP_NAMES = new Map<number, string>(
  Object.entries(APP_ID).map(([name, id]) => [id, name.toLowerCase().replace(/_/g, '-')]),
);

/** The app that installed a flow, from its cookie. */
export function cookieOwner(cookie: bigint): string | undefined {
  const id = cookieAppId(cookie);
  return id === undefined ? undefined : (APP_NAMES.get(id) ?? `app-${id}`);
}

const num = (v: bigint | number): number => (typeof v === 'bigint' ? Number(BigInt.asUintN(64, v)) : v);

export function flowEntryView(f: FlowStats): FlowEntry {
  const owner = cookieOwner(f.cookie);
  return {
    table_id: f.tableId,
    priority: f.priority,
    cookie: hex64(f.cookie),
    match: matchView(f.match),
    actions: instructionsText(f.instructions),
    packet_count: num(f.packetCount),
    byte_count: num(f.byteCount),
    duration_sec: f.durationSec + f.durationNsec / 1e9,
    idle_timeout: f.idleTimeout,
    hard_timeout: f.hardTimeout,
    ...(owner ? { owner } : {}),
  };
}

export function portStatsView(s: PortStats): PortStatsView {
  return {
    rx_packets: num(s.rxPackets),
    tx_packets: num(s.txPackets),
    rx_bytes: num(s.rxBytes),
    tx_bytes: num(s.txBytes),
    rx_dropped: num(s.rxDropped),
    tx_dropped: num(s.txDropped),
    rx_errors: num(s.rxErrors),
    tx_errors: num(s.txErrors),
    ...(s.durationSec > 0 ? { duration_sec: s.durationSec } : {}),
  };
}

export function portView(p: PortDesc, stats?: PortStats): SwitchPort {
  return {
    port_no: p.portNo,
    name: p.name,
    hw_addr: formatMac(p.hwAddr),
    // OF1.3 spec 7.2.1: OFPPS_LINK_DOWN "no physical link present"; OFPPC_PORT_DOWN "port is administratively down".
    link_down: (p.state & OFPPS.LINK_DOWN) !== 0,
    admin_down: (p.config & OFPPC.PORT_DOWN) !== 0,
    ...(p.currSpeed > 0 ? { curr_speed_kbps: p.currSpeed } : {}),
    ...(stats ? { stats: portStatsView(stats) } : {}),
  };
}

export interface DatapathSnapshot {
  datapathId: bigint;
  /** Wire version: 0x01 (1.0) or 0x04 (1.3). */
  version: number;
  ports: Iterable<PortDesc>;
  peer: string;
  /** Milliseconds since the epoch. */
  connectedAt: number;
  nTables?: number;
}

export function datapathView(d: DatapathSnapshot, stats: readonly PortStats[] = []): Datapath {
  const byPort = new Map(stats.map((s) => [s.portNo, s]));
  return {
    datapath_id: hex64(d.datapathId),
    version: d.version === 0x01 ? '1.0' : '1.3',
    peer: d.peer,
    connected_at: d.connectedAt,
    ...(d.nTables !== undefined ? { n_tables: d.nTables } : {}),
    ports: [...d.ports].sort((a, b) => a.portNo - b.portNo).map((p) => portView(p, byPort.get(p.portNo))),
  };
}
