// Prometheus exposition (text format 0.0.4) of the VMs' latest samples, the pools and members, and the
// internals of the controller, collector and monitor. Values are read at scrape time: every scrape
// resets the families and sets them from the current state, so a VM that is gone disappears.

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { withStaleness } from '../store/sample-staleness.js';
import type { Store } from '../store/store.js';
import type { VmSample } from '../store/vm-sample.js';
import type { BalancerService, InternalsView } from './providers.js';
import type { EventHub } from './event-stream.js';
import { OperatingStatus, type Stats } from './schemas/balancer.js';

export interface MetricsDeps {
  store: Store;
  balancer?: BalancerService;
  internals?: InternalsView;
  events?: EventHub;
}

// Labels: VMs carry vm, uuid, host, project (+ interface or device); pools carry pool, pool_name,
// loadbalancer; members carry pool, member, address, vm (+ status).
const STATUSES = OperatingStatus.enum as readonly string[];

type Labels = Record<string, string>;

/** Sample metrics that map one-to-one onto a VM gauge: metric key -> [family, help, scale]. */
const VM_GAUGES: ReadonlyArray<readonly [string, string, string, number]> = [
  ['cpu.percent', 'vigil_vm_cpu_percent', 'CPU use as a percentage of the VM’s vCPU capacity', 1],
  ['vcpu.count', 'vigil_vm_vcpus', 'vCPUs of the VM', 1],
  ['memory.used_bytes', 'vigil_vm_memory_used_bytes', 'memory the guest uses (balloon statistics)', 1],
  ['memory.current_bytes', 'vigil_vm_memory_current_bytes', 'memory assigned to the VM', 1],
  ['memory.rss_bytes', 'vigil_vm_memory_rss_bytes', 'resident memory of the VM’s QEMU process', 1],
  ['memory.available_bytes', 'vigil_vm_memory_available_bytes', 'memory the guest sees', 1],
];
const VM_COUNTERS: ReadonlyArray<readonly [string, string, string, number]> = [
  ['cpu.time_ns', 'vigil_vm_cpu_seconds_total', 'CPU time used by the VM', 1e-9],
];

/** Per-device counters and rates: sample key suffix -> [family, help]. */
const NIC_FAMILIES: Record<string, readonly [string, string, 'counter' | 'gauge']> = {
  rx_bytes: ['vigil_vm_network_receive_bytes_total', 'bytes received by the VM’s vNIC', 'counter'],
  tx_bytes: ['vigil_vm_network_transmit_bytes_total', 'bytes sent by the VM’s vNIC', 'counter'],
  rx_packets: ['vigil_vm_network_receive_packets_total', 'packets received by the VM’s vNIC', 'counter'],
  tx_packets: ['vigil_vm_network_transmit_packets_total', 'packets sent by the VM’s vNIC', 'counter'],
  rx_errors: ['vigil_vm_network_receive_errors_total', 'receive errors of the VM’s vNIC', 'counter'],
  tx_errors: ['vigil_vm_network_transmit_errors_total', 'transmit errors of the VM’s vNIC', 'counter'],
  rx_drops: ['vigil_vm_network_receive_drops_total', 'received packets dropped at the VM’s vNIC', 'counter'],
  tx_drops: ['vigil_vm_network_transmit_drops_total', 'sent packets dropped at the VM’s vNIC', 'counter'],
  rx_bytes_per_s: ['vigil_vm_network_receive_bytes_per_second', 'receive rate over the last poll', 'gauge'],
  tx_bytes_per_s: ['vigil_vm_network_transmit_bytes_per_second', 'transmit rate over the last poll', 'gauge'],
  rx_packets_per_s: ['vigil_vm_network_receive_packets_per_second', 'receive packet rate', 'gauge'],
  tx_packets_per_s: ['vigil_vm_network_transmit_packets_per_second', 'transmit packet rate', 'gauge'],
};
const DISK_FAMILIES: Record<string, readonly [string, string, 'counter' | 'gauge']> = {
  read_bytes: ['vigil_vm_disk_read_bytes_total', 'bytes read by the VM from the disk', 'counter'],
  write_bytes: ['vigil_vm_disk_write_bytes_total', 'bytes written by the VM to the disk', 'counter'],
  read_requests: ['vigil_vm_disk_read_requests_total', 'read requests to the disk', 'counter'],
  write_requests: ['vigil_vm_disk_write_requests_total', 'write requests to the disk', 'counter'],
  read_bytes_per_s: ['vigil_vm_disk_read_bytes_per_second', 'disk read rate over the last poll', 'gauge'],
  write_bytes_per_s: ['vigil_vm_disk_write_bytes_per_second', 'disk write rate over the last poll', 'gauge'],
};

