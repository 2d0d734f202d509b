// In-memory switch, traffic and internals views shaped like what the controller and collector report.

import type { InternalsView, Internals, SwitchView, TrafficView } from '../../../src/api/providers.js';
import type { Datapath, FlowEntry } from '../../../src/api/schemas/switches.js';
import type { TrafficFlow, VmTraffic } from '../../../src/api/schemas/traffic.js';

export class MemorySwitches implements SwitchView {
  readonly dps = new Map<string, Datapath>();
  readonly flows = new Map<string, FlowEntry[]>();

  async datapaths() {
    return [...this.dps.values()];
  }
  async datapath(id: string) {
    return this.dps.get(id);
  }
  async flowTable(id: string) {
    return this.dps.has(id) ? (this.flows.get(id) ?? []) : undefined;
  }
}

export function demoSwitches(now: number): MemorySwitches {
  const s = new MemorySwitches();
  const id = '00000000000000a1';
  s.dps.set(id, {
    datapath_id: id,
    version: '1.3',
    peer: '127.0.0.1:51234',
    connected_at: now - 60_000,
    n_tables: 254,
    ports: [
      {
        port_no: 1,
        name: 'vnet-web-1',
        hw_addr: 'fe:54:00:00:00:01',
        link_down: false,
        admin_down: false,
        curr_speed_kbps: 10_000_000,
        stats: {
          rx_packets: 1200,
          tx_packets: 1100,
          rx_bytes: 1_500_000,
          tx_bytes: 1_300_000,
          rx_dropped: 0,
          tx_dropped: 0,
          rx_errors: 0,
          tx_errors: 0,
          duration_sec: 60,
        },
      },
      {
        port_no: 2,
        name: 'vnet-web-2',
        hw_addr: 'fe:54:00:00:00:02',
        link_down: false,
        admin_down: false,
        stats: {
          rx_packets: 900,
          tx_packets: 800,
          rx_bytes: 900_000,
          tx_bytes: 850_000,
          rx_dropped: 1,
          tx_dropped: 0,
          rx_errors: 0,
          tx_errors: 0,
        },
      },
      { port_no: 3, name: 'uplink', hw_addr: 'fe:54:00:00:00:ff', link_down: true, admin_down: false },
    ],
  });
  s.flows.set(id, [
    {
      table_id: 0,
      priority: 0,
      cookie: '0000000000000000',
      match: {},
      actions: ['CONTROLLER:65535'],
      packet_count: 42,
      byte_count: 4200,
      duration_sec: 60,
      idle_timeout: 0,
      hard_timeout: 0,
    },
    {
      table_id: 0,
      priority: 200,
      cookie: '4c42000000000001',
      match: { in_port: '3', eth_type: '0x0800', ip_dst: '10.213.9.100', eth_src: '02:00:00:00:00:09' },
      actions: ['set_field:52:54:00:00:00:01->eth_dst', 'set_field:10.213.9.11->ip_dst', 'output:1'],
      packet_count: 120,
      byte_count: 98_000,
      duration_sec: 12,
      idle_timeout: 300,
      hard_timeout: 0,
      owner: 'load-balancer',
    },
  ]);
  return s;
}

export class MemoryTraffic implements TrafficView {
  readonly windowSeconds = 10;
  flows: TrafficFlow[] = [
    {
      src_mac: '02:00:00:00:00:09',
      dst_mac: '52:54:00:00:00:01',
      src_ip: '10.213.9.9',
      dst_ip: '10.213.9.11',
      ip_protocol: 6,
      src_port: 40000,
      dst_port: 80,
      bytes_per_s: 50_000,
      packets_per_s: 40,
      agent: '10.213.9.1',
    },
    {
      src_mac: '02:00:00:00:00:0a',
      dst_mac: '52:54:00:00:00:02',
      src_ip: '10.213.9.10',
      dst_ip: '10.213.9.12',
      ip_protocol: 17,
      src_port: 5000,
      dst_port: 53,
      bytes_per_s: 900,
      packets_per_s: 300,
    },
  ];
  vms: VmTraffic[] = [
    {
      mac: '52:54:00:00:00:01',
      vm_uuid: '6f1c6a52-1111-4c1e-9a51-000000000001',
      vm_name: 'web-1',
      rx_bytes_per_s: 50_000,
      tx_bytes_per_s: 120_000,
      rx_packets_per_s: 40,
      tx_packets_per_s: 90,
    },
  ];

  async topFlows(opts: { limit: number; by: 'bytes' | 'packets' }) {
    const key = opts.by === 'bytes' ? 'bytes_per_s' : 'packets_per_s';
    return [...this.flows].sort((a, b) => b[key] - a[key]).slice(0, opts.limit);
  }
  async vmTraffic() {
    return this.vms;
  }
}

export class MemoryInternals implements InternalsView {
  state: Internals = {
    controller: { switchesConnected: 1, packetIns: 1234, packetOuts: 1200, flowMods: 56, errorsReceived: 0 },
    collector: {
      datagrams: 9000,
      flowSamples: 30_000,
      counterSamples: 4000,
      drops: { decode_error: 3, unknown_agent: 1 },
    },
    monitor: {
      hosts: [
        {
          host: 'qemu+tcp://compute-1/system',
          polls: 120,
          errors: 2,
          durationSecondsTotal: 3.5,
          lastDurationSeconds: 0.021,
          connected: true,
        },
      ],
    },
  };
  internals() {
    return this.state;
  }
}
