// An in-memory BalancerService for API and dashboard tests: Octavia-like objects, statuses that follow
// health and admin state, placements through the store's affinity table, events on the store.

import { loadBalancerOperatingStatus, poolOperatingStatus } from '../../../src/api/octavia-status.js';
import { randomUUID } from 'node:crypto';
import { Channels, type Store } from '../../../src/store/store.js';
import { ServiceError, type BalancerService } from '../../../src/api/providers.js';
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
  OperatingStatus,
  Placement,
  Pool,
  PoolCreate,
  PoolUpdate,
  Stats,
} from '../../../src/api/schemas/balancer.js';

const iso = (ms: number) => new Date(ms).toISOString();

export class MemoryBalancer implements BalancerService {
  readonly lbs = new Map<string, LoadBalancer>();
  readonly pools = new Map<string, Pool>();
  readonly members = new Map<string, Member>();
  readonly monitors = new Map<string, HealthMonitor>();
  readonly log: Placement[] = [];
  /** Health as the monitor last saw it; members without an entry are healthy. */
  readonly health = new Map<string, boolean>();
  private readonly traffic = new Map<string, { in: number; out: number; total: number }>();
  /** Every change applied, in order: stands in for the flow-mods a real balancer sends. */
  readonly applied: string[] = [];

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  algorithms(): readonly string[] {
    return ['LEAST_CPU', 'LEAST_CLIENTS', 'ROUND_ROBIN'];
  }

  // Load balancers.
  async listLoadBalancers() {
    return [...this.lbs.values()].map((lb) => this.lbView(lb));
  }
  async getLoadBalancer(id: string) {
    const lb = this.lbs.get(id);
    return lb && this.lbView(lb);
  }
  async createLoadBalancer(input: LoadBalancerCreate) {
    for (const lb of this.lbs.values()) {
      if (lb.vip_address === input.vip_address)
        throw new ServiceError('conflict', `VIP ${input.vip_address} is already load balancer ${lb.id}'s`);
    }
    const lb: LoadBalancer = {
      id: randomUUID(),
      name: input.name ?? '',
      description: input.description ?? '',
      vip_address: input.vip_address,
      ...(input.vip_mac_address ? { vip_mac_address: input.vip_mac_address } : {}),
      admin_state_up: input.admin_state_up ?? true,
      provisioning_status: 'ACTIVE',
      operating_status: 'ONLINE',
      pools: [],
      created_at: iso(this.now()),
      updated_at: null,
    };
    this.lbs.set(lb.id, lb);
    this.applied.push(`vip ${lb.vip_address}`);
    return this.lbView(lb);
  }
  async updateLoadBalancer(id: string, patch: LoadBalancerUpdate) {
    const lb = this.mustLb(id);
    Object.assign(lb, patch, { updated_at: iso(this.now()) });
    return this.lbView(lb);
  }
  async deleteLoadBalancer(id: string, opts: { cascade: boolean }) {
    this.mustLb(id);
    const pools = [...this.pools.values()].filter((p) => p.loadbalancer_id === id);
    if (pools.length > 0 && !opts.cascade) {
      throw new ServiceError(
        'conflict',
        `load balancer ${id} still has ${pools.length} pool(s); delete them or pass cascade=true`,
      );
    }
    for (const p of pools) await this.deletePool(p.id);
    this.lbs.delete(id);
  }
  async loadBalancerStats(id: string): Promise<Stats> {
    this.mustLb(id);
    const sum: Stats = { bytes_in: 0, bytes_out: 0, active_clients: 0, total_clients: 0 };
    for (const p of this.pools.values()) {
      if (p.loadbalancer_id !== id) continue;
      const s = await this.poolStats(p.id);
      sum.bytes_in += s.bytes_in;
      sum.bytes_out += s.bytes_out;
      sum.active_clients += s.active_clients;
      sum.total_clients += s.total_clients;
    }
    return sum;
  }

