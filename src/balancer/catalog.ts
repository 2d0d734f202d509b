// The one owner of the load balancer's objects (objects.ts): their ids, defaults, references and
// conflicts, their changes, and what they make the policy serve (served-pool.ts). Pure: no store, no app,
// no clock — the time and new ids come from the caller, and a change returns the records to save and
// delete, which the service (src/apps/load-balancer/lb-service.ts) writes to the store.
//
// A pool is served on its load balancer's VIP address at its protocol_port; the pool's id names that
// service everywhere (the policy's state, the affinity table, flow statistics), so objects read back from
// the store after a restart, or defined in the config file, serve the same clients as before.

import {
  RECORDS,
  type ConfigLoadBalancer,
  type HealthMonitor,
  type HealthMonitorCreate,
  type HealthMonitorUpdate,
  type LoadBalancer,
  type LoadBalancerCreate,
  type LoadBalancerUpdate,
  type Member,
  type MemberCreate,
  type MemberUpdate,
  type Pool,
  type PoolCreate,
  type PoolUpdate,
} from './objects.js';
import { checkServedPools, type ServedPool } from './served-pool.js';
import { ServiceError } from './service.js';
import {
  loadBalancerOperatingStatus,
  memberOperatingStatus,
  poolOperatingStatus,
  type MemberLiveState,
} from './status.js';

export type RecordKind = (typeof RECORDS)[keyof typeof RECORDS];

/** What a change wrote: records to save (kind, id, value) and to delete (kind, id). */
export interface Change<T> {
  result: T;
  save: Array<[RecordKind, string, unknown]>;
  drop: Array<[RecordKind, string]>;
}

export interface CatalogClock {
  /** ms since the epoch. */
  now(): number;
  /** A new object id. */
  newId(): string;
}

/** The objects as the store holds them. */
export interface CatalogRecords {
  lbs: LoadBalancer[];
  pools: Pool[];
  members: Member[];
  monitors: HealthMonitor[];
}

export const DEFAULT_PERSISTENCE = { type: 'SOURCE_MAC' as const, idle_timeout_seconds: 300 };
const DEFAULT_MAX_RETRIES_DOWN = 3;

/** The live state of a member as the running load balancer knows it, for operating statuses. */
export type LiveStates = (poolId: string, memberId: string) => MemberLiveState | undefined;

/** A config file's load balancer that breaks a rule: where (a dotted path under `loadBalancers`) and why. */
export interface ConfigProblem {
  path: string;
  problem: string;
}

/**
 * What the config file's load balancers would break when created in an empty store: the catalog's own rules
 * (conflicts, references, what Vigil can serve), each named by its place in the file. Empty when they hold.
 */
export function configProblems(config: readonly ConfigLoadBalancer[]): ConfigProblem[] {
  const c = new BalancerCatalog({ now: () => 0, newId: () => 'unused' });
  const problems: ConfigProblem[] = [];
  const attempt = (path: string, fn: () => void): boolean => {
    try {
      fn();
      return true;
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      problems.push({ path: err.field ? `${path}.${err.field}` : path, problem: err.message });
      return false;
    }
  };
  config.forEach(({ pools, ...lb }, i) => {
    if (!attempt(`${i}`, () => c.seed([{ ...lb, pools: [] }]))) return;
    pools.forEach(({ members, healthmonitor, ...pool }, j) => {
      const at = `${i}.pools.${j}`;
      if (!attempt(at, () => c.seed([{ ...lb, pools: [{ ...pool, members: [] }] }]))) return;
      members.forEach((m, k) =>
        attempt(`${at}.members.${k}`, () => c.seed([{ ...lb, pools: [{ ...pool, members: [m] }] }])),
      );
      if (healthmonitor)
        attempt(`${at}.healthmonitor`, () =>
          c.seed([{ ...lb, pools: [{ ...pool, members: [], healthmonitor }] }]),
        );
    });
  });
  try {
    c.servedPools();
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    problems.push({ path: '', problem: err.message });
  }
  return problems;
}

export class BalancerCatalog {
  private lbs = new Map<string, LoadBalancer>();
  private pools = new Map<string, Pool>();
  private members = new Map<string, Member>();
  private monitors = new Map<string, HealthMonitor>();
  /** The last created_at handed out: every object gets a distinct one, so member order is total. */
  private lastCreated = 0;

