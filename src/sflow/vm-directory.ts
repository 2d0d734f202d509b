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

/** Per-VM traffic over the accounting window, from the VM's point of view (rx = towards the VM). */
export interface VmTraffic {
  uuid: string;
  name: string;
  rxBytesPerSecond: number;
  txBytesPerSecond: number;
  rxPacketsPerSecond: number;
  txPacketsPerSecond: number;
  windowMs: number;
  /** Time (ms since the epoch) of the newest sample counted. */
  updatedAtMs: number;
  /** How the samples were joined to the VM ('host-sflow': only Host sFlow counters, no flow samples). */
  joinedBy: 'port' | 'mac' | 'host-sflow';
  /** Rates from the port's interface counter samples, when the agent polls them. */
  counters?: CounterRates;
  /** Rates from Host sFlow's per-domain virt_net_io counters, when a Host sFlow agent reports this VM. */
  hostSflow?: CounterRates;
}

/** Rates between two counter samples, from the VM's point of view. */
export interface CounterRates {
  rxBytesPerSecond: number;
  txBytesPerSecond: number;
  rxPacketsPerSecond: number;
  txPacketsPerSecond: number;
  intervalMs: number;
}
