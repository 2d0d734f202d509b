// Feeds the store the way the monitor does: libvirt-shaped domain stats advance in time, become rates
// (computeVmMetrics) and samples (buildVmSample) with inventory and Nova metadata, and are stored.

import type { Store } from '../../../src/store/store.js';
import type { DomainStats } from '../../../src/monitor/domain-stats.js';
import type { DomainInventory } from '../../../src/monitor/domain-inventory.js';
import { computeVmMetrics, type StatsSnapshot } from '../../../src/monitor/rates.js';
import { buildVmSample, type VmSample } from '../../../src/monitor/vm-sample.js';

/** The monitor's interval the feed's samples claim (tests poll it at times of their choosing). */
export const POLL_INTERVAL_MS = 5000;

export interface FeedVm {
  uuid: string;
  name: string;
  host: string;
  project: string;
  mac: string;
  vcpus: number;
  /** Share of its vCPUs in use, 0..1, for the next interval. */
  load: number;
  /** Bytes per second received. */
  rxRate: number;
}

export class VmFeed {
  private readonly prev = new Map<string, StatsSnapshot>();
  private readonly stats = new Map<string, DomainStats>();

  constructor(
    private readonly store: Store,
    readonly vms: FeedVm[],
  ) {}

  private inventory(vm: FeedVm): DomainInventory {
    return {
      uuid: vm.uuid,
      name: vm.name,
      type: 'kvm',
      vcpus: vm.vcpus,
      memoryKiB: 1024 * 1024,
      vnics: [{ mac: vm.mac, portName: `vnet-${vm.name}`, bridge: 'br-int', openvswitch: true }],
      disks: [],
      nova: {
        namespace: 'http://openstack.org/xmlns/libvirt/nova/1.1',
        name: vm.name,
        project: { uuid: `p-${vm.project}`, name: vm.project },
      },
    } as unknown as DomainInventory;
  }

  /** One poll at `timeMs`: every VM gets a sample. */
  async poll(timeMs: number): Promise<VmSample[]> {
    const out: VmSample[] = [];
    for (const vm of this.vms) {
      const last = this.stats.get(vm.uuid);
      const prevSnap = this.prev.get(vm.uuid);
      const dt = prevSnap ? (timeMs - prevSnap.timeMs) / 1000 : 0;
      const s: DomainStats = {
        name: vm.name,
        uuid: vm.uuid,
        state: 'running',
        stateCode: 1,
        cpuTimeNs: (last?.cpuTimeNs ?? 5e9) + Math.round(vm.load * vm.vcpus * dt * 1e9),
        vcpuCurrent: vm.vcpus,
        vcpuMaximum: vm.vcpus,
        vcpus: [],
        balloon: {
          currentKiB: 1048576,
          maximumKiB: 1048576,
          rssKiB: 300000,
          availableKiB: 1000000,
          usableKiB: 600000,
          unusedKiB: 550000,
        },
        nets: [
          {
            index: 0,
            name: `vnet-${vm.name}`,
            rxBytes: (last?.nets[0]?.rxBytes ?? 1000) + Math.round(vm.rxRate * dt),
            rxPackets: (last?.nets[0]?.rxPackets ?? 10) + Math.round((vm.rxRate / 1000) * dt),
            rxErrors: 0,
            rxDrops: 0,
            txBytes: (last?.nets[0]?.txBytes ?? 500) + Math.round(vm.rxRate * 2 * dt),
            txPackets: (last?.nets[0]?.txPackets ?? 5) + Math.round((vm.rxRate / 500) * dt),
            txErrors: 0,
            txDrops: 0,
          },
        ],
        blocks: [
          { index: 0, name: 'vda', readBytes: 4096, writeBytes: 8192, readRequests: 1, writeRequests: 2 },
        ],
      };
      const snap: StatsSnapshot = { timeMs, stats: s };
      const metrics = computeVmMetrics(snap, prevSnap);
      const sample = buildVmSample({
        host: vm.host,
        time: timeMs,
        pollIntervalMs: POLL_INTERVAL_MS,
        state: 'running',
        uuid: vm.uuid,
        name: vm.name,
        metrics,
        inventory: this.inventory(vm),
      });
      this.prev.set(vm.uuid, snap);
      this.stats.set(vm.uuid, s);
      await this.store.putSample(sample);
      out.push(sample);
    }
    return out;
  }
}

export function demoVms(): FeedVm[] {
  return [
    {
      uuid: '6f1c6a52-1111-4c1e-9a51-000000000001',
      name: 'web-1',
      host: 'qemu+tcp://compute-1/system',
      project: 'shop',
      mac: '52:54:00:00:00:01',
      vcpus: 2,
      load: 0.35,
      rxRate: 120_000,
    },
    {
      uuid: '6f1c6a52-1111-4c1e-9a51-000000000002',
      name: 'web-2',
      host: 'qemu+tcp://compute-1/system',
      project: 'shop',
      mac: '52:54:00:00:00:02',
      vcpus: 2,
      load: 0.7,
      rxRate: 340_000,
    },
    {
      uuid: '6f1c6a52-1111-4c1e-9a51-000000000003',
      name: 'db-1',
      host: 'qemu+tcp://compute-2/system',
      project: 'data',
      mac: '52:54:00:00:00:03',
      vcpus: 4,
      load: 0.15,
      rxRate: 40_000,
    },
  ];
}
