// The monitor's output: one VM's state and metrics at one instant, with its inventory.
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

import type { DomainState } from './domain-stats.js';
import type { DomainInventory, NovaInstance } from './domain-inventory.js';
import type { DiskMetrics, MemoryMetrics, VmMetrics } from './rates.js';
import { sampleNics } from './sample-nics.js';

/** One vNIC: from the domain XML when it lists it, with rates when libvirt reports its statistics. */
export interface VmSampleNic {
  mac?: string;
  /** Host-side device = OVS port name (vnet0, tapXXXX); absent when the domain XML names none. */
  portName?: string;
  bridge?: string;
  /** libvirt network the vNIC's source names. */
  network?: string;
  openvswitch?: boolean;
  interfaceId?: string;
  rxBytesPerSec?: number;
  txBytesPerSec?: number;
  rxPacketsPerSec?: number;
  txPacketsPerSec?: number;
  rxErrorsPerSec?: number;
  txErrorsPerSec?: number;
  rxDropsPerSec?: number;
  txDropsPerSec?: number;
}

export interface VmSample {
  uuid: string;
  name: string;
  /** The libvirt host (URI as configured) the VM runs on. */
  host: string;
  /** When the stats were taken, ms since the epoch. */
  time: number;
  /** True when the host is unreachable and this is the last value seen. */
  stale: boolean;
  /** Age of a stale sample in seconds. */
  staleSeconds?: number;
  state: DomainState;
  /** Flat map of numbers with dotted names: `cpu.percent`, `net.vnet0.rx_bytes_per_s`, ... */
  metrics: Record<string, number>;
  /** Seconds the rates cover; absent on a first sample, which carries no rates. */
  intervalSeconds?: number;
  counterReset: boolean;
  cpuPercent?: number;
  vcpus?: number;
  memory: MemoryMetrics;
  nics: VmSampleNic[];
  disks: DiskMetrics[];
  nova?: NovaInstance;
}

export interface BuildSampleInput {
  host: string;
  time: number;
  state: DomainState;
  uuid: string;
  name: string;
  metrics: VmMetrics;
  inventory?: DomainInventory;
}

export function buildVmSample(input: BuildSampleInput): VmSample {
  const { metrics: vm, inventory } = input;
  const sample: VmSample = {
    uuid: input.uuid,
    name: input.name,
    host: input.host,
    time: input.time,
    stale: false,
    state: input.state,
    metrics: vm.metrics,
    counterReset: vm.counterReset,
    memory: vm.memory,
    nics: sampleNics(vm.nics, inventory?.vnics),
    disks: vm.disks,
  };
  if (vm.intervalSeconds !== undefined) sample.intervalSeconds = vm.intervalSeconds;
  if (vm.cpuPercent !== undefined) sample.cpuPercent = vm.cpuPercent;
  const vcpus = vm.metrics['vcpu.count'] ?? inventory?.vcpus;
  if (vcpus !== undefined) sample.vcpus = vcpus;
  if (inventory?.nova) sample.nova = inventory.nova;
  return sample;
}

/** The same sample, marked stale as of `now`: its values are the last ones seen. */
export function markStale(sample: VmSample, now: number): VmSample {
  return { ...sample, stale: true, staleSeconds: Math.max(0, (now - sample.time) / 1000) };
}
