// A pool's placed clients, laid out for millions of them: a client is a slot number, and each of its
// fields is a column (a typed array for numbers, a plain array for the few references), indexed by slot;
// the indexes from key and from IPv4 address to slot are typed arrays too (SlotIndex). A client so costs
// no object of its own: the garbage collector neither copies nor traces one per client, which is what
// made the placement latency's tail (see bench/balancer/BENCHMARKS.md).
//
// Usage: `const c = t.find(key)` (NO_CLIENT when absent), then read or write `t.lastSeen[c]` and so on.
// Columns are replaced when the table grows, so read them through the table, never keep one aside.

import { hashInteger48, SlotIndex } from '../../store/slot-index.js';
import type { MemberRuntime } from './lb-state.js';

/** A client's slot in its pool's ClientTable. */
export type ClientSlot = number;
export const NO_CLIENT: ClientSlot = -1;

/** What a new client starts with. */
export interface NewClient {
  /** The key as stored: "aa:bb:cc:dd:ee:ff" or "10.213.4.20". */
  keyText: string;
  mac: number;
  /** 0 while not known (a client read back from the store, keyed by MAC). */
  ip: number;
  member: MemberRuntime;
  datapathId: bigint;
  inPort: number;
  lastSeen: number;
  flowsLive: boolean;
  expiresAt: number;
  storedUntil: number;
}

/** A copy of one client's fields, for reading (the API, tests): changing it changes nothing. */
export type ClientView = NewClient;

const INITIAL_SLOTS = 1024;

export class ClientTable {
  /** Undefined for a free slot. */
  keyText: Array<string | undefined> = [];
  /** Undefined for a free slot. */
  member: Array<MemberRuntime | undefined> = [];
  /** Where the client's frames enter the network (-1n: not seen since a restart). */
  datapathId: bigint[] = [];
  mac = new Float64Array(INITIAL_SLOTS);
  ip = new Uint32Array(INITIAL_SLOTS);
  /** -1: not seen since a restart. */
  inPort = new Int32Array(INITIAL_SLOTS);
  lastSeen = new Float64Array(INITIAL_SLOTS);
  /** 1 while the client's flows are installed (until their idle timeout or deletion). */
  flowsLive = new Uint8Array(INITIAL_SLOTS);
  /** The client is forgotten at this time when its flows are gone. */
  expiresAt = new Float64Array(INITIAL_SLOTS);
  /** The store's copy of the entry lives until about this time unless touched. */
  storedUntil = new Float64Array(INITIAL_SLOTS);

  private readonly byKey = new SlotIndex<number>(hashInteger48, (c) => this.key(c));
  /** Keyed by MAC: the client last seen at each IPv4 address (members asking for a client by ARP). */
  private readonly byIp = new SlotIndex<number>(hashInteger48, (c) => this.ip[c]);
  private readonly free: ClientSlot[] = [];
  private used = 0;

  constructor(readonly keyBy: 'mac' | 'ip') {}

  get size(): number {
    return this.byKey.size;
  }

  /** Slots are below this: iterate `for (let c = 0; c < t.end; c++) if (t.live(c)) ...`. */
  get end(): number {
    return this.used;
  }

  live(c: ClientSlot): boolean {
    return this.member[c] !== undefined;
  }

  /** The client's key: its MAC or its IPv4 address, as the pool says. */
  key(c: ClientSlot): number {
    return this.keyBy === 'mac' ? this.mac[c]! : this.ip[c]!;
  }

  find(key: number): ClientSlot {
    return this.byKey.get(key);
  }

  /** The client last seen at this IPv4 address. */
  findByIp(ip: number): ClientSlot {
    return this.keyBy === 'ip' ? this.byKey.get(ip) : this.byIp.get(ip);
  }

  /** A copy of the client with this key, if placed. */
  entry(key: number): ClientView | undefined {
    const c = this.find(key);
    return c === NO_CLIENT ? undefined : this.view(c);
  }

  /** Copies of every placed client, in slot order. */
  entries(): ClientView[] {
    const out: ClientView[] = [];
    for (let c = 0; c < this.used; c++) if (this.live(c)) out.push(this.view(c));
    return out;
  }

  private view(c: ClientSlot): ClientView {
    return {
      keyText: this.keyText[c]!,
      mac: this.mac[c]!,
      ip: this.ip[c]!,
      member: this.member[c]!,
      datapathId: this.datapathId[c]!,
      inPort: this.inPort[c]!,
      lastSeen: this.lastSeen[c]!,
      flowsLive: this.flowsLive[c] === 1,
      expiresAt: this.expiresAt[c]!,
      storedUntil: this.storedUntil[c]!,
    };
  }

  add(n: NewClient): ClientSlot {
    const c = this.free.pop() ?? this.allocate();
    this.keyText[c] = n.keyText;
    this.member[c] = n.member;
    this.datapathId[c] = n.datapathId;
    this.mac[c] = n.mac;
    this.ip[c] = n.ip;
    this.inPort[c] = n.inPort;
    this.lastSeen[c] = n.lastSeen;
    this.flowsLive[c] = n.flowsLive ? 1 : 0;
    this.expiresAt[c] = n.expiresAt;
    this.storedUntil[c] = n.storedUntil;
    this.byKey.set(this.key(c), c);
    if (this.keyBy === 'mac' && n.ip !== 0) this.byIp.set(n.ip, c);
    return c;
  }

  /** The client now uses this IPv4 address. */
  setIp(c: ClientSlot, ip: number): void {
    const old = this.ip[c]!;
    if (this.keyBy === 'mac' && old !== ip && this.byIp.get(old) === c) this.byIp.delete(old);
    // The column first: the index compares keys through it.
    this.ip[c] = ip;
    if (this.keyBy === 'mac') this.byIp.set(ip, c);
  }

  /** Frees the slot; read what you need of the client before. */
  remove(c: ClientSlot): void {
    if (!this.live(c)) return;
    this.byKey.delete(this.key(c));
    if (this.keyBy === 'mac' && this.byIp.get(this.ip[c]!) === c) this.byIp.delete(this.ip[c]!);
    this.keyText[c] = undefined;
    this.member[c] = undefined;
    this.free.push(c);
  }

  clear(): void {
    this.byKey.clear();
    this.byIp.clear();
    this.keyText = [];
    this.member = [];
    this.datapathId = [];
    this.free.length = 0;
    this.used = 0;
  }

  private allocate(): ClientSlot {
    if (this.used === this.mac.length) this.grow(this.mac.length * 2);
    return this.used++;
  }

  private grow(n: number): void {
    this.mac = widened(this.mac, new Float64Array(n));
    this.ip = widened(this.ip, new Uint32Array(n));
    this.inPort = widened(this.inPort, new Int32Array(n));
    this.lastSeen = widened(this.lastSeen, new Float64Array(n));
    this.flowsLive = widened(this.flowsLive, new Uint8Array(n));
    this.expiresAt = widened(this.expiresAt, new Float64Array(n));
    this.storedUntil = widened(this.storedUntil, new Float64Array(n));
  }
}

function widened<T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
