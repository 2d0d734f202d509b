// Octavia's roll-up of operating status: a pool from its members, a load balancer from its pools.

import type { OperatingStatus } from './schemas/balancer.js';

const SERVING = new Set<OperatingStatus>(['ONLINE', 'NO_MONITOR']);

/** OFFLINE when disabled; ONLINE when every member serves (or there are none); ERROR when none does. */
export function poolOperatingStatus(
  adminStateUp: boolean,
  members: readonly OperatingStatus[],
): OperatingStatus {
  if (!adminStateUp) return 'OFFLINE';
  const up = members.filter((s) => SERVING.has(s)).length;
  if (members.length === 0 || up === members.length) return 'ONLINE';
  return up === 0 ? 'ERROR' : 'DEGRADED';
}

/** OFFLINE when disabled; ONLINE when every pool is; ERROR when every pool is in error; else DEGRADED. */
export function loadBalancerOperatingStatus(
  adminStateUp: boolean,
  pools: readonly OperatingStatus[],
): OperatingStatus {
  if (!adminStateUp) return 'OFFLINE';
  const bad = pools.filter((s) => s !== 'ONLINE').length;
  if (bad === 0) return 'ONLINE';
  return pools.every((s) => s === 'ERROR') ? 'ERROR' : 'DEGRADED';
}
