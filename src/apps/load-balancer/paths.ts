// Paths between datapaths over the discovered inter-switch links: shortest by hop count (breadth-first),
// recomputed when the links change. A path is the list of (datapath, port out of it) hops from one
// datapath towards another; the last datapath's egress is not part of it.

import type { SwitchLink } from '../../controller/app-api.js';

export interface Hop {
  datapathId: bigint;
  /** Port on this datapath towards the next one. */
  outPort: number;
  /** Port the next datapath receives on. */
  nextInPort: number;
}

const NO_HOPS: readonly Hop[] = Object.freeze([]);

export class PathTable {
  private adjacency = new Map<bigint, SwitchLink[]>();
  private linkPorts = new Set<string>();
  /** Routes found so far, by source then destination (null: unreachable). */
  private readonly cache = new Map<bigint, Map<bigint, readonly Hop[] | null>>();

  constructor(links: readonly SwitchLink[] = []) {
    this.setLinks(links);
  }

  setLinks(links: readonly SwitchLink[]): void {
    this.adjacency = new Map();
    this.linkPorts = new Set();
    for (const l of links) {
      let a = this.adjacency.get(l.src);
      if (!a) this.adjacency.set(l.src, (a = []));
      a.push(l);
      this.linkPorts.add(`${l.src}:${l.srcPort}`);
      this.linkPorts.add(`${l.dst}:${l.dstPort}`);
    }
    this.cache.clear();
  }

  /** True for a port that leads to another switch (not a host). */
  isLinkPort(datapathId: bigint, port: number): boolean {
    return this.linkPorts.size > 0 && this.linkPorts.has(`${datapathId}:${port}`);
  }

  /** Hops from `from` to `to` ([] when equal); undefined when `to` cannot be reached. */
  route(from: bigint, to: bigint): readonly Hop[] | undefined {
    if (from === to) return NO_HOPS;
    let routes = this.cache.get(from);
    if (routes === undefined) this.cache.set(from, (routes = new Map()));
    const hit = routes.get(to);
    if (hit !== undefined) return hit ?? undefined;
    const via = new Map<bigint, SwitchLink>();
    const seen = new Set<bigint>([from]);
    let frontier = [from];
    while (frontier.length > 0 && !seen.has(to)) {
      const next: bigint[] = [];
      for (const dp of frontier) {
        for (const l of this.adjacency.get(dp) ?? []) {
          if (seen.has(l.dst)) continue;
          seen.add(l.dst);
          via.set(l.dst, l);
          next.push(l.dst);
        }
      }
      frontier = next;
    }
    if (!seen.has(to)) {
      routes.set(to, null);
      return undefined;
    }
    const hops: Hop[] = [];
    for (let dp = to; dp !== from;) {
      const l = via.get(dp)!;
      hops.push({ datapathId: l.src, outPort: l.srcPort, nextInPort: l.dstPort });
      dp = l.src;
    }
    hops.reverse();
    routes.set(to, hops);
    return hops;
  }
}
