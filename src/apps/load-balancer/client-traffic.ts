// Bytes, packets and connections of a pool's members, counted from their clients' flows. Every client has
// two counted flows — the forward flow on its own switch (where the VIP is rewritten to the member: bytes
// in) and the reverse flow on the member's switch (where the member is rewritten back to the VIP: bytes
// out) — so a client flow that crosses several switches is counted once. Their counts come from the flow
// statistics the controller polls and, when a flow ends, from its flow-removed message; each reading adds
// only what the flow carried since the last one, so every counter here only goes up. Pure bookkeeping: the
// app feeds it readings and asks for figures.

import type { Match } from '../../openflow/model.js';

/** Monotonic counters of one member (or of the members a pool no longer has). */
export interface TrafficCounters {
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsOut: number;
  /** Times a client's flows were installed. */
  connections: number;
  /** Clients placed on the member. */
  clients: number;
}

export function zeroCounters(): TrafficCounters {
  return { bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0, connections: 0, clients: 0 };
}

function addCounters(into: TrafficCounters, c: TrafficCounters): void {
  into.bytesIn += c.bytesIn;
  into.bytesOut += c.bytesOut;
  into.packetsIn += c.packetsIn;
  into.packetsOut += c.packetsOut;
  into.connections += c.connections;
  into.clients += c.clients;
}

/** Whose a counted flow is, from its cookie: undefined for a flow that is not counted (or not ours). */
export type CountedFlowOwner = (cookie: bigint) => { pool: string; member: string; out: boolean } | undefined;

/** A flow reading: what the statistics reply and the flow-removed message have in common. */
export interface FlowReading {
  cookie: bigint;
  durationSec: number;
  packetCount: bigint;
  byteCount: bigint;
  match: Match;
}

interface SeenFlow {
  counters: TrafficCounters;
  out: boolean;
  bytes: number;
  packets: number;
  durationSec: number;
  /** The statistics round that last saw it. */
  round: number;
}

interface PoolTraffic {
  members: Map<string, TrafficCounters>;
  /** What members deleted from the pool had counted, so the pool's totals never go down. */
  departed: TrafficCounters;
}

export class ClientTraffic {
  private readonly pools = new Map<string, PoolTraffic>();
  /** Counted flows seen in statistics, by switch then by flow. */
  private readonly seen = new Map<bigint, Map<string, SeenFlow>>();
  private round = 0;

  /** The member's counters (created at zero); the app keeps a reference for the placement path. */
  counters(pool: string, member: string): TrafficCounters {
    const p = this.pool(pool);
    let c = p.members.get(member);
    if (c === undefined) p.members.set(member, (c = zeroCounters()));
    return c;
  }

  /** What the pool's members have counted, including members it no longer has. */
  poolTotals(pool: string): TrafficCounters {
    const total = zeroCounters();
    const p = this.pools.get(pool);
    if (p === undefined) return total;
    addCounters(total, p.departed);
    for (const c of p.members.values()) addCounters(total, c);
    return total;
  }

  /** The member left the pool: its counts stay in the pool's totals. */
  forgetMember(pool: string, member: string): void {
    const p = this.pools.get(pool);
    const c = p?.members.get(member);
    if (p === undefined || c === undefined) return;
    addCounters(p.departed, c);
    p.members.delete(member);
  }

  forgetPool(pool: string): void {
    this.pools.delete(pool);
  }

  /** Every flow of one switch, as one statistics reply listed them. */
  flowStats(datapathId: bigint, flows: readonly FlowReading[], owner: CountedFlowOwner): void {
    const round = ++this.round;
    let seen = this.seen.get(datapathId);
    for (const f of flows) {
      const o = owner(f.cookie);
      if (o === undefined) continue;
      if (seen === undefined) this.seen.set(datapathId, (seen = new Map()));
      const key = flowKey(f);
      const s = seen.get(key);
      const counters = this.counters(o.pool, o.member);
      if (s === undefined || s.counters !== counters || isNewInstance(s, f)) {
        const fresh: SeenFlow = { counters, out: o.out, bytes: 0, packets: 0, durationSec: 0, round };
        seen.set(key, fresh);
        this.advance(fresh, f);
      } else {
        s.round = round;
        this.advance(s, f);
      }
    }
    // Flows gone without a flow-removed (deleted, or the message lost): what they carried stays counted.
    if (seen !== undefined) for (const [k, s] of seen) if (s.round !== round) seen.delete(k);
  }

  /** A counted flow ended: its final counts. */
  flowRemoved(datapathId: bigint, f: FlowReading, owner: CountedFlowOwner): void {
    const o = owner(f.cookie);
    if (o === undefined) return;
    const seen = this.seen.get(datapathId);
    const key = flowKey(f);
    const s = seen?.get(key);
    const counters = this.counters(o.pool, o.member);
    if (s !== undefined && s.counters === counters && !isNewInstance(s, f)) this.advance(s, f);
    else this.advance({ counters, out: o.out, bytes: 0, packets: 0, durationSec: 0, round: 0 }, f);
    seen?.delete(key);
  }

  switchDown(datapathId: bigint): void {
    this.seen.delete(datapathId);
  }

  private pool(id: string): PoolTraffic {
    let p = this.pools.get(id);
    if (p === undefined) this.pools.set(id, (p = { members: new Map(), departed: zeroCounters() }));
    return p;
  }

  private advance(s: SeenFlow, f: FlowReading): void {
    const bytes = Number(f.byteCount);
    const packets = Number(f.packetCount);
    if (s.out) {
      s.counters.bytesOut += bytes - s.bytes;
      s.counters.packetsOut += packets - s.packets;
    } else {
      s.counters.bytesIn += bytes - s.bytes;
      s.counters.packetsIn += packets - s.packets;
    }
    s.bytes = bytes;
    s.packets = packets;
    s.durationSec = f.durationSec;
  }
}

/** A flow entry that replaced an earlier one with the same match: its counts start again from zero. */
function isNewInstance(s: SeenFlow, f: FlowReading): boolean {
  return f.durationSec < s.durationSec || Number(f.byteCount) < s.bytes || Number(f.packetCount) < s.packets;
}

/** A client flow entry on one switch: its cookie and the match fields that name the client. */
function flowKey(f: FlowReading): string {
  const m = f.match;
  return `${f.cookie}/${m.inPort ?? ''}/${m.ethSrc ?? ''}/${m.ethDst ?? ''}/${m.ipv4Src ?? ''}/${m.ipv4Dst ?? ''}`;
}
