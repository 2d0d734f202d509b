// Config section `store`: which store, where Redis is, and how long samples and series are kept.

import Type, { type Static } from 'typebox';

const Seconds = (def: number, description: string, minimum: number, maximum: number) =>
  Type.Number({ default: def, minimum, maximum, description: `${description} (seconds)` });

export const StoreSettingsSchema = Type.Object(
  {
    kind: Type.Enum(['memory', 'redis'], {
      default: 'memory',
      description: 'metric store: memory (embedded, one process) or redis (shared by many processes)',
    }),
    redisUrl: Type.String({
      default: 'redis://127.0.0.1:6379',
      pattern: '^rediss?://',
      description: 'Redis server when kind is redis (redis:// or rediss:// for TLS)',
      format_hint: 'redis://[USER:PASSWORD@]HOST:PORT[/DB]',
    }),
    keyPrefix: Type.String({
      default: 'vigil',
      pattern: '^[A-Za-z0-9_.-]{1,64}$',
      description: 'first part of every Redis key and channel, so several Vigils can share one Redis',
    }),
    sampleTtlSeconds: Seconds(60, 'how long a VM sample stays readable after it was written', 1, 86_400),
    seriesRetentionSeconds: Seconds(3600, 'how much metric history is kept per VM', 60, 7 * 86_400),
    seriesMaxPoints: Type.Integer({
      default: 4096,
      minimum: 16,
      maximum: 1_000_000,
      description: 'hard cap on points kept per VM series, whatever the retention',
    }),
    connectTimeoutSeconds: Seconds(5, 'how long startup waits for Redis before giving up', 0.1, 300),
  },
  { additionalProperties: false, default: {} },
);

export type StoreConfig = Static<typeof StoreSettingsSchema>;
