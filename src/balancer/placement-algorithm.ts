// One interface for every placement algorithm: given the pool's eligible members (already filtered for
// health, admin state and weight > 0), pick one for a new client. An algorithm instance belongs to one
// pool and may keep state between calls (round-robin cursors); it does no I/O and reads no clock.

import type { AlgorithmName } from './objects.js';

/** The newest metrics of a member's VM, as the monitor wrote them. */
export interface MemberLoad {
  /** When the sample was taken, ms since the epoch. */
  sampleTime: number;
  /** cpu.percent (0-100 per VM). */
  cpuPercent?: number;
  /** Sum of the vNICs' rx + tx bytes/s. */
  netBytesPerSec?: number;
  /** memory.used_bytes / memory.maximum_bytes (0-1). */
  memoryFraction?: number;
}

export interface Candidate {
  /** Member id. */
  readonly id: string;
  /** Position of the member in its pool; candidates come in ascending position. */
  readonly position: number;
  /** Stable hash of the member id (rendezvous hashing). */
  readonly idHash: number;
  /** Relative capacity, > 0. */
  readonly weight: number;
  /** Clients the member holds now (affinity entries). */
  clients: number;
  /** Of those, clients whose flows are installed now: live connections. */
  connections: number;
  /** Of those, clients placed after the member's newest sample was taken: not yet in its metrics. */
  pending: number;
  load: MemberLoad | undefined;
}

export interface PlacementRequest {
  /** Client key (MAC or IP as text). */
  clientKey: string;
  /** 32-bit hash of the client's IPv4 address. */
  ipHash: number;
  /** 32-bit hash of the client's IPv4 address and the TCP source port of its first segment. */
  flowHash: number;
  /** ms since the epoch. */
  now: number;
}

export interface Choice {
  /** Index into the candidates. */
  index: number;
  /**
   * The score of every candidate, in candidate order, when the algorithm scores (lower wins). It may be
   * the algorithm's scratch array: valid only until the next `choose` call on the same instance, so copy
   * what must be kept.
   */
  scores?: ArrayLike<number>;
}

export interface PlacementAlgorithm {
  readonly typeName: AlgorithmName;
  /** Undefined only when there is no candidate. */
  choose(req: PlacementRequest, candidates: readonly Candidate[]): Choice | undefined;
}
