// Traffic as sFlow sees it: the heaviest flows and per-VM estimates, scaled up by the sampling rate.

import Type, { type Static } from 'typebox';

export const TrafficFlow = Type.Object({
  src_mac: Type.Optional(Type.String()),
  dst_mac: Type.Optional(Type.String()),
  src_ip: Type.Optional(Type.String()),
  dst_ip: Type.Optional(Type.String()),
  ip_protocol: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
  src_port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  dst_port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  bytes_per_s: Type.Number({ minimum: 0 }),
  packets_per_s: Type.Number({ minimum: 0 }),
  agent: Type.Optional(Type.String({ description: 'sFlow agent (switch) that sampled it' })),
});
export type TrafficFlow = Static<typeof TrafficFlow>;

export const VmTraffic = Type.Object({
  mac: Type.String(),
  vm_uuid: Type.Optional(Type.String()),
  vm_name: Type.Optional(Type.String()),
  rx_bytes_per_s: Type.Number({ minimum: 0 }),
  tx_bytes_per_s: Type.Number({ minimum: 0 }),
  rx_packets_per_s: Type.Number({ minimum: 0 }),
  tx_packets_per_s: Type.Number({ minimum: 0 }),
});
export type VmTraffic = Static<typeof VmTraffic>;
