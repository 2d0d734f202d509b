// The placement log: for each new client, the member chosen and the scores that decided it, kept in a
// fixed-size ring (the newest `capacity` placements) for the API and the dashboard.

export interface PlacementRecord {
  /** ms since the epoch. */
  time: number;
  loadBalancer: string;
  pool: string;
  client: string;
  member: string;
  algorithm: string;
  /** Why this placement happened: a new client, or one whose member went away. */
  reason: 'new-client' | 'member-gone';
  /** The eligible members, in pool order (shared between records while the pool is unchanged). */
  candidates: readonly string[];
  /** Each candidate's score (lower wins), when the algorithm scores. */
  scores?: readonly number[];
  /** Each candidate's clients before this placement (of which `pending` not yet in its metrics). */
  clients: readonly number[];
  pending: readonly number[];
}

export class PlacementLog {
  private readonly ring: Array<PlacementRecord | undefined>;
  private next = 0;
  private count = 0;
  /** Placements ever recorded. */
  total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`placement log capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array<PlacementRecord | undefined>(capacity);
  }

  add(r: PlacementRecord): void {
    this.ring[this.next] = r;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    this.total++;
  }

  /** Newest first, at most `limit`, optionally of one pool. */
  recent(limit = this.capacity, pool?: string): PlacementRecord[] {
    const out: PlacementRecord[] = [];
    for (let k = 1; k <= this.count && out.length < limit; k++) {
      const r = this.ring[(this.next - k + this.capacity) % this.capacity]!;
      if (pool === undefined || r.pool === pool) out.push(r);
    }
    return out;
  }

  get size(): number {
    return this.count;
  }
}
