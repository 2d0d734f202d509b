// A Vigil API over a real MemoryStore fed the monitor's way, with in-memory providers.

import { MemoryStore } from '../../../src/store/memory-store.js';
import { createApiServer, type ApiOptions, type ApiServer } from '../../../src/api/server.js';
import type { ApiDeps } from '../../../src/api/app.js';
import { MemoryBalancer } from './memory-balancer.js';
import { VmFeed, demoVms } from './vm-feed.js';
import { MemoryInternals, MemoryTraffic, demoSwitches, type MemorySwitches } from './views.js';

export const TOKEN = 'tok-3f9a1c2e7b';

export interface Harness extends ApiServer {
  store: MemoryStore;
  balancer: MemoryBalancer;
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
  const balancer = new MemoryBalancer(store);
  const switches = demoSwitches(Date.now());
  const traffic = new MemoryTraffic();
  const internals = new MemoryInternals();
  const deps: ApiDeps = { store, balancer, switches, traffic, internals };
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
    balancer,
    switches,
    traffic,
    internals,
    feed,
    async close() {
      await server.app.close();
      await store.close();
    },
  };
}

export const auth = { authorization: `Bearer ${TOKEN}` };
