// Config section `balancer`: how LEAST_LOAD scores members, and the timeouts of the flows and affinity
// entries the load balancer installs.

import Type, { type Static } from 'typebox';

const Weight = (def: number, what: string) =>
  Type.Number({
    minimum: 0,
    maximum: 100,
    default: def,
    description: `weight of ${what} in the LEAST_LOAD score`,
  });

export const BalancerSettingsSchema = Type.Object(
  {
    weights: Type.Object(
      {
        cpu: Weight(0.5, 'CPU use (cpu.percent / 100)'),
        network: Weight(0.2, 'vNIC traffic (rx + tx bytes/s over networkCapacityBytesPerSec)'),
        memory: Weight(0.1, 'memory use (memory.used_bytes over memory.maximum_bytes)'),
        flows: Weight(0.2, 'active clients (over flowCapacity)'),
      },
      { additionalProperties: false, default: {} },
    ),
    networkCapacityBytesPerSec: Type.Number({
      minimum: 1,
      default: 125_000_000,
      description: 'vNIC traffic that counts as fully loaded (bytes/s)',
    }),
    flowCapacity: Type.Integer({
      minimum: 1,
      maximum: 10_000_000,
      default: 100,
      description: 'active clients that count as fully loaded',
    }),
    clientCost: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.05,
      description:
        'load a client placed since the member’s last sample is assumed to add until the metrics show it',
    }),
    hysteresis: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.05,
      description:
        'scores closer than this are equal: ties go to the member with fewest clients, then in turn',
    }),
    sampleMaxAgeSeconds: Type.Number({
      minimum: 1,
      maximum: 3600,
      default: 30,
      description: 'a member whose newest sample is older than this is scored on its client count only',
    }),
    flowIdleTimeoutSeconds: Type.Integer({
      minimum: 1,
      maximum: 65_535,
      default: 30,
      description: 'idle timeout of the forward and reverse flows of a client',
    }),
    flowPriority: Type.Integer({
      minimum: 2,
      maximum: 65_000,
      default: 2000,
      description: 'priority of client flows',
    }),
    maxClientsPerPool: Type.Integer({
      minimum: 1,
      maximum: 10_000_000,
      default: 1_000_000,
      description: 'affinity entries kept per pool; new clients beyond it are dropped until entries expire',
    }),
    placementLogSize: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 10_000,
      description: 'placements kept for the API and dashboard',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type BalancerSettings = Static<typeof BalancerSettingsSchema>;

export const BALANCER_DEFAULTS: BalancerSettings = {
  weights: { cpu: 0.5, network: 0.2, memory: 0.1, flows: 0.2 },
  networkCapacityBytesPerSec: 125_000_000,
  flowCapacity: 100,
  clientCost: 0.05,
  hysteresis: 0.05,
  sampleMaxAgeSeconds: 30,
  flowIdleTimeoutSeconds: 30,
  flowPriority: 2000,
  maxClientsPerPool: 1_000_000,
  placementLogSize: 10_000,
};
