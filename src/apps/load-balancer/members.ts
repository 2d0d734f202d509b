// The members of the served pools: where each is attached (learned from its ARP or RARP, asked for by ARP,
// lost when its port goes), whether it may take and keep clients (its health monitor's verdict, its VM's
// state — running, paused or moving, gone), and the load its VM's samples show.

import type { HealthStatus } from '../../balancer/health-state.js';
import { vmServing, type VmServing } from '../../balancer/vm-serving.js';
import { ARP_OP_REQUEST, buildArpFrame } from '../../net/arp.js';
import { formatMac, MAC_BROADCAST } from '../../net/mac-address.js';
import { output, packetOut } from '../../openflow/builders.js';
import { OFPP } from '../../openflow/model.js';
import { deleteMemberFlows } from './client-flows.js';
import { flowsGone } from './clients.js';
import { send, type LbAction, type LbPacketIn } from './lb-actions.js';
import { countPending, keepsClients, type LbState, type MemberRuntime, type VipRuntime } from './lb-state.js';

/**
 * A host with `mac` spoke on (datapath, port): every member it is — by its address `ip` (ARP), or by its
 * MAC alone (`ip` undefined: a RARP announcement, as a hypervisor sends for a VM it has just moved) — is
 * attached there. A member found somewhere new has moved: its clients' flows lead to the old place and
 * go; the clients keep their member, and their next packets are sent along the new path.
 */
