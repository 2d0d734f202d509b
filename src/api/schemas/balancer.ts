// The load-balancing routes' shapes: the objects, bodies, statistics and placements are the load
// balancer's own (src/balancer/objects.ts, src/balancer/service.ts), in Octavia v2's field names and
// status enums; this adds what only the API has: the affinity table's entries as it shows them.

import Type from 'typebox';
import { EpochMs } from './common.js';

export {
  HealthMonitor,
  HealthMonitorCreate,
  HealthMonitorUpdate,
  LoadBalancer,
  LoadBalancerCreate,
  LoadBalancerUpdate,
  Member,
  MemberCreate,
  MemberUpdate,
  OperatingStatus,
  Pool,
  PoolCreate,
  PoolUpdate,
} from '../../balancer/objects.js';
export { MemberStats, Placement, PoolStats, Stats } from '../../balancer/service.js';

export const AffinityEntry = Type.Object({
  pool: Type.String(),
  client: Type.String(),
  member: Type.String(),
  created: EpochMs,
  lastSeen: EpochMs,
  expiresAt: EpochMs,
});
