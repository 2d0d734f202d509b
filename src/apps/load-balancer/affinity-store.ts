// The affinity table on top of the store: the controller decides on its own copy (lb-policy.ts) and this
// writes behind it. The store's claim is atomic and the existing entry wins, so when two controllers place
// one client at once, the one that loses learns the winner's member through `onConflict`. Failures are
// reported, never thrown: the packet-in path does not wait for the store.
//
// New clients' claims are gathered for one turn of the event loop and go to the store in one call: at a
// high rate of new clients, one promise and one round trip per batch instead of per client. Any other
// write first sends the claims gathered so far, so the store sees every write in the order it was made.

import type { AffinityClaim, AffinityEntry, Store } from '../../store/store.js';

export interface AffinityStoreEvents {
  /** The store holds another member for this client (another controller placed it first). */
  onConflict(pool: string, client: string, member: string): void;
  onError(err: unknown, what: string): void;
}

export class AffinityStore {
  private readonly inFlight = new Set<Promise<unknown>>();
  private claims: AffinityClaim[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly store: Store,
    private readonly events: AffinityStoreEvents,
  ) {}

  /** Queues a claim for this turn's batch (`claim` is kept as given, not copied: do not change it). */
  claim(claim: AffinityClaim): void {
    this.claims.push(claim);
    this.scheduled ??= setImmediate(this.sendClaims);
  }

  private readonly sendClaims = (): void => {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const batch = this.claims;
    if (batch.length === 0) return;
    this.claims = [];
    this.track(
      this.store.claimAffinities(batch).then((members) => {
        for (let i = 0; i < batch.length; i++) {
          const c = batch[i]!;
          if (members[i] !== c.member) this.events.onConflict(c.pool, c.client, members[i]!);
        }
      }),
      'claim',
    );
  };

  /** Extends an active client's entry. */
  touch(pool: string, client: string, idleMs: number): void {
    this.sendClaims();
    this.track(this.store.touchAffinity(pool, client, idleMs), 'touch');
  }

  forget(pool: string, client: string): void {
    this.sendClaims();
    this.track(this.store.deleteAffinity(pool, client), 'forget');
  }

  /** A member went down, was disabled or deleted: its clients will be placed again. */
  forgetMember(pool: string, member: string): void {
    this.sendClaims();
    this.track(this.store.deleteAffinityOfMember(pool, member), 'forget member');
  }

  /** The pool's live entries (a restarted controller reads them back). */
  load(pool: string): Promise<AffinityEntry[]> {
    return this.store.listAffinity(pool);
  }

  /** Resolves when every write issued so far has been answered. */
  async flush(): Promise<void> {
    this.sendClaims();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get pending(): number {
    return this.inFlight.size + (this.claims.length > 0 ? 1 : 0);
  }

  private track(p: Promise<unknown>, what: string): void {
    const q = p
      .catch((err: unknown) => this.events.onError(err, what))
      .finally(() => this.inFlight.delete(q));
    this.inFlight.add(q);
  }
}