  // Pools.
  async listPools(filter?: { loadbalancerId?: string }) {
    return [...this.pools.values()]
      .filter((p) => !filter?.loadbalancerId || p.loadbalancer_id === filter.loadbalancerId)
      .map((p) => this.poolView(p));
  }
  async getPool(id: string) {
    const p = this.pools.get(id);
    return p && this.poolView(p);
  }
  async createPool(input: PoolCreate) {
    if (!this.lbs.has(input.loadbalancer_id)) {
      throw new ServiceError(
        'invalid',
        `load balancer ${input.loadbalancer_id} does not exist`,
        'loadbalancer_id',
      );
    }
    const port = input.protocol_port ?? null;
    for (const p of this.pools.values()) {
      if (
        p.loadbalancer_id === input.loadbalancer_id &&
        p.protocol === input.protocol &&
        p.protocol_port === port
      ) {
        throw new ServiceError(
          'conflict',
          `pool ${p.id} already serves ${input.protocol} port ${port ?? 'any'} on this VIP`,
        );
      }
    }
    const pool: Pool = {
      id: randomUUID(),
      name: input.name ?? '',
      description: input.description ?? '',
      loadbalancer_id: input.loadbalancer_id,
      protocol: input.protocol,
      protocol_port: port,
      lb_algorithm: input.lb_algorithm,
      session_persistence: input.session_persistence ?? { type: 'SOURCE_MAC', idle_timeout_seconds: 300 },
      admin_state_up: input.admin_state_up ?? true,
      provisioning_status: 'ACTIVE',
      operating_status: 'ONLINE',
      members: [],
      healthmonitor_id: null,
      created_at: iso(this.now()),
      updated_at: null,
    };
    this.pools.set(pool.id, pool);
    this.applied.push(`pool ${pool.id}`);
    return this.poolView(pool);
  }
  async updatePool(id: string, patch: PoolUpdate) {
    const p = this.mustPool(id);
    Object.assign(p, patch, { updated_at: iso(this.now()) });
    return this.poolView(p);
  }
  async deletePool(id: string) {
    const p = this.mustPool(id);
    for (const m of this.membersOf(id)) this.members.delete(m.id);
    if (p.healthmonitor_id) this.monitors.delete(p.healthmonitor_id);
    for (const e of await this.store.listAffinity(id)) await this.store.deleteAffinity(id, e.client);
    this.pools.delete(id);
    this.applied.push(`delete pool ${id}`);
  }
  async poolStats(id: string) {
    this.mustPool(id);
    const entries = await this.store.listAffinity(id);
    const members: MemberStats[] = this.membersOf(id).map((m) => {
      const t = this.traffic.get(m.id) ?? { in: 0, out: 0, total: 0 };
      return {
        member_id: m.id,
        bytes_in: t.in,
        bytes_out: t.out,
        active_clients: entries.filter((e) => e.member === m.id).length,
        total_clients: t.total,
      };
    });
    const sum = (k: keyof Stats) => members.reduce((a, m) => a + m[k], 0);
    return {
      bytes_in: sum('bytes_in'),
      bytes_out: sum('bytes_out'),
      active_clients: entries.length,
      total_clients: sum('total_clients'),
      members,
    };
  }

