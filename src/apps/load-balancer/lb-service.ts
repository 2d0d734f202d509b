// The load balancer as a service (balancer/service.ts) on the real load-balancer app: the objects live in
// the catalog (balancer/catalog.ts) and in the store, and after every change the catalog's served pools
// are applied to the app — and so to the switches — before the call returns. Statuses come from the app's
// live state (member health, VM state), statistics from its client counts and the flow counters.

import { randomUUID } from 'node:crypto';
import { Compile } from 'typebox/compile';
import { BalancerCatalog, type CatalogRecords, type Change } from '../../balancer/catalog.js';
import {
  ALGORITHMS,
  HealthMonitor,
  LoadBalancer,
  Member,
  Pool,
  RECORDS,
  type ConfigLoadBalancer,
  type HealthMonitorCreate,
  type HealthMonitorUpdate,
  type LoadBalancerCreate,
  type LoadBalancerUpdate,
  type MemberCreate,
  type MemberUpdate,
  type PoolCreate,
  type PoolUpdate,
} from '../../balancer/objects.js';
import type { PlacementRecord } from '../../balancer/placement-log.js';
import {
  ServiceError,
  type BalancerService,
  type MemberStats,
  type Placement,
  type PoolStats,
  type Stats,
} from '../../balancer/service.js';
import type { MemberLiveState } from '../../balancer/status.js';
import type { Logger } from '../../log/logger.js';
import { checked, listChecked, type SchemaCheck } from '../../store/checked.js';
import type { Store } from '../../store/store.js';
import type { LoadBalancerApp } from './lb-app.js';

const CHECK = {
  lb: Compile(LoadBalancer),
  pool: Compile(Pool),
  member: Compile(Member),
  monitor: Compile(HealthMonitor),
};

export class LoadBalancerService implements BalancerService {
  private readonly catalog: BalancerCatalog;
  /** Changes are applied one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly app: LoadBalancerApp,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.catalog = new BalancerCatalog({ now: () => this.now(), newId: () => randomUUID() });
  }

  /**
   * Reads the objects back from the store, adds the config file's that the store does not hold yet, and
   * applies them to the app, restoring each pool's affinity entries. Call before the controller accepts
   * switches, so that restored clients keep their members.
   */
  async start(config: readonly ConfigLoadBalancer[] = []): Promise<void> {
    // Written by another process, or an older Vigil: each object is checked against its schema, and one
    // that does not fit is logged and left out rather than served half-typed.
    const read = <T>(kind: string, schema: SchemaCheck<T>) =>
      listChecked(this.store, kind, (v) => checked(schema, v), this.log);
    const [lbs, pools, members, monitors] = await Promise.all([
      read(RECORDS.lb, CHECK.lb),
      read(RECORDS.pool, CHECK.pool),
      read(RECORDS.member, CHECK.member),
      read(RECORDS.monitor, CHECK.monitor),
    ]);
    const records: CatalogRecords = { lbs, pools, members, monitors };
    this.catalog.load(records);
    const seeded = this.catalog.seed(config);
    await this.write(seeded);
    if (seeded.result.length > 0)
      this.log.info(
        { objects: seeded.result },
        'load balancer: objects of the config file created in the store',
      );
    if (records.lbs.length > 0)
      this.log.info(
        { loadBalancers: records.lbs.length, pools: records.pools.length, members: records.members.length },
        'load balancer: objects read back from the store (they, not the config file, are served)',
      );
    this.app.setPools(this.catalog.servedPools());
    await this.app.restore();
  }

  algorithms(): readonly string[] {
    return ALGORITHMS;
  }

  // ---- load balancers

  async listLoadBalancers(): Promise<LoadBalancer[]> {
    return this.catalog.listLoadBalancers().map((lb) => this.catalog.lbView(lb, this.live));
  }

  async getLoadBalancer(id: string): Promise<LoadBalancer | undefined> {
    const lb = this.catalog.getLoadBalancer(id);
    return lb && this.catalog.lbView(lb, this.live);
  }

  async createLoadBalancer(input: LoadBalancerCreate): Promise<LoadBalancer> {
    const lb = await this.change(() => this.catalog.createLoadBalancer(input));
    return this.catalog.lbView(lb, this.live);
  }

  async updateLoadBalancer(id: string, patch: LoadBalancerUpdate): Promise<LoadBalancer> {
    const lb = await this.change(() => this.catalog.updateLoadBalancer(id, patch));
    return this.catalog.lbView(lb, this.live);
  }

  deleteLoadBalancer(id: string, opts: { cascade: boolean }): Promise<void> {
    return this.change(() => this.catalog.deleteLoadBalancer(id, opts));
  }

  async loadBalancerStats(id: string): Promise<Stats> {
    if (!this.catalog.getLoadBalancer(id))
      throw new ServiceError('not_found', `load balancer ${id} not found`);
    const pools = await Promise.all(this.catalog.poolsOf(id).map((p) => this.poolStats(p.id)));
    return sumStats(pools);
  }

  // ---- pools

