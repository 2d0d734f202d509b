// Opens the store the configuration asks for.

import type { Logger } from '../log/logger.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import type { StoreConfig } from './settings.js';
import type { Store, StoreLimits } from './store.js';

export function storeLimits(cfg: StoreConfig): StoreLimits {
  return {
    sampleTtlMs: cfg.sampleTtlSeconds * 1000,
    seriesRetentionMs: cfg.seriesRetentionSeconds * 1000,
    seriesMaxPoints: cfg.seriesMaxPoints,
  };
}

export async function openStore(cfg: StoreConfig, logger?: Logger): Promise<Store> {
  const limits = storeLimits(cfg);
  if (cfg.kind === 'memory') return new MemoryStore(limits, Date.now, logger);
  return RedisStore.connect({
    url: cfg.redisUrl,
    keyPrefix: cfg.keyPrefix,
    limits,
    connectTimeoutMs: cfg.connectTimeoutSeconds * 1000,
    ...(logger ? { logger } : {}),
  });
}
