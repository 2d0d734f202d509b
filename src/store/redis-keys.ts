// Every Redis key and channel Vigil uses, in one place (documented in docs/store.md).
// Parts other than the last are escaped so that names containing ':' (MAC addresses, IPv6) never
// make two different keys collide.

function part(s: string): string {
  return s.replace(/%/g, '%25').replace(/:/g, '%3A');
}

export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** Latest sample of a VM: JSON string with a TTL. */
  sample(uuid: string): string {
    return `${this.prefix}:sample:${uuid}`;
  }
  /** Index of live samples: sorted set, member = uuid, score = expiry (ms). */
  samples(): string {
    return `${this.prefix}:samples`;
  }
  /** A VM's metric history: sorted set, score = sample time (ms), member = JSON {t, m}. */
  series(uuid: string): string {
    return `${this.prefix}:series:${uuid}`;
  }
  /** A named record: JSON string, with a TTL when the record expires. */
  record(kind: string, id: string): string {
    return `${this.prefix}:record:${part(kind)}:${id}`;
  }
  /** Index of a kind's records: sorted set, member = id, score = expiry (ms) or +inf. */
  records(kind: string): string {
    return `${this.prefix}:records:${kind}`;
  }
  /** One affinity entry: JSON string whose TTL is the idle expiry. */
  affinity(pool: string, client: string): string {
    return `${this.prefix}:affinity:${part(pool)}:${client}`;
  }
  /** Index of a pool's affinity entries: sorted set, member = client key, score = expiry (ms). */
  affinityIndex(pool: string): string {
    return `${this.prefix}:affinity-index:${pool}`;
  }
  /** Pub/sub channel. */
  channel(name: string): string {
    return `${this.prefix}:channel:${name}`;
  }
}
