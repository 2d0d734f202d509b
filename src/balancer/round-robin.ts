// ROUND_ROBIN, weighted as Octavia's (HAProxy's `roundrobin`) is: smooth weighted round robin, as nginx
// does it. Every pick adds each member's weight to its credit; the member with the most credit wins and pays
// the total weight back. Over any run of sum(weights) picks each member is chosen exactly `weight` times,
// interleaved rather than in bursts; with equal weights members come in turn.
//
// When the eligible members change (one leaves, joins, or changes weight) the credits start again from
// zero, ordered so the member after the last one picked (by pool position) goes first: the turn goes on
// where it was instead of favouring or starving anyone for what happened under the old set.

import type { Candidate, Choice, PlacementAlgorithm, PlacementRequest } from './placement-algorithm.js';

export const TYPE_NAME = 'ROUND_ROBIN';

/** Smaller than any difference of whole weights: orders equal credits by turn without changing picks. */
const TURN_ORDER = 1e-6;

/** The first candidate after pool position `last`, wrapping around; candidates are in position order. */
export function nextInTurn(candidates: readonly Candidate[], last: number): number {
  for (let i = 0; i < candidates.length; i++) if (candidates[i]!.position > last) return i;
  return 0;
}

export class RoundRobin implements PlacementAlgorithm {
  readonly typeName = TYPE_NAME;
  private credit = new Float64Array(0);
  /** The candidate list the credits are for (the caller keeps one array while the set is unchanged). */
  private set: readonly Candidate[] | undefined;
  private weights: number[] = [];
  private last = -1;

  choose(_req: PlacementRequest, candidates: readonly Candidate[]): Choice | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    if (candidates !== this.set || !this.sameWeights(candidates)) this.restart(candidates);
    const credit = this.credit;
    let total = 0;
    let best = 0;
    for (let i = 0; i < n; i++) {
      const w = candidates[i]!.weight;
      credit[i]! += w;
      total += w;
      if (credit[i]! > credit[best]!) best = i;
    }
    credit[best]! -= total;
    this.last = candidates[best]!.position;
    return { index: best };
  }

  private sameWeights(candidates: readonly Candidate[]): boolean {
    for (let i = 0; i < candidates.length; i++) if (candidates[i]!.weight !== this.weights[i]) return false;
    return true;
  }

  private restart(candidates: readonly Candidate[]): void {
    const n = candidates.length;
    this.set = candidates;
    this.weights = candidates.map((c) => c.weight);
    this.credit = new Float64Array(n);
    const start = nextInTurn(candidates, this.last);
    for (let k = 0; k < n; k++) this.credit[(start + k) % n] = (n - k) * TURN_ORDER;
  }
}
