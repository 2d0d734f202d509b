// SOURCE_IP: the client's IPv4 address is hashed onto the members (weighted rendezvous hashing): a client
// address always lands on the same member while the member set is unchanged.

import type { Candidate, Choice, PlacementAlgorithm, PlacementRequest } from './placement-algorithm.js';
import { rendezvous } from './rendezvous.js';

export const TYPE_NAME = 'SOURCE_IP';

export class SourceIp implements PlacementAlgorithm {
  readonly typeName = TYPE_NAME;

  choose(req: PlacementRequest, candidates: readonly Candidate[]): Choice | undefined {
    return candidates.length === 0 ? undefined : { index: rendezvous(req.ipHash, candidates) };
  }
}
