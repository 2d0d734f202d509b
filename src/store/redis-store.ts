// The shared store on a real Redis server (node-redis). Many Vigil processes (a monitor per compute host,
// one or more controllers) read and write it; pool definitions and the affinity table survive their
// restarts. Key names: src/store/redis-keys.ts and docs/store.md.
//
// Availability: connect() fails fast with a clear message when Redis cannot be reached at startup.
// Afterwards the client reconnects with capped exponential backoff; while it is down every call
// rejects at once with StoreUnavailableError (no offline queue that would grow without bound), and
// subscriptions resume by themselves when it is back.

import { createClient, type RedisClientType } from 'redis';
import { silentLogger, type Logger } from '../log/logger.js';
import { newRefusal } from './checked.js';
import { RedisKeys } from './redis-keys.js';
import {
  Channels,
  checkClaim,
  checkClaims,
  checkName,
  checkSample,
  checkTtl,
  MAX_VALUE_BYTES,
  sampleHandler,
  StoreUnavailableError,
  toJson,
  type AffinityClaim,
  type AffinityEntry,
  type SeriesPoint,
  type Store,
  type StoreLimits,
  type StoredRecord,
  type Subscription,
  type TimeWindow,
} from './store.js';
import { parseVmSample, type VmSample } from './vm-sample.js';

export interface RedisStoreOptions {
  url: string;
  keyPrefix: string;
  limits: StoreLimits;
  /** How long connect() waits for the first connection. */
  connectTimeoutMs?: number;
  logger?: Logger;
}

/** Reconnect backoff: 100 ms doubling to 5 s, with jitter so many processes do not retry in step. */
export function reconnectDelay(retries: number): number {
  const base = Math.min(100 * 2 ** Math.min(retries, 10), 5000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** The URL without its password, for logs and errors. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*):([^@/]*)@/, '//$1:***@');
}

// Claim: keep an existing entry (refreshing its expiry) or create the given one. Atomic, so
// concurrent controllers always agree on a client's member.
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[3])
local idle = tonumber(ARGV[4])
if cur then
  local e = cjson.decode(cur)
  e.lastSeen = now
  e.expiresAt = now + idle
  cur = cjson.encode(e)
else
  cur = ARGV[2]
