// The members of the served pools: where each is attached (learned from its ARP), whether it may take and
// keep clients (its health monitor's verdict, its VM's state), and the load its VM's samples show.

import type { HealthStatus } from '../../balancer/health-state.js';
import { formatMac } from '../../net/mac-address.js';
import { deleteMemberFlows } from './client-flows.js';
import { flowsGone } from './clients.js';
import type { LbAction, LbPacketIn } from './lb-actions.js';
import { countPending, keepsClients, type LbState, type MemberRuntime, type VipRuntime } from './lb-state.js';

/** A host at `ip` with `mac` spoke on (datapath, port): every member at that address is there. */
export function learnMember(
  state: LbState,
  now: number,
  ip: number,
  mac: number,
  ev: Pick<LbPacketIn, 'datapathId' | 'inPort'>,
  out: LbAction[],
): void {
  let known = false;
  for (const v of state.vips.values()) {
    for (const m of v.members) {
      if (m.ip !== ip) continue;
      known = true;
      if (m.config.mac !== undefined && m.mac !== mac) continue;
      if (m.mac === mac && m.datapathId === ev.datapathId && m.ofport === ev.inPort) continue;
      const moved = m.datapathId !== undefined;
      m.mac = mac;
      m.datapathId = ev.datapathId;
      m.ofport = ev.inPort;
      v.candidates = undefined;
      if (moved) {
        // Its clients' paths lead to the old place: delete them; the clients keep their member.
        deleteMemberFlows(state, v, m, out);
        const t = v.clients;
        for (let c = 0; c < t.end; c++) if (t.member[c] === m) flowsGone(v, c, now);
      }
      out.push({
        kind: 'event',
        event: {
          type: 'member-located',
          pool: v.pool.id,
          member: m.id,
          mac: formatMac(mac),
          datapathId: ev.datapathId.toString(16),
          port: ev.inPort,
        },
      });
    }
  }
  // Remembered by address: a pool created later with the same members finds them at once.
  if (known) state.hostLocations.set(ip, { mac, datapathId: ev.datapathId, ofport: ev.inPort });
}

/** Gives a new member the attachment last learned for its address and its VM's newest metrics. */
export function locateFromCache(state: LbState, m: MemberRuntime): void {
  const vm = m.config.vm === undefined ? undefined : state.vmLoads.get(m.config.vm);
  if (vm !== undefined && m.load === undefined) {
    m.load = vm.load;
    m.vmRunning = vm.running;
  }
  const loc = state.hostLocations.get(m.ip);
  if (loc === undefined || m.datapathId !== undefined) return;
  if (m.config.mac !== undefined && m.mac !== loc.mac) return;
  m.mac = loc.mac;
  m.datapathId = loc.datapathId;
  m.ofport = loc.ofport;
}

/** A member's health monitor changed its verdict. */
export function memberHealth(
  state: LbState,
  poolId: string,
  memberId: string,
  status: HealthStatus,
): LbAction[] {
  const out: LbAction[] = [];
  const v = state.vips.get(poolId);
  const m = v?.memberById.get(memberId);
  if (!v || !m || m.health === status) return out;
  const was = keepsClients(m);
  m.health = status;
  v.candidates = undefined;
  if (was && !keepsClients(m)) memberGone(state, v, m, 'health monitor failed', out);
  else if (!was && keepsClients(m))
    out.push({ kind: 'event', event: { type: 'member-up', pool: poolId, member: memberId } });
  return out;
}

/** What the policy reads from a VM sample (the monitor's metrics map and state). */
export interface LbSample {
  vm: string;
  time: number;
  state?: string;
  metrics: Readonly<Record<string, number>>;
}

const RUNNING_STATES = new Set(['running', 'blocked', 'unknown']);

/** New metrics for a VM: members on it are scored on them; a VM not running takes its members down. */
export function sample(state: LbState, s: LbSample): LbAction[] {
  const out: LbAction[] = [];
  const prev = state.vmLoads.get(s.vm);
  if (prev !== undefined && s.time < prev.load.sampleTime) return out;
  const mm = s.metrics;
  const rx = mm['net.rx_bytes_per_s'];
  const tx = mm['net.tx_bytes_per_s'];
  const used = mm['memory.used_bytes'];
  const max = mm['memory.maximum_bytes'];
  const memPct = mm['memory.used_percent'];
  const load = {
    sampleTime: s.time,
    cpuPercent: mm['cpu.percent'],
    netBytesPerSec: rx !== undefined || tx !== undefined ? (rx ?? 0) + (tx ?? 0) : undefined,
    memoryFraction: used !== undefined && max ? used / max : memPct !== undefined ? memPct / 100 : undefined,
  };
  const running = s.state === undefined || RUNNING_STATES.has(s.state);
  let known = false;
  for (const v of state.vips.values()) {
    for (const m of v.members) {
      if (m.config.vm !== s.vm) continue;
      known = true;
      m.load = load;
      m.pending = countPending(m, s.time);
      if (running !== m.vmRunning) {
        const was = keepsClients(m);
        m.vmRunning = running;
        v.candidates = undefined;
        if (was && !keepsClients(m)) memberGone(state, v, m, `VM ${s.state}`, out);
        else if (!was && keepsClients(m))
          out.push({ kind: 'event', event: { type: 'member-up', pool: v.pool.id, member: m.id } });
      }
    }
  }
  // Kept per VM (of members only): a pool created later scores its members at once.
  if (known) state.vmLoads.set(s.vm, { load, running });
  return out;
}

/** The member went down, was disabled or deleted: its flows go, its clients are forgotten and placed again. */
export function memberGone(
  state: LbState,
  v: VipRuntime,
  m: MemberRuntime,
  reason: string,
  out: LbAction[],
): void {
  const clients = m.clients;
  deleteMemberFlows(state, v, m, out);
  const t = v.clients;
  for (let c = 0; c < t.end; c++) if (t.member[c] === m) t.remove(c);
  m.clients = 0;
  m.connections = 0;
  m.pending = 0;
  v.candidates = undefined;
  out.push({ kind: 'forgetMember', pool: v.pool.id, member: m.id });
  out.push({ kind: 'event', event: { type: 'member-down', pool: v.pool.id, member: m.id, reason, clients } });
}
