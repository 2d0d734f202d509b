// The load-balancer app: a thin adapter from controller events, store messages, health probes and a
// timer to the pure policy in lb-policy.ts, and from its actions to the switches and the store.
//
// The policy keeps its own copy of the affinity table and decides synchronously on the packet-in path;
// the store is written behind it. A claim that the store answers with another member (another controller
// placed the client first) is followed. On start the store's entries are read back, so a restarted
// controller keeps every client on its member.

import type { Logger } from 'pino';
import { AffinityStore } from './affinity-store.js';
import {
  HealthChecker,
  realProbe,
  type HealthChange,
  type HealthWatch,
  type Probe,
} from './health-prober.js';
import { checkServedPools, type ServedPool } from '../../balancer/served-pool.js';
import type { Stats } from '../../balancer/service.js';
import type { MemberLiveState } from '../../balancer/status.js';
import type { PlacementRecord } from '../../balancer/placement-log.js';
import { BALANCER_DEFAULTS, type BalancerSettings } from '../../balancer/settings.js';
import type {
  ControllerApi,
  ControllerApp,
  DatapathInfo,
  FlowRemovedEvent,
  FlowStatsEvent,
  PacketInEvent,
  PacketInVerdict,
  PortStatusEvent,
  SwitchLink,
  SwitchMessage,
} from '../../controller/app-api.js';
import { silentLogger } from '../../log/logger.js';
import { OFPPC, OFPPR, OFPPS } from '../../openflow/model.js';
import { Channels, type Store, type Subscription } from '../../store/store.js';
import type { VmSample } from '../../store/vm-sample.js';
import * as policy from './lb-policy.js';
import type { LbAction } from './lb-policy.js';
import { LbState } from './lb-state.js';

export const LOAD_BALANCER = 'load-balancer';

/** A served pool's statistics: its affinity entries and each member's counts. */
export interface PoolFigures {
  activeClients: number;
  members: Map<string, Stats>;
}
/** Dropped-client events logged and published per second at most. */
export const DROP_EVENTS_PER_SECOND = 10;

export interface LoadBalancerAppOptions {
  settings?: Partial<BalancerSettings>;
  /** What to serve from the start (the service replaces it with the catalog's pools: setPools). */
  pools?: ServedPool[];
  /** Affinity table, VM samples and events; without it the app keeps affinity in memory only. */
  store?: Store;
  log?: Logger;
  /** How often idle clients are expired and unlocated members asked for (ms). */
  tickMs?: number;
  /** Health probes (TCP/HTTP from this process by default). */
  probe?: Probe;
  /** Publish every placement on the events channel (off for very high placement rates). */
  publishPlacements?: boolean;
  /** Wall clock, ms since the epoch (metrics and affinity entries carry wall-clock times). */
  clock?: () => number;
}

export class LoadBalancerApp implements ControllerApp {
  readonly name = LOAD_BALANCER;
  readonly order = 30;
  readonly state: LbState;
  private api: ControllerApi | undefined;
  private readonly store: Store | undefined;
  private readonly affinity: AffinityStore | undefined;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly checker: HealthChecker;
  private timer: NodeJS.Timeout | undefined;
  private subscription: Subscription | undefined;
  private pools: ServedPool[];
  private readonly publishPlacements: boolean;
  private storeErrors = 0;
  private dropSecond = 0;
  private dropsThisSecond = 0;
  private dropsSuppressed = 0;

  constructor(private readonly opts: LoadBalancerAppOptions = {}) {
    this.state = new LbState({ ...BALANCER_DEFAULTS, ...opts.settings });
    this.store = opts.store;
    this.affinity = opts.store
      ? new AffinityStore(opts.store, {
          onConflict: (pool, client, member) =>
            this.run(policy.affinityClaimed(this.state, this.clock(), pool, client, member)),
          onError: (err, what) => this.storeFailed(err, what),
        })
      : undefined;
    this.log = opts.log ?? silentLogger();
    this.clock = opts.clock ?? Date.now;
    this.pools = opts.pools ?? [];
    const problems = checkServedPools(this.pools);
    if (problems.length > 0) throw new Error(`invalid pools: ${problems.join('; ')}`);
    this.publishPlacements = opts.publishPlacements ?? true;
    this.checker = new HealthChecker((c) => this.onHealth(c), opts.probe ?? realProbe, this.clock);
  }

