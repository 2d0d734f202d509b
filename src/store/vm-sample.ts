// The VM sample: one VM's state and metrics at one instant, with its inventory. The monitor produces it,
// the store keeps it, the load balancer scores members on it, the API returns it and the dashboard shows
// it. Declared once, as a schema: the type comes from it, the API documents it, and every sample read
// back from the store (another process may have written it) is checked against it.
//
// Metric names (`metrics`; rates and percentages need a previous sample, so a first one has none):
//   state.code                                    virDomainState
//   cpu.time_ns, cpu.percent, cpu.user_percent, cpu.system_percent   (percent of all vCPUs, 0-100)
//   vcpu.count, vcpu.maximum, vcpu.{time,wait,delay}_percent          (mean over vCPUs)
//   vcpu.N.{time,wait,delay}_ns, vcpu.N.{time,wait,delay}_percent
//   memory.{current,maximum,rss}_bytes            balloon size, its ceiling, the QEMU process's RSS
//   memory.{available,usable,unused,used}_bytes, memory.used_percent  (guest-reported only)
//   memory.guest_reported                         1 when the guest's balloon driver reports, else 0
//   net.{rx,tx}_{bytes,packets,errors,drops}_per_s            all vNICs, from the VM's side
//   net.DEV.{rx,tx}_{bytes,packets,errors,drops}[_per_s]      per vNIC (DEV = host device, e.g. vnet0)
//   disk.{read,write}_{bytes,requests}_per_s                  all disks
//   disk.DEV.{read,write}_{bytes,requests}[_per_s]            per disk (DEV = guest device, e.g. vda)
//   sflow.{rx,tx}_{bytes,packets}_per_s           sFlow's estimate, when a collector's enricher saw the VM

import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { DOMAIN_STATE_NAMES } from '../libvirt/constants.js';
import { checked, STORE_NAME_PATTERN, type Checked } from './checked.js';
import { NovaInstance } from './host-inventory.js';
import { VmTraffic } from './vm-traffic.js';

const PerSecond = Type.Optional(Type.Number());
const OptionalNumber = Type.Optional(Type.Number());

/** A vNIC's rates over the last interval, from the VM's side. */
export const NIC_RATES = {
  rxBytesPerSec: PerSecond,
  txBytesPerSec: PerSecond,
  rxPacketsPerSec: PerSecond,
  txPacketsPerSec: PerSecond,
  rxErrorsPerSec: PerSecond,
  txErrorsPerSec: PerSecond,
  rxDropsPerSec: PerSecond,
  txDropsPerSec: PerSecond,
};

export const VmNicRates = Type.Object(NIC_RATES);
export type VmNicRates = Static<typeof VmNicRates>;

export const VmSampleNic = Type.Object({
  mac: Type.Optional(Type.String()),
  /** Host-side device = OVS port name (vnet0, tapXXXX); absent when the domain XML names none. */
  portName: Type.Optional(Type.String()),
  bridge: Type.Optional(Type.String()),
  /** libvirt network the vNIC's source names. */
  network: Type.Optional(Type.String()),
  openvswitch: Type.Optional(Type.Boolean()),
  interfaceId: Type.Optional(Type.String()),
  ...NIC_RATES,
});
export type VmSampleNic = Static<typeof VmSampleNic>;

export const VmSampleDisk = Type.Object({
  name: Type.String(),
  path: Type.Optional(Type.String()),
  readBytesPerSec: PerSecond,
  writeBytesPerSec: PerSecond,
  readRequestsPerSec: PerSecond,
  writeRequestsPerSec: PerSecond,
});
export type VmSampleDisk = Static<typeof VmSampleDisk>;

export const VmSampleMemory = Type.Object({
  currentBytes: OptionalNumber,
  maximumBytes: OptionalNumber,
  rssBytes: OptionalNumber,
  /** Memory the guest uses, from its balloon statistics; absent when `guestReported` is false. */
  usedBytes: OptionalNumber,
  /** True when the guest's balloon driver reports available/usable/unused memory. */
  guestReported: Type.Boolean(),
});
export type VmSampleMemory = Static<typeof VmSampleMemory>;

export const VmSample = Type.Object({
  /** The domain's UUID (a store name: 1-256 characters of A-Z a-z 0-9 _ . : @ % + -). */
  uuid: Type.String({ pattern: STORE_NAME_PATTERN }),
  name: Type.String(),
  /** The libvirt host (URI as configured) the VM runs on. */
  host: Type.String({ description: 'the libvirt host (URI) the VM runs on' }),
  /** When the stats were taken, ms since the epoch. */
  time: Type.Number({ minimum: 0, description: 'milliseconds since the epoch' }),
  /** The monitor's poll interval: how often a new sample is due (see sample-staleness.ts). */
  pollIntervalMs: Type.Number({ minimum: 1 }),
  stale: Type.Boolean({
    description: 'the host did not answer, or the sample is older than three poll intervals (at least 15 s)',
  }),
  /** Age of a stale sample in seconds. */
  staleSeconds: Type.Optional(Type.Number({ minimum: 0 })),
  state: Type.Enum([...DOMAIN_STATE_NAMES, 'unknown']),
  /** Flat map of numbers with dotted names: `cpu.percent`, `net.vnet0.rx_bytes_per_s`, ... */
  metrics: Type.Record(Type.String(), Type.Number()),
  /** Seconds the rates cover; absent on a first sample, which carries no rates. */
  intervalSeconds: OptionalNumber,
  /** True when counters went down since the previous record (restart); those rates are left out. */
  counterReset: Type.Boolean(),
  cpuPercent: OptionalNumber,
  vcpus: OptionalNumber,
  memory: VmSampleMemory,
  nics: Type.Array(VmSampleNic),
  disks: Type.Array(VmSampleDisk),
  nova: Type.Optional(NovaInstance),
  /** sFlow's view of the VM's traffic, when a collector's enricher saw it. */
  sflow: Type.Optional(VmTraffic),
});
export type VmSample = Static<typeof VmSample>;

const vmSample = Compile(VmSample);

/** A sample read back from the store, or why it is refused. */
export function parseVmSample(value: unknown): Checked<VmSample> {
  return checked(vmSample, value);
}

/** The sample with sFlow's traffic of the VM: the whole estimate and its four rates as metrics. */
export function withSflowTraffic(sample: VmSample, traffic: VmTraffic): VmSample {
  return {
    ...sample,
    sflow: traffic,
    metrics: {
      ...sample.metrics,
      'sflow.rx_bytes_per_s': traffic.rxBytesPerSecond,
      'sflow.tx_bytes_per_s': traffic.txBytesPerSecond,
      'sflow.rx_packets_per_s': traffic.rxPacketsPerSecond,
      'sflow.tx_packets_per_s': traffic.txPacketsPerSecond,
    },
  };
}