  constructor(private readonly clock: CatalogClock) {}

  // ---- loading

  /** Replaces every object with those read back from the store. */
  load(r: CatalogRecords): void {
    this.lbs = new Map(r.lbs.map((x) => [x.id, x]));
    this.pools = new Map(r.pools.filter((p) => this.lbs.has(p.loadbalancer_id)).map((x) => [x.id, x]));
    this.members = new Map(r.members.filter((m) => this.pools.has(m.pool_id)).map((x) => [x.id, x]));
    this.monitors = new Map(r.monitors.filter((h) => this.pools.has(h.pool_id)).map((x) => [x.id, x]));
    for (const o of [...this.lbs.values(), ...this.pools.values(), ...this.members.values()]) {
      const t = Date.parse(o.created_at);
      if (t > this.lastCreated) this.lastCreated = t;
    }
  }

  get size(): number {
    return this.lbs.size;
  }

  /**
   * Adds the config file's objects that the store does not hold yet (by id). An object the store holds
   * already is left as it is: it carries the changes made through the API. Returns what to save, and as
   * its result the ids of the objects created.
   */
  seed(config: readonly ConfigLoadBalancer[]): Change<string[]> {
    const change: Change<string[]> = { result: [], save: [], drop: [] };
    const add = (c: Change<{ id: string }>) => {
      change.result.push(c.result.id);
      this.merge(change, c);
    };
    for (const { pools, id, ...lbInput } of config) {
      if (!this.lbs.has(id)) add(this.createLoadBalancerNow(lbInput, id));
      for (const { members, healthmonitor, id: poolId, ...poolInput } of pools) {
        const owner = this.pools.get(poolId)?.loadbalancer_id;
        if (owner === undefined) add(this.createPoolNow({ ...poolInput, loadbalancer_id: id }, poolId));
        else if (owner !== id)
          throw new ServiceError('conflict', `pool ${poolId} belongs to load balancer ${owner}, not ${id}`);
        for (const { id: memberId, ...memberInput } of members) {
          if (!this.members.has(memberId)) add(this.createMemberNow(poolId, memberInput, memberId));
        }
        if (healthmonitor && this.pools.get(poolId)!.healthmonitor_id === null) {
          const { id: hmId, ...hmInput } = healthmonitor;
          add(this.createHealthMonitorNow({ ...hmInput, pool_id: poolId }, hmId ?? `${poolId}-monitor`));
        }
      }
    }
    return change;
  }

  private merge(into: Change<unknown>, c: Change<unknown>): void {
    into.save.push(...c.save);
    into.drop.push(...c.drop);
  }

  // ---- load balancers

  listLoadBalancers(): LoadBalancer[] {
    return [...this.lbs.values()];
  }

  getLoadBalancer(id: string): LoadBalancer | undefined {
    return this.lbs.get(id);
  }

  createLoadBalancer(input: LoadBalancerCreate): Change<LoadBalancer> {
    return this.createLoadBalancerNow(input, this.clock.newId());
  }

  private createLoadBalancerNow(input: LoadBalancerCreate, id: string): Change<LoadBalancer> {
    this.checkNewId(this.lbs, id, 'load balancer');
    for (const lb of this.lbs.values()) {
      if (lb.vip_address === input.vip_address)
        throw new ServiceError(
          'conflict',
          `VIP ${input.vip_address} is already load balancer ${lb.id}'s`,
          'vip_address',
        );
    }
    for (const m of this.members.values()) {
      if (m.address === input.vip_address)
        throw new ServiceError('invalid', `${input.vip_address} is member ${m.id}'s address`, 'vip_address');
    }
    const lb: LoadBalancer = {
      id,
      name: input.name ?? '',
      description: input.description ?? '',
      vip_address: input.vip_address,
      ...(input.vip_mac_address ? { vip_mac_address: input.vip_mac_address.toLowerCase() } : {}),
      admin_state_up: input.admin_state_up ?? true,
      pools: [],
      ...this.created(),
    };
    this.lbs.set(lb.id, lb);
    return { result: lb, save: [[RECORDS.lb, lb.id, lb]], drop: [] };
  }

  updateLoadBalancer(id: string, patch: LoadBalancerUpdate): Change<LoadBalancer> {
    const lb = this.mustLb(id);
    Object.assign(lb, patch, { updated_at: this.iso() });
    return { result: lb, save: [[RECORDS.lb, lb.id, lb]], drop: [] };
  }

