// The load balancer's state as the policy core sees it: VIPs with their pools and members, where each
// member and client is attached, the affinity table (client -> member), and the switches known. Plain
// data plus lookups; every change goes through lb-policy.ts.

import { createAlgorithm } from '../../balancer/algorithm-registry.js';
import { fnv1a } from '../../store/hash.js';
import type { HealthStatus } from '../../balancer/health-state.js';
import type { LoadBalancer, Member } from '../../balancer/objects.js';
import type { Candidate, MemberLoad, PlacementAlgorithm } from '../../balancer/placement-algorithm.js';
import { PlacementLog } from '../../balancer/placement-log.js';
import type { BalancerSettings } from '../../balancer/settings.js';
import { APP_ID, appCookie, APP_COOKIE_MASK } from '../../controller/cookies.js';
import { parseIpv4 } from '../../net/ipv4-address.js';
import { parseMac } from '../../net/mac-address.js';
import type { FlowModTemplate } from '../../openflow/flow-mod-template.js';
import type { Action, Instruction } from '../../openflow/model.js';
import { ClientTable } from './client-table.js';
import { PathTable } from './paths.js';
import { vipMac } from './vip-mac.js';

/** Placement times remembered per member to count those not yet visible in its metrics. */
export const PLACEMENT_HISTORY = 256;
/** A VIP's cookie: app id, then the VIP's number in bits 16-31 and the member's slot in bits 0-15. */
export const VIP_COOKIE_MASK = APP_COOKIE_MASK | 0xffff_0000n;
export const MEMBER_COOKIE_MASK = APP_COOKIE_MASK | 0xffff_ffffn;

export function vipCookie(vipIndex: number, memberSlot = 0): bigint {
  return appCookie(APP_ID.LOAD_BALANCER, ((vipIndex & 0xffff) << 16) | (memberSlot & 0xffff));
}

export function cookieVipIndex(cookie: bigint): number {
  return Number((cookie >> 16n) & 0xffffn);
}

export function cookieMemberSlot(cookie: bigint): number {
  return Number(cookie & 0xffffn);
}

export interface MemberRuntime {
  readonly id: string;
  /** Stable within the VIP for the life of the process; names the member in flow cookies. */
  readonly slot: number;
  config: Member;
  position: number;
  ip: number;
  port: number;
  /** Where the member is attached, learned from its ARP (or configured MAC + learned port). */
  mac: number | undefined;
  datapathId: bigint | undefined;
  ofport: number | undefined;
  health: HealthStatus;
  /** False when the monitor says the member's VM is not running. */
  vmRunning: boolean;
  clients: number;
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
  lb: LoadBalancer;
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
  /** The newest metrics and run state of each member VM. */
  readonly vmLoads = new Map<string, { load: MemberLoad; running: boolean }>();
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
      if (!v.lb.adminStateUp) continue;
      this.byService.set(v.ip * 65_536 + v.port, v);
      this.vipMacs.set(v.ip, v.mac);
    }
  }
}

export function newMember(config: Member, slot: number, position: number, vipIndex: number): MemberRuntime {
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
    vmRunning: true,
    clients: 0,
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
    pending: m.pending,
    load: m.load,
  };
}

export function newVip(state: LbState, lb: LoadBalancer, now: number): VipRuntime {
  const ip = parseIpv4(lb.vip.address) ?? 0;
  const v: VipRuntime = {
    lb,
    index: state.allocateIndex(),
    ip,
    port: lb.vip.port,
    mac: lb.vip.mac !== undefined ? (parseMac(lb.vip.mac) ?? vipMac(ip)) : vipMac(ip),
    keyBy: lb.pool.sessionPersistence.type === 'SOURCE_IP' ? 'ip' : 'mac',
    timeoutMs: lb.pool.sessionPersistence.timeoutSeconds * 1000,
    members: [],
    memberById: new Map(),
    memberBySlot: new Map(),
    nextSlot: 1,
    algorithm: createAlgorithm(lb.pool.algorithm, state.settings),
    clients: new ClientTable(lb.pool.sessionPersistence.type === 'SOURCE_IP' ? 'ip' : 'mac'),
    sweep: 0,
    candidates: undefined,
    candidateMembers: [],
    candidateIds: [],
  };
  void now;
  lb.pool.members.forEach((mc, i) => addMember(v, mc, i));
  return v;
}

export function addMember(v: VipRuntime, config: Member, position: number): MemberRuntime {
  const slot = v.nextSlot;
  v.nextSlot = (v.nextSlot % 0xffff) + 1;
  const m = newMember(config, slot, position, v.index);
  v.members.push(m);
  v.memberById.set(m.id, m);
  v.memberBySlot.set(slot, m);
  v.candidates = undefined;
  return m;
}

/** May this member get new clients? */
export function acceptsNew(m: MemberRuntime): boolean {
  return keepsClients(m) && m.config.weight > 0 && m.mac !== undefined && m.datapathId !== undefined;
}

/** May this member keep the clients it has (true while draining)? */
export function keepsClients(m: MemberRuntime): boolean {
  return m.config.adminStateUp && m.health === 'UP' && m.vmRunning;
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
