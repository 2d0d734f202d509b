// The embedded store: everything in this process's memory, gone when it exits. The default, so one
// command runs all of Vigil on one machine. Same contract as RedisStore. Samples are checked against the
// VM sample schema when they are put, so what it reads back needs no second check.

import type { RefusalLog } from './checked.js';
import {
  checkClaim,
  checkClaims,
  checkName,
  checkSample,
  checkTtl,
  toJson,
  type AffinityClaim,
  type AffinityEntry,
  type SeriesPoint,
  type Store,
  type StoreLimits,
  type StoredRecord,
  type Subscription,
  type TimeWindow,
  Channels,
  sampleHandler,
} from './store.js';
import { AffinityTable } from './affinity-table.js';
import type { VmSample } from './vm-sample.js';

interface Expiring {
  json: string;
  expiresAt: number;
}

interface SeriesRow {
  time: number;
  metrics: Record<string, number>;
}

const SWEEP_MS = 10_000;
/**
 * The affinity tables are swept every second, a tenth of each (at least 65,536 slots) at a time: a short
 * pause however large the table, and every slot checked every 10 s. Expired entries also go when read.
 */
const AFFINITY_SWEEP_MS = 1000;
const AFFINITY_SWEEP_SHARE = 10;
const AFFINITY_SWEEP_MIN_SLOTS = 65_536;

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  private readonly samples = new Map<string, Expiring>();
  private readonly series = new Map<string, SeriesRow[]>();
  private readonly records = new Map<string, Map<string, Expiring>>();
  private readonly affinity = new Map<string, AffinityTable>();
  private readonly handlers = new Map<string, Set<(m: unknown) => void>>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly affinitySweeper: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly limits: StoreLimits,
    private readonly now: () => number = Date.now,
    private readonly log: RefusalLog = { warn() {} },
  ) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
    this.affinitySweeper = setInterval(() => this.sweepAffinity(), AFFINITY_SWEEP_MS);
    this.affinitySweeper.unref();
  }

  async putSample(sample: VmSample): Promise<void> {
    checkSample(sample);
    const json = toJson(`sample ${sample.uuid}`, sample);
    this.samples.set(sample.uuid, { json, expiresAt: this.now() + this.limits.sampleTtlMs });
    this.appendSeries(sample.uuid, { time: sample.time, metrics: { ...sample.metrics } });
    await this.publish(Channels.samples, sample);
  }

  private appendSeries(uuid: string, row: SeriesRow): void {
    let rows = this.series.get(uuid);
    if (!rows) this.series.set(uuid, (rows = []));
    // Samples almost always arrive in time order; keep the array sorted when they do not.
    let i = rows.length;
    while (i > 0 && rows[i - 1]!.time > row.time) i--;
    rows.splice(i, 0, row);
    const newest = rows[rows.length - 1]!.time;
    const oldestKept = newest - this.limits.seriesRetentionMs;
    let drop = 0;
    while (drop < rows.length && rows[drop]!.time < oldestKept) drop++;
    drop = Math.max(drop, rows.length - this.limits.seriesMaxPoints);
    if (drop > 0) rows.splice(0, drop);
  }

  async getSample(uuid: string): Promise<VmSample | undefined> {
    const e = this.live(this.samples, uuid);
    return e ? (JSON.parse(e.json) as VmSample) : undefined;
  }

  async listSamples(): Promise<VmSample[]> {
    const out: VmSample[] = [];
    for (const uuid of [...this.samples.keys()].sort()) {
      const e = this.live(this.samples, uuid);
      if (e) out.push(JSON.parse(e.json) as VmSample);
    }
    return out;
  }

  subscribeSamples(handler: (sample: VmSample) => void): Promise<Subscription> {
    return this.subscribe(Channels.samples, sampleHandler(handler, this.log));
  }

  async readSeries(uuid: string, metric: string, window: TimeWindow): Promise<SeriesPoint[]> {
    const rows = this.series.get(uuid) ?? [];
    // Binary search for the first row inside the window.
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid]!.time < window.from) lo = mid + 1;
      else hi = mid;
    }
    const out: SeriesPoint[] = [];
    for (let i = lo; i < rows.length && rows[i]!.time <= window.to; i++) {
      const v = rows[i]!.metrics[metric];
      if (v !== undefined) out.push({ time: rows[i]!.time, value: v });
    }
    return out;
  }

  async putRecord(kind: string, id: string, value: unknown, opts: { ttlMs?: number } = {}): Promise<void> {
    checkName('record kind', kind);
    checkName('record id', id);
    if (opts.ttlMs !== undefined) checkTtl('record ttl', opts.ttlMs);
    let byId = this.records.get(kind);
    if (!byId) this.records.set(kind, (byId = new Map()));
    byId.set(id, {
      json: toJson(`record ${kind}/${id}`, value),
      expiresAt: opts.ttlMs === undefined ? Infinity : this.now() + opts.ttlMs,
    });
  }

  async getRecord<T>(kind: string, id: string): Promise<T | undefined> {
    const byId = this.records.get(kind);
    const e = byId && this.live(byId, id);
    return e ? (JSON.parse(e.json) as T) : undefined;
  }

  async listRecords<T>(kind: string): Promise<Array<StoredRecord<T>>> {
    const byId = this.records.get(kind);
    if (!byId) return [];
    const out: Array<StoredRecord<T>> = [];
    for (const id of [...byId.keys()].sort()) {
      const e = this.live(byId, id);
      if (e) out.push({ id, value: JSON.parse(e.json) as T });
    }
    return out;
  }

  async deleteRecord(kind: string, id: string): Promise<boolean> {
    const byId = this.records.get(kind);
    const existed = !!byId && !!this.live(byId, id);
    byId?.delete(id);
    return existed;
  }

  async publish(channel: string, message: unknown): Promise<void> {
    checkName('channel', channel);
    const handlers = this.handlers.get(channel);
    if (!handlers || handlers.size === 0) return;
    // As with Redis, subscribers get their own copy, delivered after the publisher's turn.
    const json = toJson(`message on ${channel}`, message);
    for (const h of [...handlers]) {
      queueMicrotask(() => {
        if (handlers.has(h)) h(JSON.parse(json));
      });
    }
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<Subscription> {
    checkName('channel', channel);
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    // Wrap so the same function may subscribe twice and each subscription is removed on its own.
    const own = (m: unknown) => handler(m);
    set.add(own);
    return {
      unsubscribe: async () => {
        set.delete(own);
      },
    };
  }

  async claimAffinity(pool: string, client: string, member: string, idleMs: number): Promise<AffinityEntry> {
    checkClaim({ pool, client, member, idleMs });
    const now = this.now();
    const table = this.affinityTable(pool);
    table.claim(client, member, now, idleMs);
    return table.get(client, now)!;
  }

  async claimAffinities(claims: readonly AffinityClaim[]): Promise<string[]> {
    checkClaims(claims);
    const now = this.now();
    const members = new Array<string>(claims.length);
    let table: AffinityTable | undefined;
    for (let i = 0; i < claims.length; i++) {
      const c = claims[i]!;
      if (table?.pool !== c.pool) table = this.affinityTable(c.pool);
      members[i] = table.claim(c.client, c.member, now, c.idleMs);
    }
    return members;
  }

  async getAffinity(pool: string, client: string): Promise<AffinityEntry | undefined> {
    return this.affinity.get(pool)?.get(client, this.now());
  }

  async touchAffinity(pool: string, client: string, idleMs: number): Promise<AffinityEntry | undefined> {
    checkTtl('affinity idle time', idleMs);
    return this.affinity.get(pool)?.touch(client, this.now(), idleMs);
  }

  async deleteAffinity(pool: string, client: string): Promise<boolean> {
    return this.affinity.get(pool)?.delete(client, this.now()) ?? false;
  }

  async listAffinity(pool: string): Promise<AffinityEntry[]> {
    return this.affinity.get(pool)?.list(this.now()) ?? [];
  }

  async deleteAffinityOfMember(pool: string, member: string): Promise<number> {
    return this.affinity.get(pool)?.deleteMember(member, this.now()) ?? 0;
  }

  private affinityTable(pool: string): AffinityTable {
    let table = this.affinity.get(pool);
    if (!table) this.affinity.set(pool, (table = new AffinityTable(pool)));
    return table;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    clearInterval(this.affinitySweeper);
    this.handlers.clear();
  }

  private live(map: Map<string, Expiring>, key: string): Expiring | undefined {
    const e = map.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return e;
  }

  private sweepAffinity(): void {
    const now = this.now();
    for (const table of this.affinity.values())
      table.sweep(now, Math.max(AFFINITY_SWEEP_MIN_SLOTS, Math.ceil(table.slots / AFFINITY_SWEEP_SHARE)));
  }

  /** Drops expired entries so memory stays bounded even for keys nobody reads again. */
  private sweep(): void {
    const now = this.now();
    for (const [k, e] of this.samples) if (e.expiresAt <= now) this.samples.delete(k);
    for (const byId of this.records.values())
      for (const [k, e] of byId) if (e.expiresAt <= now) byId.delete(k);
    // A VM whose newest point is older than the retention has left: drop its series.
    for (const [uuid, rows] of this.series) {
      const newest = rows[rows.length - 1];
      if (!newest || newest.time < now - this.limits.seriesRetentionMs) this.series.delete(uuid);
    }
  }
}
