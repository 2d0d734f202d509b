import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { RedisStore } from '../../src/store/redis-store.js';
import { StoreUnavailableError, type StoreLimits } from '../../src/store/store.js';
import { RedisServer, freePort } from '../support/redis-server.js';
import { LIMITS, collector, sample, storeContract } from './contract.js';

let server: RedisServer;
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(() => server?.destroy());

let prefixCounter = 0;
const prefix = () => `vigiltest${process.pid}x${prefixCounter}`;

storeContract('redis', () => ({
  open: (limits: StoreLimits) => RedisStore.connect({ url: server.url, keyPrefix: prefix(), limits }),
  async reset() {
    // A fresh key prefix per test isolates it from the others.
    prefixCounter++;
  },
}));

describe('redis store availability', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('fails at startup with a message naming the unreachable server', async () => {
    const port = await freePort();
    const err = await RedisStore.connect({
      url: `redis://user:secret@127.0.0.1:${port}`,
      keyPrefix: 'x',
      limits: LIMITS,
      connectTimeoutMs: 1000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(
      new RegExp(`cannot connect to Redis at redis://user:\\*\\*\\*@127.0.0.1:${port}`),
    );
    expect((err as Error).message).not.toContain('secret');
  });

  it('keeps pool definitions and the affinity table for the next process', async () => {
    const keyPrefix = `persist${process.pid}`;
    const a = await RedisStore.connect({ url: server.url, keyPrefix, limits: LIMITS });
    await a.putRecord('pool', 'web', { algorithm: 'LEAST_LOAD' });
    await a.claimAffinity('web', '02:00:00:00:00:07', 'vm-3', 60_000);
    await a.close();
    const b = await RedisStore.connect({ url: server.url, keyPrefix, limits: LIMITS });
    expect(await b.getRecord('pool', 'web')).toEqual({ algorithm: 'LEAST_LOAD' });
    expect((await b.claimAffinity('web', '02:00:00:00:00:07', 'vm-9', 60_000)).member).toBe('vm-3');
    await b.close();
  });

  it('reconnects by itself after its connection is killed, with its data and subscriptions', async () => {
    const keyPrefix = `reconnect${process.pid}`;
    const s = await RedisStore.connect({ url: server.url, keyPrefix, limits: LIMITS });
    const c = collector();
    await s.subscribe('events', c.handler);
    await s.claimAffinity('web', 'c1', 'vm-1', 60_000);
    const admin = createClient({ url: server.url });
    await admin.connect();
    // Kill every client connection but the admin's own.
    await admin.sendCommand(['CLIENT', 'KILL', 'SKIPME', 'yes']);
    await admin.close();
    let entry;
    for (let i = 0; i < 50 && !entry; i++) {
      entry = await s.getAffinity('web', 'c1').catch(() => undefined);
      if (!entry) await sleep(100);
    }
    expect(entry?.member).toBe('vm-1');
    // The subscriber connection came back too.
    for (let i = 0; i < 50 && c.got.length === 0; i++) {
      await s.publish('events', { after: 'kill' }).catch(() => undefined);
      await sleep(100);
    }
    expect(c.got[0]).toEqual({ after: 'kill' });
    await s.close();
  });

  it('rejects calls clearly while Redis is down, and recovers when it is back', async () => {
    const keyPrefix = `down${process.pid}`;
    const s = await RedisStore.connect({ url: server.url, keyPrefix, limits: LIMITS });
    await s.claimAffinity('web', 'c1', 'vm-1', 600_000);
    await s.putSample(sample('aaaa-1', 1, { v: 1 }));
    await server.stop();
    await sleep(100);
    const t0 = Date.now();
    const err = await s.getAffinity('web', 'c1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(/unavailable/);
    expect(Date.now() - t0).toBeLessThan(1000); // no offline queue: callers hear at once
    await expect(s.putSample(sample('aaaa-1', 2, { v: 2 }))).rejects.toThrow(StoreUnavailableError);
    await server.restart();
    let entry;
    for (let i = 0; i < 100 && !entry; i++) {
      entry = await s.getAffinity('web', 'c1').catch(() => undefined);
      if (!entry) await sleep(100);
    }
    // The append-only file kept the data across the server's restart.
    expect(entry?.member).toBe('vm-1');
    expect((await s.getSample('aaaa-1'))?.metrics).toEqual({ v: 1 });
    await s.close();
  });
});
