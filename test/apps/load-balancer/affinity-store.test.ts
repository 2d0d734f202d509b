import { describe, expect, it } from 'vitest';
import { AffinityStore } from '../../../src/apps/load-balancer/affinity-store.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { StoreUnavailableError, type Store } from '../../../src/store/store.js';

const LIMITS = { sampleTtlMs: 60_000, seriesRetentionMs: 60_000, seriesMaxPoints: 10 };

describe('affinity table on the store', () => {
  it('claims, touches, forgets, and reads entries back', async () => {
    const store = new MemoryStore(LIMITS);
    const conflicts: string[] = [];
    const a = new AffinityStore(store, {
      onConflict: (p, c, m) => conflicts.push(`${p}/${c}/${m}`),
      onError: (e) => {
        throw e;
      },
    });
    a.claim({ pool: 'pool', client: '0a:00:00:00:00:01', member: 'm1', idleMs: 60_000 });
    a.claim({ pool: 'pool', client: '0a:00:00:00:00:02', member: 'm2', idleMs: 60_000 });
    a.claim({ pool: 'pool', client: '0a:00:00:00:00:03', member: 'm2', idleMs: 60_000 });
    await a.flush();
    expect((await a.load('pool')).map((e) => [e.client, e.member]).sort()).toEqual([
      ['0a:00:00:00:00:01', 'm1'],
      ['0a:00:00:00:00:02', 'm2'],
      ['0a:00:00:00:00:03', 'm2'],
    ]);
    a.forgetMember('pool', 'm2');
    a.forget('pool', '0a:00:00:00:00:01');
    await a.flush();
    expect(await a.load('pool')).toEqual([]);
    expect(conflicts).toEqual([]);
    expect(a.pending).toBe(0);
  });

  it('reports a client another controller placed first', async () => {
    const store = new MemoryStore(LIMITS);
    await store.claimAffinity('pool', 'c1', 'm9', 60_000);
    const conflicts: string[] = [];
    const a = new AffinityStore(store, {
      onConflict: (p, c, m) => conflicts.push(`${p}/${c}/${m}`),
      onError: () => undefined,
    });
    a.claim({ pool: 'pool', client: 'c1', member: 'm1', idleMs: 60_000 });
    await a.flush();
    expect(conflicts).toEqual(['pool/c1/m9']);
  });

  it('reports store failures without throwing', async () => {
    const failing = new Proxy({} as Store, {
      get: () => () => Promise.reject(new StoreUnavailableError('redis down')),
    });
    const errors: string[] = [];
    const a = new AffinityStore(failing, {
      onConflict: () => undefined,
      onError: (e, what) => errors.push(`${what}: ${(e as Error).message}`),
    });
    a.claim({ pool: 'pool', client: 'c1', member: 'm1', idleMs: 1000 });
    a.touch('pool', 'c1', 1000);
    a.forget('pool', 'c1');
    a.forgetMember('pool', 'm1');
    await a.flush();
    expect(errors.sort()).toEqual([
      'claim: redis down',
      'forget member: redis down',
      'forget: redis down',
      'touch: redis down',
    ]);
  });

  it('sends the claims of one turn in one store call, and keeps them in order with other writes', async () => {
    const store = new MemoryStore(LIMITS);
    const calls: string[] = [];
    const counted = new Proxy(store, {
      get(target, name, receiver) {
        const v = Reflect.get(target, name, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls.push(
            name === 'claimAffinities' ? `claimAffinities(${(args[0] as unknown[]).length})` : String(name),
          );
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const a = new AffinityStore(counted, {
      onConflict: () => undefined,
      onError: (e) => {
        throw e;
      },
    });
    for (let i = 0; i < 100; i++)
      a.claim({ pool: 'pool', client: `c${i}`, member: `m${i % 3}`, idleMs: 60_000 });
    expect(calls).toEqual([]);
    expect(a.pending).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['claimAffinities(100)']);
    // A forget right after a claim, in the same turn: the claim reaches the store first.
    a.claim({ pool: 'pool', client: 'late', member: 'm1', idleMs: 60_000 });
    a.forget('pool', 'late');
    await a.flush();
    expect(calls).toEqual(['claimAffinities(100)', 'claimAffinities(1)', 'deleteAffinity']);
    expect(await store.getAffinity('pool', 'late')).toBeUndefined();
    expect(await store.listAffinity('pool')).toHaveLength(100);
  });
});
