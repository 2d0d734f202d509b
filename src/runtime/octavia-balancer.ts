// The REST API's load-balancer service on the real load-balancer app: Octavia's objects (load balancer,
// pool, member, health monitor) kept in the store, and after every change the app's set of VIPs rebuilt
// from them and applied to the switches before the call returns.
//
// Octavia -> the app: each pool is one served VIP port (the load balancer's VIP address, the pool's
// protocol_port), so the app's load balancer is keyed by the pool's id. Statuses come from the app's
// live state (member health, admin state, weight 0 = draining); statistics from the affinity table,
// the placements seen on the events channel, and the byte counters of the members' flows.

import { loadBalancerOperatingStatus, poolOperatingStatus } from '../api/octavia-status.js';
import { randomUUID } from 'node:crypto';
import { ServiceError, type BalancerService } from '../api/providers.js';
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
} from '../api/schemas/balancer.js';
import type { LoadBalancerApp } from '../apps/load-balancer/lb-app.js';
import { MEMBER_COOKIE_MASK, type MemberRuntime } from '../apps/load-balancer/lb-state.js';
import { ALGORITHMS, type AlgorithmName, type LoadBalancer as AppLoadBalancer } from '../balancer/objects.js';
import type { PlacementRecord } from '../balancer/placement-log.js';
import type { SwitchStatsStore } from '../controller/switch-stats.js';
import type { Logger } from '../log/logger.js';
import { Channels, type Store, type Subscription } from '../store/store.js';

/** Store record kinds of the Octavia objects. */
export const RECORDS = {
  lb: 'octavia-loadbalancer',
  pool: 'octavia-pool',
  member: 'octavia-member',
  monitor: 'octavia-healthmonitor',
} as const;

const iso = (ms: number): string => new Date(ms).toISOString();
const DEFAULT_PERSISTENCE = { type: 'SOURCE_MAC' as const, idle_timeout_seconds: 300 };