  // Members.
  async listMembers(poolId: string) {
    this.mustPool(poolId);
    return this.membersOf(poolId).map((m) => this.memberView(m));
  }
  async getMember(poolId: string, memberId: string) {
    const m = this.members.get(memberId);
    return m && m.pool_id === poolId ? this.memberView(m) : undefined;
  }
  async createMember(poolId: string, input: MemberCreate) {
    this.mustPool(poolId);
    const port = input.protocol_port ?? null;
    if (this.membersOf(poolId).some((m) => m.address === input.address && m.protocol_port === port)) {
      throw new ServiceError(
        'conflict',
        `pool ${poolId} already has a member at ${input.address} port ${port ?? 'any'}`,
      );
    }
    const m: Member = {
      id: randomUUID(),
      pool_id: poolId,
      name: input.name ?? '',
      address: input.address,
      protocol_port: port,
      ...(input.mac_address ? { mac_address: input.mac_address } : {}),
      ...(input.vm_uuid ? { vm_uuid: input.vm_uuid } : {}),
      weight: input.weight ?? 1,
      backup: input.backup ?? false,
      admin_state_up: input.admin_state_up ?? true,
      provisioning_status: 'ACTIVE',
      operating_status: 'NO_MONITOR',
      created_at: iso(this.now()),
      updated_at: null,
    };
    this.members.set(m.id, m);
    this.applied.push(`member ${m.id}`);
    return this.memberView(m);
  }
  async updateMember(poolId: string, memberId: string, patch: MemberUpdate) {
    const m = this.mustMember(poolId, memberId);
    Object.assign(m, patch, { updated_at: iso(this.now()) });
    if (patch.admin_state_up === false) await this.store.deleteAffinityOfMember(poolId, memberId);
    return this.memberView(m);
  }
  async deleteMember(poolId: string, memberId: string) {
    this.mustMember(poolId, memberId);
    this.members.delete(memberId);
    await this.store.deleteAffinityOfMember(poolId, memberId);
    this.applied.push(`delete member ${memberId}`);
  }

  // Health monitors.
  async listHealthMonitors() {
    return [...this.monitors.values()].map((h) => this.monitorView(h));
  }
  async getHealthMonitor(id: string) {
    const h = this.monitors.get(id);
    return h && this.monitorView(h);
  }
  async createHealthMonitor(input: HealthMonitorCreate) {
    const pool = this.pools.get(input.pool_id);
    if (!pool) throw new ServiceError('invalid', `pool ${input.pool_id} does not exist`, 'pool_id');
    if (pool.healthmonitor_id)
      throw new ServiceError(
        'conflict',
        `pool ${pool.id} already has health monitor ${pool.healthmonitor_id}`,
      );
    const h: HealthMonitor = {
      id: randomUUID(),
      name: input.name ?? '',
      pool_id: input.pool_id,
      type: input.type,
      delay: input.delay,
      timeout: input.timeout,
      max_retries: input.max_retries,
      max_retries_down: input.max_retries_down ?? 3,
      ...(input.http_method ? { http_method: input.http_method } : {}),
      ...(input.url_path ? { url_path: input.url_path } : {}),
      ...(input.expected_codes ? { expected_codes: input.expected_codes } : {}),
      admin_state_up: input.admin_state_up ?? true,
      provisioning_status: 'ACTIVE',
      operating_status: 'ONLINE',
      created_at: iso(this.now()),
      updated_at: null,
    };
    this.monitors.set(h.id, h);
    pool.healthmonitor_id = h.id;
    return this.monitorView(h);
  }
  async updateHealthMonitor(id: string, patch: HealthMonitorUpdate) {
    const h = this.monitors.get(id);
    if (!h) throw new ServiceError('not_found', `health monitor ${id} not found`);
    Object.assign(h, patch, { updated_at: iso(this.now()) });
    return this.monitorView(h);
  }
  async deleteHealthMonitor(id: string) {
    const h = this.monitors.get(id);
    if (!h) throw new ServiceError('not_found', `health monitor ${id} not found`);
    const pool = this.pools.get(h.pool_id);
    if (pool) pool.healthmonitor_id = null;
    this.monitors.delete(id);
  }

  async placements(opts: { poolId?: string; limit: number }) {
    return this.log.filter((p) => !opts.poolId || p.pool_id === opts.poolId).slice(0, opts.limit);
  }

