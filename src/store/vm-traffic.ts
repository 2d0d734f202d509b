// sFlow traffic as the store keeps it: what a collector's enricher writes (per VM, and per collector its
// per-MAC rates and heaviest flows) and what the monitor, the API and the dashboard read back. Declared
// once as schemas: the types come from them, and so does the check on every value read back (a value
// another process wrote is untrusted).

import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { checked, STORE_NAME_PATTERN, type Checked } from './checked.js';

/** Record kind of one VM's traffic (id: the VM's UUID). */
export const VM_TRAFFIC_RECORD = 'vm-traffic';
/** Record kind of one collector's per-MAC rates and heaviest flows (id: storeName(collector)). */
export const SFLOW_TRAFFIC_RECORD = 'sflow-traffic';

const PerSecond = Type.Number({ minimum: 0 });

/** Rates between two counter samples, from the VM's point of view. */
export const CounterRates = Type.Object({
  rxBytesPerSecond: PerSecond,
  txBytesPerSecond: PerSecond,
  rxPacketsPerSecond: PerSecond,
  txPacketsPerSecond: PerSecond,
  intervalMs: Type.Number({ minimum: 0 }),
});
export type CounterRates = Static<typeof CounterRates>;

/** Per-VM traffic over the accounting window, from the VM's point of view (rx = towards the VM). */
export const VmTraffic = Type.Object({
  uuid: Type.String({ pattern: STORE_NAME_PATTERN }),
  name: Type.String({ maxLength: 1024 }),
  rxBytesPerSecond: PerSecond,
  txBytesPerSecond: PerSecond,
  rxPacketsPerSecond: PerSecond,
  txPacketsPerSecond: PerSecond,
  windowMs: Type.Number({ minimum: 0 }),
  /** Time (ms since the epoch) of the newest sample counted. */
  updatedAtMs: Type.Number(),
  /** How the samples were joined to the VM ('host-sflow': only Host sFlow counters, no flow samples). */
  joinedBy: Type.Enum(['port', 'mac', 'host-sflow']),
  /** Rates from the port's interface counter samples, when the agent polls them. */
  counters: Type.Optional(CounterRates),
  /** Rates from Host sFlow's per-domain virt_net_io counters, when a Host sFlow agent reports this VM. */
  hostSflow: Type.Optional(CounterRates),
});
export type VmTraffic = Static<typeof VmTraffic>;

/** A 5-tuple flow's rates, as the API lists them. */
export const TrafficFlow = Type.Object({
  src_mac: Type.Optional(Type.String()),
  dst_mac: Type.Optional(Type.String()),
  src_ip: Type.Optional(Type.String()),
  dst_ip: Type.Optional(Type.String()),
  ip_protocol: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
  src_port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  dst_port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  bytes_per_s: PerSecond,
  packets_per_s: PerSecond,
  agent: Type.Optional(Type.String({ description: 'sFlow agent (switch) that sampled it' })),
});
export type TrafficFlow = Static<typeof TrafficFlow>;

/** One MAC's rates, joined to the VM that owns it where the inventory knows it. */
export const MacTraffic = Type.Object({
  mac: Type.String(),
  vm_uuid: Type.Optional(Type.String()),
  vm_name: Type.Optional(Type.String()),
  rx_bytes_per_s: PerSecond,
  tx_bytes_per_s: PerSecond,
  rx_packets_per_s: PerSecond,
  tx_packets_per_s: PerSecond,
});
export type MacTraffic = Static<typeof MacTraffic>;

/** Rows of one collector's snapshot, at most; they keep its JSON well under the store's value limit. */
export const MAX_SNAPSHOT_MACS = 2048;
export const MAX_SNAPSHOT_FLOWS = 2000;

/** One collector's traffic: its per-MAC rates and its heaviest flows (by bytes and by packets). */
export const SflowTraffic = Type.Object({
  collector: Type.String({ minLength: 1, maxLength: 256 }),
  /** When the snapshot was taken, ms since the epoch. */
  time: Type.Number(),
  windowSeconds: Type.Number({ minimum: 0 }),
  macs: Type.Array(MacTraffic, { maxItems: MAX_SNAPSHOT_MACS }),
  flows: Type.Array(TrafficFlow, { maxItems: MAX_SNAPSHOT_FLOWS }),
});
export type SflowTraffic = Static<typeof SflowTraffic>;

const vmTraffic = Compile(VmTraffic);
const sflowTraffic = Compile(SflowTraffic);

export function parseVmTraffic(value: unknown): Checked<VmTraffic> {
  return checked(vmTraffic, value);
}

export function parseSflowTraffic(value: unknown): Checked<SflowTraffic> {
  return checked(sflowTraffic, value);
}
