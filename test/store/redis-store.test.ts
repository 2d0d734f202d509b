import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
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

describe('redis store: what comes back from Redis is untrusted', () => {
  it('refuses a sample that is not a VM sample with a clear log line, and serves the others', async () => {
    const keyPrefix = `untrusted${process.pid}`;
    const lines: Array<{ msg: string; key?: string; err?: string }> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const s = await RedisStore.connect({ url: server.url, keyPrefix, limits: LIMITS, logger });
    await s.putSample(sample('good-1', Date.now(), { 'cpu.percent': 3 }));
    // Written by something else: an older Vigil, a person with redis-cli, a bug in another process.
    const other = createClient({ url: server.url });
    await other.connect();
    const live = Date.now() + 60_000;
    const bad: Record<string, string> = {
      'bad-1': JSON.stringify({ uuid: 'bad-1', time: 1, metrics: { x: 1 } }),
      'bad-2': '{"uuid": "bad-2", "time": ',
      'bad-3': JSON.stringify({ ...sample('good-1', 1, {}), uuid: 'good-1' }),
    };
    for (const [uuid, json] of Object.entries(bad)) {
      await other.set(`${keyPrefix}:sample:${uuid}`, json);
      await other.zAdd(`${keyPrefix}:samples`, { score: live, value: uuid });
    }
    await other.zAdd(`${keyPrefix}:series:bad-1`, { score: 5, value: '{"t":5,"m":7}' });
    await other.close();

    expect((await s.listSamples()).map((x) => x.uuid)).toEqual(['good-1']);
    expect(await s.getSample('bad-1')).toBeUndefined();
    expect(await s.readSeries('bad-1', 'x', { from: 0, to: 10 })).toEqual([]);
    const refused = lines.filter((l) => l.msg === 'VM sample in Redis refused: it is not a valid VM sample');
    expect(refused.map((l) => l.key)).toEqual(
      expect.arrayContaining([
        `${keyPrefix}:sample:bad-1`,
        `${keyPrefix}:sample:bad-2`,
        `${keyPrefix}:sample:bad-3`,
      ]),
    );
    const reason = (key: string) => refused.find((l) => l.key === `${keyPrefix}:sample:${key}`)?.err;
    expect(reason('bad-1')).toMatch(/^\/ must have required properties name, host, pollIntervalMs/);
    expect(reason('bad-2')).toBe('not JSON');
    expect(reason('bad-3')).toBe('it is the sample of good-1');
    await s.close();
  });
});

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
