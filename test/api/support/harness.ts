// A Vigil API over a real MemoryStore fed the monitor's way, the real load balancer driven as switches and
// members would drive it (test/support/balancer-driver.ts), and in-memory views of switches and traffic.

import { MemoryStore } from '../../../src/store/memory-store.js';
import { createApiServer, type ApiOptions, type ApiServer } from '../../../src/api/server.js';
import type { ApiDeps } from '../../../src/api/app.js';
import type { LoadBalancerService } from '../../../src/apps/load-balancer/lb-service.js';
import { BalancerDriver } from '../../support/balancer-driver.js';
import { VmFeed, demoVms } from './vm-feed.js';
import { MemoryInternals, MemoryTraffic, demoSwitches, type MemorySwitches } from './views.js';

export const TOKEN = 'tok-3f9a1c2e7b';

export interface Harness extends ApiServer {
  store: MemoryStore;
  balancer: LoadBalancerService;
  driver: BalancerDriver;
  switches: MemorySwitches;
  traffic: MemoryTraffic;
  internals: MemoryInternals;
  feed: VmFeed;
  close(): Promise<void>;
}

export async function harness(
  opts: ApiOptions = {},
  pick: { omit?: Array<keyof Omit<ApiDeps, 'store'>> } = {},
): Promise<Harness> {
  const store = new MemoryStore({
    sampleTtlMs: 600_000,
    seriesRetentionMs: 3_600_000,
    seriesMaxPoints: 4096,
  });
  const driver = new BalancerDriver(store);
  await driver.start();
  const switches = demoSwitches(Date.now());
  const traffic = new MemoryTraffic();
  const internals = new MemoryInternals();
  const deps: ApiDeps = { store, balancer: driver.service, switches, traffic, internals };
  for (const k of pick.omit ?? []) delete deps[k];
  const server = await createApiServer(deps, {
    token: TOKEN,
    webRoot: false,
    processMetrics: false,
    ...opts,
  });
  const feed = new VmFeed(store, demoVms());
  return {
    ...server,
    store,
    balancer: driver.service,
    driver,
    switches,
    traffic,
    internals,
    feed,
    async close() {
      driver.stop();
      await server.app.close();
      await store.close();
    },
  };
}

export const auth = { authorization: `Bearer ${TOKEN}` };
