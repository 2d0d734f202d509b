// Compute hosts summed from their VMs' latest samples: the API's /hosts, and the dashboard's host cards
// from the samples it holds. Pure.

import type { VmSample } from '../store/vm-sample.js';
import type { ComputeHost } from './schemas/vms.js';

const num = (s: VmSample, k: string): number => s.metrics[k] ?? 0;

export function summariseHosts(samples: readonly VmSample[]): ComputeHost[] {
  const byHost = new Map<string, ComputeHost & { cpuWeighted: number; cpuVcpus: number }>();
  for (const s of samples) {
    const name = s.host;
    let h = byHost.get(name);
    if (!h) {
      h = {
        name,
        vms: 0,
        running: 0,
        stale: 0,
        vcpus: 0,
        cpu_percent: null,
        memory_used_bytes: 0,
        net_rx_bytes_per_s: 0,
        net_tx_bytes_per_s: 0,
        last_sample: null,
        cpuWeighted: 0,
        cpuVcpus: 0,
      };
      byHost.set(name, h);
    }
    h.vms++;
    if (s.state === 'running') h.running++;
    if (s.stale) h.stale++;
    const vcpus = s.metrics['vcpu.count'] ?? 1;
    h.vcpus += s.metrics['vcpu.count'] ?? 0;
    const cpu = s.metrics['cpu.percent'];
    if (cpu !== undefined) {
      h.cpuWeighted += cpu * vcpus;
      h.cpuVcpus += vcpus;
    }
    h.memory_used_bytes += s.metrics['memory.used_bytes'] ?? s.metrics['memory.rss_bytes'] ?? 0;
    h.net_rx_bytes_per_s += num(s, 'net.rx_bytes_per_s');
    h.net_tx_bytes_per_s += num(s, 'net.tx_bytes_per_s');
    h.last_sample = Math.max(h.last_sample ?? 0, s.time);
  }
  return [...byHost.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ cpuWeighted, cpuVcpus, ...h }) => ({
      ...h,
      cpu_percent: cpuVcpus > 0 ? cpuWeighted / cpuVcpus : null,
    }));
}
