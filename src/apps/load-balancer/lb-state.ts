// The load balancer's state as the policy core sees it: VIPs with their pools and members, where each
// member and client is attached, the affinity table (client -> member), and the switches known. Plain
// data plus lookups; every change goes through lb-policy.ts.

import { createAlgorithm } from '../../balancer/algorithm-registry.js';
import { fnv1a } from '../../store/hash.js';
import type { HealthStatus } from '../../balancer/health-state.js';
import type { ServedMember, ServedPool } from '../../balancer/served-pool.js';
import type { VmServing } from '../../balancer/vm-serving.js';
import type { Candidate, MemberLoad, PlacementAlgorithm } from '../../balancer/placement-algorithm.js';
import { PlacementLog } from '../../balancer/placement-log.js';
import type { BalancerSettings } from '../../balancer/settings.js';
import { APP_ID, appCookie, APP_COOKIE_MASK, cookieAppId } from '../../controller/cookies.js';
import { parseIpv4 } from '../../net/ipv4-address.js';
import { parseMac } from '../../net/mac-address.js';
import type { FlowModTemplate } from '../../openflow/flow-mod-template.js';
import type { Action, Instruction } from '../../openflow/model.js';
import { ClientTable, type ClientSlot } from './client-table.js';
import { ClientTraffic, type CountedFlowOwner, type TrafficCounters } from './client-traffic.js';
import { PathTable } from './paths.js';
import { vipMac } from './vip-mac.js';

/** Placement times remembered per member to count those not yet visible in its metrics. */
export const PLACEMENT_HISTORY = 256;
/**
 * A VIP's cookie: app id, then the VIP's number in bits 16-31, the member's slot in bits 0-13, and the
 * kind of a client flow in bits 14-15: COUNTED on the two flows of a client that count its traffic (see
 * client-traffic.ts), with OUT on the reverse one of them.
 */
export const VIP_COOKIE_MASK = APP_COOKIE_MASK | 0xffff_0000n;
export const MEMBER_COOKIE_MASK = APP_COOKIE_MASK | 0xffff_3fffn;
export const COOKIE_COUNTED = 0x8000;
export const COOKIE_OUT = 0x4000;
/** Member slots per VIP (14 bits). */
export const MAX_MEMBER_SLOT = 0x3fff;

export function vipCookie(vipIndex: number, memberSlot = 0): bigint {
  return appCookie(APP_ID.LOAD_BALANCER, ((vipIndex & 0xffff) << 16) | (memberSlot & MAX_MEMBER_SLOT));
}

export function cookieVipIndex(cookie: bigint): number {
  return Number((cookie >> 16n) & 0xffffn);
}

export function cookieMemberSlot(cookie: bigint): number {
  return Number(cookie & BigInt(MAX_MEMBER_SLOT));
}

/** The kind bits of a client flow's cookie (COUNTED, OUT). */
export function cookieKind(cookie: bigint): number {
  return Number(cookie & 0xc000n);
}

export interface MemberRuntime {
  readonly id: string;
  /** Stable within the VIP for the life of the process; names the member in flow cookies. */
  readonly slot: number;
  config: ServedMember;
  position: number;
  ip: number;
  port: number;
  /** Where the member is attached, learned from its ARP (or configured MAC + learned port). */
  mac: number | undefined;
  datapathId: bigint | undefined;
  ofport: number | undefined;
  health: HealthStatus;
  /** What the member's VM can do, from its monitor (see balancer/vm-serving.ts). */
  vm: VmServing;
  /** When the VM left its host by live migration (ms), while it has not been seen running since. */
  movedAt: number;
  clients: number;
  /** Of those, clients whose flows are installed now (live connections). */
  connections: number;
  /** Monotonic traffic, connection and placement counts (kept in state.traffic across VIP changes). */
  traffic: TrafficCounters;
  /** Clients placed after the member's newest sample was taken. */
  pending: number;
  readonly placementTimes: Float64Array;
  placementNext: number;
  load: MemberLoad | undefined;
  candidate: Candidate;
  /** Cookie of this member's flows (VIP number and member slot). */
  cookie: bigint;
  /** When the member was last asked for by ARP (ms). */
  probedAt: number;
  /** Action lists of the member's forward and reverse flows by output port, shared by its clients. */
  forwardActions: Map<number, { actions: Action[]; instructions: Instruction[] }>;
  reverseActions: Map<number, { actions: Action[]; instructions: Instruction[] }>;
  /** Its clients' flow-mod templates, by shared action list and kind of flow (see client-flows.ts). */
  flowTemplates: Map<Instruction[], Array<FlowModTemplate | undefined>>;
}