  async listPools(filter?: { loadbalancerId?: string }): Promise<Pool[]> {
    return this.catalog.listPools(filter).map((p) => this.catalog.poolView(p, this.live));
  }

  async getPool(id: string): Promise<Pool | undefined> {
    const p = this.catalog.getPool(id);
    return p && this.catalog.poolView(p, this.live);
  }

  async createPool(input: PoolCreate): Promise<Pool> {
    const p = await this.change(() => this.catalog.createPool(input));
    return this.catalog.poolView(p, this.live);
  }

  async updatePool(id: string, patch: PoolUpdate): Promise<Pool> {
    const p = await this.change(() => this.catalog.updatePool(id, patch));
    return this.catalog.poolView(p, this.live);
  }

  deletePool(id: string): Promise<void> {
    return this.change(() => this.catalog.deletePool(id));
  }

  async poolStats(id: string): Promise<PoolStats> {
    if (!this.catalog.getPool(id)) throw new ServiceError('not_found', `pool ${id} not found`);
    const figures = this.app.poolFigures(id);
    const members: MemberStats[] = this.catalog.membersOf(id).map((m) => ({
      member_id: m.id,
      ...(figures?.members.get(m.id) ?? ZERO),
    }));
    return { ...sumStats(members), ...(figures ? { active_clients: figures.activeClients } : {}), members };
  }

  // ---- members

  async listMembers(poolId: string): Promise<Member[]> {
    if (!this.catalog.getPool(poolId)) throw new ServiceError('not_found', `pool ${poolId} not found`);
    return this.catalog.membersOf(poolId).map((m) => this.catalog.memberView(m, this.live));
  }

  async getMember(poolId: string, memberId: string): Promise<Member | undefined> {
    const m = this.catalog.getMember(poolId, memberId);
    return m && this.catalog.memberView(m, this.live);
  }

  async createMember(poolId: string, input: MemberCreate): Promise<Member> {
    const m = await this.change(() => this.catalog.createMember(poolId, input));
    return this.catalog.memberView(m, this.live);
  }

  async updateMember(poolId: string, memberId: string, patch: MemberUpdate): Promise<Member> {
    const m = await this.change(() => this.catalog.updateMember(poolId, memberId, patch));
    return this.catalog.memberView(m, this.live);
  }

  deleteMember(poolId: string, memberId: string): Promise<void> {
    return this.change(() => this.catalog.deleteMember(poolId, memberId));
  }

  // ---- health monitors

  async listHealthMonitors(): Promise<HealthMonitor[]> {
    return this.catalog.listHealthMonitors().map((h) => this.catalog.monitorView(h));
  }

  async getHealthMonitor(id: string): Promise<HealthMonitor | undefined> {
    const h = this.catalog.getHealthMonitor(id);
    return h && this.catalog.monitorView(h);
  }

  async createHealthMonitor(input: HealthMonitorCreate): Promise<HealthMonitor> {
    return this.catalog.monitorView(await this.change(() => this.catalog.createHealthMonitor(input)));
  }

  async updateHealthMonitor(id: string, patch: HealthMonitorUpdate): Promise<HealthMonitor> {
    return this.catalog.monitorView(await this.change(() => this.catalog.updateHealthMonitor(id, patch)));
  }

  deleteHealthMonitor(id: string): Promise<void> {
    return this.change(() => this.catalog.deleteHealthMonitor(id));
  }

  // ---- placements

  async placements(opts: { poolId?: string; limit: number }): Promise<Placement[]> {
    return this.app.placements(opts.limit, opts.poolId).map((r) => this.placementView(r));
  }

  private placementView(r: PlacementRecord): Placement {
    const m = this.catalog.getMember(r.pool, r.member);
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

  // ---- applying changes

  private readonly live = (poolId: string, memberId: string): MemberLiveState | undefined =>
    this.app.memberState(poolId, memberId);

  /**
   * Runs one change: mutate the objects, apply the served pools to the app (undoing the mutation when the
   * app refuses them), then save and delete the changed records and announce the change.
   */
  private change<T>(mutate: () => Change<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const before = this.catalog.snapshot();
      const change = mutate();
      try {
        this.app.setPools(this.catalog.servedPools());
      } catch (err) {
        this.catalog.restore(before);
        throw err instanceof ServiceError ? err : new ServiceError('invalid', (err as Error).message);
      }
      await this.write(change);
      return change.result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(change: Change<unknown>): Promise<void> {
    for (const [kind, id, value] of change.save) await this.store.putRecord(kind, id, value);
    for (const [kind, id] of change.drop) await this.store.deleteRecord(kind, id);
  }
}

const ZERO: Stats = {
  bytes_in: 0,
  bytes_out: 0,
  packets_in: 0,
  packets_out: 0,
  active_connections: 0,
  total_connections: 0,
  request_errors: 0,
  active_clients: 0,
  total_clients: 0,
};

function sumStats(parts: readonly Stats[]): Stats {
  const sum: Stats = { ...ZERO };
  for (const p of parts) for (const k of Object.keys(ZERO) as Array<keyof Stats>) sum[k] += p[k];
  return sum;
}
