// Vigil's controller with the load-balancer app in front of the L2 learning app, as `vigil up` runs them
// (in-memory store, placements logged and claimed in the store), minus discovery and polling. One VIP,
// six members on ports 1-6 of every switch (located from their ARP replies).
//
//   tsx bench/balancer/vigil-lb-server.ts --port 6633

import { parseArgs } from 'node:util';
import pino from 'pino';
import { L2LearningApp } from '../../src/apps/l2-learning.js';
import { LoadBalancerApp } from '../../src/apps/load-balancer/lb-app.js';
import { Controller } from '../../src/controller/controller.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { AlgorithmName } from '../../src/balancer/objects.js';
import { benchPool } from './vip.js';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '6633' },
    host: { type: 'string', default: '127.0.0.1' },
    algorithm: { type: 'string', default: 'LEAST_LOAD' },
  },
});

const store = new MemoryStore({ sampleTtlMs: 60_000, seriesRetentionMs: 600_000, seriesMaxPoints: 1000 });
const c = new Controller(
  { host: args.host, port: Number(args.port), discoveryIntervalMs: 0, statsIntervalMs: 0 },
  pino({ level: 'warn' }),
);
const lb = new LoadBalancerApp({
  store,
  pools: [benchPool(args.algorithm as AlgorithmName)],
  // A persistence timeout long enough that no entry expires during a run.
  settings: { maxClientsPerPool: 10_000_000 },
  publishPlacements: false,
});
await lb.restore();
c.use(lb);
c.use(new L2LearningApp());
const addr = await c.listen();
console.log(`listening ${addr.port}`);
const stop = () => {
  console.error(JSON.stringify({ placementsLogged: lb.state.log.total }));
  void c.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
