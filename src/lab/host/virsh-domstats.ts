// Reads `virsh domstats --raw` text: the reference the monitor's numbers are checked against.

import type { TypedValue } from '../../monitor/domain-stats.js';

export interface VirshDomainStats {
  name: string;
  params: Map<string, TypedValue>;
}

export function parseVirshDomstats(text: string): VirshDomainStats[] {
  const out: VirshDomainStats[] = [];
  let cur: VirshDomainStats | undefined;
  for (const line of text.split('\n')) {
    const head = /^Domain: '(.*)'$/.exec(line);
    if (head) {
      cur = { name: head[1]!, params: new Map() };
      out.push(cur);
      continue;
    }
    const kv = /^\s+([^=]+)=(.*)$/.exec(line);
    if (!kv || !cur) continue;
    const [, key, raw] = kv as unknown as [string, string, string];
    cur.params.set(key, /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw);
  }
  return out;
}
