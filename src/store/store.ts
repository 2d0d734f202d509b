// The metric store: what the monitor and collector write, and the controller, API and dashboard read.
// Two implementations pass one contract suite (test/store/contract.ts): MemoryStore, the embedded
// default for one process, and RedisStore, shared by many processes and surviving their restarts.
// What a VM sample is: vm-sample.ts; other contracts kept as records: host-inventory.ts, vm-traffic.ts.

import { STORE_NAME_PATTERN, type RefusalLog } from './checked.js';
import { parseVmSample, type VmSample } from './vm-sample.js';

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
  /** Every new VM sample (VmSample); read it with Store.subscribeSamples. */
  samples: 'samples',
  /** Operational events: placements, member health, switch up/down ({ type, time, ... }). */
  events: 'events',
} as const;

export interface Store {
  readonly kind: 'memory' | 'redis';

  /** Stores the latest sample of a VM (readable until its TTL), appends its metrics to the VM's
   * series, and publishes it on the samples channel. */
  putSample(sample: VmSample): Promise<void>;
  /** A VM's latest sample; one read back that is not a VM sample is logged and left out. */
  getSample(uuid: string): Promise<VmSample | undefined>;
  /** Every VM sample that has not expired (as getSample, malformed ones left out). */
  listSamples(): Promise<VmSample[]>;
  /** New samples as they are published; a message on the channel that is not a VM sample is logged
   * and dropped. Same delivery as subscribe. */
  subscribeSamples(handler: (sample: VmSample) => void): Promise<Subscription>;
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

const NAME = new RegExp(STORE_NAME_PATTERN);

export function checkName(what: string, name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new StoreInputError(
      `${what} ${JSON.stringify(name)} must be 1-256 characters of A-Z a-z 0-9 _ . : @ % + -`,
    );
  }
}

export function checkSample(sample: VmSample): void {
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
  const c = parseVmSample(sample);
  if (!c.ok) throw new StoreInputError(`sample ${sample.uuid} is not a VM sample: ${c.error}`);
}

/** A samples-channel handler that passes on VM samples only; anything else is logged and dropped. */
export function sampleHandler(handler: (sample: VmSample) => void, log: RefusalLog): (m: unknown) => void {
  return (message) => {
    const c = parseVmSample(message);
    if (c.ok) handler(c.value);
    else
      log.warn(
        { channel: Channels.samples, err: c.error },
        'message on the samples channel refused: it is not a VM sample',
      );
  };
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