  /** Places a client as a balancer would on its first packet-in: least-loaded healthy member. */
  async place(poolId: string, client: string, bytes = 0): Promise<Placement> {
    const pool = this.mustPool(poolId);
    const entries = await this.store.listAffinity(poolId);
    const candidates = this.membersOf(poolId).filter(
      (m) => this.memberView(m).operating_status !== 'ERROR' && m.admin_state_up,
    );
    if (candidates.length === 0)
      throw new ServiceError('conflict', `pool ${poolId} has no member to serve ${client}`);
    const load = new Map(
      candidates.map((m) => [m.id, entries.filter((e) => e.member === m.id).length / Math.max(m.weight, 1)]),
    );
    const best = candidates.reduce((a, b) => (load.get(b.id)! < load.get(a.id)! ? b : a));
    const entry = await this.store.claimAffinity(
      poolId,
      client,
      best.id,
      pool.session_persistence.idle_timeout_seconds * 1000,
    );
    const member = this.members.get(entry.member)!;
    const t = this.traffic.get(member.id) ?? { in: 0, out: 0, total: 0 };
    t.total++;
    t.in += bytes;
    t.out += bytes * 4;
    this.traffic.set(member.id, t);
    const p: Placement = {
      time: this.now(),
      pool_id: poolId,
      client,
      member_id: member.id,
      member_address: member.address,
      ...(member.vm_uuid ? { vm_uuid: member.vm_uuid } : {}),
      ...(member.name ? { vm_name: member.name } : {}),
      algorithm: pool.lb_algorithm,
      reason: `fewest clients per weight (${load.get(member.id)!.toFixed(2)}) among ${candidates.length} healthy member(s)`,
      scores: Object.fromEntries(load),
    };
    this.log.unshift(p);
    await this.store.publish(Channels.events, { type: 'placement', ...p });
    return p;
  }

  /** The health checker's verdict on a member; publishes member_health when it changes. */
  async setHealth(memberId: string, up: boolean): Promise<void> {
    const m = this.members.get(memberId);
    if (!m || this.health.get(memberId) === up) return;
    this.health.set(memberId, up);
    if (!up) await this.store.deleteAffinityOfMember(m.pool_id, memberId);
    await this.store.publish(Channels.events, {
      type: 'member_health',
      time: this.now(),
      pool_id: m.pool_id,
      member_id: memberId,
      operating_status: this.memberView(m).operating_status,
    });
  }

  private membersOf(poolId: string): Member[] {
    return [...this.members.values()].filter((m) => m.pool_id === poolId);
  }
  private memberStatus(m: Member): OperatingStatus {
    if (!m.admin_state_up) return 'OFFLINE';
    const pool = this.pools.get(m.pool_id);
    if (!pool?.healthmonitor_id) return 'NO_MONITOR';
    if (m.weight === 0) return 'DRAINING';
    return this.health.get(m.id) === false ? 'ERROR' : 'ONLINE';
  }
  private memberView(m: Member): Member {
    return { ...m, operating_status: this.memberStatus(m) };
  }
  private poolView(p: Pool): Pool {
    const ms = this.membersOf(p.id).map((m) => this.memberView(m));
    const status = poolOperatingStatus(
      p.admin_state_up,
      ms.map((m) => m.operating_status),
    );
    return { ...p, operating_status: status, members: ms.map((m) => ({ id: m.id })) };
  }
  private lbView(lb: LoadBalancer): LoadBalancer {
    const pools = [...this.pools.values()]
      .filter((p) => p.loadbalancer_id === lb.id)
      .map((p) => this.poolView(p));
    const status = loadBalancerOperatingStatus(
      lb.admin_state_up,
      pools.map((p) => p.operating_status),
    );
    return { ...lb, operating_status: status, pools: pools.map((p) => ({ id: p.id })) };
  }
  private monitorView(h: HealthMonitor): HealthMonitor {
    return { ...h, operating_status: h.admin_state_up ? 'ONLINE' : 'OFFLINE' };
  }
  private mustLb(id: string): LoadBalancer {
    const lb = this.lbs.get(id);
    if (!lb) throw new ServiceError('not_found', `load balancer ${id} not found`);
    return lb;
  }
  private mustPool(id: string): Pool {
    const p = this.pools.get(id);
    if (!p) throw new ServiceError('not_found', `pool ${id} not found`);
    return p;
  }
  private mustMember(poolId: string, memberId: string): Member {
    const m = this.members.get(memberId);
    if (!m || m.pool_id !== poolId)
      throw new ServiceError('not_found', `member ${memberId} of pool ${poolId} not found`);
    return m;
  }
}
