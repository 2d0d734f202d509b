// ROUND_ROBIN: each new client goes to the next eligible member in turn, whatever its weight.

import type { Candidate, Choice, PlacementAlgorithm, PlacementRequest } from './placement-algorithm.js';

export const TYPE_NAME = 'ROUND_ROBIN';

/** The first candidate after pool position `last`, wrapping around; candidates are in position order. */
export function nextInTurn(candidates: readonly Candidate[], last: number): number {
  for (let i = 0; i < candidates.length; i++) if (candidates[i]!.position > last) return i;
  return 0;
}

export class RoundRobin implements PlacementAlgorithm {
  readonly typeName = TYPE_NAME;
  private last = -1;

  choose(_req: PlacementRequest, candidates: readonly Candidate[]): Choice | undefined {
    if (candidates.length === 0) return undefined;
    // By pool position, so a member leaving or joining does not reset the turn.
    const index = nextInTurn(candidates, this.last);
    this.last = candidates[index]!.position;
    return { index };
  }
}
