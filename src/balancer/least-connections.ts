// LEAST_CONNECTIONS: the member with the fewest live connections per unit of weight — clients whose flows
// are installed now, not every client it ever took or still holds an idle affinity entry for. Ties go in
// turn.

import { nextInTurn } from './round-robin.js';
import type { Candidate, Choice, PlacementAlgorithm, PlacementRequest } from './placement-algorithm.js';

export const TYPE_NAME = 'LEAST_CONNECTIONS';

export class LeastConnections implements PlacementAlgorithm {
  readonly typeName = TYPE_NAME;
  private last = -1;

  choose(_req: PlacementRequest, candidates: readonly Candidate[]): Choice | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    const scores = new Array<number>(n);
    let min = Infinity;
    for (let i = 0; i < n; i++) {
      const c = candidates[i]!;
      const s = c.connections / c.weight;
      scores[i] = s;
      if (s < min) min = s;
    }
    // Among the least loaded, the first after the last pick in pool order.
    const start = nextInTurn(candidates, this.last);
    let index = -1;
    for (let k = 0; k < n; k++) {
      const i = (start + k) % n;
      if (scores[i] === min) {
        index = i;
        break;
      }
    }
    this.last = candidates[index]!.position;
    return { index, scores };
  }
}
