// The placement log: for each new client, the member chosen and the scores that decided it, kept in a
// fixed-size ring (the newest `capacity` placements) for the API and the dashboard.
//
// The ring is struct-of-arrays so that recording a placement allocates nothing once every slot is in use:
// numbers go into preallocated typed arrays (one reusable Float64Array per slot for the per-candidate
// numbers), strings and the shared candidate list are stored by reference. PlacementRecord objects are
// built only when read.

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

export type PlacementReason = PlacementRecord['reason'];

/**
 * What `add` stores by reference or copies: everything of a record but the per-candidate numbers. The
 * `candidates` array is stored by reference: the caller must not change it afterwards.
 */
export type PlacementInput = Omit<PlacementRecord, 'scores' | 'clients' | 'pending'>;

/** A candidate's clients, as read by `add` (an algorithm's Candidate fits). */
export interface CandidateLoad {
  readonly clients: number;
  readonly pending: number;
}

const REASONS: readonly PlacementReason[] = ['new-client', 'member-gone'];
const NO_NUMBERS = new Float64Array(0);

export class PlacementLog {
  private readonly times: Float64Array;
  private readonly reasons: Uint8Array;
  private readonly scored: Uint8Array;
  private readonly loadBalancers: string[];
  private readonly pools: string[];
  private readonly clients: string[];
  private readonly members: string[];
  private readonly algorithms: string[];
  private readonly candidates: Array<readonly string[]>;
  /** Per slot: clients[0..n), pending[n..2n), scores[2n..3n) for its n candidates. */
  private readonly numbers: Float64Array[];
  private added = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`placement log capacity must be a positive integer, got ${capacity}`);
    this.times = new Float64Array(capacity);
    this.reasons = new Uint8Array(capacity);
    this.scored = new Uint8Array(capacity);
    this.loadBalancers = new Array<string>(capacity).fill('');
    this.pools = new Array<string>(capacity).fill('');
    this.clients = new Array<string>(capacity).fill('');
    this.members = new Array<string>(capacity).fill('');
    this.algorithms = new Array<string>(capacity).fill('');
    this.candidates = new Array<readonly string[]>(capacity).fill([]);
    this.numbers = new Array<Float64Array>(capacity).fill(NO_NUMBERS);
  }

  /**
   * Records one placement and returns its sequence number (for `get`). `input` is not kept (a caller may
   * reuse one object); its strings and `candidates` array are stored by reference. `loads[i]` and
   * `scores[i]` belong to `input.candidates[i]` and are copied; `scores` is read only now, so an
   * algorithm's scratch array will do. Without `scores` the record has none.
   */
  add(input: PlacementInput, loads: readonly CandidateLoad[], scores?: ArrayLike<number>): number {
    const seq = this.added++;
    const slot = seq % this.capacity;
    const n = input.candidates.length;
    let numbers = this.numbers[slot]!;
    if (numbers.length < 3 * n) numbers = this.numbers[slot] = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const c = loads[i]!;
      numbers[i] = c.clients;
      numbers[n + i] = c.pending;
    }
    if (scores !== undefined) for (let i = 0; i < n; i++) numbers[2 * n + i] = scores[i]!;
    this.scored[slot] = scores === undefined ? 0 : 1;
    this.times[slot] = input.time;
    this.reasons[slot] = REASONS.indexOf(input.reason);
    this.loadBalancers[slot] = input.loadBalancer;
    this.pools[slot] = input.pool;
    this.clients[slot] = input.client;
    this.members[slot] = input.member;
    this.algorithms[slot] = input.algorithm;
    this.candidates[slot] = input.candidates;
    return seq;
  }

  /** The placement `add` numbered `seq`, or undefined once the ring has overwritten it. */
  get(seq: number): PlacementRecord | undefined {
    if (!Number.isInteger(seq) || seq < this.added - this.size || seq >= this.added) return undefined;
    return this.record(seq % this.capacity);
  }

  /** Newest first, at most `limit`, optionally of one pool. */
  recent(limit = this.capacity, pool?: string): PlacementRecord[] {
    const out: PlacementRecord[] = [];
    for (let k = 1; k <= this.size && out.length < limit; k++) {
      const slot = (this.added - k) % this.capacity;
      if (pool === undefined || this.pools[slot] === pool) out.push(this.record(slot));
    }
    return out;
  }

  /** Placements ever recorded. */
  get total(): number {
    return this.added;
  }

  get size(): number {
    return Math.min(this.added, this.capacity);
  }

  /** A fresh record of one slot: its arrays are copies, only `candidates` is shared. */
  private record(slot: number): PlacementRecord {
    const candidates = this.candidates[slot]!;
    const n = candidates.length;
    const numbers = this.numbers[slot]!;
    const r: PlacementRecord = {
      time: this.times[slot]!,
      loadBalancer: this.loadBalancers[slot]!,
      pool: this.pools[slot]!,
      client: this.clients[slot]!,
      member: this.members[slot]!,
      algorithm: this.algorithms[slot]!,
      reason: REASONS[this.reasons[slot]!]!,
      candidates,
      clients: Array.from(numbers.subarray(0, n)),
      pending: Array.from(numbers.subarray(n, 2 * n)),
    };
    if (this.scored[slot] === 1) r.scores = Array.from(numbers.subarray(2 * n, 3 * n));
    return r;
  }
}
