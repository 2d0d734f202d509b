// sFlow's estimate of the bytes each VM sent: flow samples whose input port is the VM's vNIC, each one
// standing for `samplingRate` frames of its length. OVS samples a frame on every bridge it enters, so a
// frame from a VM on one compute node is also sampled where it enters the other one (from the link port):
// counting only samples taken at the vNIC counts every frame once.

import { decodeDatagram } from '../sflow/datagram.js';
import { HeaderProtocol } from '../sflow/formats.js';

/** sflow_version_5.txt sampled_header: frame_length of an Ethernet frame includes its 4-byte FCS, which a
 * host's interface counters (libvirt's vNIC bytes) do not. */
const ETHERNET_FCS = 4;

export interface VmTally {
  /** Estimated bytes sent by the VM (sum of frame length x sampling rate). */
  bytes: number;
  samples: number;
}

export class VnicSflowTally {
  readonly byVm = new Map<string, VmTally>();
  datagrams = 0;
  rejected = 0;
  /** Samples taken at ports that are no lab VM's vNIC (clients, the link, other bridges). */
  otherSamples = 0;

  /** `vnics`: host ifindex of each VM's vNIC -> VM name. */
  constructor(private readonly vnics: ReadonlyMap<number, string>) {
    for (const vm of vnics.values()) this.byVm.set(vm, { bytes: 0, samples: 0 });
  }

  /** Adds one datagram; returns false (and counts it) when it does not decode. */
  add(datagram: Buffer): boolean {
    const r = decodeDatagram(datagram);
    if (!r.ok) {
      this.rejected++;
      return false;
    }
    this.datagrams++;
    for (const s of r.datagram.samples) {
      if (s.kind !== 'flow') continue;
      // Input interface format 0: the value is an ifIndex.
      const vm = s.input.format === 0 ? this.vnics.get(s.input.value) : undefined;
      if (vm === undefined) {
        this.otherSamples++;
        continue;
      }
      let length = -1;
      for (const rec of s.records) {
        if (rec.type === 'raw-packet-header') {
          length =
            rec.headerProtocol === HeaderProtocol.ethernet ? rec.frameLength - ETHERNET_FCS : rec.frameLength;
          break;
        }
        if (rec.type === 'ethernet-frame') length = rec.length - ETHERNET_FCS;
      }
      if (length < 0) continue;
      const t = this.byVm.get(vm)!;
      t.bytes += length * s.samplingRate;
      t.samples++;
    }
    return true;
  }

  /** A copy of the running totals. */
  snapshot(): Record<string, VmTally> {
    const out: Record<string, VmTally> = {};
    for (const [vm, t] of this.byVm) out[vm] = { ...t };
    return out;
  }
}
