// LLDP link discovery as pure state: the controller sends a discovery frame out of every port of every
// switch; when one arrives as a packet-in on another switch, that (src, srcPort) -> (dst, dstPort) link
// exists. Links not confirmed within their lifetime expire. From the links, a spanning tree over the
// switches decides which inter-switch ports may flood, so broadcasts never loop.

import type { SwitchLink } from './app-api.js';

interface LinkRecord extends SwitchLink {
  lastSeen: number;
}

export class LinkTable {
  private readonly byEnd = new Map<string, LinkRecord>();
  private tree: SpanningTree = EMPTY_TREE;

  constructor(
    /** A link not confirmed for this long is gone (ms); at least three probe intervals. */
    readonly linkLifetimeMs: number,
  ) {}

  /** A discovery frame from (src, srcPort) arrived on (dst, dstPort). True when the topology changed. */
  observe(now: number, link: SwitchLink): boolean {
    if (link.src === link.dst && link.srcPort === link.dstPort) return false;
    const key = endKey(link.src, link.srcPort);
    const old = this.byEnd.get(key);
    if (old && old.dst === link.dst && old.dstPort === link.dstPort) {
      old.lastSeen = now;
      return false;
    }
    this.byEnd.set(key, { ...link, lastSeen: now });
    this.rebuild();
    return true;
  }

  /** Drops links past their lifetime. True when any went. */
  expire(now: number): boolean {
    let changed = false;
    for (const [k, l] of this.byEnd) {
      if (now - l.lastSeen > this.linkLifetimeMs) {
        this.byEnd.delete(k);
        changed = true;
      }
    }
    if (changed) this.rebuild();
    return changed;
  }

  /** Forgets every link touching a switch (it disconnected) or one port (it went down). */
  forget(datapathId: bigint, portNo?: number): boolean {
    let changed = false;
    for (const [k, l] of this.byEnd) {
      const hit =
        (l.src === datapathId && (portNo === undefined || l.srcPort === portNo)) ||
        (l.dst === datapathId && (portNo === undefined || l.dstPort === portNo));
      if (hit) {
        this.byEnd.delete(k);
        changed = true;
      }
    }
    if (changed) this.rebuild();
    return changed;
  }

  links(): SwitchLink[] {
    return [...this.byEnd.values()].map(({ src, srcPort, dst, dstPort }) => ({ src, srcPort, dst, dstPort }));
  }

  isInterSwitchPort(datapathId: bigint, portNo: number): boolean {
    return this.byEnd.has(endKey(datapathId, portNo)) || this.tree.incoming.has(endKey(datapathId, portNo));
  }

  /** False for a port on a link outside the spanning tree. */
  acceptsFrom(datapathId: bigint, portNo: number): boolean {
    // Hot path (every packet-in): no string key unless this switch has a blocked port at all.
    if (!this.tree.blockedSwitches.has(datapathId)) return true;
    return !this.tree.blocked.has(endKey(datapathId, portNo));
  }

  /** True when the switch has blocked ports: flooding must then list ports instead of using OFPP_FLOOD. */
  hasBlockedPorts(datapathId: bigint): boolean {
    return this.tree.blockedSwitches.has(datapathId);
  }

  private rebuild(): void {
    this.tree = spanningTree([...this.byEnd.values()]);
  }
}

interface SpanningTree {
  /** "dpid:port" ends of links outside the tree. */
  blocked: Set<string>;
  blockedSwitches: Set<bigint>;
  /** Receiving ends of every link. */
  incoming: Set<string>;
}

const EMPTY_TREE: SpanningTree = { blocked: new Set(), blockedSwitches: new Set(), incoming: new Set() };

function endKey(datapathId: bigint, portNo: number): string {
  return `${datapathId}:${portNo}`;
}

/**
 * Kruskal over the undirected links, cheapest first by (lower dpid, higher dpid, ports): deterministic, so
 * every controller computes the same tree from the same links. A link seen in one direction only counts.
 */
export function spanningTree(links: readonly SwitchLink[]): SpanningTree {
  const edges = new Map<string, { a: bigint; aPort: number; b: bigint; bPort: number }>();
  for (const l of links) {
    const [a, aPort, b, bPort] =
      l.src < l.dst || (l.src === l.dst && l.srcPort < l.dstPort)
        ? [l.src, l.srcPort, l.dst, l.dstPort]
        : [l.dst, l.dstPort, l.src, l.srcPort];
    edges.set(`${a}:${aPort}-${b}:${bPort}`, { a, aPort, b, bPort });
  }
  const sorted = [...edges.values()].sort((x, y) =>
    x.a !== y.a
      ? x.a < y.a
        ? -1
        : 1
      : x.b !== y.b
        ? x.b < y.b
          ? -1
          : 1
        : x.aPort - y.aPort || x.bPort - y.bPort,
  );
  const parent = new Map<bigint, bigint>();
  const find = (x: bigint): bigint => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const tree: SpanningTree = { blocked: new Set(), blockedSwitches: new Set(), incoming: new Set() };
  for (const l of links) tree.incoming.add(endKey(l.dst, l.dstPort));
  for (const e of sorted) {
    const ra = find(e.a);
    const rb = find(e.b);
    if (ra !== rb) {
      parent.set(ra, rb);
      continue;
    }
    tree.blocked.add(endKey(e.a, e.aPort));
    tree.blocked.add(endKey(e.b, e.bPort));
    tree.blockedSwitches.add(e.a);
    tree.blockedSwitches.add(e.b);
  }
  return tree;
}