end
redis.call('SET', KEYS[1], cur, 'PX', idle)
redis.call('ZADD', KEYS[2], now + idle, ARGV[1])
return cur`;

const TOUCH = `
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
local now = tonumber(ARGV[2])
local idle = tonumber(ARGV[3])
local e = cjson.decode(cur)
e.lastSeen = now
e.expiresAt = now + idle
cur = cjson.encode(e)
redis.call('SET', KEYS[1], cur, 'PX', idle)
redis.call('ZADD', KEYS[2], now + idle, ARGV[1])
return cur`;

type Client = RedisClientType;

/** One metric of a series row (`{"t":time,"m":{metrics}}`); undefined when absent or not a number. */
function seriesPoint(row: string, metric: string): SeriesPoint | undefined {
  let parsed: { t?: unknown; m?: Record<string, unknown> } | null;
  try {
    parsed = JSON.parse(row) as typeof parsed;
  } catch {
    return undefined;
  }
  const m = parsed?.m;
  const v = typeof m === 'object' && m !== null ? m[metric] : undefined;
  return typeof parsed?.t === 'number' && typeof v === 'number' ? { time: parsed.t, value: v } : undefined;
}

export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  private readonly keys: RedisKeys;
  private subscriber: Client | undefined;
  private subscriberReady: Promise<Client> | undefined;
  private closed = false;

  private constructor(
    private readonly client: Client,
    private readonly opts: RedisStoreOptions,
    private readonly log: Logger,
  ) {
    this.keys = new RedisKeys(opts.keyPrefix);
  }

  static async connect(opts: RedisStoreOptions): Promise<RedisStore> {
    const log = (opts.logger ?? silentLogger()).child({ component: 'store', redis: redactUrl(opts.url) });
    const client = RedisStore.createClient(opts, log, 'commands');
    const timeoutMs = opts.connectTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.connect(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      client.destroy();
      throw new StoreUnavailableError(
        `cannot connect to Redis at ${redactUrl(opts.url)}: ${(err as Error).message}. ` +
          'Check that redis-server is running and reachable (store.redisUrl / VIGIL_STORE_REDIS_URL / --redis), ' +
          'or use the embedded store (store.kind: memory).',
        { cause: err },
      );
    } finally {
      clearTimeout(timer);
    }
    log.info('connected to Redis');
    return new RedisStore(client as Client, opts, log);
  }

  private static createClient(opts: RedisStoreOptions, log: Logger, role: string): Client {
    let connectedOnce = false;
    let lastErrorLog = 0;
    const client = createClient({
      url: opts.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: opts.connectTimeoutMs ?? 5000,
        reconnectStrategy: (retries: number, cause: Error) => {
          // Before the first connection, fail: connect() reports it to the operator.
          if (!connectedOnce) return cause;
          const delay = reconnectDelay(retries);
          if (retries === 0 || retries % 20 === 0) {
            log.warn(
              { role, retries, delayMs: delay, err: cause.message },
              'Redis connection lost; reconnecting',
            );
          }
          return delay;
        },
      },
    });
    client.on('ready', () => {
      if (connectedOnce) log.info({ role }, 'Redis connection restored');
      connectedOnce = true;
    });
    // Without a listener, node-redis errors would crash the process.
    client.on('error', (err: Error) => {
      const now = Date.now();
      if (now - lastErrorLog > 10_000) {
        lastErrorLog = now;
        log.warn({ role, err: err.message }, 'Redis error');
      }
    });
    return client as unknown as Client;
  }

  /** Runs a command, turning connection trouble into StoreUnavailableError. */
  private async call<T>(what: string, fn: (c: Client) => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError(`store is closed (${what})`);
    if (!this.client.isReady) {
      throw new StoreUnavailableError(
        `Redis at ${redactUrl(this.opts.url)} is unavailable (reconnecting); ${what} failed`,
      );
    }
    try {
      return await fn(this.client);
    } catch (err) {
      if (!this.client.isReady || /closed|connect|socket|offline/i.test((err as Error).message)) {
        throw new StoreUnavailableError(
          `Redis at ${redactUrl(this.opts.url)} is unavailable: ${(err as Error).message}; ${what} failed`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  async putSample(sample: VmSample): Promise<void> {
    checkSample(sample);
    const json = toJson(`sample ${sample.uuid}`, sample);
    const { sampleTtlMs, seriesRetentionMs, seriesMaxPoints } = this.opts.limits;
    const now = Date.now();
    const seriesKey = this.keys.series(sample.uuid);
    await this.call('putSample', (c) =>
      c
        .multi()
        .set(this.keys.sample(sample.uuid), json, { expiration: { type: 'PX', value: sampleTtlMs } })
        .zAdd(this.keys.samples(), { score: now + sampleTtlMs, value: sample.uuid })
        .zAdd(seriesKey, { score: sample.time, value: JSON.stringify({ t: sample.time, m: sample.metrics }) })
        .zRemRangeByScore(seriesKey, '-inf', `(${sample.time - seriesRetentionMs}`)
        .zRemRangeByRank(seriesKey, 0, -(seriesMaxPoints + 1))
        .pExpire(seriesKey, seriesRetentionMs)
        .publish(this.keys.channel(Channels.samples), json)
        .exec(),
    );
  }

  async getSample(uuid: string): Promise<VmSample | undefined> {
    const json = await this.call('getSample', (c) => c.get(this.keys.sample(uuid)));
    return json ? this.readSample(uuid, json) : undefined;
  }

  async listSamples(): Promise<VmSample[]> {
    const values = await this.listIndexed('listSamples', this.keys.samples(), (id) => this.keys.sample(id));
    const out: VmSample[] = [];
    for (const v of values) {
      const s = this.readSample(v.id, v.json);
      if (s) out.push(s);
    }
    return out;
  }

  subscribeSamples(handler: (sample: VmSample) => void): Promise<Subscription> {
    return this.subscribe(Channels.samples, sampleHandler(handler, this.log));
  }

  /**
   * A sample as Redis gave it back: whoever wrote it (another process, an older Vigil, a person with
   * redis-cli), it is used only when it is a VM sample of that VM. Anything else is logged and left out.
   */
  private readSample(uuid: string, json: string): VmSample | undefined {
    const refuse = (err: string): undefined => {
      const key = this.keys.sample(uuid);
      if (newRefusal(`${key}:${err}`))
        this.log.warn({ key, err }, 'VM sample in Redis refused: it is not a valid VM sample');
      return undefined;
    };
    if (json.length > MAX_VALUE_BYTES) return refuse(`${json.length} bytes, over the limit`);
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      return refuse('not JSON');
    }
    const c = parseVmSample(value);
    if (!c.ok) return refuse(c.error);
    if (c.value.uuid !== uuid) return refuse(`it is the sample of ${c.value.uuid}`);
    return c.value;
  }

  /** Reads the live members of an index set and their values, pruning expired ones. */
  private async listIndexed(
    what: string,
    index: string,
    keyOf: (id: string) => string,
  ): Promise<Array<{ id: string; json: string }>> {
    const now = Date.now();
    const ids = await this.call(what, async (c) => {
      await c.zRemRangeByScore(index, '-inf', now);
      return c.zRange(index, 0, -1);
    });
    if (ids.length === 0) return [];
    ids.sort();
    const out: Array<{ id: string; json: string }> = [];
    // MGET in slices so a huge index never builds one enormous command.
    for (let i = 0; i < ids.length; i += 1000) {
      const slice = ids.slice(i, i + 1000);
      const values = await this.call(what, (c) => c.mGet(slice.map(keyOf)));
      slice.forEach((id, j) => {
        const json = values[j];
        if (json) out.push({ id, json });
      });
    }
    return out;
  }

  async readSeries(uuid: string, metric: string, window: TimeWindow): Promise<SeriesPoint[]> {
    const rows = await this.call('readSeries', (c) =>
      c.zRange(this.keys.series(uuid), window.from, window.to, { BY: 'SCORE' }),
    );
    const out: SeriesPoint[] = [];
    for (const row of rows) {
      const point = seriesPoint(row, metric);
      if (point) out.push(point);
    }
    return out;
  }

  async putRecord(kind: string, id: string, value: unknown, opts: { ttlMs?: number } = {}): Promise<void> {
    checkName('record kind', kind);
    checkName('record id', id);
    const json = toJson(`record ${kind}/${id}`, value);
    const ttl = opts.ttlMs;
    if (ttl !== undefined) checkTtl('record ttl', ttl);
    await this.call('putRecord', (c) => {
      const m = c.multi();
      if (ttl === undefined) m.set(this.keys.record(kind, id), json);
      else m.set(this.keys.record(kind, id), json, { expiration: { type: 'PX', value: ttl } });
      m.zAdd(this.keys.records(kind), { score: ttl === undefined ? Infinity : Date.now() + ttl, value: id });
      return m.exec();
    });
  }

  async getRecord<T>(kind: string, id: string): Promise<T | undefined> {
    const json = await this.call('getRecord', (c) => c.get(this.keys.record(kind, id)));
    return json ? (JSON.parse(json) as T) : undefined;
  }

  async listRecords<T>(kind: string): Promise<Array<StoredRecord<T>>> {
    const values = await this.listIndexed('listRecords', this.keys.records(kind), (id) =>
      this.keys.record(kind, id),
    );
    return values.map((v) => ({ id: v.id, value: JSON.parse(v.json) as T }));
  }

  async deleteRecord(kind: string, id: string): Promise<boolean> {
    const [deleted] = await this.call('deleteRecord', (c) =>
      c.multi().del(this.keys.record(kind, id)).zRem(this.keys.records(kind), id).exec(),
    );
    return Number(deleted) > 0;
  }

  async publish(channel: string, message: unknown): Promise<void> {
    checkName('channel', channel);
    const json = toJson(`message on ${channel}`, message);
    await this.call('publish', (c) => c.publish(this.keys.channel(channel), json));
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<Subscription> {
    checkName('channel', channel);
    const sub = await this.getSubscriber();
    const name = this.keys.channel(channel);
    const listener = (json: string) => {
      let message: unknown;
      try {
        message = JSON.parse(json);
      } catch {
        this.log.warn({ channel }, 'dropped a message that is not JSON');
        return;
      }
      handler(message);
    };
    await sub.subscribe(name, listener);
    return {
      unsubscribe: async () => {
        if (sub.isReady) await sub.unsubscribe(name, listener);
      },
    };
  }

  private getSubscriber(): Promise<Client> {
    this.subscriberReady ??= (async () => {
      const sub = RedisStore.createClient(this.opts, this.log, 'subscriber');
      await sub.connect();
      this.subscriber = sub;
      return sub;
    })().catch((err: unknown) => {
      this.subscriberReady = undefined;
      throw new StoreUnavailableError(
        `cannot subscribe on Redis at ${redactUrl(this.opts.url)}: ${String(err)}`,
        {
          cause: err,
        },
      );
    });
    return this.subscriberReady;
  }

  async claimAffinity(pool: string, client: string, member: string, idleMs: number): Promise<AffinityEntry> {
    checkClaim({ pool, client, member, idleMs });
    return this.claim(pool, client, member, idleMs);
  }

  async claimAffinities(claims: readonly AffinityClaim[]): Promise<string[]> {
    checkClaims(claims);
    // Issued together, the scripts go to Redis in one pipeline and run in order.
    const entries = await Promise.all(claims.map((c) => this.claim(c.pool, c.client, c.member, c.idleMs)));
    return entries.map((e) => e.member);
  }

  private async claim(pool: string, client: string, member: string, idleMs: number): Promise<AffinityEntry> {
    const now = Date.now();
    const fresh: AffinityEntry = {
      pool,
      client,
      member,
      created: now,
      lastSeen: now,
      expiresAt: now + idleMs,
    };
    const json = await this.call('claimAffinity', (c) =>
      c.eval(CLAIM, {
        keys: [this.keys.affinity(pool, client), this.keys.affinityIndex(pool)],
        arguments: [client, JSON.stringify(fresh), String(now), String(Math.ceil(idleMs))],
      }),
    );
    return JSON.parse(String(json)) as AffinityEntry;
  }

  async getAffinity(pool: string, client: string): Promise<AffinityEntry | undefined> {
    const json = await this.call('getAffinity', (c) => c.get(this.keys.affinity(pool, client)));
    return json ? (JSON.parse(json) as AffinityEntry) : undefined;
  }

  async touchAffinity(pool: string, client: string, idleMs: number): Promise<AffinityEntry | undefined> {
    checkTtl('affinity idle time', idleMs);
    const json = await this.call('touchAffinity', (c) =>
      c.eval(TOUCH, {
        keys: [this.keys.affinity(pool, client), this.keys.affinityIndex(pool)],
        arguments: [client, String(Date.now()), String(Math.ceil(idleMs))],
      }),
    );
    return json ? (JSON.parse(String(json)) as AffinityEntry) : undefined;
  }

  async deleteAffinity(pool: string, client: string): Promise<boolean> {
    const [deleted] = await this.call('deleteAffinity', (c) =>
      c.multi().del(this.keys.affinity(pool, client)).zRem(this.keys.affinityIndex(pool), client).exec(),
    );
    return Number(deleted) > 0;
  }

  async listAffinity(pool: string): Promise<AffinityEntry[]> {
    const values = await this.listIndexed('listAffinity', this.keys.affinityIndex(pool), (client) =>
      this.keys.affinity(pool, client),
    );
    return values.map((v) => JSON.parse(v.json) as AffinityEntry);
  }

  async deleteAffinityOfMember(pool: string, member: string): Promise<number> {
    const entries = (await this.listAffinity(pool)).filter((e) => e.member === member);
    let n = 0;
    for (const e of entries) if (await this.deleteAffinity(pool, e.client)) n++;
    return n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of [this.client, this.subscriber]) {
      if (!c) continue;
      try {
        if (c.isReady) await c.close();
        else c.destroy();
      } catch {
        c.destroy();
      }
    }
  }
}
