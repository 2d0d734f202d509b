// SOURCE_IP: the client key is hashed onto the members by weighted rendezvous hashing (highest random
// weight): a client always lands on the same member while the member set is unchanged, and a member
// leaving moves only its own clients.

import { mix32 } from '../store/hash.js';
import type { Candidate, Choice, PlacementAlgorithm, PlacementRequest } from './placement-algorithm.js';

export const TYPE_NAME = 'SOURCE_IP';

const TWO_32 = 4_294_967_296;

export class SourceIp implements PlacementAlgorithm {
  readonly typeName = TYPE_NAME;

  choose(req: PlacementRequest, candidates: readonly Candidate[]): Choice | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < n; i++) {
      const c = candidates[i]!;
      // u in (0, 1); -w / ln(u) is the weighted rendezvous score (Schindelhauer and Schomaker).
      const u = (mix32(req.clientHash ^ c.idHash) + 0.5) / TWO_32;
      const score = -c.weight / Math.log(u);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return { index: best };
  }
}
