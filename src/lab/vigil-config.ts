// The configuration the lab starts Vigil with: its listeners on loopback at the lab's ports, the store
// (embedded, or Redis), libvirt of this host, and one load balancer: the lab's VIP in front of a pool of
// every lab VM, as Octavia-shaped objects (see src/balancer/objects.ts).

import type { LoadBalancer } from '../balancer/objects.js';
import type { LabState } from './lab-state.js';

export interface VigilLabConfig {
  log: { level: string; format: 'json' };
  store: { kind: 'memory' | 'redis'; redisUrl?: string; keyPrefix?: string };
  controller: { listen: string };
  collector: { listen: string };
  monitor: { libvirt: string[]; intervalSeconds: number };
  api: { listen: string; token: string };
  loadBalancers: LoadBalancer[];
}

export function labLoadBalancer(s: LabState): LoadBalancer {
  return {
    id: `${s.prefix}-web`,
    name: `${s.prefix} web and music`,
    adminStateUp: true,
    vip: { address: s.vip, port: 80, protocol: 'HTTP' },
    pool: {
      id: `${s.prefix}-pool`,
      algorithm: s.options.algorithm as LoadBalancer['pool']['algorithm'],
      // As in the paper: a client is known by its source MAC and keeps its VM.
      sessionPersistence: { type: 'SOURCE_MAC', timeoutSeconds: 3600 },
      members: s.domains.map((d) => ({
        id: d.name,
        address: d.ip,
        port: 80,
        weight: 1,
        adminStateUp: true,
        mac: d.mac,
        ...(d.uuid ? { vm: d.uuid } : {}),
      })),
    },
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
