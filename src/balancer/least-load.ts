// LEAST_LOAD (the default): the member with the lowest load score (load-score.ts). Scores closer than
// `hysteresis` to the lowest are equal (metrics are noisy and a little stale); among equals the member
// with the fewest clients per weight wins, then the next in turn, so equal members share new clients evenly.

import { loadScore, type ScoreSettings } from './load-score.js';
import { nextInTurn } from './round-robin.js';
import type { Candidate, Choice, PlacementAlgorithm, PlacementRequest } from './placement-algorithm.js';

export const TYPE_NAME = 'LEAST_LOAD';

export interface LeastLoadSettings extends ScoreSettings {
  hysteresis: number;
}

export class LeastLoad implements PlacementAlgorithm {
  readonly typeName = TYPE_NAME;
  private last = -1;

  constructor(private readonly settings: LeastLoadSettings) {}

  choose(req: PlacementRequest, candidates: readonly Candidate[]): Choice | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    const scores = new Array<number>(n);
    let min = Infinity;
    for (let i = 0; i < n; i++) {
      const s = loadScore(this.settings, candidates[i]!, req.now);
      scores[i] = s;
      if (s < min) min = s;
    }
    const limit = min + this.settings.hysteresis;
    let fewest = Infinity;
    for (let i = 0; i < n; i++) {
      if (scores[i]! <= limit) {
        const c = candidates[i]!;
        const perWeight = c.clients / c.weight;
        if (perWeight < fewest) fewest = perWeight;
      }
    }
    const start = nextInTurn(candidates, this.last);
    let index = start;
    for (let k = 0; k < n; k++) {
      const i = (start + k) % n;
      const c = candidates[i]!;
      if (scores[i]! <= limit && c.clients / c.weight === fewest) {
        index = i;
        break;
      }
    }
    this.last = candidates[index]!.position;
    return { index, scores };
  }
}
