// The monitor's output: a VM sample (src/store/vm-sample.ts) built from one domain's metrics and its
// inventory, and the same sample marked stale when its host cannot be polled.

import type { DomainStateName } from '../libvirt/constants.js';
import { withStaleness } from '../store/sample-staleness.js';
import type { VmSample, VmSampleNic } from '../store/vm-sample.js';
import type { DomainInventory } from './domain-inventory.js';
import type { VmMetrics } from './rates.js';
import { sampleNics } from './sample-nics.js';

export type { VmSample, VmSampleNic };

export interface BuildSampleInput {
  host: string;
  time: number;
  /** The monitor's poll interval: how often the next sample is due. */
  pollIntervalMs: number;
  state: DomainStateName;
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
    pollIntervalMs: input.pollIntervalMs,
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

/** The same sample, marked stale as of `now` (its host could not be polled): its values are the last seen. */
export function markStale(sample: VmSample, now: number): VmSample {
  return withStaleness(sample, now, true);
}
