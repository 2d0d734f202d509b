// Octavia's operating status: a member's from its admin state, weight, health and VM; a pool's rolled up
// from its members; a load balancer's from its pools.

import type { Member, OperatingStatus } from './objects.js';
import type { VmServing } from './vm-serving.js';

/** What the running load balancer knows of a member (absent: it is not served yet). */
export interface MemberLiveState {
  /** The health monitor's verdict. */
  healthy: boolean;
  /** What its VM can do (vm-serving.ts). */
  vm: VmServing;
}

const SERVING = new Set<OperatingStatus>(['ONLINE', 'NO_MONITOR']);

export function memberOperatingStatus(
  m: Pick<Member, 'admin_state_up' | 'weight' | 'backup'>,
  monitored: boolean,
  live: MemberLiveState | undefined,
): OperatingStatus {
  if (!m.admin_state_up) return 'OFFLINE';
  if (live?.vm === 'gone') return 'ERROR';
  // Paused or moving: it keeps its clients and takes no new ones, as a member being drained does.
  if (m.weight === 0 || m.backup || live?.vm === 'suspended') return 'DRAINING';
  if (!monitored) return 'NO_MONITOR';
  return live?.healthy === false ? 'ERROR' : 'ONLINE';
}

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