export function learnMember(
  state: LbState,
  now: number,
  ip: number | undefined,
  mac: number,
  ev: Pick<LbPacketIn, 'datapathId' | 'inPort'>,
  out: LbAction[],
): void {
  let known: number | undefined;
  for (const v of state.vips.values()) {
    for (const m of v.members) {
      if (ip === undefined ? m.mac !== mac : m.ip !== ip) continue;
      known = m.ip;
      if (m.config.mac !== undefined && m.mac !== mac) continue;
      if (m.mac === mac && m.datapathId === ev.datapathId && m.ofport === ev.inPort) continue;
      const moved = m.datapathId !== undefined;
      if (moved) detach(state, v, m, now, out);
      m.mac = mac;
      m.datapathId = ev.datapathId;
      m.ofport = ev.inPort;
      v.candidates = undefined;
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
  if (known !== undefined)
    state.hostLocations.set(known, { mac, datapathId: ev.datapathId, ofport: ev.inPort });
}

/**
 * The member is no longer where it was (its port went away or down, or it spoke from elsewhere): its
 * clients' flows are deleted, the clients keep their member and wait until it is found again.
 */
function detach(state: LbState, v: VipRuntime, m: MemberRuntime, now: number, out: LbAction[]): void {
  deleteMemberFlows(state, v, m, out);
  const t = v.clients;
  for (let c = 0; c < t.end; c++) if (t.member[c] === m) flowsGone(v, c, now);
  m.datapathId = undefined;
  m.ofport = undefined;
  m.probedAt = -Infinity;
  v.candidates = undefined;
}

/**
 * A switch port went down or away, or came up. Members attached to a port that went are detached (and
 * asked for at once, on every switch); when a port comes up, members not located are asked for on that
 * switch at once: a VM moved by live migration shows up behind a new port and answers in well under a
 * second, instead of at the next periodic probe.
 */
export function portStatus(
  state: LbState,
  now: number,
  datapathId: bigint,
  portNo: number,
  up: boolean,
): LbAction[] {
  const out: LbAction[] = [];
  for (const v of state.vips.values()) {
    for (const m of v.members) {
      if (!up && m.datapathId === datapathId && m.ofport === portNo) {
        detach(state, v, m, now, out);
        out.push({
          kind: 'event',
          event: {
            type: 'member-detached',
            pool: v.pool.id,
            member: m.id,
            reason: 'its switch port went down',
          },
        });
        probeMember(state, v, m, now, out);
      } else if (up && m.datapathId === undefined && v.pool.adminStateUp) {
        out.push(send(datapathId, arpProbe(v, m)));
      }
    }
  }
  const loc = [...state.hostLocations].filter(
    ([, l]) => !up && l.datapathId === datapathId && l.ofport === portNo,
  );
  for (const [ip] of loc) state.hostLocations.delete(ip);
  return out;
}

/** Unlocated members are asked for at most once per PROBE_INTERVAL_MS, on every switch. */
export const PROBE_INTERVAL_MS = 1000;

/** Asks every switch for an unlocated member, at most once per PROBE_INTERVAL_MS. */
export function probeMember(
  state: LbState,
  v: VipRuntime,
  m: MemberRuntime,
  now: number,
  out: LbAction[],
): void {
  if (now - m.probedAt < PROBE_INTERVAL_MS) return;
  m.probedAt = now;
  for (const dp of state.datapaths) out.push(send(dp, arpProbe(v, m)));
}

/** An ARP request for the member's address, from the VIP's, flooded from one switch. */
export function arpProbe(v: VipRuntime, m: MemberRuntime) {
  const frame = buildArpFrame(MAC_BROADCAST, v.mac, {
    op: ARP_OP_REQUEST,
    sha: v.mac,
    spa: v.ip,
    tha: 0,
    tpa: m.ip,
  });
  return packetOut({ actions: [output(OFPP.FLOOD)], data: frame });
}

/** Gives a new member the attachment last learned for its address and its VM's newest metrics. */
export function locateFromCache(state: LbState, m: MemberRuntime): void {
  const vm = m.config.vm === undefined ? undefined : state.vmLoads.get(m.config.vm);
  if (vm !== undefined && m.load === undefined) {
    m.load = vm.load;
    m.vm = vm.vm;
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

/** What the policy reads from a VM sample (the monitor's host label, metrics map and state). */
export interface LbSample {
  vm: string;
  host?: string;
  time: number;
  state?: string;
  metrics: Readonly<Record<string, number>>;
}

/**
 * While a VM runs on one host, another host's word on it is about a copy that does not run: the target
 * of a live migration, paused until the memory has moved (and stopped if the migration fails).
 */
function runsElsewhere(prev: { host?: string } | undefined, host: string | undefined): boolean {
  return prev?.host !== undefined && host !== undefined && host !== prev.host;
}

/**
 * New metrics for a VM: members on it are scored on them. Its state decides what they may do
 * (balancer/vm-serving.ts): a VM gone takes its members' clients away, a paused or moving one keeps them.
 * Only the host it runs on says it is not running.
 */
export function sample(state: LbState, s: LbSample): LbAction[] {
  const out: LbAction[] = [];
  const prev = state.vmLoads.get(s.vm);
  if (prev !== undefined && s.time < prev.load.sampleTime) return out;
  const vm = vmServing(s.state);
  if (vm !== 'running' && runsElsewhere(prev, s.host)) return out;
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
  const known = vmChanged(state, s.vm, vm, `VM ${s.state}`, out, (m) => {
    m.load = load;
    m.pending = countPending(m, s.time);
    if (vm === 'running') m.movedAt = -Infinity;
  });
  // Kept per VM (of members only): a pool created later scores its members at once.
  if (known) {
    const host = vm === 'running' ? s.host : prev?.host;
    state.vmLoads.set(s.vm, host === undefined ? { load, vm } : { load, vm, host });
  }
  return out;
}

/**
 * The VM left `host` (`reason`: migrated, or destroyed, shut off, ...) at `time`. A live migration's
 * source reports it only after the target has resumed the VM, and a failed migration's target reports
 * its copy's end: what leaves a host other than the one the VM runs on changes nothing.
 */
export function vmLeft(
  state: LbState,
  now: number,
  uuid: string,
  reason: string,
  time: number,
  host?: string,
): LbAction[] {
  const out: LbAction[] = [];
  const prev = state.vmLoads.get(uuid);
  if (runsElsewhere(prev, host)) return out;
  // A sample from its new host, taken after it left, already said where it stands.
  if (prev !== undefined && prev.load.sampleTime > time) return out;
  const vm: VmServing = reason === 'migrated' ? 'suspended' : 'gone';
  vmChanged(state, uuid, vm, reason === 'migrated' ? 'VM migrating' : `VM ${reason}`, out, (m) => {
    if (vm === 'suspended') m.movedAt = now;
  });
  const known = state.vmLoads.get(uuid);
  if (known) {
    known.vm = vm;
    delete known.host; // it runs nowhere now, until a host says it runs there
  }
  return out;
}

/** A VM that left its host by migration and was not seen running anywhere within this is gone. */
export const MOVE_TIMEOUT_MS = 120_000;

/** Members whose VM moved away and never came back are taken down. */
export function expireMoves(state: LbState, now: number, out: LbAction[]): void {
  for (const v of state.vips.values()) {
    for (const m of v.members) {
      // A paused VM has not moved (movedAt is -Infinity): it keeps its clients however long it pauses.
      if (m.vm !== 'suspended' || m.movedAt === -Infinity || now - m.movedAt < MOVE_TIMEOUT_MS) continue;
      m.vm = 'gone';
      m.movedAt = -Infinity;
      v.candidates = undefined;
      memberGone(state, v, m, 'VM migrated and did not come back', out);
    }
  }
}

/** Applies a VM's new state to every member on it; false when no member is on it. */
function vmChanged(
  state: LbState,
  uuid: string,
  vm: VmServing,
  why: string,
  out: LbAction[],
  each: (m: MemberRuntime) => void,
): boolean {
  let known = false;
  for (const v of state.vips.values()) {
    for (const m of v.members) {
      if (m.config.vm !== uuid) continue;
      known = true;
      each(m);
      if (vm === m.vm) continue;
      const was = keepsClients(m);
      const before = m.vm;
      m.vm = vm;
      v.candidates = undefined;
      if (was && !keepsClients(m)) memberGone(state, v, m, why, out);
      else if (!was && keepsClients(m))
        out.push({ kind: 'event', event: { type: 'member-up', pool: v.pool.id, member: m.id } });
      else if (vm === 'suspended')
        out.push({
          kind: 'event',
          event: { type: 'member-suspended', pool: v.pool.id, member: m.id, reason: why },
        });
      else if (before === 'suspended')
        out.push({ kind: 'event', event: { type: 'member-resumed', pool: v.pool.id, member: m.id } });
    }
  }
  return known;
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
