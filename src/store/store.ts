// The metric store: what the monitor and collector write, and the controller, API and dashboard read.
// Two implementations pass one contract suite (test/store/contract.ts): MemoryStore, the embedded
// default for one process, and RedisStore, shared by many processes and surviving their restarts.

/** A VM's sample as stored: any JSON object with an identity, a time and flat numeric metrics. */
export interface StoredSample {
  /** The domain's UUID. */
  uuid: string;
  /** When the sample was taken, ms since the epoch. */
  time: number;
  /** Flat numeric metrics (e.g. "cpu.percent"): each becomes a time series. */
  metrics: Record<string, number>;
  [field: string]: unknown;
}

export interface SeriesPoint {
  time: number;
  value: number;
}

/** Inclusive time window, ms since the epoch. */
export interface TimeWindow {
  from: number;
  to: number;
}

export interface StoredRecord<T = unknown> {
  id: string;
  value: T;
}

/** A client placed on a pool member (the paper's affinity table). */
export interface AffinityEntry {
  pool: string;
  /** Client key: source MAC by default, source IP when the pool says so. */
  client: string;
  member: string;
  /** When the client was first placed, ms since the epoch. */
  created: number;
  /** Last time the entry was claimed or touched. */
  lastSeen: number;
  /** The entry disappears at this time unless touched again. */
  expiresAt: number;
}

/** A request to place a client on a member (see Store.claimAffinities). */
export interface AffinityClaim {
  pool: string;
  client: string;
  member: string;
  idleMs: number;
}

export interface Subscription {
  unsubscribe(): Promise<void>;
}

/** Channels that Vigil publishes on; the payloads are JSON. */
export const Channels = {
  /** Every new VM sample (StoredSample). */
  samples: 'samples',
  /** Operational events: placements, member health, switch up/down ({ type, time, ... }). */
  events: 'events',
} as const;

export interface Store {
  readonly kind: 'memory' | 'redis';

  /** Stores the latest sample of a VM (readable until its TTL), appends its metrics to the VM's
   * series, and publishes it on the samples channel. */
  putSample(sample: StoredSample): Promise<void>;
  getSample(uuid: string): Promise<StoredSample | undefined>;
  /** Every VM sample that has not expired. */
  listSamples(): Promise<StoredSample[]>;
  /** One metric of one VM over a time window, oldest first. */
  readSeries(uuid: string, metric: string, window: TimeWindow): Promise<SeriesPoint[]>;

  /** Named JSON records by kind (pool definitions, switch stats, ...), optionally expiring. */
  putRecord(kind: string, id: string, value: unknown, opts?: { ttlMs?: number }): Promise<void>;
  getRecord<T = unknown>(kind: string, id: string): Promise<T | undefined>;
  listRecords<T = unknown>(kind: string): Promise<Array<StoredRecord<T>>>;
  deleteRecord(kind: string, id: string): Promise<boolean>;

  publish(channel: string, message: unknown): Promise<void>;
  /** Handlers receive messages published after the returned promise resolves, in order. */
  subscribe(channel: string, handler: (message: unknown) => void): Promise<Subscription>;

  /**
   * Places a client on a member unless it already has one: the existing entry wins (so concurrent
   * controllers agree) and is returned, refreshed; otherwise the new entry is returned.
   */
  claimAffinity(pool: string, client: string, member: string, idleMs: number): Promise<AffinityEntry>;
  /**
   * Several claims in one call, applied in order: for each, the member the client ends up with. A bad
   * claim rejects the whole call before any is applied.
   */
  claimAffinities(claims: readonly AffinityClaim[]): Promise<string[]>;
  getAffinity(pool: string, client: string): Promise<AffinityEntry | undefined>;
  /** Extends an entry's life by idleMs from now; undefined when it has already expired. */
  touchAffinity(pool: string, client: string, idleMs: number): Promise<AffinityEntry | undefined>;
  deleteAffinity(pool: string, client: string): Promise<boolean>;
  listAffinity(pool: string): Promise<AffinityEntry[]>;
  /** Removes every entry of a member (down, disabled or deleted); returns how many. */
  deleteAffinityOfMember(pool: string, member: string): Promise<number>;

  close(): Promise<void>;
}

export interface StoreLimits {
  /** How long a VM sample stays readable. */
  sampleTtlMs: number;
  /** Points older than this (relative to the VM's newest point) are dropped. */
  seriesRetentionMs: number;
  /** At most this many points per VM. */
  seriesMaxPoints: number;
}

/** The store cannot serve the call right now (Redis down, reconnecting): retry later. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** Input the store refuses (bad names, non-finite metrics, oversized records). */
export class StoreInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreInputError';
  }
}

/** Largest JSON value (sample or record) the store accepts. */
export const MAX_VALUE_BYTES = 1024 * 1024;

const NAME = /^[A-Za-z0-9_.:@%+-]{1,256}$/;

export function checkName(what: string, name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new StoreInputError(
      `${what} ${JSON.stringify(name)} must be 1-256 characters of A-Z a-z 0-9 _ . : @ % + -`,
    );
  }
}

export function checkSample(sample: StoredSample): void {
  checkName('sample uuid', sample?.uuid);
  if (!Number.isFinite(sample.time))
    throw new StoreInputError(`sample ${sample.uuid}: time must be a number`);
  if (typeof sample.metrics !== 'object' || sample.metrics === null) {
    throw new StoreInputError(`sample ${sample.uuid}: metrics must be an object`);
  }
  for (const [k, v] of Object.entries(sample.metrics)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new StoreInputError(
        `sample ${sample.uuid}: metric ${k} must be a finite number, got ${String(v)}`,
      );
    }
  }
}

export function checkClaim(c: AffinityClaim): void {
  checkName('pool', c.pool);
  checkName('client', c.client);
  checkName('member', c.member);
  checkTtl('affinity idle time', c.idleMs);
}

/**
 * Checks a batch of claims, all before any is applied. Pool and member names repeat from one claim to the
 * next: each is checked when it differs from the previous claim's.
 */
export function checkClaims(claims: readonly AffinityClaim[]): void {
  let pool: string | undefined;
  let member: string | undefined;
  for (let i = 0; i < claims.length; i++) {
    const c = claims[i]!;
    if (c.pool !== pool || pool === undefined) checkName('pool', (pool = c.pool));
    if (c.member !== member || member === undefined) checkName('member', (member = c.member));
    checkName('client', c.client);
    checkTtl('affinity idle time', c.idleMs);
  }
}

export function checkTtl(what: string, ms: number): void {
  if (!Number.isFinite(ms) || ms <= 0 || ms > 365 * 86_400_000) {
    throw new StoreInputError(`${what} must be a positive number of milliseconds, got ${ms}`);
  }
}

export function toJson(what: string, value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new StoreInputError(`${what} is not JSON-serialisable`);
  if (json.length > MAX_VALUE_BYTES) {
    throw new StoreInputError(`${what} is ${json.length} bytes of JSON; the limit is ${MAX_VALUE_BYTES}`);
  }
  return json;
}