  deleteLoadBalancer(id: string, opts: { cascade: boolean }): Change<void> {
    this.mustLb(id);
    const pools = this.poolsOf(id);
    if (pools.length > 0 && !opts.cascade) {
      throw new ServiceError(
        'conflict',
        `load balancer ${id} still has ${pools.length} pool(s); delete them or pass cascade=true`,
      );
    }
    const change: Change<void> = { result: undefined, save: [], drop: [[RECORDS.lb, id]] };
    for (const p of pools) this.merge(change, this.deletePool(p.id));
    this.lbs.delete(id);
    return change;
  }

  // ---- pools

  listPools(filter?: { loadbalancerId?: string }): Pool[] {
    const all = [...this.pools.values()];
    return filter?.loadbalancerId === undefined
      ? all
      : all.filter((p) => p.loadbalancer_id === filter.loadbalancerId);
  }

  getPool(id: string): Pool | undefined {
    return this.pools.get(id);
  }

  poolsOf(lbId: string): Pool[] {
    return [...this.pools.values()].filter((p) => p.loadbalancer_id === lbId);
  }

  createPool(input: PoolCreate): Change<Pool> {
    return this.createPoolNow(input, this.clock.newId());
  }

  private createPoolNow(input: PoolCreate, id: string): Change<Pool> {
    this.checkNewId(this.pools, id, 'pool');
    if (!this.lbs.has(input.loadbalancer_id))
      throw new ServiceError(
        'invalid',
        `load balancer ${input.loadbalancer_id} does not exist`,
        'loadbalancer_id',
      );
    if (input.protocol !== 'TCP')
      throw new ServiceError('invalid', 'Vigil balances TCP: protocol must be TCP', 'protocol');
    const port = input.protocol_port ?? null;
    if (port === null)
      throw new ServiceError('invalid', 'a pool serves one VIP port: give protocol_port', 'protocol_port');
    for (const p of this.pools.values()) {
      if (p.loadbalancer_id === input.loadbalancer_id && p.protocol_port === port)
        throw new ServiceError(
          'conflict',
          `pool ${p.id} already serves port ${port} on this VIP`,
          'protocol_port',
        );
    }
    const pool: Pool = {
      id,
      name: input.name ?? '',
      description: input.description ?? '',
      loadbalancer_id: input.loadbalancer_id,
      protocol: 'TCP',
      protocol_port: port,
      lb_algorithm: input.lb_algorithm,
      session_persistence: input.session_persistence ?? { ...DEFAULT_PERSISTENCE },
      admin_state_up: input.admin_state_up ?? true,
      members: [],
      healthmonitor_id: null,
      ...this.created(),
    };
    this.pools.set(pool.id, pool);
    return { result: pool, save: [[RECORDS.pool, pool.id, pool]], drop: [] };
  }

  updatePool(id: string, patch: PoolUpdate): Change<Pool> {
    const p = this.mustPool(id);
    Object.assign(p, patch, { updated_at: this.iso() });
    return { result: p, save: [[RECORDS.pool, p.id, p]], drop: [] };
  }

  /** Removes a pool with its members and health monitor. */
  deletePool(id: string): Change<void> {
    const pool = this.mustPool(id);
    const change: Change<void> = { result: undefined, save: [], drop: [[RECORDS.pool, id]] };
    for (const m of this.membersOf(id)) {
      this.members.delete(m.id);
      change.drop.push([RECORDS.member, m.id]);
    }
    if (pool.healthmonitor_id) {
      this.monitors.delete(pool.healthmonitor_id);
      change.drop.push([RECORDS.monitor, pool.healthmonitor_id]);
    }
    this.pools.delete(id);
    return change;
  }

  // ---- members

  /** A pool's members in the order they were created (the order the algorithms see them in). */
  membersOf(poolId: string): Member[] {
    return [...this.members.values()]
      .filter((m) => m.pool_id === poolId)
      .sort((a, b) => (a.created_at === b.created_at ? 0 : a.created_at < b.created_at ? -1 : 1));
  }

  getMember(poolId: string, memberId: string): Member | undefined {
    const m = this.members.get(memberId);
    return m && m.pool_id === poolId ? m : undefined;
  }

  createMember(poolId: string, input: MemberCreate): Change<Member> {
    return this.createMemberNow(poolId, input, this.clock.newId());
  }