export interface VipRuntime {
  /** What is served: the pool on its VIP address and port. */
  pool: ServedPool;
  readonly index: number;
  ip: number;
  port: number;
  mac: number;
  keyBy: 'mac' | 'ip';
  timeoutMs: number;
  members: MemberRuntime[];
  memberById: Map<string, MemberRuntime>;
  memberBySlot: Map<number, MemberRuntime>;
  nextSlot: number;
  algorithm: PlacementAlgorithm;
  /** The placed clients, by the pool's client key (MAC or IPv4). */
  clients: ClientTable;
  /** The slot where the periodic sweep of `clients` resumes. */
  sweep: number;
  /** Eligible members' candidates; undefined when it must be rebuilt. */
  candidates: Candidate[] | undefined;
  candidateMembers: MemberRuntime[];
  /** The candidates' ids, shared by placement records while the candidates are unchanged. */
  candidateIds: readonly string[];
}

export class LbState {
  readonly vips = new Map<string, VipRuntime>();
  /** (VIP address * 65536 + port) -> VIP. */
  readonly byService = new Map<number, VipRuntime>();
  /** VIP address -> MAC, for ARP. */
  readonly vipMacs = new Map<number, number>();
  readonly vipByIndex = new Map<number, VipRuntime>();
  readonly datapaths = new Set<bigint>();
  readonly paths = new PathTable();
  /** Where each member address was last seen (its ARP), shared by every pool that uses the address. */
  readonly hostLocations = new Map<number, { mac: number; datapathId: bigint; ofport: number }>();
  /**
   * The newest metrics and run state of each member VM, and the host it runs on (the monitor's label of
   * the host whose sample last said it runs; absent while it is moving, or when samples name no host).
   */
  readonly vmLoads = new Map<string, { load: MemberLoad; vm: VmServing; host?: string }>();
  readonly traffic = new ClientTraffic();
  /** Whose each counted client flow is, from its cookie. */
  readonly flowOwner: CountedFlowOwner = countedFlowOwner(this);
  readonly log: PlacementLog;
  private nextIndex = 1;

  constructor(readonly settings: BalancerSettings) {
    this.log = new PlacementLog(settings.placementLogSize);
  }

  allocateIndex(): number {
    for (let i = 0; i < 0xffff; i++) {
      const n = this.nextIndex;
      this.nextIndex = (this.nextIndex % 0xffff) + 1;
      if (!this.vipByIndex.has(n)) return n;
    }
    throw new Error('more than 65535 VIPs');
  }

  vipFor(ip: number, port: number): VipRuntime | undefined {
    return this.byService.get(ip * 65_536 + port);
  }

  /** Rebuilds the VIP address indexes after VIPs were added, removed or changed. */
  reindex(): void {
    this.byService.clear();
    this.vipMacs.clear();
    this.vipByIndex.clear();
    for (const v of this.vips.values()) {
      this.vipByIndex.set(v.index, v);
      if (!v.pool.adminStateUp) continue;
      this.byService.set(v.ip * 65_536 + v.port, v);
      this.vipMacs.set(v.ip, v.mac);
    }
  }
}

export function newMember(
  config: ServedMember,
  slot: number,
  position: number,
  vipIndex: number,
  traffic: TrafficCounters,
): MemberRuntime {
  const m: MemberRuntime = {
    id: config.id,
    slot,
    config,
    position,
    ip: parseIpv4(config.address) ?? 0,
    port: config.port,
    mac: config.mac !== undefined ? parseMac(config.mac) : undefined,
    datapathId: undefined,
    ofport: undefined,
    health: 'UP',
    vm: 'running',
    movedAt: -Infinity,
    clients: 0,
    connections: 0,
    traffic,
    pending: 0,
    placementTimes: new Float64Array(PLACEMENT_HISTORY).fill(-Infinity),
    placementNext: 0,
    load: undefined,
    candidate: undefined as unknown as Candidate,
    cookie: vipCookie(vipIndex, slot),
    probedAt: -Infinity,
    forwardActions: new Map(),
    reverseActions: new Map(),
    flowTemplates: new Map(),
  };
  m.candidate = makeCandidate(m);
  return m;
}

export function makeCandidate(m: MemberRuntime): Candidate {
  return {
    id: m.id,
    position: m.position,
    idHash: fnv1a(m.id),
    weight: m.config.weight,
    clients: m.clients,
    connections: m.connections,
    pending: m.pending,
    load: m.load,
  };
}

