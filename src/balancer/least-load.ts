// LEAST_LOAD (the default): the member with the lowest load score (load-score.ts). Scores closer than
// `hysteresis` to the lowest are equal (metrics are noisy and a little stale); among equals the member
// with the fewest clients per weight wins, then the next in turn, so equal members share new clients evenly.
// The scores go into one scratch array per instance (no allocation per placement): a Choice's `scores` is
// valid only until the next `choose`.

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
  /** Scratch for the scores; `scores` is its first n entries (n = the last call's candidate count). */
  private buffer = new Float64Array(8);
  private scores = this.buffer.subarray(0, 0);

  constructor(private readonly settings: LeastLoadSettings) {}

  choose(req: PlacementRequest, candidates: readonly Candidate[]): Choice | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    const scores = this.scoresFor(n);
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

  /** The scratch scores for n candidates: a new view only when n changes, a new buffer only when it grows. */
  private scoresFor(n: number): Float64Array {
    if (this.scores.length !== n) {
      if (this.buffer.length < n) this.buffer = new Float64Array(Math.max(n, 2 * this.buffer.length));
      this.scores = this.buffer.subarray(0, n);
    }
    return this.scores;
  }
}