  private createMemberNow(poolId: string, input: MemberCreate, id: string): Change<Member> {
    this.checkNewId(this.members, id, 'member');
    const pool = this.mustPool(poolId);
    const port = input.protocol_port ?? pool.protocol_port;
    if (this.membersOf(poolId).some((m) => m.address === input.address && m.protocol_port === port))
      throw new ServiceError(
        'conflict',
        `pool ${poolId} already has a member at ${input.address} port ${port}`,
        'address',
      );
    if ([...this.lbs.values()].some((lb) => lb.vip_address === input.address))
      throw new ServiceError('invalid', `${input.address} is a VIP`, 'address');
    const m: Member = {
      id,
      pool_id: poolId,
      name: input.name ?? '',
      address: input.address,
      protocol_port: port,
      ...(input.mac_address ? { mac_address: input.mac_address.toLowerCase() } : {}),
      ...(input.vm_uuid ? { vm_uuid: input.vm_uuid } : {}),
      weight: input.weight ?? 1,
      backup: input.backup ?? false,
      admin_state_up: input.admin_state_up ?? true,
      ...this.created(),
    };
    this.members.set(m.id, m);
    return { result: m, save: [[RECORDS.member, m.id, m]], drop: [] };
  }

  updateMember(poolId: string, memberId: string, patch: MemberUpdate): Change<Member> {
    const m = this.mustMember(poolId, memberId);
    Object.assign(m, patch, { updated_at: this.iso() });
    return { result: m, save: [[RECORDS.member, m.id, m]], drop: [] };
  }

  deleteMember(poolId: string, memberId: string): Change<void> {
    this.mustMember(poolId, memberId);
    this.members.delete(memberId);
    return { result: undefined, save: [], drop: [[RECORDS.member, memberId]] };
  }

  // ---- health monitors

  listHealthMonitors(): HealthMonitor[] {
    return [...this.monitors.values()];
  }

  getHealthMonitor(id: string): HealthMonitor | undefined {
    return this.monitors.get(id);
  }

  createHealthMonitor(input: HealthMonitorCreate): Change<HealthMonitor> {
    return this.createHealthMonitorNow(input, this.clock.newId());
  }

  private createHealthMonitorNow(input: HealthMonitorCreate, id: string): Change<HealthMonitor> {
    this.checkNewId(this.monitors, id, 'health monitor');
    const pool = this.pools.get(input.pool_id);
    if (!pool) throw new ServiceError('invalid', `pool ${input.pool_id} does not exist`, 'pool_id');
    if (input.type === 'PING')
      throw new ServiceError('invalid', 'health monitors are TCP or HTTP here', 'type');
    if (input.timeout > input.delay)
      throw new ServiceError('invalid', 'timeout must not exceed delay', 'timeout');
    if (pool.healthmonitor_id)
      throw new ServiceError(
        'conflict',
        `pool ${pool.id} already has health monitor ${pool.healthmonitor_id}`,
      );
    const h: HealthMonitor = {
      id,
      name: input.name ?? '',
      pool_id: input.pool_id,
      type: input.type,
      delay: input.delay,
      timeout: input.timeout,
      max_retries: input.max_retries,
      max_retries_down: input.max_retries_down ?? DEFAULT_MAX_RETRIES_DOWN,
      ...(input.type === 'HTTP'
        ? {
            http_method: input.http_method ?? 'GET',
            url_path: input.url_path ?? '/',
            expected_codes: input.expected_codes ?? '200',
          }
        : {}),
      admin_state_up: input.admin_state_up ?? true,
      ...this.created(),
    };
    this.monitors.set(h.id, h);
    pool.healthmonitor_id = h.id;
    return {
      result: h,
      save: [
        [RECORDS.monitor, h.id, h],
        [RECORDS.pool, pool.id, pool],
      ],
      drop: [],
    };
  }

  updateHealthMonitor(id: string, patch: HealthMonitorUpdate): Change<HealthMonitor> {
    const h = this.mustMonitor(id);
    const delay = patch.delay ?? h.delay;
    if ((patch.timeout ?? h.timeout) > delay)
      throw new ServiceError(
        'invalid',
        'timeout must not exceed delay',
        patch.timeout !== undefined ? 'timeout' : 'delay',
      );
    Object.assign(h, patch, { updated_at: this.iso() });
    return { result: h, save: [[RECORDS.monitor, h.id, h]], drop: [] };
  }

