// `vigil lab status`: what the state file records, and whether each part really is up; and a scan of the
// host for anything carrying the lab's prefix (what `lab down` must leave behind: nothing).

import { existsSync } from 'node:fs';
import { run, succeeds } from './host/services.js';
import { isRunning } from './lab-process.js';
import type { LabState } from './lab-state.js';

export interface PartStatus {
  kind: 'bridge' | 'link' | 'domain' | 'namespace' | 'process';
  name: string;
  up: boolean;
  detail: string;
}

export async function partStatuses(s: LabState): Promise<PartStatus[]> {
  const out: PartStatus[] = [];
  for (const b of s.bridges) {
    const up = await succeeds('ovs-vsctl', ['br-exists', b]);
    out.push({ kind: 'bridge', name: b, up, detail: up ? 'in OVS' : 'absent' });
  }
  for (const l of s.links) {
    const up = existsSync(`/sys/class/net/${l.portA}`) && existsSync(`/sys/class/net/${l.portB}`);
    out.push({
      kind: 'link',
      name: `${l.portA}-${l.portB}`,
      up,
      detail: up ? 'veth pair present' : 'absent',
    });
  }
  for (const d of s.domains) {
    const state = await run('virsh', ['-c', s.libvirtUri, 'domstate', d.name], { timeoutMs: 10_000 }).then(
      (r) => r.stdout.trim(),
      () => 'absent',
    );
    out.push({
      kind: 'domain',
      name: d.name,
      up: state === 'running',
      detail: `${state}, ${d.ip} on ${d.bridge}`,
    });
  }
  for (const c of s.clients) {
    const up = existsSync(`/run/netns/${c.ns}`);
    out.push({ kind: 'namespace', name: c.ns, up, detail: up ? `${c.ip} on ${c.bridge}` : 'absent' });
  }
  for (const p of s.processes) {
    const up = await isRunning(p);
    out.push({ kind: 'process', name: p.role, up, detail: up ? `pid ${p.pid}` : `pid ${p.pid} gone` });
  }
  return out;
}

export interface Leftovers {
  bridges: string[];
  namespaces: string[];
  domains: string[];
  interfaces: string[];
}

/** Everything on the host whose name starts with `${prefix}-`. */
export async function scanLeftovers(prefix: string, libvirtUri: string): Promise<Leftovers> {
  const mine = (n: string) => n.startsWith(`${prefix}-`);
  const lines = (t: string) =>
    t
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  const bridges = await run('ovs-vsctl', ['list-br']).then(
    (r) => lines(r.stdout).filter(mine),
    () => [],
  );
  const namespaces = await run('ip', ['netns', 'list']).then(
    (r) =>
      lines(r.stdout)
        .map((l) => l.split(' ')[0]!)
        .filter(mine),
    () => [],
  );
  const domains = await run('virsh', ['-c', libvirtUri, 'list', '--all', '--name'], {
    timeoutMs: 10_000,
  }).then(
    (r) => lines(r.stdout).filter(mine),
    () => [],
  );
  const interfaces = await run('ip', ['-o', 'link', 'show']).then(
    (r) =>
      lines(r.stdout)
        .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? '')
        .filter(mine),
    () => [],
  );
  return { bridges, namespaces, domains, interfaces };
}

export function leftoverCount(l: Leftovers): number {
  return l.bridges.length + l.namespaces.length + l.domains.length + l.interfaces.length;
}
