// One pool's affinity table in memory (client -> member, with idle expiry), laid out for millions of
// clients: a client's times live in typed arrays at the client's slot, its member as an index into the
// pool's member names, and the index from client name to slot is typed arrays too (SlotIndex). An entry
// so costs its name and about 40 bytes of typed arrays, with no object or map entry per client for the
// garbage collector to trace. Expired entries go when read, or by `sweep`, a bounded step at a time.

import type { AffinityEntry } from './store.js';
import { hashString, SlotIndex } from './slot-index.js';

const INITIAL_SLOTS = 1024;

export class AffinityTable {
  private clients: Array<string | undefined> = [];
  private readonly slotOf = new SlotIndex<string>(hashString, (slot) => this.clients[slot]);
  private member = new Int32Array(INITIAL_SLOTS);
  private created = new Float64Array(INITIAL_SLOTS);
  private lastSeen = new Float64Array(INITIAL_SLOTS);
  private expiresAt = new Float64Array(INITIAL_SLOTS);
  /** Slots below this have been used; those in `free` may be used again. */
  private used = 0;
  private readonly free: number[] = [];
  private readonly memberNames: string[] = [];
  private readonly memberIndex = new Map<string, number>();
  private cursor = 0;

  constructor(readonly pool: string) {}

  /** Live entries (expired ones not yet swept may still be counted). */
  get size(): number {
    return this.slotOf.size;
  }

  /** Slots in use or free for reuse (what a full sweep goes over). */
  get slots(): number {
    return this.used;
  }

  /** Places `client` on `member` unless it has a live entry; returns the member it ends up with. */
  claim(client: string, member: string, now: number, idleMs: number): string {
    const h = hashString(client);
    let slot = this.live(client, now, h);
    if (slot === undefined) {
      slot = this.allocate();
      this.clients[slot] = client;
      this.slotOf.set(client, slot, h);
      this.member[slot] = this.indexOf(member);
      this.created[slot] = now;
    }
    this.lastSeen[slot] = now;
    this.expiresAt[slot] = now + idleMs;
    return this.memberNames[this.member[slot]!]!;
  }

  get(client: string, now: number): AffinityEntry | undefined {
    const slot = this.live(client, now);
    return slot === undefined ? undefined : this.entry(slot);
  }

  touch(client: string, now: number, idleMs: number): AffinityEntry | undefined {
    const slot = this.live(client, now);
    if (slot === undefined) return undefined;
    this.lastSeen[slot] = now;
    this.expiresAt[slot] = now + idleMs;
    return this.entry(slot);
  }

  /** True when a live entry was deleted. */
  delete(client: string, now: number): boolean {
    const slot = this.live(client, now);
    if (slot === undefined) return false;
    this.release(client, slot);
    return true;
  }

  /** Live entries, by client name. */
  list(now: number): AffinityEntry[] {
    const out: AffinityEntry[] = [];
    const clients: string[] = [];
    for (let slot = 0; slot < this.used; slot++) {
      const client = this.clients[slot];
      if (client !== undefined) clients.push(client);
    }
    for (const client of clients.sort()) {
      const slot = this.live(client, now);
      if (slot !== undefined) out.push(this.entry(slot));
    }
    return out;
  }

  /** Deletes every entry of `member`; returns how many of them were live. */
  deleteMember(member: string, now: number): number {
    const index = this.memberIndex.get(member);
    if (index === undefined) return 0;
    let n = 0;
    for (let slot = 0; slot < this.used; slot++) {
      const client = this.clients[slot];
      if (client === undefined || this.member[slot] !== index) continue;
      if (this.expiresAt[slot]! > now) n++;
      this.release(client, slot);
    }
    return n;
  }

  /** Drops expired entries among the next `budget` slots (round-robin over the table); returns how many. */
  sweep(now: number, budget: number): number {
    let dropped = 0;
    for (let k = 0; k < budget && this.used > 0; k++) {
      if (this.cursor >= this.used) this.cursor = 0;
      const slot = this.cursor++;
      const client = this.clients[slot];
      if (client !== undefined && this.expiresAt[slot]! <= now) {
        this.release(client, slot);
        dropped++;
      }
    }
    return dropped;
  }

  private live(client: string, now: number, h = hashString(client)): number | undefined {
    const slot = this.slotOf.get(client, h);
    if (slot < 0) return undefined;
    if (this.expiresAt[slot]! <= now) {
      this.release(client, slot);
      return undefined;
    }
    return slot;
  }

  private entry(slot: number): AffinityEntry {
    return {
      pool: this.pool,
      client: this.clients[slot]!,
      member: this.memberNames[this.member[slot]!]!,
      created: this.created[slot]!,
      lastSeen: this.lastSeen[slot]!,
      expiresAt: this.expiresAt[slot]!,
    };
  }

  private indexOf(member: string): number {
    let i = this.memberIndex.get(member);
    if (i === undefined) {
      i = this.memberNames.length;
      this.memberNames.push(member);
      this.memberIndex.set(member, i);
    }
    return i;
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.used === this.member.length) this.grow();
    return this.used++;
  }

  private release(client: string, slot: number): void {
    // The index finds the client by its slot's name: delete it there before clearing the name.
    this.slotOf.delete(client);
    this.clients[slot] = undefined;
    this.free.push(slot);
  }

  private grow(): void {
    const n = this.member.length * 2;
    const member = new Int32Array(n);
    member.set(this.member);
    this.member = member;
    this.created = widened(this.created, n);
    this.lastSeen = widened(this.lastSeen, n);
    this.expiresAt = widened(this.expiresAt, n);
  }
}

function widened(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