export class OctaviaBalancer implements BalancerService {
  private readonly lbs = new Map<string, LoadBalancer>();
  private readonly pools = new Map<string, Pool>();
  private readonly members = new Map<string, Member>();
  private readonly monitors = new Map<string, HealthMonitor>();
  /** Clients ever placed, per member id. */
  private readonly placedTotals = new Map<string, number>();
  private subscription: Subscription | undefined;
  /** Changes are applied one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly app: LoadBalancerApp,
    private readonly store: Store,
    private readonly flowStats: SwitchStatsStore,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Reads the objects back from the store; when there are none, takes the load balancers defined in the
   * config (already running in the app). Then counts placements from the events channel.
   */
  async start(): Promise<void> {
    const [lbs, pools, members, monitors] = await Promise.all([
      this.store.listRecords<LoadBalancer>(RECORDS.lb),
      this.store.listRecords<Pool>(RECORDS.pool),
      this.store.listRecords<Member>(RECORDS.member),
      this.store.listRecords<HealthMonitor>(RECORDS.monitor),
    ]);
    if (lbs.length > 0) {
      for (const r of lbs) this.lbs.set(r.id, r.value);
      for (const r of pools) this.pools.set(r.id, r.value);
      for (const r of members) this.members.set(r.id, r.value);
      for (const r of monitors) this.monitors.set(r.id, r.value);
      this.apply();
    } else {
      for (const lb of this.app.loadBalancers()) await this.adopt(lb);
    }
    this.subscription = await this.store.subscribe(Channels.events, (m) => {
      const e = m as { type?: string; member?: string };
      if (e.type === 'placement' && typeof e.member === 'string') {
        this.placedTotals.set(e.member, (this.placedTotals.get(e.member) ?? 0) + 1);
      }
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
  }

  /** Octavia objects for a load balancer that came from the config file. */
  private async adopt(a: AppLoadBalancer): Promise<void> {
    const t = iso(this.now());
    const lbId = a.id;
    const poolId = a.pool.id;
    this.lbs.set(lbId, {
      id: lbId,
      name: a.name ?? '',
      description: 'defined in the config file',
      vip_address: a.vip.address,
      ...(a.vip.mac ? { vip_mac_address: a.vip.mac } : {}),
      admin_state_up: a.adminStateUp,
      provisioning_status: 'ACTIVE',
      operating_status: 'ONLINE',
      pools: [],
      created_at: t,
      updated_at: null,
    });
    const hm = a.pool.healthMonitor;
    const hmId = hm ? `${poolId}-monitor` : null;
    this.pools.set(poolId, {
      id: poolId,
      name: '',
      description: '',
      loadbalancer_id: lbId,
      protocol: 'TCP',
      protocol_port: a.vip.port,
      lb_algorithm: a.pool.algorithm,
      session_persistence: {
        type: a.pool.sessionPersistence.type,
        idle_timeout_seconds: Math.round(a.pool.sessionPersistence.timeoutSeconds),
      },
      admin_state_up: true,
      provisioning_status: 'ACTIVE',
      operating_status: 'ONLINE',
      members: [],
      healthmonitor_id: hmId,
      created_at: t,
      updated_at: null,
    });
    for (const m of a.pool.members) {
      this.members.set(m.id, {
        id: m.id,
        pool_id: poolId,
        name: '',
        address: m.address,
        protocol_port: m.port,
        ...(m.mac ? { mac_address: m.mac } : {}),
        ...(m.vm ? { vm_uuid: m.vm } : {}),
        weight: m.weight,
        backup: false,
        admin_state_up: m.adminStateUp,
        provisioning_status: 'ACTIVE',
        operating_status: 'ONLINE',
        created_at: t,
        updated_at: null,
      });
    }
    if (hm && hmId) {
      this.monitors.set(hmId, {
        id: hmId,
        name: '',
        pool_id: poolId,
        type: hm.type,
        delay: Math.max(1, Math.round(hm.delaySeconds)),
        timeout: Math.max(1, Math.round(hm.timeoutSeconds)),
        max_retries: hm.rise,
        max_retries_down: hm.fall,
        ...(hm.type === 'HTTP'
          ? { http_method: hm.httpMethod, url_path: hm.urlPath, expected_codes: hm.expectedCodes }
          : {}),
        admin_state_up: true,
        provisioning_status: 'ACTIVE',
        operating_status: 'ONLINE',
        created_at: t,
        updated_at: null,
      });
    }
    await this.persistAll();
  }

  algorithms(): readonly string[] {
    return ALGORITHMS;
  }

  // --- load balancers

  async listLoadBalancers(): Promise<LoadBalancer[]> {
    return [...this.lbs.values()].map((lb) => this.lbView(lb));
  }

  async getLoadBalancer(id: string): Promise<LoadBalancer | undefined> {
    const lb = this.lbs.get(id);
    return lb && this.lbView(lb);
  }

  createLoadBalancer(input: LoadBalancerCreate): Promise<LoadBalancer> {
    return this.change(() => {
      for (const lb of this.lbs.values()) {
        if (lb.vip_address === input.vip_address) {
          throw new ServiceError('conflict', `VIP ${input.vip_address} is already load balancer ${lb.id}'s`);
        }
      }
      for (const m of this.members.values()) {
        if (m.address === input.vip_address) {
          throw new ServiceError(
            'invalid',
            `${input.vip_address} is member ${m.id}'s address`,
            'vip_address',
          );
        }
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
      return { result: lb, save: [[RECORDS.lb, lb.id, lb]] };
    }).then((lb) => this.lbView(lb));
  }

  updateLoadBalancer(id: string, patch: LoadBalancerUpdate): Promise<LoadBalancer> {
    return this.change(() => {
      const lb = this.mustLb(id);
      Object.assign(lb, patch, { updated_at: iso(this.now()) });
      return { result: lb, save: [[RECORDS.lb, lb.id, lb]] };
    }).then((lb) => this.lbView(lb));
  }

  deleteLoadBalancer(id: string, opts: { cascade: boolean }): Promise<void> {
    return this.change(() => {
      this.mustLb(id);
      const pools = [...this.pools.values()].filter((p) => p.loadbalancer_id === id);
      if (pools.length > 0 && !opts.cascade) {
        throw new ServiceError(
          'conflict',
          `load balancer ${id} still has ${pools.length} pool(s); delete them or pass cascade=true`,
        );
      }
      const drop: Array<[string, string]> = [[RECORDS.lb, id]];
      for (const p of pools) drop.push(...this.removePool(p.id));
      this.lbs.delete(id);
      return { result: undefined, drop };
    });
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

  // --- pools

  async listPools(filter?: { loadbalancerId?: string }): Promise<Pool[]> {
    return [...this.pools.values()]
      .filter((p) => !filter?.loadbalancerId || p.loadbalancer_id === filter.loadbalancerId)
      .map((p) => this.poolView(p));
  }

  async getPool(id: string): Promise<Pool | undefined> {
    const p = this.pools.get(id);
    return p && this.poolView(p);
  }

  createPool(input: PoolCreate): Promise<Pool> {
    return this.change(() => {
      if (!this.lbs.has(input.loadbalancer_id)) {
        throw new ServiceError(
          'invalid',
          `load balancer ${input.loadbalancer_id} does not exist`,
          'loadbalancer_id',
        );
      }
      if (input.protocol !== 'TCP') {
        throw new ServiceError('invalid', 'Vigil balances TCP: protocol must be TCP', 'protocol');
      }
      const port = input.protocol_port ?? null;
      if (port === null) {
        throw new ServiceError('invalid', 'a pool serves one VIP port: give protocol_port', 'protocol_port');
      }
      this.checkAlgorithm(input.lb_algorithm);
      for (const p of this.pools.values()) {
        if (p.loadbalancer_id === input.loadbalancer_id && p.protocol_port === port) {
          throw new ServiceError('conflict', `pool ${p.id} already serves port ${port} on this VIP`);
        }
      }
      const pool: Pool = {
        id: randomUUID(),
        name: input.name ?? '',
        description: input.description ?? '',
        loadbalancer_id: input.loadbalancer_id,
        protocol: 'TCP',
        protocol_port: port,
        lb_algorithm: input.lb_algorithm,
        session_persistence: input.session_persistence ?? DEFAULT_PERSISTENCE,
        admin_state_up: input.admin_state_up ?? true,
        provisioning_status: 'ACTIVE',
        operating_status: 'ONLINE',
        members: [],
        healthmonitor_id: null,
        created_at: iso(this.now()),
        updated_at: null,
      };
      this.pools.set(pool.id, pool);
      return { result: pool, save: [[RECORDS.pool, pool.id, pool]] };
    }).then((p) => this.poolView(p));
  }

  updatePool(id: string, patch: PoolUpdate): Promise<Pool> {
    return this.change(() => {
      const p = this.mustPool(id);
      if (patch.lb_algorithm !== undefined) this.checkAlgorithm(patch.lb_algorithm);
      Object.assign(p, patch, { updated_at: iso(this.now()) });
      return { result: p, save: [[RECORDS.pool, p.id, p]] };
    }).then((p) => this.poolView(p));
  }

  deletePool(id: string): Promise<void> {
    return this.change(() => {
      this.mustPool(id);
      return { result: undefined, drop: this.removePool(id) };
    });
  }

  /** Forgets a pool with its members and monitor; returns the records to delete. */
  private removePool(id: string): Array<[string, string]> {
    const drop: Array<[string, string]> = [[RECORDS.pool, id]];
    for (const m of this.membersOf(id)) {
      this.members.delete(m.id);
      drop.push([RECORDS.member, m.id]);
    }
    const hm = this.pools.get(id)?.healthmonitor_id;
    if (hm) {
      this.monitors.delete(hm);
      drop.push([RECORDS.monitor, hm]);
    }
    this.pools.delete(id);
    return drop;
  }

  async poolStats(id: string): Promise<Stats & { members: MemberStats[] }> {
    this.mustPool(id);
    const entries = await this.store.listAffinity(id);
    const bytes = this.memberBytes(id);
    const members: MemberStats[] = this.membersOf(id).map((m) => ({
      member_id: m.id,
      bytes_in: bytes.get(m.id)?.in ?? 0,
      bytes_out: bytes.get(m.id)?.out ?? 0,
      active_clients: entries.filter((e) => e.member === m.id).length,
      total_clients: this.placedTotals.get(m.id) ?? 0,
    }));
    const sum = (k: keyof Stats) => members.reduce((a, m) => a + m[k], 0);
    return {
      bytes_in: sum('bytes_in'),
      bytes_out: sum('bytes_out'),
      active_clients: entries.length,
      total_clients: sum('total_clients'),
      members,
    };
  }

  /** Bytes through each member's flows at the last statistics poll: forward flows in, reverse out. */
  private memberBytes(poolId: string): Map<string, { in: number; out: number }> {
    const out = new Map<string, { in: number; out: number }>();
    const vip = this.app.state.vips.get(poolId);
    if (!vip) return out;
    const byCookie = new Map<bigint, MemberRuntime>(vip.members.map((m) => [m.cookie, m]));
    for (const snap of this.flowStats.all()) {
      for (const f of snap.flows?.flows ?? []) {
        const m = byCookie.get(f.cookie & MEMBER_COOKIE_MASK);
        if (!m) continue;
        const t = out.get(m.id) ?? { in: 0, out: 0 };
        if (f.match.ipv4Dst === vip.ip) t.in += Number(f.byteCount);
        else t.out += Number(f.byteCount);
        out.set(m.id, t);
      }
    }
    return out;
  }

  // --- members

  async listMembers(poolId: string): Promise<Member[]> {
    this.mustPool(poolId);
    return this.membersOf(poolId).map((m) => this.memberView(m));
  }

  async getMember(poolId: string, memberId: string): Promise<Member | undefined> {
    const m = this.members.get(memberId);
    return m && m.pool_id === poolId ? this.memberView(m) : undefined;
  }

  createMember(poolId: string, input: MemberCreate): Promise<Member> {
    return this.change(() => {
      const pool = this.mustPool(poolId);
      const port = input.protocol_port ?? pool.protocol_port;
      if (this.membersOf(poolId).some((m) => m.address === input.address && m.protocol_port === port)) {
        throw new ServiceError(
          'conflict',
          `pool ${poolId} already has a member at ${input.address} port ${port}`,
        );
      }
      if ([...this.lbs.values()].some((lb) => lb.vip_address === input.address)) {
        throw new ServiceError('invalid', `${input.address} is a VIP`, 'address');
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
      return { result: m, save: [[RECORDS.member, m.id, m]] };
    }).then((m) => this.memberView(m));
  }

  updateMember(poolId: string, memberId: string, patch: MemberUpdate): Promise<Member> {
    return this.change(() => {
      const m = this.mustMember(poolId, memberId);
      Object.assign(m, patch, { updated_at: iso(this.now()) });
      return { result: m, save: [[RECORDS.member, m.id, m]] };
    }).then((m) => this.memberView(m));
  }

  deleteMember(poolId: string, memberId: string): Promise<void> {
    return this.change(() => {
      this.mustMember(poolId, memberId);
      this.members.delete(memberId);
      return { result: undefined, drop: [[RECORDS.member, memberId]] };
    });
  }

  // --- health monitors

  async listHealthMonitors(): Promise<HealthMonitor[]> {
    return [...this.monitors.values()].map((h) => this.monitorView(h));
  }

  async getHealthMonitor(id: string): Promise<HealthMonitor | undefined> {
    const h = this.monitors.get(id);
    return h && this.monitorView(h);
  }

  createHealthMonitor(input: HealthMonitorCreate): Promise<HealthMonitor> {
    return this.change(() => {
      const pool = this.pools.get(input.pool_id);
      if (!pool) throw new ServiceError('invalid', `pool ${input.pool_id} does not exist`, 'pool_id');
      if (input.type === 'PING') {
        throw new ServiceError('invalid', 'health monitors are TCP or HTTP here', 'type');
      }
      if (pool.healthmonitor_id) {
        throw new ServiceError(
          'conflict',
          `pool ${pool.id} already has health monitor ${pool.healthmonitor_id}`,
        );
      }
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
      return {
        result: h,
        save: [
          [RECORDS.monitor, h.id, h],
          [RECORDS.pool, pool.id, pool],
        ],
      };
    }).then((h) => this.monitorView(h));
  }

  updateHealthMonitor(id: string, patch: HealthMonitorUpdate): Promise<HealthMonitor> {
    return this.change(() => {
      const h = this.monitors.get(id);
      if (!h) throw new ServiceError('not_found', `health monitor ${id} not found`);
      Object.assign(h, patch, { updated_at: iso(this.now()) });
      return { result: h, save: [[RECORDS.monitor, h.id, h]] };
    }).then((h) => this.monitorView(h));
  }

  deleteHealthMonitor(id: string): Promise<void> {
    return this.change(() => {
      const h = this.monitors.get(id);
      if (!h) throw new ServiceError('not_found', `health monitor ${id} not found`);
      const pool = this.pools.get(h.pool_id);
      const save: Array<[string, string, unknown]> = [];
      if (pool) {
        pool.healthmonitor_id = null;
        save.push([RECORDS.pool, pool.id, pool]);
      }
      this.monitors.delete(id);
      return { result: undefined, save, drop: [[RECORDS.monitor, id]] };
    });
  }

  async placements(opts: { poolId?: string; limit: number }): Promise<Placement[]> {
    return this.app.placements(opts.limit, opts.poolId).map((r) => this.placementView(r));
  }

  private placementView(r: PlacementRecord): Placement {
    const m = this.members.get(r.member);
    const i = r.candidates.indexOf(r.member);
    const score = r.scores && i >= 0 ? r.scores[i] : undefined;
    const why =
      r.reason === 'member-gone' ? 'its member went away; ' : r.reason === 'new-client' ? 'new client; ' : '';
    return {
      time: r.time,
      pool_id: r.pool,
      client: r.client,
      member_id: r.member,
      ...(m ? { member_address: m.address } : {}),
      ...(m?.vm_uuid ? { vm_uuid: m.vm_uuid } : {}),
      ...(m?.name ? { vm_name: m.name } : {}),
      algorithm: r.algorithm,
      reason:
        `${why}${r.algorithm} chose it among ${r.candidates.length} eligible member(s)` +
        (score !== undefined ? ` with the lowest score ${score.toFixed(3)}` : '') +
        (i >= 0 ? `; it had ${r.clients[i]} client(s), ${r.pending[i]} not yet in its metrics` : ''),
      ...(r.scores ? { scores: Object.fromEntries(r.candidates.map((c, j) => [c, r.scores![j]!])) } : {}),
    };
  }

  // --- applying changes

  /**
   * Runs one change: mutate the objects, rebuild the app's VIPs and apply them to the switches (undoing
   * the mutation when the app refuses the set), then save or delete the changed records.
   */
  private change<T>(
    mutate: () => { result: T; save?: Array<[string, string, unknown]>; drop?: Array<[string, string]> },
  ): Promise<T> {
    const run = async (): Promise<T> => {
      const before = this.snapshot();
      const { result, save = [], drop = [] } = mutate();
      try {
        this.apply();
      } catch (err) {
        this.restore(before);
        throw new ServiceError('invalid', (err as Error).message);
      }
      for (const [kind, id, value] of save) await this.store.putRecord(kind, id, value);
      for (const [kind, id] of drop) await this.store.deleteRecord(kind, id);
      await this.store
        .publish(Channels.events, { type: 'lb_config', time: this.now() })
        .catch((err: Error) => this.log.debug({ err: err.message }, 'event publish failed'));
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The app's load balancers: one per pool, serving the pool's port on its load balancer's VIP. */
  private apply(): void {
    const out: AppLoadBalancer[] = [];
    for (const pool of this.pools.values()) {
      const lb = this.lbs.get(pool.loadbalancer_id);
      if (!lb || pool.protocol_port === null) continue;
      const hm = pool.healthmonitor_id ? this.monitors.get(pool.healthmonitor_id) : undefined;
      out.push({
        id: pool.id,
        ...(lb.name ? { name: lb.name } : {}),
        adminStateUp: lb.admin_state_up && pool.admin_state_up,
        vip: {
          address: lb.vip_address,
          port: pool.protocol_port,
          protocol: 'TCP',
          ...(lb.vip_mac_address ? { mac: lb.vip_mac_address } : {}),
        },
        pool: {
          id: pool.id,
          algorithm: pool.lb_algorithm as AlgorithmName,
          sessionPersistence: {
            type: pool.session_persistence.type,
            timeoutSeconds: pool.session_persistence.idle_timeout_seconds,
          },
          members: this.membersOf(pool.id).map((m) => ({
            id: m.id,
            address: m.address,
            port: m.protocol_port ?? pool.protocol_port!,
            weight: m.backup ? 0 : m.weight,
            adminStateUp: m.admin_state_up,
            ...(m.vm_uuid ? { vm: m.vm_uuid } : {}),
            ...(m.mac_address ? { mac: m.mac_address } : {}),
          })),
          ...(hm && hm.admin_state_up && hm.type !== 'PING'
            ? {
                healthMonitor: {
                  type: hm.type,
                  delaySeconds: hm.delay,
                  timeoutSeconds: hm.timeout,
                  rise: hm.max_retries,
                  fall: hm.max_retries_down,
                  httpMethod: hm.http_method ?? 'GET',
                  urlPath: hm.url_path ?? '/',
                  expectedCodes: hm.expected_codes ?? '200',
                },
              }
            : {}),
        },
      });
    }
    this.app.setLoadBalancers(out);
  }

  private snapshot() {
    return {
      lbs: structuredClone([...this.lbs]),
      pools: structuredClone([...this.pools]),
      members: structuredClone([...this.members]),
      monitors: structuredClone([...this.monitors]),
    };
  }

  private restore(s: ReturnType<OctaviaBalancer['snapshot']>): void {
    for (const [map, entries] of [
      [this.lbs, s.lbs],
      [this.pools, s.pools],
      [this.members, s.members],
      [this.monitors, s.monitors],
    ] as const) {
      (map as Map<string, unknown>).clear();
      for (const [k, v] of entries as Array<[string, unknown]>) (map as Map<string, unknown>).set(k, v);
    }
  }

  private async persistAll(): Promise<void> {
    for (const [kind, map] of [
      [RECORDS.lb, this.lbs],
      [RECORDS.pool, this.pools],
      [RECORDS.member, this.members],
      [RECORDS.monitor, this.monitors],
    ] as const) {
      for (const [id, v] of map as Map<string, unknown>) await this.store.putRecord(kind, id, v);
    }
  }

  private checkAlgorithm(name: string): void {
    if (!(ALGORITHMS as readonly string[]).includes(name)) {
      throw new ServiceError(
        'invalid',
        `unknown algorithm ${name}; one of ${ALGORITHMS.join(', ')}`,
        'lb_algorithm',
      );
    }
  }

  // --- views with live statuses

  /** A pool's members in the order they were created (the order the algorithms see them in). */
  private membersOf(poolId: string): Member[] {
    return [...this.members.values()]
      .filter((m) => m.pool_id === poolId)
      .sort((a, b) => (a.created_at === b.created_at ? 0 : a.created_at < b.created_at ? -1 : 1));
  }

  private memberStatus(m: Member): OperatingStatus {
    if (!m.admin_state_up) return 'OFFLINE';
    if (m.weight === 0 || m.backup) return 'DRAINING';
    const pool = this.pools.get(m.pool_id);
    const rt = this.app.state.vips.get(m.pool_id)?.memberById.get(m.id);
    if (rt && !rt.vmRunning) return 'ERROR';
    if (!pool?.healthmonitor_id) return 'NO_MONITOR';
    return rt?.health === 'DOWN' ? 'ERROR' : 'ONLINE';
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