/** Splits `net.vnet0.rx_bytes` into device and suffix; undefined for totals like `net.rx_bytes_per_s`. */
export function deviceMetric(key: string, prefix: 'net.' | 'disk.'): [string, string] | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const rest = key.slice(prefix.length);
  const dot = rest.indexOf('.');
  if (dot <= 0 || rest.indexOf('.', dot + 1) !== -1) return undefined;
  return [rest.slice(0, dot), rest.slice(dot + 1)];
}

export function vmLabels(s: VmSample): Labels {
  return {
    vm: s.name,
    uuid: s.uuid,
    host: s.host,
    project: s.nova?.project?.name ?? s.nova?.project?.uuid ?? '',
  };
}

type Family = Gauge<string> | Counter<string>;

/** The load balancer's statistics (balancer/service.ts) as families of vigil_pool_* and vigil_member_*. */
const LB_STATS: ReadonlyArray<[keyof Stats, string, 'gauge' | 'counter', string]> = [
  ['active_clients', 'active_clients', 'gauge', 'clients with a live affinity entry'],
  ['total_clients', 'clients_total', 'counter', 'clients placed since start'],
  ['active_connections', 'active_connections', 'gauge', 'clients whose flows are installed now'],
  ['total_connections', 'connections_total', 'counter', 'times a client’s flows were installed since start'],
  ['bytes_in', 'bytes_in_total', 'counter', 'bytes from clients to the VIP'],
  ['bytes_out', 'bytes_out_total', 'counter', 'bytes from the VIP to clients'],
  ['packets_in', 'packets_in_total', 'counter', 'packets from clients to the VIP'],
  ['packets_out', 'packets_out_total', 'counter', 'packets from the VIP to clients'],
];

/** prom-client's process metrics whose names break the conventions (a gauge ending in _total). */
const MISNAMED_PROCESS_GAUGES = [
  'vigil_nodejs_active_handles_total',
  'vigil_nodejs_active_requests_total',
  'vigil_nodejs_active_resources_total',
];

export class VigilMetrics {
  readonly registry = new Registry();
  private readonly families = new Map<string, Family>();