export function newVip(state: LbState, pool: ServedPool): VipRuntime {
  const ip = parseIpv4(pool.vip.address) ?? 0;
  const keyBy = pool.persistence.type === 'SOURCE_IP' ? 'ip' : 'mac';
  const v: VipRuntime = {
    pool,
    index: state.allocateIndex(),
    ip,
    port: pool.vip.port,
    mac: pool.vip.mac !== undefined ? (parseMac(pool.vip.mac) ?? vipMac(ip)) : vipMac(ip),
    keyBy,
    timeoutMs: pool.persistence.timeoutSeconds * 1000,
    members: [],
    memberById: new Map(),
    memberBySlot: new Map(),
    nextSlot: 1,
    algorithm: createAlgorithm(pool.algorithm, state.settings),
    clients: new ClientTable(keyBy),
    sweep: 0,
    candidates: undefined,
    candidateMembers: [],
    candidateIds: [],
  };
  pool.members.forEach((mc, i) => addMember(state, v, mc, i));
  return v;
}

export function addMember(
  state: LbState,
  v: VipRuntime,
  config: ServedMember,
  position: number,
): MemberRuntime {
  const slot = v.nextSlot;
  v.nextSlot = (v.nextSlot % MAX_MEMBER_SLOT) + 1;
  const m = newMember(config, slot, position, v.index, state.traffic.counters(v.pool.id, config.id));
  v.members.push(m);
  v.memberById.set(m.id, m);
  v.memberBySlot.set(slot, m);
  v.candidates = undefined;
  return m;
}

/** May this member get new clients? */
export function acceptsNew(m: MemberRuntime): boolean {
  return (
    keepsClients(m) &&
    m.vm === 'running' &&
    m.config.weight > 0 &&
    m.mac !== undefined &&
    m.datapathId !== undefined
  );
}

/** May this member keep the clients it has (true while draining, and while its VM is paused or moving)? */
export function keepsClients(m: MemberRuntime): boolean {
  return m.config.adminStateUp && m.health === 'UP' && m.vm !== 'gone';
}

/** The eligible members' candidates, with current client and pending counts. */
export function candidatesOf(v: VipRuntime): Candidate[] {
  if (v.candidates === undefined) {
    v.candidateMembers = v.members.filter(acceptsNew);
    v.candidates = v.candidateMembers.map((m) => (m.candidate = makeCandidate(m)));
    v.candidateIds = v.candidateMembers.map((m) => m.id);
  }
  const ms = v.candidateMembers;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    const c = m.candidate;
    c.clients = m.clients;
    c.connections = m.connections;
    c.pending = m.pending;
    c.load = m.load;
  }
  return v.candidates;
}

export function recordPlacementTime(m: MemberRuntime, now: number): void {
  m.placementTimes[m.placementNext] = now;
  m.placementNext = (m.placementNext + 1) % PLACEMENT_HISTORY;
  m.pending++;
}

/** Clients placed at or after `sampleTime` (capped by the history kept). */
export function countPending(m: MemberRuntime, sampleTime: number): number {
  let n = 0;
  for (let i = 0; i < PLACEMENT_HISTORY; i++) if (m.placementTimes[i]! >= sampleTime) n++;
  return n;
}

/** The client's flows are installed: a live connection of its member, counted once until they end. */
export function flowsInstalled(t: ClientTable, c: ClientSlot): void {
  if (t.flowsLive[c] === 1) return;
  t.flowsLive[c] = 1;
  const m = t.member[c]!;
  m.connections++;
  m.traffic.connections++;
}

/** The client's flows ended (idle, or deleted by us); false when they were not live. */
export function flowsEnded(t: ClientTable, c: ClientSlot): boolean {
  if (t.flowsLive[c] === 0) return false;
  t.flowsLive[c] = 0;
  t.member[c]!.connections--;
  return true;
}

/** Who owns a counted client flow (client-traffic.ts), from its cookie. */
export function countedFlowOwner(state: LbState): CountedFlowOwner {
  return (cookie) => {
    if (cookieAppId(cookie) !== APP_ID.LOAD_BALANCER) return undefined;
    const kind = cookieKind(cookie);
    if ((kind & COOKIE_COUNTED) === 0) return undefined;
    const v = state.vipByIndex.get(cookieVipIndex(cookie));
    const m = v?.memberBySlot.get(cookieMemberSlot(cookie));
    return v && m ? { pool: v.pool.id, member: m.id, out: (kind & COOKIE_OUT) !== 0 } : undefined;
  };
}