  deleteHealthMonitor(id: string): Change<void> {
    const h = this.mustMonitor(id);
    const pool = this.pools.get(h.pool_id);
    const change: Change<void> = { result: undefined, save: [], drop: [[RECORDS.monitor, id]] };
    if (pool) {
      pool.healthmonitor_id = null;
      change.save.push([RECORDS.pool, pool.id, pool]);
    }
    this.monitors.delete(id);
    return change;
  }

  // ---- what the policy serves

  /** One served pool per pool: its load balancer's VIP at its port. */
  servedPools(): ServedPool[] {
    const out: ServedPool[] = [];
    for (const pool of this.pools.values()) {
      const lb = this.lbs.get(pool.loadbalancer_id);
      if (!lb) continue;
      const hm = pool.healthmonitor_id ? this.monitors.get(pool.healthmonitor_id) : undefined;
      out.push({
        id: pool.id,
        loadBalancerId: lb.id,
        adminStateUp: lb.admin_state_up && pool.admin_state_up,
        vip: {
          address: lb.vip_address,
          port: pool.protocol_port,
          ...(lb.vip_mac_address ? { mac: lb.vip_mac_address } : {}),
        },
        algorithm: pool.lb_algorithm,
        persistence: {
          type: pool.session_persistence.type,
          timeoutSeconds: pool.session_persistence.idle_timeout_seconds,
        },
        members: this.membersOf(pool.id).map((m) => ({
          id: m.id,
          address: m.address,
          port: m.protocol_port,
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
      });
    }
    const problems = checkServedPools(out);
    if (problems.length > 0) throw new ServiceError('conflict', problems.join('; '));
    return out;
  }

  // ---- views with live statuses

  memberView(m: Member, live: LiveStates): Member {
    const pool = this.pools.get(m.pool_id);
    const monitored = pool?.healthmonitor_id != null;
    return { ...m, operating_status: memberOperatingStatus(m, monitored, live(m.pool_id, m.id)) };
  }

  poolView(p: Pool, live: LiveStates): Pool {
    const ms = this.membersOf(p.id).map((m) => this.memberView(m, live));
    const status = poolOperatingStatus(
      p.admin_state_up,
      ms.map((m) => m.operating_status),
    );
    return { ...p, operating_status: status, members: ms.map((m) => ({ id: m.id })) };
  }

  lbView(lb: LoadBalancer, live: LiveStates): LoadBalancer {
    const pools = this.poolsOf(lb.id).map((p) => this.poolView(p, live));
    const status = loadBalancerOperatingStatus(
      lb.admin_state_up,
      pools.map((p) => p.operating_status),
    );
    return { ...lb, operating_status: status, pools: pools.map((p) => ({ id: p.id })) };
  }

  monitorView(h: HealthMonitor): HealthMonitor {
    return { ...h, operating_status: h.admin_state_up ? 'ONLINE' : 'OFFLINE' };
  }

  // ---- undo

  /** A copy of every object, to undo a change the app refused. */
  snapshot(): CatalogRecords {
    return structuredClone({
      lbs: [...this.lbs.values()],
      pools: [...this.pools.values()],
      members: [...this.members.values()],
      monitors: [...this.monitors.values()],
    });
  }

  restore(s: CatalogRecords): void {
    const last = this.lastCreated;
    this.load(s);
    this.lastCreated = Math.max(last, this.lastCreated);
  }

  // ---- helpers

  private created() {
    const now = Math.max(this.clock.now(), this.lastCreated + 1);
    this.lastCreated = now;
    return {
      provisioning_status: 'ACTIVE' as const,
      operating_status: 'ONLINE' as const,
      created_at: new Date(now).toISOString(),
      updated_at: null,
    };
  }

  private iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private checkNewId(map: Map<string, unknown>, id: string, what: string): void {
    if (map.has(id)) throw new ServiceError('conflict', `${what} ${id} exists already`);
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
    const m = this.getMember(poolId, memberId);
    if (!m) throw new ServiceError('not_found', `member ${memberId} of pool ${poolId} not found`);
    return m;
  }

  private mustMonitor(id: string): HealthMonitor {
    const h = this.monitors.get(id);
    if (!h) throw new ServiceError('not_found', `health monitor ${id} not found`);
    return h;
  }
}
