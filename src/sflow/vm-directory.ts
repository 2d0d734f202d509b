// What the traffic accounting needs from the monitor's inventory: which VM a MAC or a switch port belongs to.

export interface VmRef {
  uuid: string;
  name: string;
}

export interface VmDirectory {
  /** The VM owning a vNIC MAC (lower-case "aa:bb:cc:dd:ee:ff"). */
  vmByMac(mac: string): VmRef | undefined;
  /**
   * The VM behind a switch port: the agent address, the port's ifIndex in the agent's samples and, when
   * the agent reported it (OVS sends a port-name counter record), the OVS port name (e.g. "vnet0").
   */
  vmByPort?(agent: string, ifIndex: number, portName: string | undefined): VmRef | undefined;
  /** The VM with this domain UUID, if the inventory knows it (names VMs reported by Host sFlow). */
  vmByUuid?(uuid: string): VmRef | undefined;
}

// Per-VM traffic (and the counter rates beside it) is what the store keeps: its shape is declared there.
export type { CounterRates, VmTraffic } from '../store/vm-traffic.js';
