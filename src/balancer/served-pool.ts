// What the load-balancer policy serves: one pool on its VIP address and port, resolved from the objects
// (catalog.ts) into the few fields the packet-in path reads — the member's port defaulted to the pool's,
// a backup member as weight 0, the load balancer's and the pool's admin state as one. The pool's id names
// the served VIP port everywhere: its runtime state, its affinity table, its flows and its statistics.

import type { AlgorithmName } from './objects.js';

export interface ServedMember {
  id: string;
  address: string;
  port: number;
  /** 0: no new clients (drained, or a backup member). */
  weight: number;
  adminStateUp: boolean;
  /** The libvirt domain whose metrics score the member. */
  vm?: string;
  /** Fixed MAC; otherwise learned from the member's ARP. */
  mac?: string;
}

/** A health monitor as the prober runs it (Octavia's max_retries is `rise`, max_retries_down `fall`). */
export interface ServedHealthMonitor {
  type: 'TCP' | 'HTTP';
  delaySeconds: number;
  timeoutSeconds: number;
  rise: number;
  fall: number;
  httpMethod: 'GET' | 'HEAD';
  urlPath: string;
  expectedCodes: string;
}

export interface ServedPool {
  /** The pool's id. */
  id: string;
  loadBalancerId: string;
  /** False when the load balancer or the pool is disabled: the VIP port is withdrawn. */
  adminStateUp: boolean;
  vip: { address: string; port: number; mac?: string };
  algorithm: AlgorithmName;
  persistence: { type: 'SOURCE_MAC' | 'SOURCE_IP'; timeoutSeconds: number };
  /** In pool order (the order the algorithms see them in). */
  members: ServedMember[];
  healthMonitor?: ServedHealthMonitor;
}

/**
 * What holds across served pools: ids unique, one pool per VIP address and port, no VIP address that is
 * also a member's. One line per problem; empty when the set is consistent.
 */
export function checkServedPools(pools: readonly ServedPool[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const services = new Map<string, string>();
  const vipAddresses = new Set(pools.map((p) => p.vip.address));
  for (const p of pools) {
    if (ids.has(p.id)) problems.push(`pool ${p.id}: the id is used twice`);
    ids.add(p.id);
    const service = `${p.vip.address}:${p.vip.port}`;
    const other = services.get(service);
    if (other !== undefined) problems.push(`pool ${p.id}: VIP ${service} is already pool ${other}'s`);
    services.set(service, p.id);
    const members = new Set<string>();
    for (const m of p.members) {
      if (members.has(m.id)) problems.push(`pool ${p.id}: member id ${m.id} is used twice`);
      members.add(m.id);
      if (vipAddresses.has(m.address))
        problems.push(`pool ${p.id}: member ${m.id} has a VIP's address ${m.address}`);
    }
  }
  return problems;
}
