// WEIGHTED_ROUND_ROBIN: smooth weighted round robin (as nginx does it): every pick adds each member's
// weight to its credit, the member with the most credit wins and pays the total weight back. Over any
// run of sum(weights) picks each member is chosen exactly `weight` times, interleaved rather than in bursts.

import type { Candidate, Choice, PlacementAlgorithm, PlacementRequest } from './placement-algorithm.js';

export const TYPE_NAME = 'WEIGHTED_ROUND_ROBIN';

export class WeightedRoundRobin implements PlacementAlgorithm {
  readonly typeName = TYPE_NAME;
  private readonly credit = new Map<string, number>();

  choose(_req: PlacementRequest, candidates: readonly Candidate[]): Choice | undefined {
    if (candidates.length === 0) return undefined;
    if (this.credit.size > candidates.length * 4 + 64) this.forgetAbsent(candidates);
    let total = 0;
    let best = -1;
    let bestCredit = -Infinity;
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      const credit = (this.credit.get(c.id) ?? 0) + c.weight;
      this.credit.set(c.id, credit);
      total += c.weight;
      if (credit > bestCredit) {
        bestCredit = credit;
        best = i;
      }
    }
    const chosen = candidates[best]!;
    this.credit.set(chosen.id, bestCredit - total);
    return { index: best };
  }

  private forgetAbsent(candidates: readonly Candidate[]): void {
    const live = new Set(candidates.map((c) => c.id));
    for (const id of this.credit.keys()) if (!live.has(id)) this.credit.delete(id);
  }
}
