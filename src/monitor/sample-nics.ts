// The vNICs of a VM's sample: every vNIC its domain XML lists (MAC, host-side device, bridge), in the
// XML's order, whether or not libvirt reported statistics for it, with the rates of the interface whose
// device it names; then any interface with statistics that the XML does not list (not read yet).

import { NIC_RATES, type VmSampleNic } from '../store/vm-sample.js';
import type { VnicInventory } from './domain-inventory.js';
import type { NicMetrics } from './rates.js';

const RATES = Object.keys(NIC_RATES) as Array<keyof typeof NIC_RATES>;

function withRates(nic: VmSampleNic, stats: NicMetrics | undefined): VmSampleNic {
  for (const k of RATES) if (stats?.[k] !== undefined) nic[k] = stats[k];
  return nic;
}

export function sampleNics(
  stats: readonly NicMetrics[],
  vnics: readonly VnicInventory[] = [],
): VmSampleNic[] {
  const joined = new Set<NicMetrics>();
  const out: VmSampleNic[] = [];
  for (const v of vnics) {
    const nic: VmSampleNic = {};
    if (v.portName) nic.portName = v.portName;
    nic.mac = v.mac;
    if (v.bridge) nic.bridge = v.bridge;
    if (v.network) nic.network = v.network;
    nic.openvswitch = v.openvswitch;
    if (v.interfaceId) nic.interfaceId = v.interfaceId;
    const n = v.portName ? stats.find((s) => s.name === v.portName && !joined.has(s)) : undefined;
    if (n) joined.add(n);
    out.push(withRates(nic, n));
  }
  for (const n of stats) if (!joined.has(n)) out.push(withRates({ portName: n.name }, n));
  return out;
}
