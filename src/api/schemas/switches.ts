// Switches as the controller sees them: datapaths, their ports with counters, their flow tables.
// Version-neutral and JSON-friendly: 64-bit values (datapath ids, cookies) are hex strings.

import Type, { type Static } from 'typebox';
import { EpochMs } from './common.js';

/** OF1.3 spec 7.3.1: the datapath id is 64 bits; written as 16 lowercase hex digits. */
export const DatapathId = Type.String({
  pattern: '^[0-9a-fA-F]{1,16}$|^([0-9a-fA-F]{2}:){7}[0-9a-fA-F]{2}$',
  description: 'datapath id: up to 16 hex digits, or 8 colon-separated bytes',
});

export const PortStats = Type.Object({
  rx_packets: Type.Number({ minimum: 0 }),
  tx_packets: Type.Number({ minimum: 0 }),
  rx_bytes: Type.Number({ minimum: 0 }),
  tx_bytes: Type.Number({ minimum: 0 }),
  rx_dropped: Type.Number({ minimum: 0 }),
  tx_dropped: Type.Number({ minimum: 0 }),
  rx_errors: Type.Number({ minimum: 0 }),
  tx_errors: Type.Number({ minimum: 0 }),
  duration_sec: Type.Optional(Type.Number({ minimum: 0 })),
});
export type PortStats = Static<typeof PortStats>;

export const SwitchPort = Type.Object({
  port_no: Type.Integer({ minimum: 0 }),
  name: Type.String(),
  hw_addr: Type.String(),
  link_down: Type.Boolean(),
  admin_down: Type.Boolean(),
  curr_speed_kbps: Type.Optional(Type.Number({ minimum: 0 })),
  stats: Type.Optional(PortStats),
});
export type SwitchPort = Static<typeof SwitchPort>;

export const Datapath = Type.Object({
  datapath_id: Type.String({ pattern: '^[0-9a-f]{16}$' }),
  version: Type.Enum(['1.0', '1.3']),
  peer: Type.String({ description: 'remote address of the OpenFlow connection' }),
  connected_at: EpochMs,
  n_tables: Type.Optional(Type.Integer({ minimum: 0 })),
  ports: Type.Array(SwitchPort),
});
export type Datapath = Static<typeof Datapath>;

export const FlowEntry = Type.Object({
  table_id: Type.Integer({ minimum: 0, maximum: 255 }),
  priority: Type.Integer({ minimum: 0, maximum: 65535 }),
  cookie: Type.String({ pattern: '^[0-9a-f]{16}$' }),
  match: Type.Record(Type.String(), Type.String(), {
    description: 'field -> value (value/mask when masked)',
  }),
  actions: Type.Array(Type.String(), {
    description: 'actions in ovs-ofctl style: output:2, set_field:10.0.0.5->ip_dst',
  }),
  packet_count: Type.Number({ minimum: 0 }),
  byte_count: Type.Number({ minimum: 0 }),
  duration_sec: Type.Number({ minimum: 0 }),
  idle_timeout: Type.Integer({ minimum: 0 }),
  hard_timeout: Type.Integer({ minimum: 0 }),
  owner: Type.Optional(Type.String({ description: 'the app that installed it, from its cookie' })),
});
export type FlowEntry = Static<typeof FlowEntry>;

/** Canonical datapath id: 16 lowercase hex digits. */
export function canonicalDatapathId(raw: string): string {
  return raw.replace(/:/g, '').toLowerCase().padStart(16, '0');
}
