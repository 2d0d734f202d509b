// The VIP and members the balancer benchmark uses, shared by the server and the load generator.

import type { AlgorithmName } from '../../src/balancer/objects.js';
import type { ServedPool } from '../../src/balancer/served-pool.js';

export const BENCH_VIP = 0x0ad50464; // 10.213.4.100
export const BENCH_VIP_MAC = 0x0256_0ad5_0464;
export const MEMBERS = 6;

export function memberIp(i: number): number {
  return 0x0ad5040b + i; // 10.213.4.11 + i
}

export function memberMac(sw: number, i: number): number {
  return 0x0e0000000000 + sw * 0x100 + i + 1;
}

export function benchPool(algorithm: AlgorithmName): ServedPool {
  return {
    id: 'bench-pool',
    loadBalancerId: 'bench',
    adminStateUp: true,
    vip: { address: '10.213.4.100', port: 80 },
    algorithm,
    persistence: { type: 'SOURCE_MAC', timeoutSeconds: 3600 },
    members: Array.from({ length: MEMBERS }, (_, i) => ({
      id: `m${i + 1}`,
      address: `10.213.4.${11 + i}`,
      port: 80,
      weight: 1,
      adminStateUp: true,
      vm: `vm-${i + 1}`,
    })),
  };
}
