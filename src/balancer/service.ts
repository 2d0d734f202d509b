// The load balancer as a service: what the REST API (and later Octavia's own API) consumes. The API knows
// no controller or app class: `vigil up` hands it an implementation of this (the load-balancer app's
// service, src/apps/load-balancer/lb-service.ts). Changes take effect on the switches before the returned
// promise resolves; every method throws ServiceError for unknown ids, conflicts and bad input.

import Type, { type Static } from 'typebox';
import type {
  HealthMonitor,
  HealthMonitorCreate,
  HealthMonitorUpdate,
  LoadBalancer,
  LoadBalancerCreate,
  LoadBalancerUpdate,
  Member,
  MemberCreate,
  MemberUpdate,
  Pool,
  PoolCreate,
  PoolUpdate,
} from './objects.js';
import { Id, Ipv4 } from './objects.js';

/**
 * A failure the service reports to the caller: an unknown object (404), a conflict with the current state
 * (409), or input that is well-formed but wrong (400, naming the field).
 */
export class ServiceError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'invalid',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

const Count = (description: string) => Type.Integer({ minimum: 0, description });

/**
 * Octavia's statistics, with its field names, counted from the client flows: bytes and packets at the one
 * bridge where each client flow is rewritten, monotonic since the start of the process that counts them.
 */
export const Stats = Type.Object({
  bytes_in: Count('bytes from clients to the VIP'),
  bytes_out: Count('bytes from the VIP back to clients'),
  packets_in: Count('packets from clients to the VIP'),
  packets_out: Count('packets from the VIP back to clients'),
  active_connections: Count('clients whose flows are installed now'),
  total_connections: Count('times a client’s flows were installed since start'),
  request_errors: Count('requests that failed; Vigil forwards at layer 4 and sees none, so this is 0'),
  active_clients: Count('clients with a live affinity entry'),
  total_clients: Count('clients placed since start'),
});
export type Stats = Static<typeof Stats>;

export const MemberStats = Type.Object({ member_id: Id, ...Stats.properties });
export type MemberStats = Static<typeof MemberStats>;

export const PoolStats = Type.Object({ ...Stats.properties, members: Type.Array(MemberStats) });
export type PoolStats = Static<typeof PoolStats>;

/** One placement decision: "client X went to VM Y because ...". */
export const Placement = Type.Object({
  time: Type.Number({ minimum: 0, description: 'milliseconds since the epoch' }),
  pool_id: Id,
  client: Type.String({ description: 'client key: MAC or IP, as the pool persists sessions' }),
  member_id: Id,
  member_address: Type.Optional(Ipv4),
  vm_uuid: Type.Optional(Type.String()),
  vm_name: Type.Optional(Type.String()),
  algorithm: Type.String(),
  reason: Type.String({ description: 'why this member, in words' }),
  scores: Type.Optional(
    Type.Record(Type.String(), Type.Number(), { description: 'candidate member id -> score' }),
  ),
});
export type Placement = Static<typeof Placement>;

export interface BalancerService {
  /** Algorithm names accepted in lb_algorithm. */
  algorithms(): readonly string[];

  listLoadBalancers(): Promise<LoadBalancer[]>;
  getLoadBalancer(id: string): Promise<LoadBalancer | undefined>;
  createLoadBalancer(input: LoadBalancerCreate): Promise<LoadBalancer>;
  updateLoadBalancer(id: string, patch: LoadBalancerUpdate): Promise<LoadBalancer>;
  /** Without cascade, a load balancer that still has pools is a conflict (as in Octavia). */
  deleteLoadBalancer(id: string, opts: { cascade: boolean }): Promise<void>;
  loadBalancerStats(id: string): Promise<Stats>;

  listPools(filter?: { loadbalancerId?: string }): Promise<Pool[]>;
  getPool(id: string): Promise<Pool | undefined>;
  createPool(input: PoolCreate): Promise<Pool>;
  updatePool(id: string, patch: PoolUpdate): Promise<Pool>;
  /** Removes the pool with its members, health monitor, flows and affinity entries. */
  deletePool(id: string): Promise<void>;
  poolStats(id: string): Promise<PoolStats>;

  listMembers(poolId: string): Promise<Member[]>;
  getMember(poolId: string, memberId: string): Promise<Member | undefined>;
  createMember(poolId: string, input: MemberCreate): Promise<Member>;
  updateMember(poolId: string, memberId: string, patch: MemberUpdate): Promise<Member>;
  deleteMember(poolId: string, memberId: string): Promise<void>;

  listHealthMonitors(): Promise<HealthMonitor[]>;
  getHealthMonitor(id: string): Promise<HealthMonitor | undefined>;
  createHealthMonitor(input: HealthMonitorCreate): Promise<HealthMonitor>;
  updateHealthMonitor(id: string, patch: HealthMonitorUpdate): Promise<HealthMonitor>;
  deleteHealthMonitor(id: string): Promise<void>;

  /** Newest first. */
  placements(opts: { poolId?: string; limit: number }): Promise<Placement[]>;
}