  /**
   * Reads the affinity entries and newest samples back from the store and subscribes to new samples.
   * Call before the controller accepts switches, so that restored clients keep their members.
   */
  async restore(): Promise<void> {
    this.run(policy.applyPools(this.state, this.clock(), this.pools));
    if (!this.store) return;
    for (const p of this.pools) {
      const entries = await this.affinity!.load(p.id);
      const n = policy.restoreAffinity(this.state, this.clock(), p.id, entries);
      if (n > 0) this.log.info({ pool: p.id, clients: n }, 'affinity entries restored from the store');
    }
    for (const s of await this.store.listSamples()) this.onSample(s);
    this.subscription = await this.store.subscribeSamples((s) => this.onSample(s));
  }

  start(api: ControllerApi): void {
    this.api = api;
    this.run(policy.applyPools(this.state, this.clock(), this.pools));
    this.watchHealth();
    const tickMs = this.opts.tickMs ?? 1000;
    this.timer = setInterval(() => this.run(policy.tick(this.state, this.clock())), tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.checker.stop();
    void this.subscription?.unsubscribe().catch(() => undefined);
    if (this.api) this.run(policy.removeAll(this.state));
  }

  /** Resolves when every affinity write issued so far reached the store (call after stop on shutdown). */
  async flush(): Promise<void> {
    await this.affinity?.flush();
  }

  /**
   * Replaces what is served (the service, after every change of the objects). Throws, changing nothing,
   * when the set is inconsistent (see checkServedPools). A pool that keeps its id keeps its clients.
   */
  setPools(pools: ServedPool[]): void {
    const problems = checkServedPools(pools);
    if (problems.length > 0) throw new Error(`invalid pools: ${problems.join('; ')}`);
    this.pools = pools;
    this.run(policy.applyPools(this.state, this.clock(), pools));
    this.watchHealth();
  }

  servedPools(): readonly ServedPool[] {
    return this.pools;
  }

  placements(limit?: number, pool?: string): PlacementRecord[] {
    return this.state.log.recent(limit, pool);
  }

  onSwitchUp(dp: DatapathInfo): void {
    this.run(policy.switchUp(this.state, this.clock(), dp.datapathId));
  }

  onSwitchDown(datapathId: bigint): void {
    policy.switchDown(this.state, datapathId);
  }

  onLinksChanged(links: readonly SwitchLink[]): void {
    policy.linksChanged(this.state, links);
  }

  onPacketIn(ev: PacketInEvent): PacketInVerdict {
    // The event is what the policy reads: it decodes the frame (once, for every app) only if asked.
    const r = policy.packetIn(this.state, this.clock(), ev);
    if (r.actions.length > 0) this.run(r.actions);
    return r.verdict;
  }

  onFlowRemoved(ev: FlowRemovedEvent): void {
    this.run(policy.flowRemoved(this.state, this.clock(), { datapathId: ev.datapathId, ...ev.msg }));
  }

  onFlowStats(ev: FlowStatsEvent): void {
    policy.flowStats(this.state, ev.datapathId, ev.flows);
  }

  /** What the pool's members are doing, for the service's statuses; undefined when not served. */
  memberState(poolId: string, memberId: string): MemberLiveState | undefined {
    const m = this.state.vips.get(poolId)?.memberById.get(memberId);
    return m && { healthy: m.health === 'UP', vm: m.vm };
  }

  /** The pool's statistics as counted here; undefined when the pool is not served. */
  poolFigures(poolId: string): PoolFigures | undefined {
    const v = this.state.vips.get(poolId);
    if (v === undefined) return undefined;
    const members = new Map<string, Stats>();
    for (const m of v.members) {
      const t = m.traffic;
      members.set(m.id, {
        bytes_in: t.bytesIn,
        bytes_out: t.bytesOut,
        packets_in: t.packetsIn,
        packets_out: t.packetsOut,
        active_connections: m.connections,
        total_connections: t.connections,
        request_errors: 0,
        active_clients: m.clients,
        total_clients: t.clients,
      });
    }
    return { activeClients: v.clients.size, members };
  }

  /**
   * The monitor saw a VM leave its host: destroyed, shut off, undefined — its members stop taking clients
   * and their clients are placed again at once, without waiting for a sample that will never come — or
   * `migrated`: its members keep their clients and take no new ones until it runs on its new host.
   * `host` is the monitor's label of the host it left (as in its samples).
   */
  vmLeft(uuid: string, reason: string, host?: string, time = this.clock()): void {
    this.run(policy.vmLeft(this.state, this.clock(), uuid, reason, time, host));
  }

  onPortStatus(ev: PortStatusEvent): void {
    const p = ev.msg.port;
    const down =
      ev.msg.reason === OFPPR.DELETE ||
      (p.state & OFPPS.LINK_DOWN) !== 0 ||
      (p.config & OFPPC.PORT_DOWN) !== 0;
    this.run(policy.portStatus(this.state, this.clock(), ev.datapathId, p.portNo, !down));
  }

  private onSample(s: VmSample): void {
    this.run(
      policy.sample(this.state, {
        vm: s.uuid,
        host: s.host,
        time: s.time,
        state: s.state,
        metrics: s.metrics,
      }),
    );
  }

  private onHealth(c: HealthChange): void {
    this.log.info(
      { pool: c.pool, member: c.member, status: c.status, detail: c.detail },
      'member health changed',
    );
    this.run(policy.memberHealth(this.state, c.pool, c.member, c.status));
  }

  /**
   * Probes the members of pools with a health monitor (members whose settings did not change keep their
   * state). A member no longer probed counts as up again, as the checker starts every member up.
   */
  private watchHealth(): void {
    const watches: HealthWatch[] = [];
    for (const p of this.pools) {
      const hm = p.healthMonitor;
      if (!hm || !p.adminStateUp) continue;
      for (const m of p.members) {
        if (m.adminStateUp)
          watches.push({
            pool: p.id,
            member: m.id,
            target: { address: m.address, port: m.port },
            monitor: hm,
          });
      }
    }
    this.checker.sync(watches);
    for (const p of this.pools) {
      for (const m of p.members) {
        const status = this.checker.status(p.id, m.id) ?? 'UP';
        this.run(policy.memberHealth(this.state, p.id, m.id, status));
      }
    }
  }

  private run(actions: readonly LbAction[]): void {
    const api = this.api;
    // Switch messages first: the packet waiting in the switch goes on before any store or log work.
    if (api)
      for (let i = 0; i < actions.length; i++)
        if (actions[i]!.kind === 'send') api.send(actions[i] as SwitchMessage);
    for (let i = 0; i < actions.length; i++) {
      const a = actions[i]!;
      switch (a.kind) {
        case 'send':
          break;
        case 'claim':
          this.affinity?.claim(a);
          break;
        case 'touch':
          this.affinity?.touch(a.pool, a.client, a.idleMs);
          break;
        case 'forget':
          this.affinity?.forget(a.pool, a.client);
          break;
        case 'forgetMember':
          this.affinity?.forgetMember(a.pool, a.member);
          break;
        case 'placed': {
          // The record is built only to publish it; it is gone only if the ring wrapped in between.
          const record = this.publishPlacements && this.store ? this.state.log.get(a.seq) : undefined;
          if (record)
            this.store
              ?.publish(Channels.events, { type: 'placement', ...record })
              .catch((err: unknown) => this.storeFailed(err, 'publish'));
          break;
        }
        case 'event':
          if (a.event.type === 'client-dropped' && !this.dropAllowed()) break;
          this.log.info(a.event, `load balancer: ${a.event.type}`);
          this.store
            ?.publish(Channels.events, { ...a.event, ...healthEvent(a.event), time: this.clock() })
            .catch((err: unknown) => this.storeFailed(err, 'publish'));
          break;
      }
    }
  }

  /**
   * Dropped clients come from the packet-in path, where a flood of them is possible: at most
   * DROP_EVENTS_PER_SECOND are logged and published, the rest counted in the next one logged.
   */
  private dropAllowed(): boolean {
    const second = Math.floor(this.clock() / 1000);
    if (second !== this.dropSecond) {
      if (this.dropsSuppressed > 0)
        this.log.warn({ suppressed: this.dropsSuppressed }, 'load balancer: more clients dropped');
      this.dropSecond = second;
      this.dropsThisSecond = 0;
      this.dropsSuppressed = 0;
    }
    if (this.dropsThisSecond++ < DROP_EVENTS_PER_SECOND) return true;
    this.dropsSuppressed++;
    return false;
  }

  private storeFailed(err: unknown, what: string): void {
    // One line per 1000 failures: a store outage must not flood the log from the packet-in path.
    if (this.storeErrors++ % 1000 === 0)
      this.log.warn({ err, failures: this.storeErrors }, `load balancer: store ${what} failed`);
  }
}

/**
 * Member up/down also as the operator surfaces' `member_health` event (pool_id, member_id, status), so
 * the dashboard and event-stream clients need to know one name only.
 */
function healthEvent(e: { type: string; pool?: unknown; member?: unknown }): Record<string, unknown> {
  if (e.type !== 'member-up' && e.type !== 'member-down') return {};
  return {
    type: 'member_health',
    change: e.type,
    pool_id: e.pool,
    member_id: e.member,
    operating_status: e.type === 'member-up' ? 'ONLINE' : 'ERROR',
  };
}
