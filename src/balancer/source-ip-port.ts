// SOURCE_IP_PORT: the client's IPv4 address and the TCP source port of its first segment are hashed onto
// the members (weighted rendezvous hashing), as Octavia's algorithm of that name hashes each connection's
// source. Vigil places clients, not connections: the client then keeps the member it was hashed to for as
// long as its affinity entry lives.

import type { Candidate, Choice, PlacementAlgorithm, PlacementRequest } from './placement-algorithm.js';
import { rendezvous } from './rendezvous.js';

export const TYPE_NAME = 'SOURCE_IP_PORT';

export class SourceIpPort implements PlacementAlgorithm {
  readonly typeName = TYPE_NAME;

  choose(req: PlacementRequest, candidates: readonly Candidate[]): Choice | undefined {
    return candidates.length === 0 ? undefined : { index: rendezvous(req.flowHash, candidates) };
  }
}
