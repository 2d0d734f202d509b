// Weighted rendezvous hashing (highest random weight, Schindelhauer and Schomaker): a key always lands on
// the same member while the member set is unchanged, members get keys in proportion to their weights, and
// a member leaving moves only its own keys.

import { mix32 } from '../store/hash.js';
import type { Candidate } from './placement-algorithm.js';

const TWO_32 = 4_294_967_296;

/** The candidate a 32-bit key hash lands on (candidates non-empty). */
export function rendezvous(keyHash: number, candidates: readonly Candidate[]): number {
  let best = 0;
  let bestScore = -Infinity;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    // u in (0, 1); -w / ln(u) is the weighted score.
    const u = (mix32(keyHash ^ c.idHash) + 0.5) / TWO_32;
    const score = -c.weight / Math.log(u);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}
