// The placement algorithms by TYPE_NAME. Each pool gets its own instance (algorithms keep turn state).

import * as leastConnections from './least-connections.js';
import * as leastLoad from './least-load.js';
import type { AlgorithmName } from './objects.js';
import type { PlacementAlgorithm } from './placement-algorithm.js';
import * as roundRobin from './round-robin.js';
import * as sourceIp from './source-ip.js';
import * as sourceIpPort from './source-ip-port.js';

export type AlgorithmFactory = (settings: leastLoad.LeastLoadSettings) => PlacementAlgorithm;

const registry = new Map<string, AlgorithmFactory>([
  [leastLoad.TYPE_NAME, (s) => new leastLoad.LeastLoad(s)],
  [roundRobin.TYPE_NAME, () => new roundRobin.RoundRobin()],
  [leastConnections.TYPE_NAME, () => new leastConnections.LeastConnections()],
  [sourceIp.TYPE_NAME, () => new sourceIp.SourceIp()],
  [sourceIpPort.TYPE_NAME, () => new sourceIpPort.SourceIpPort()],
]);

export const DEFAULT_ALGORITHM: AlgorithmName = 'LEAST_LOAD';

export function algorithmNames(): string[] {
  return [...registry.keys()];
}

export function createAlgorithm(name: string, settings: leastLoad.LeastLoadSettings): PlacementAlgorithm {
  const factory = registry.get(name);
  if (!factory)
    throw new Error(
      `unknown placement algorithm ${JSON.stringify(name)}; known: ${algorithmNames().join(', ')}`,
    );
  return factory(settings);
}