  constructor(
    private readonly deps: MetricsDeps,
    opts: { processMetrics?: boolean } = {},
  ) {
    if (opts.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: 'vigil_' });
      // Gauges named like counters; each is the sum of its family by type (nodejs_active_handles{type}).
      for (const name of MISNAMED_PROCESS_GAUGES) this.registry.removeSingleMetric(name);
    }
  }

  private family(kind: 'gauge' | 'counter', name: string, help: string, labels: readonly string[]): Family {
    let f = this.families.get(name);
    if (!f) {
      const cfg = { name, help, labelNames: [...labels], registers: [this.registry] };
      f = kind === 'gauge' ? new Gauge(cfg) : new Counter(cfg);
      this.families.set(name, f);
    }
    return f;
  }

  private put(kind: 'gauge' | 'counter', name: string, help: string, labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return;
    const f = this.family(kind, name, help, Object.keys(labels));
    if (f instanceof Gauge) f.set(labels, value);
    else if (value >= 0) f.inc(labels, value);
  }

  /** Reads the current state and renders the exposition text. */
  async render(now = Date.now()): Promise<string> {
    const samples = await this.deps.store.listSamples();
    const pools = this.deps.balancer ? await this.poolFigures() : [];
    const internals = this.deps.internals?.internals();

    for (const f of this.families.values()) f.reset();

    for (const s of samples) {
      const l = vmLabels(s);
      this.put(
        'gauge',
        'vigil_vm_stale',
        'the VM’s latest sample is stale (1) or fresh (0)',
        l,
        withStaleness(s, now).stale ? 1 : 0,
      );
      this.put(
        'gauge',
        'vigil_vm_running',
        'the VM’s domain is running (1) or not (0)',
        l,
        s.state === 'running' ? 1 : 0,
      );
      this.put(
        'gauge',
        'vigil_vm_sample_age_seconds',
        'age of the VM’s latest sample',
        l,
        Math.max(0, (now - s.time) / 1000),
      );
      for (const [key, name, help, scale] of VM_GAUGES) {
        const v = s.metrics[key];
        if (v !== undefined) this.put('gauge', name, help, l, v * scale);
      }
      for (const [key, name, help, scale] of VM_COUNTERS) {
        const v = s.metrics[key];
        if (v !== undefined) this.put('counter', name, help, l, v * scale);
      }
      for (const [key, v] of Object.entries(s.metrics)) {
        const net = deviceMetric(key, 'net.');
        if (net) {
          const fam = NIC_FAMILIES[net[1]];
          if (fam) this.put(fam[2], fam[0], fam[1], { ...l, interface: net[0] }, v);
          continue;
        }
        const disk = deviceMetric(key, 'disk.');
        const fam = disk && DISK_FAMILIES[disk[1]];
        if (disk && fam) this.put(fam[2], fam[0], fam[1], { ...l, device: disk[0] }, v);
      }
    }

    for (const p of pools) {
      const pl = { pool: p.id, pool_name: p.name, loadbalancer: p.loadbalancer };
      for (const [field, name, kind, help] of LB_STATS)
        this.put(kind, `vigil_pool_${name}`, `${help} (the pool)`, pl, p.stats[field]);
      this.put('gauge', 'vigil_pool_members', 'members of the pool', pl, p.members.length);
      for (const m of p.members) {
        const ml = { pool: p.id, member: m.id, address: m.address, vm: m.vm };
        const ms = p.stats.members.find((x) => x.member_id === m.id);
        this.put('gauge', 'vigil_member_weight', 'the member’s weight', ml, m.weight);
        for (const st of STATUSES) {
          this.put(
            'gauge',
            'vigil_member_operating_status',
            'the member’s operating status (1 for the current one)',
            { ...ml, status: st },
            m.status === st ? 1 : 0,
          );
        }
        if (!ms) continue;
        for (const [field, name, kind, help] of LB_STATS)
          this.put(kind, `vigil_member_${name}`, `${help} (the member)`, ml, ms[field]);
      }
    }

    const c = internals?.controller;
    if (c) {
      this.put(
        'gauge',
        'vigil_openflow_switches_connected',
        'switches connected to the controller',
        {},
        c.switchesConnected,
      );
      this.put('counter', 'vigil_openflow_packet_ins_total', 'packet-in messages received', {}, c.packetIns);
      this.put('counter', 'vigil_openflow_packet_outs_total', 'packet-out messages sent', {}, c.packetOuts);
      this.put('counter', 'vigil_openflow_flow_mods_total', 'flow-mod messages sent', {}, c.flowMods);
      this.put(
        'counter',
        'vigil_openflow_errors_received_total',
        'OpenFlow error messages received',
        {},
        c.errorsReceived,
      );
      for (const [reason, n] of Object.entries(c.droppedMessages ?? {})) {
        this.put(
          'counter',
          'vigil_openflow_dropped_messages_total',
          'packet-in and flow-removed messages that never reached the apps, by reason',
          { reason },
          n,
        );
      }
    }
    const col = internals?.collector;
    if (col) {
      this.put('counter', 'vigil_sflow_datagrams_total', 'sFlow datagrams received', {}, col.datagrams);
      this.put(
        'counter',
        'vigil_sflow_flow_samples_total',
        'sFlow flow samples decoded',
        {},
        col.flowSamples,
      );
      this.put(
        'counter',
        // sFlow's own name (counters_sample): a counter's name must not contain the word "counter".
        'vigil_sflow_counters_samples_total',
        'sFlow counters samples decoded',
        {},
        col.counterSamples,
      );
      for (const [reason, n] of Object.entries(col.drops)) {
        this.put(
          'counter',
          'vigil_sflow_dropped_datagrams_total',
          'sFlow datagrams dropped, by reason',
          { reason },
          n,
        );
      }
    }
    for (const h of internals?.monitor?.hosts ?? []) {
      const hl = { host: h.host };
      this.put('counter', 'vigil_libvirt_polls_total', 'libvirt stats polls', hl, h.polls);
      this.put('counter', 'vigil_libvirt_poll_errors_total', 'libvirt stats polls that failed', hl, h.errors);
      this.put(
        'counter',
        'vigil_libvirt_poll_duration_seconds_total',
        'time spent in libvirt stats polls',
        hl,
        h.durationSecondsTotal,
      );
      if (h.lastDurationSeconds !== undefined) {
        this.put(
          'gauge',
          'vigil_libvirt_poll_last_duration_seconds',
          'duration of the latest libvirt poll',
          hl,
          h.lastDurationSeconds,
        );
      }
      this.put(
        'gauge',
        'vigil_libvirt_connected',
        'the libvirt connection is up (1) or not (0)',
        hl,
        h.connected ? 1 : 0,
      );
    }
    if (this.deps.events) {
      this.put(
        'gauge',
        'vigil_api_event_stream_clients',
        'clients connected to the event stream',
        {},
        this.deps.events.size,
      );
      this.put(
        'counter',
        'vigil_api_event_stream_dropped_clients_total',
        'event-stream clients dropped for being too slow',
        {},
        this.deps.events.dropped,
      );
    }
    return this.registry.metrics();
  }

  private async poolFigures() {
    const b = this.deps.balancer!;
    const out = [];
    for (const p of await b.listPools()) {
      const [members, stats] = await Promise.all([b.listMembers(p.id), b.poolStats(p.id)]);
      out.push({
        id: p.id,
        name: p.name,
        loadbalancer: p.loadbalancer_id,
        stats,
        members: members.map((m) => ({
          id: m.id,
          address: m.address,
          vm: m.vm_uuid ?? '',
          weight: m.weight,
          status: m.operating_status,
        })),
      });
    }
    return out;
  }
}
