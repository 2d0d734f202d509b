// The affinity table on top of the store: the controller decides on its own copy (lb-policy.ts) and this
// writes behind it. The store's claim is atomic and the existing entry wins, so when two controllers place
// one client at once, the one that loses learns the winner's member through `onConflict`. Failures are
// reported, never thrown: the packet-in path does not wait for the store.

import type { AffinityEntry, Store } from '../store/store.js';

export interface AffinityStoreEvents {
  /** The store holds another member for this client (another controller placed it first). */
  onConflict(pool: string, client: string, member: string): void;
  onError(err: unknown, what: string): void;
}

export class AffinityStore {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly events: AffinityStoreEvents,
  ) {}

  claim(pool: string, client: string, member: string, idleMs: number): void {
    this.track(
      this.store.claimAffinity(pool, client, member, idleMs).then((entry) => {
        if (entry.member !== member) this.events.onConflict(pool, client, entry.member);
      }),
      'claim',
    );
  }

  /** Extends an active client's entry. */
  touch(pool: string, client: string, idleMs: number): void {
    this.track(this.store.touchAffinity(pool, client, idleMs), 'touch');
  }

  forget(pool: string, client: string): void {
    this.track(this.store.deleteAffinity(pool, client), 'forget');
  }

  /** A member went down, was disabled or deleted: its clients will be placed again. */
  forgetMember(pool: string, member: string): void {
    this.track(this.store.deleteAffinityOfMember(pool, member), 'forget member');
  }

  /** The pool's live entries (a restarted controller reads them back). */
  load(pool: string): Promise<AffinityEntry[]> {
    return this.store.listAffinity(pool);
  }

  /** Resolves when every write issued so far has been answered. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get pending(): number {
    return this.inFlight.size;
  }

  private track(p: Promise<unknown>, what: string): void {
    const q = p
      .catch((err: unknown) => this.events.onError(err, what))
      .finally(() => this.inFlight.delete(q));
    this.inFlight.add(q);
  }
}
