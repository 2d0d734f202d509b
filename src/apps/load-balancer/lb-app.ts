// The load-balancer app: a thin adapter from controller events, store messages, health probes and a
// timer to the pure policy in lb-policy.ts, and from its actions to the switches and the store.
//
// The policy keeps its own copy of the affinity table and decides synchronously on the packet-in path;
// the store is written behind it. A claim that the store answers with another member (another controller
// placed the client first) is followed. On start the store's entries are read back, so a restarted
// controller keeps every client on its member.

import type { Logger } from 'pino';
import { AffinityStore } from '../../balancer/affinity-store.js';
import {
  HealthChecker,
  realProbe,
  type HealthChange,
  type HealthWatch,
  type Probe,
} from '../../balancer/health-prober.js';
import { checkLoadBalancers, LOAD_BALANCER_RECORD, type LoadBalancer } from '../../balancer/objects.js';
import type { PlacementRecord } from '../../balancer/placement-log.js';
import { BALANCER_DEFAULTS, type BalancerSettings } from '../../balancer/settings.js';
import type {
  ControllerApi,
  ControllerApp,
  DatapathInfo,
  FlowRemovedEvent,
  PacketInEvent,
  PacketInVerdict,
  SwitchLink,
  SwitchMessage,
} from '../../controller/app-api.js';
import { silentLogger } from '../../log/logger.js';
import { Channels, type Store, type Subscription } from '../../store/store.js';
import type { VmSample } from '../../store/vm-sample.js';
import * as policy from './lb-policy.js';
import type { LbAction } from './lb-policy.js';
import { LbState } from './lb-state.js';

export const LOAD_BALANCER = 'load-balancer';
/** Dropped-client events logged and published per second at most. */
export const DROP_EVENTS_PER_SECOND = 10;

export interface LoadBalancerAppOptions {
  settings?: Partial<BalancerSettings>;
  loadBalancers?: LoadBalancer[];
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
  private lbs: LoadBalancer[];
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
    this.lbs = opts.loadBalancers ?? [];
    const problems = checkLoadBalancers(this.lbs);
    if (problems.length > 0) throw new Error(`invalid load balancers: ${problems.join('; ')}`);
    this.publishPlacements = opts.publishPlacements ?? true;
    this.checker = new HealthChecker((c) => this.onHealth(c), opts.probe ?? realProbe, this.clock);
  }

  /**
   * Reads the affinity entries and newest samples back from the store and subscribes to new samples.
   * Call before the controller accepts switches, so that restored clients keep their members.
   */
  async restore(): Promise<void> {
    this.run(policy.applyLoadBalancers(this.state, this.clock(), this.lbs));
    if (!this.store) return;
    const stale = (await this.store.listRecords<LoadBalancer>(LOAD_BALANCER_RECORD)).map((r) => r.value);
    await this.persist(stale);
    for (const lb of this.lbs) {
      const entries = await this.affinity!.load(lb.pool.id);
      const n = policy.restoreAffinity(this.state, this.clock(), lb.pool.id, entries);
      if (n > 0) this.log.info({ pool: lb.pool.id, clients: n }, 'affinity entries restored from the store');
    }
    for (const s of await this.store.listSamples()) this.onSample(s);
    this.subscription = await this.store.subscribeSamples((s) => this.onSample(s));
  }

  start(api: ControllerApi): void {
    this.api = api;
    this.run(policy.applyLoadBalancers(this.state, this.clock(), this.lbs));
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
   * Replaces the load balancers (config reload, REST API) and keeps them in the store. Throws, changing
   * nothing, when the set is inconsistent (see checkLoadBalancers).
   */
  setLoadBalancers(lbs: LoadBalancer[]): void {
    const problems = checkLoadBalancers(lbs);
    if (problems.length > 0) throw new Error(`invalid load balancers: ${problems.join('; ')}`);
    const before = this.lbs;
    this.lbs = lbs;
    this.run(policy.applyLoadBalancers(this.state, this.clock(), lbs));
    this.watchHealth();
    void this.persist(before).catch((err: unknown) => this.storeFailed(err, 'save load balancers'));
  }

  /** Writes the load balancers to the store as records, and deletes those no longer defined. */
  private async persist(before: readonly LoadBalancer[]): Promise<void> {
    if (!this.store) return;
    const ids = new Set(this.lbs.map((lb) => lb.id));
    for (const lb of this.lbs) await this.store.putRecord(LOAD_BALANCER_RECORD, lb.id, lb);
    for (const lb of before) if (!ids.has(lb.id)) await this.store.deleteRecord(LOAD_BALANCER_RECORD, lb.id);
  }

  loadBalancers(): readonly LoadBalancer[] {
    return this.lbs;
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
    const m = ev.msg;
    this.run(
      policy.flowRemoved(this.state, this.clock(), {
        datapathId: ev.datapathId,
        cookie: m.cookie,
        reason: m.reason,
        idleTimeout: m.idleTimeout,
        match: m.match,
      }),
    );
  }

  /**
   * The monitor saw a VM leave (destroyed, shut off, undefined): its members stop taking clients and
   * their clients are placed again at once, without waiting for a sample that will never come.
   */
  vmGone(uuid: string): void {
    const last = this.state.vmLoads.get(uuid)?.load.sampleTime ?? 0;
    this.run(
      policy.sample(this.state, this.clock(), {
        vm: uuid,
        time: Math.max(this.clock(), last + 1),
        state: 'shutoff',
        metrics: {},
      }),
    );
  }

  private onSample(s: VmSample): void {
    this.run(
      policy.sample(this.state, this.clock(), {
        vm: s.uuid,
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
    this.run(policy.memberHealth(this.state, this.clock(), c.pool, c.member, c.status));
  }

  /**
   * Probes the members of pools with a health monitor (members whose settings did not change keep their
   * state). A member no longer probed counts as up again, as the checker starts every member up.
   */
  private watchHealth(): void {
    const watches: HealthWatch[] = [];
    for (const lb of this.lbs) {
      const hm = lb.pool.healthMonitor;
      for (const m of lb.pool.members) {
        if (hm && lb.adminStateUp && m.adminStateUp) {
          watches.push({
            pool: lb.pool.id,
            member: m.id,
            target: { address: m.address, port: m.port },
            monitor: hm,
          });
        }
      }
    }
    this.checker.sync(watches);
    for (const lb of this.lbs) {
      for (const m of lb.pool.members) {
        const status = this.checker.status(lb.pool.id, m.id) ?? 'UP';
        this.run(policy.memberHealth(this.state, this.clock(), lb.pool.id, m.id, status));
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
