// The LEAST_LOAD score of a member: a weighted sum of its VM's CPU use, vNIC traffic and memory use from
// the newest sample, plus its share of active clients, plus a cost for every client placed after that
// sample was taken (those clients are not in the metrics yet: without this, a burst of new clients within
// one metrics interval would all land on the member that looked idle). The sum is divided by the member's
// weight. Lower is better.

import type { Candidate } from './placement-algorithm.js';

export interface ScoreSettings {
  weights: { cpu: number; network: number; memory: number; flows: number };
  networkCapacityBytesPerSec: number;
  flowCapacity: number;
  clientCost: number;
  sampleMaxAgeSeconds: number;
}

const clamp01 = (x: number) => (x > 1 ? 1 : x > 0 ? x : 0);

export function loadScore(s: ScoreSettings, c: Candidate, now: number): number {
  const w = s.weights;
  let score = (w.flows * c.clients) / s.flowCapacity;
  const load = c.load;
  if (load !== undefined && now - load.sampleTime <= s.sampleMaxAgeSeconds * 1000) {
    if (load.cpuPercent !== undefined) score += w.cpu * clamp01(load.cpuPercent / 100);
    if (load.netBytesPerSec !== undefined)
      score += w.network * clamp01(load.netBytesPerSec / s.networkCapacityBytesPerSec);
    if (load.memoryFraction !== undefined) score += w.memory * clamp01(load.memoryFraction);
    score += s.clientCost * c.pending;
  } else {
    // No fresh metrics: every client counts at its assumed cost.
    score += s.clientCost * c.clients;
  }
  return score / c.weight;
}
