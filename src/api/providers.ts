// What the API consumes. The API knows no controller, collector or balancer class: `vigil up` hands it
// objects with these shapes, and a route whose provider is absent answers 503.

import type {
  HealthMonitor,
  HealthMonitorCreate,
  HealthMonitorUpdate,
  LoadBalancer,
  LoadBalancerCreate,
  LoadBalancerUpdate,
  Member,
  MemberCreate,
  MemberStats,
  MemberUpdate,
  Placement,
  Pool,
  PoolCreate,
  PoolUpdate,
  Stats,
} from './schemas/balancer.js';
import type { Datapath, FlowEntry } from './schemas/switches.js';
import type { TrafficFlow, VmTraffic } from './schemas/traffic.js';

/** The switches connected to the controller. */
export interface SwitchView {
  datapaths(): Promise<Datapath[]>;
  /** One datapath by its canonical id (16 lowercase hex digits); undefined when not connected. */
  datapath(datapathId: string): Promise<Datapath | undefined>;
  /** The datapath's flow entries (from a flow stats request); undefined when not connected. */
  flowTable(datapathId: string): Promise<FlowEntry[] | undefined>;
}

/** Traffic estimated from sFlow samples. */
export interface TrafficView {
  /** Seconds the rates are computed over. */
  readonly windowSeconds: number;
  topFlows(opts: { limit: number; by: 'bytes' | 'packets' }): Promise<TrafficFlow[]>;
  vmTraffic(): Promise<VmTraffic[]>;
}

/**
 * A failure the balancer reports to the caller: an unknown object (404), a conflict with the current
 * state (409), or input that is well-formed but wrong (400, naming the field).
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

/**
 * Load-balancer configuration and state, Octavia-like. Changes take effect on the switches before the
 * returned promise resolves. Every method throws ServiceError for unknown ids, conflicts and bad input.
 */
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
  poolStats(id: string): Promise<Stats & { members: MemberStats[] }>;

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

/** Per-host libvirt polling figures. */
export interface LibvirtPollFigures {
  host: string;
  polls: number;
  errors: number;
  /** Sum of the durations of every poll, in seconds. */
  durationSecondsTotal: number;
  lastDurationSeconds?: number;
  connected: boolean;
}

/** Counters of the controller, collector and monitor, all monotonic since start unless noted. */
export interface Internals {
  controller?: {
    switchesConnected: number;
    packetIns: number;
    packetOuts: number;
    flowMods: number;
    errorsReceived: number;
    /** Packet-ins and flow-removed messages that never reached the apps, by reason. */
    droppedMessages?: Record<string, number>;
  };
  collector?: {
    datagrams: number;
    flowSamples: number;
    counterSamples: number;
    /** Datagrams dropped, by reason (decode_error, unknown_agent, too_large, ...). */
    drops: Record<string, number>;
  };
  monitor?: { hosts: LibvirtPollFigures[] };
}

export interface InternalsView {
  internals(): Internals;
}
