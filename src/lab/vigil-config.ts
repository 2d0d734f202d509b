// The configuration the lab starts Vigil with: its listeners on loopback at the lab's ports, the store
// (embedded, or Redis), libvirt of this host, and one load balancer: the lab's VIP in front of a pool of
// every lab VM, as an Octavia fully populated load balancer (see src/balancer/objects.ts).

import type { AlgorithmName, ConfigLoadBalancer } from '../balancer/objects.js';
import type { LabState } from './lab-state.js';

export interface VigilLabConfig {
  log: { level: string; format: 'json' };
  store: { kind: 'memory' | 'redis'; redisUrl?: string; keyPrefix?: string };
  controller: { listen: string };
  collector: { listen: string };
  monitor: { libvirt: string[]; intervalSeconds: number };
  api: { listen: string; token: string };
  loadBalancers: ConfigLoadBalancer[];
}

export function labLoadBalancer(s: LabState): ConfigLoadBalancer {
  return {
    id: `${s.prefix}-web`,
    name: `${s.prefix} web and music`,
    vip_address: s.vip,
    pools: [
      {
        id: `${s.prefix}-pool`,
        name: `${s.prefix} VMs`,
        protocol: 'TCP',
        protocol_port: 80,
        lb_algorithm: s.options.algorithm as AlgorithmName,
        // As in the paper: a client is known by its source MAC and keeps its VM.
        session_persistence: { type: 'SOURCE_MAC', idle_timeout_seconds: 3600 },
        members: s.domains.map((d) => ({
          id: d.name,
          name: d.name,
          address: d.ip,
          protocol_port: 80,
          mac_address: d.mac,
          ...(d.uuid ? { vm_uuid: d.uuid } : {}),
        })),
      },
    ],
  };
}

export function vigilConfig(s: LabState, token: string): VigilLabConfig {
  const o = s.options;
  return {
    log: { level: 'info', format: 'json' },
    store: o.redisUrl ? { kind: 'redis', redisUrl: o.redisUrl, keyPrefix: s.prefix } : { kind: 'memory' },
    controller: { listen: `127.0.0.1:${o.controllerPort}` },
    collector: { listen: `127.0.0.1:${o.collectorPort}` },
    monitor: { libvirt: [s.libvirtUri], intervalSeconds: 2 },
    api: { listen: `127.0.0.1:${o.apiPort}`, token },
    loadBalancers: [labLoadBalancer(s)],
  };
}
