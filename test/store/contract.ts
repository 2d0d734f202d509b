// The store contract: every Store implementation passes these same tests.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Channels, StoreInputError, type Store, type StoreLimits } from '../../src/store/store.js';
import type { VmSample } from '../../src/store/vm-sample.js';
import { vmSample } from '../support/vm-sample.js';

export interface StoreFactory {
  /** A new store on the shared backend (a second call gives a second, independent client). */
  open(limits: StoreLimits): Promise<Store>;
  /** Removes all data between tests. */
  reset(): Promise<void>;
}

export const LIMITS: StoreLimits = {
  sampleTtlMs: 60_000,
  seriesRetentionMs: 3_600_000,
  seriesMaxPoints: 4096,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function sample(
  uuid: string,
  time: number,
  metrics: Record<string, number>,
  extra: Partial<VmSample> = {},
): VmSample {
  return vmSample({ uuid, time, metrics, name: `vm-${uuid.slice(0, 4)}`, host: 'compute-1', ...extra });
}

/** Collects messages of a channel; `next(n)` waits until n have arrived. */
export function collector() {
  const got: unknown[] = [];
  const waiters: Array<() => void> = [];
  return {
    got,
    handler: (m: unknown) => {
      got.push(m);
      waiters.splice(0).forEach((w) => w());
    },
    async next(n: number, timeoutMs = 3000): Promise<unknown[]> {
      const deadline = Date.now() + timeoutMs;
      while (got.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} messages, got ${got.length}`);
        await Promise.race([new Promise<void>((r) => waiters.push(r)), sleep(50)]);
      }
      return got.slice(0, n);
    },
  };
}

export function storeContract(name: string, factory: () => StoreFactory): void {
  describe(`${name} store contract`, () => {
    const f = factory();
    const opened: Store[] = [];
    const open = async (limits: Partial<StoreLimits> = {}) => {
      const s = await f.open({ ...LIMITS, ...limits });
      opened.push(s);
      return s;
    };

    beforeEach(() => f.reset());
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    describe('samples', () => {
      it('keeps the latest sample per VM and lists every live one', async () => {
        const s = await open();
        await s.putSample(sample('aaaa-1', 1000, { 'cpu.percent': 10 }));
        await s.putSample(sample('aaaa-1', 2000, { 'cpu.percent': 20 }, { state: 'running' }));
        await s.putSample(sample('bbbb-2', 2000, { 'cpu.percent': 5 }));
        const a = await s.getSample('aaaa-1');
        expect(a?.time).toBe(2000);
        expect(a?.metrics['cpu.percent']).toBe(20);
        expect(a?.state).toBe('running');
        expect((await s.listSamples()).map((x) => x.uuid)).toEqual(['aaaa-1', 'bbbb-2']);
        expect(await s.getSample('nope')).toBeUndefined();
      });

      it('forgets a sample after its time-to-live', async () => {
        const s = await open({ sampleTtlMs: 300 });
        await s.putSample(sample('aaaa-1', Date.now(), { x: 1 }));
        expect(await s.getSample('aaaa-1')).toBeDefined();
        await sleep(450);
        expect(await s.getSample('aaaa-1')).toBeUndefined();
        expect(await s.listSamples()).toEqual([]);
      });

      it('refuses bad input with a clear error and stores nothing', async () => {
        const s = await open();
        await expect(s.putSample(sample('bad uuid!', 1, { x: 1 }))).rejects.toThrow(StoreInputError);
        await expect(s.putSample(sample('aaaa-1', 1, { x: NaN }))).rejects.toThrow(
          /metric x must be a finite/,
        );
        await expect(
          s.putSample(sample('aaaa-1', 1, { x: 1 }, { name: 'y'.repeat(1_100_000) })),
        ).rejects.toThrow(/limit/);
        expect(await s.listSamples()).toEqual([]);
      });

      it('refuses a sample that is not a VM sample, naming what is wrong', async () => {
        const s = await open();
        const bad = { ...sample('aaaa-1', 1, { x: 1 }), nics: 'vnet0' } as unknown as VmSample;
        await expect(s.putSample(bad)).rejects.toThrow(/aaaa-1 is not a VM sample: \/nics must be array/);
        expect(await s.listSamples()).toEqual([]);
      });
    });

    describe('time series', () => {
      it('reads one metric over a time window, oldest first', async () => {
        const s = await open();
        for (let i = 0; i < 10; i++) {
          const metrics: Record<string, number> = { 'cpu.percent': i * 10 };
          if (i % 2 === 0) metrics['net.rx_bytes_per_s'] = i;
          await s.putSample(sample('aaaa-1', 1_000_000 + i * 5000, metrics));
        }
        const cpu = await s.readSeries('aaaa-1', 'cpu.percent', { from: 1_010_000, to: 1_025_000 });
        expect(cpu).toEqual([
          { time: 1_010_000, value: 20 },
          { time: 1_015_000, value: 30 },
          { time: 1_020_000, value: 40 },
          { time: 1_025_000, value: 50 },
        ]);
        // A metric absent from some samples has points only where it was present.
        const rx = await s.readSeries('aaaa-1', 'net.rx_bytes_per_s', { from: 0, to: 2_000_000 });
        expect(rx.map((p) => p.value)).toEqual([0, 2, 4, 6, 8]);
        expect(await s.readSeries('aaaa-1', 'cpu.percent', { from: 0, to: 999_999 })).toEqual([]);
        expect(await s.readSeries('other', 'cpu.percent', { from: 0, to: 2_000_000 })).toEqual([]);
      });

      it('keeps the last hour at a 5 s interval', async () => {
        const s = await open({ seriesRetentionMs: 3_600_000 });
        const t0 = 1_700_000_000_000;
        for (let i = 0; i < 800; i++) await s.putSample(sample('aaaa-1', t0 + i * 5000, { v: i }));
        const newest = t0 + 799 * 5000;
        const pts = await s.readSeries('aaaa-1', 'v', { from: 0, to: newest });
        // An hour at 5 s is 720 intervals: 721 points (both ends), nothing older.
        expect(pts.length).toBe(721);
        expect(pts[0]!.time).toBe(newest - 3_600_000);
        expect(pts[pts.length - 1]!.value).toBe(799);
      });

      it('caps the points per VM', async () => {
        const s = await open({ seriesMaxPoints: 16 });
        for (let i = 0; i < 40; i++) await s.putSample(sample('aaaa-1', 1000 + i, { v: i }));
        const pts = await s.readSeries('aaaa-1', 'v', { from: 0, to: 10_000 });
        expect(pts.map((p) => p.value)).toEqual(Array.from({ length: 16 }, (_, i) => 24 + i));
      });
    });

    describe('records', () => {
      it('stores, lists and deletes records by kind', async () => {
        const s = await open();
        await s.putRecord('pool', 'web', { algorithm: 'LEAST_LOAD', members: ['a', 'b'] });
        await s.putRecord('pool', 'api', { algorithm: 'ROUND_ROBIN' });
        await s.putRecord('switch', '0000000000000001', { ports: 3 });
        expect(await s.getRecord('pool', 'web')).toEqual({ algorithm: 'LEAST_LOAD', members: ['a', 'b'] });
        expect((await s.listRecords('pool')).map((r) => r.id)).toEqual(['api', 'web']);
        expect(await s.deleteRecord('pool', 'api')).toBe(true);
        expect(await s.deleteRecord('pool', 'api')).toBe(false);
        expect((await s.listRecords('pool')).map((r) => r.id)).toEqual(['web']);
        expect(await s.listRecords('nothing')).toEqual([]);
      });

      it('expires records given a time-to-live', async () => {
        const s = await open();
        await s.putRecord('switch-stats', 'dp1', { flows: 3 }, { ttlMs: 250 });
        await s.putRecord('switch-stats', 'dp2', { flows: 4 });
        await sleep(400);
        expect(await s.getRecord('switch-stats', 'dp1')).toBeUndefined();
        expect((await s.listRecords('switch-stats')).map((r) => r.id)).toEqual(['dp2']);
      });
    });

    describe('publish/subscribe', () => {
      it('delivers messages in order to every subscriber until it unsubscribes', async () => {
        const s = await open();
        const a = collector();
        const b = collector();
        const subA = await s.subscribe(Channels.events, a.handler);
        await s.subscribe(Channels.events, b.handler);
        for (let i = 0; i < 3; i++) await s.publish(Channels.events, { type: 'placement', n: i });
        expect(await a.next(3)).toEqual([0, 1, 2].map((n) => ({ type: 'placement', n })));
        expect(await b.next(3)).toHaveLength(3);
        await subA.unsubscribe();
        await s.publish(Channels.events, { type: 'after' });
        await b.next(4);
        await sleep(100);
        expect(a.got).toHaveLength(3);
      });

      it('publishes every new sample, also to another client of the same store', async () => {
        const writer = await open();
        const reader = await open();
        const c = collector();
        await reader.subscribe(Channels.samples, c.handler);
        await writer.putSample(sample('aaaa-1', 5, { 'cpu.percent': 42 }));
        const [m] = await c.next(1);
        expect(m).toMatchObject({ uuid: 'aaaa-1', time: 5, metrics: { 'cpu.percent': 42 } });
      });

      it('passes on VM samples only to sample subscribers, dropping anything else on the channel', async () => {
        const s = await open();
        const typed = collector();
        const raw = collector();
        await s.subscribeSamples(typed.handler);
        await s.subscribe(Channels.samples, raw.handler);
        await s.publish(Channels.samples, { uuid: 'aaaa-1', time: 5, metrics: { x: 'many' } });
        await s.putSample(sample('bbbb-2', 6, { 'cpu.percent': 7 }));
        await raw.next(2);
        expect(await typed.next(1)).toMatchObject([{ uuid: 'bbbb-2', metrics: { 'cpu.percent': 7 } }]);
        await sleep(100);
        expect(typed.got).toHaveLength(1);
      });

      it('gives each subscriber its own copy', async () => {
        const s = await open();
        const a = collector();
        const b = collector();
        await s.subscribe('events', (m) => {
          (m as { n: number }).n = 99;
          a.handler(m);
        });
        await s.subscribe('events', b.handler);
        await s.publish('events', { n: 1 });
        await a.next(1);
        expect(await b.next(1)).toEqual([{ n: 1 }]);
      });
    });

    describe('affinity table', () => {
      it('keeps the first member a client was placed on', async () => {
        const s = await open();
        const first = await s.claimAffinity('web', '02:00:00:00:00:01', 'vm-a', 10_000);
        expect(first).toMatchObject({ pool: 'web', client: '02:00:00:00:00:01', member: 'vm-a' });
        const again = await s.claimAffinity('web', '02:00:00:00:00:01', 'vm-b', 10_000);
        expect(again.member).toBe('vm-a');
        expect(again.created).toBe(first.created);
        expect(again.lastSeen).toBeGreaterThanOrEqual(first.lastSeen);
        expect((await s.getAffinity('web', '02:00:00:00:00:01'))?.member).toBe('vm-a');
        // Pools are separate tables.
        expect((await s.claimAffinity('api', '02:00:00:00:00:01', 'vm-c', 10_000)).member).toBe('vm-c');
      });

      it('expires an idle entry, and a touch keeps it alive', async () => {
        const s = await open();
        await s.claimAffinity('web', 'c1', 'vm-a', 300);
        await s.claimAffinity('web', 'c2', 'vm-a', 300);
        await sleep(200);
        expect(await s.touchAffinity('web', 'c1', 300)).toMatchObject({ member: 'vm-a' });
        await sleep(200);
        expect(await s.getAffinity('web', 'c1')).toBeDefined();
        expect(await s.getAffinity('web', 'c2')).toBeUndefined();
        expect(await s.touchAffinity('web', 'c2', 300)).toBeUndefined();
        expect((await s.listAffinity('web')).map((e) => e.client)).toEqual(['c1']);
        // Once expired, the client is placed afresh.
        await sleep(350);
        expect((await s.claimAffinity('web', 'c1', 'vm-b', 300)).member).toBe('vm-b');
      });

      it('drops every entry of a member that goes away', async () => {
        const s = await open();
        for (let i = 0; i < 6; i++) await s.claimAffinity('web', `c${i}`, i % 2 ? 'vm-a' : 'vm-b', 10_000);
        expect(await s.deleteAffinityOfMember('web', 'vm-a')).toBe(3);
        const left = await s.listAffinity('web');
        expect(left.map((e) => e.member)).toEqual(['vm-b', 'vm-b', 'vm-b']);
        expect(await s.deleteAffinity('web', 'c0')).toBe(true);
        expect(await s.deleteAffinity('web', 'c0')).toBe(false);
      });

      it('claims a batch in order, the existing entry winning, and refuses a bad batch whole', async () => {
        const s = await open();
        await s.claimAffinity('web', 'c1', 'vm-z', 10_000);
        const members = await s.claimAffinities([
          { pool: 'web', client: 'c0', member: 'vm-a', idleMs: 10_000 },
          { pool: 'web', client: 'c1', member: 'vm-a', idleMs: 10_000 },
          { pool: 'api', client: 'c0', member: 'vm-b', idleMs: 10_000 },
          // The same client twice in one batch: the first claim wins.
          { pool: 'web', client: 'c0', member: 'vm-c', idleMs: 10_000 },
        ]);
        expect(members).toEqual(['vm-a', 'vm-z', 'vm-b', 'vm-a']);
        expect((await s.listAffinity('web')).map((e) => [e.client, e.member])).toEqual([
          ['c0', 'vm-a'],
          ['c1', 'vm-z'],
        ]);
        await expect(
          s.claimAffinities([
            { pool: 'web', client: 'c2', member: 'vm-a', idleMs: 10_000 },
            { pool: 'web', client: 'bad client', member: 'vm-a', idleMs: 10_000 },
          ]),
        ).rejects.toThrow(/client "bad client"/);
        expect(await s.getAffinity('web', 'c2')).toBeUndefined();
        expect(await s.claimAffinities([])).toEqual([]);
      });

      it('agrees on one member per client under concurrent writers', async () => {
        const s1 = await open();
        const s2 = await open();
        const claims = [];
        for (let i = 0; i < 200; i++) {
          const store = i % 2 ? s1 : s2;
          claims.push(store.claimAffinity('web', `client-${i % 10}`, `vm-${i % 7}`, 10_000));
        }
        const results = await Promise.all(claims);
        for (let c = 0; c < 10; c++) {
          const members = new Set(results.filter((r) => r.client === `client-${c}`).map((r) => r.member));
          expect(members.size).toBe(1);
        }
        expect(await s1.listAffinity('web')).toHaveLength(10);
      });
    });

    it('loses no point when two writers append at once', async () => {
      const s1 = await open();
      const s2 = await open();
      const writes = [];
      for (let i = 0; i < 100; i++) {
        writes.push((i % 2 ? s1 : s2).putSample(sample('aaaa-1', 1000 + i, { v: i })));
        writes.push((i % 2 ? s2 : s1).putSample(sample('bbbb-2', 1000 + i, { v: i })));
      }
      await Promise.all(writes);
      for (const uuid of ['aaaa-1', 'bbbb-2']) {
        const pts = await s1.readSeries(uuid, 'v', { from: 0, to: 5000 });
        expect(pts.map((p) => p.value)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      }
    });
  });
}
