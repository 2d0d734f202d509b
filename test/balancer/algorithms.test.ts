import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { algorithmNames, createAlgorithm } from '../../src/balancer/algorithm-registry.js';
import { ALGORITHMS } from '../../src/balancer/objects.js';
import { fnv1a } from '../../src/store/hash.js';
import { LeastConnections } from '../../src/balancer/least-connections.js';
import { LeastLoad } from '../../src/balancer/least-load.js';
import { loadScore } from '../../src/balancer/load-score.js';
import type { Candidate, MemberLoad } from '../../src/balancer/placement-algorithm.js';
import { RoundRobin } from '../../src/balancer/round-robin.js';
import { BALANCER_DEFAULTS } from '../../src/balancer/settings.js';
import { SourceIp } from '../../src/balancer/source-ip.js';
import { SourceIpPort } from '../../src/balancer/source-ip-port.js';
import { mix32 } from '../../src/store/hash.js';

function cands(n: number, over: (i: number) => Partial<Candidate> = () => ({})): Candidate[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `m${i}`,
    position: i,
    idHash: fnv1a(`m${i}`),
    weight: 1,
    clients: 0,
    connections: 0,
    pending: 0,
    load: undefined,
    ...over(i),
  }));
}
const req = (k = 'c', now = 0, port = 40000) => ({
  clientKey: k,
  ipHash: fnv1a(k),
  flowHash: mix32(fnv1a(k) ^ port),
  now,
});

describe('algorithm registry', () => {
  it('has one algorithm per TYPE_NAME and refuses unknown names', () => {
    expect(algorithmNames().sort()).toEqual([
      'LEAST_CONNECTIONS',
      'LEAST_LOAD',
      'ROUND_ROBIN',
      'SOURCE_IP',
      'SOURCE_IP_PORT',
    ]);
    // The objects' list (what the API and config accept) is the registry's, no more and no less.
    expect([...ALGORITHMS].sort()).toEqual(algorithmNames().sort());
    for (const n of algorithmNames()) expect(createAlgorithm(n, BALANCER_DEFAULTS).typeName).toBe(n);
    expect(() => createAlgorithm('RANDOM', BALANCER_DEFAULTS)).toThrow(
      /unknown placement algorithm "RANDOM"/,
    );
  });

  it('every algorithm returns undefined with no candidates and a valid index otherwise', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...algorithmNames()),
        fc.array(fc.record({ w: fc.integer({ min: 1, max: 256 }), c: fc.nat(50) }), { maxLength: 12 }),
        fc.string(),
        (name, ms, key) => {
          const a = createAlgorithm(name, BALANCER_DEFAULTS);
          const cs = cands(ms.length, (i) => ({ weight: ms[i]!.w, clients: ms[i]!.c }));
          const r = a.choose(req(key), cs);
          if (cs.length === 0) expect(r).toBeUndefined();
          else {
            expect(r!.index).toBeGreaterThanOrEqual(0);
            expect(r!.index).toBeLessThan(cs.length);
            if (r!.scores) expect(r!.scores).toHaveLength(cs.length);
          }
        },
      ),
    );
  });
});

describe('ROUND_ROBIN', () => {
  it('takes members in turn and keeps the turn when a member leaves', () => {
    const rr = new RoundRobin();
    const cs = cands(4);
    expect([0, 1, 2, 3, 4].map(() => cs[rr.choose(req(), cs)!.index]!.id)).toEqual([
      'm0',
      'm1',
      'm2',
      'm3',
      'm0',
    ]);
    const without2 = cs.filter((c) => c.id !== 'm2');
    expect([0, 1, 2].map(() => without2[rr.choose(req(), without2)!.index]!.id)).toEqual(['m1', 'm3', 'm0']);
  });
});

describe('ROUND_ROBIN with weights', () => {
  it('chooses each member exactly `weight` times in every run of sum(weights) picks', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 }), (ws) => {
        const a = new RoundRobin();
        const cs = cands(ws.length, (i) => ({ weight: ws[i]! }));
        const total = ws.reduce((x, y) => x + y, 0);
        for (let round = 0; round < 2; round++) {
          const counts = new Array<number>(ws.length).fill(0);
          for (let k = 0; k < total; k++) counts[a.choose(req(), cs)!.index]!++;
          expect(counts).toEqual(ws);
        }
      }),
    );
  });

  it('interleaves rather than bursting (5:1:1 -> no more than 3 of the heavy member in a row)', () => {
    const a = new RoundRobin();
    const cs = cands(3, (i) => ({ weight: i === 0 ? 5 : 1 }));
    const seq = Array.from({ length: 7 }, () => a.choose(req(), cs)!.index).join('');
    expect(seq).not.toMatch(/0000/);
  });
});

describe('LEAST_CONNECTIONS', () => {
  it('picks the fewest live connections per weight, ties in turn', () => {
    const a = new LeastConnections();
    expect(
      a.choose(
        req(),
        cands(3, (i) => ({ connections: [5, 2, 3][i]! })),
      )!.index,
    ).toBe(1);
    expect(
      a.choose(
        req(),
        cands(3, (i) => ({ connections: [4, 4, 4][i]!, weight: [1, 2, 1][i]! })),
      )!.index,
    ).toBe(1);
    // Idle clients (affinity entries without live flows) are not connections.
    expect(
      a.choose(
        req(),
        cands(3, (i) => ({ clients: [0, 50, 9][i]!, connections: [3, 1, 2][i]! })),
      )!.index,
    ).toBe(1);
    const even = cands(3);
    expect([0, 1, 2].map(() => a.choose(req(), even)!.index)).toEqual([2, 0, 1]);
  });
});

describe('SOURCE_IP', () => {
  it('is stable per client, spreads clients, and moves only the leaving member’s clients', () => {
    const a = new SourceIp();
    const cs = cands(5);
    const keys = Array.from({ length: 2000 }, (_, i) => `10.213.${i >> 8}.${i & 255}`);
    const before = keys.map((k) => cs[a.choose(req(k), cs)!.index]!.id);
    expect(keys.map((k) => cs[a.choose(req(k), cs)!.index]!.id)).toEqual(before);
    const counts = new Map<string, number>();
    for (const m of before) counts.set(m, (counts.get(m) ?? 0) + 1);
    for (const n of counts.values()) expect(n).toBeGreaterThan(300);
    const fewer = cs.filter((c) => c.id !== 'm3');
    keys.forEach((k, i) => {
      const now = fewer[a.choose(req(k), fewer)!.index]!.id;
      if (before[i] !== 'm3') expect(now).toBe(before[i]);
    });
  });

  it('follows the weights', () => {
    const a = new SourceIp();
    const cs = cands(2, (i) => ({ weight: i === 0 ? 3 : 1 }));
    let heavy = 0;
    for (let i = 0; i < 4000; i++) if (a.choose(req(`k${i}`), cs)!.index === 0) heavy++;
    expect(heavy / 4000).toBeGreaterThan(0.7);
    expect(heavy / 4000).toBeLessThan(0.8);
  });
});

describe('SOURCE_IP_PORT', () => {
  it('hashes the address and source port: stable per pair, spread over ports of one address', () => {
    const a = new SourceIpPort();
    const cs = cands(4);
    const pick = (port: number) => cs[a.choose(req('10.213.1.1', 0, port), cs)!.index]!.id;
    const ports = Array.from({ length: 400 }, (_, i) => 30000 + i);
    const first = ports.map(pick);
    expect(ports.map(pick)).toEqual(first);
    const counts = new Map<string, number>();
    for (const m of first) counts.set(m, (counts.get(m) ?? 0) + 1);
    expect(counts.size).toBe(4);
    for (const n of counts.values()) expect(n).toBeGreaterThan(60);
    // SOURCE_IP ignores the port: one address always lands on one member.
    const ip = new SourceIp();
    expect(new Set(ports.map((p) => ip.choose(req('10.213.1.1', 0, p), cs)!.index)).size).toBe(1);
  });
});

describe('LEAST_LOAD and its score', () => {
  const fresh = (cpu: number, t = 0): MemberLoad => ({
    sampleTime: t,
    cpuPercent: cpu,
    netBytesPerSec: 0,
    memoryFraction: 0,
  });

  it('scores CPU, traffic, memory and clients by their weights, over the member weight', () => {
    const s = BALANCER_DEFAULTS;
    const c = cands(1, () => ({
      load: {
        sampleTime: 0,
        cpuPercent: 50,
        netBytesPerSec: s.networkCapacityBytesPerSec / 2,
        memoryFraction: 0.5,
      },
      clients: 10,
      pending: 2,
    }))[0]!;
    const want = 0.5 * 0.5 + 0.2 * 0.5 + 0.1 * 0.5 + (0.2 * 10) / 100 + 0.05 * 2;
    expect(loadScore(s, c, 1000)).toBeCloseTo(want, 10);
    expect(loadScore(s, { ...c, weight: 2 }, 1000)).toBeCloseTo(want / 2, 10);
    // A stale sample is not trusted: clients count at their assumed cost instead.
    expect(loadScore(s, c, 31_000)).toBeCloseTo((0.2 * 10) / 100 + 0.05 * 10, 10);
  });

  it('prefers the least loaded member', () => {
    const a = new LeastLoad(BALANCER_DEFAULTS);
    const cs = cands(3, (i) => ({ load: fresh([80, 10, 60][i]!) }));
    const r = a.choose(req('x', 100), cs)!;
    expect(r.index).toBe(1);
    expect(r.scores![0]).toBeGreaterThan(r.scores![2]!);
  });

  it('counts placements not yet in the metrics: a burst on equal members spreads evenly', () => {
    const a = new LeastLoad(BALANCER_DEFAULTS);
    const cs = cands(4, () => ({ load: fresh(10) }));
    for (let k = 0; k < 40; k++) {
      const i = a.choose(req(`c${k}`, 100), cs)!.index;
      cs[i]!.clients++;
      cs[i]!.pending++;
    }
    expect(cs.map((c) => c.clients)).toEqual([10, 10, 10, 10]);
  });

  it('without the pending cost a burst would pile onto the idle member', () => {
    const a = new LeastLoad({
      ...BALANCER_DEFAULTS,
      clientCost: 0,
      weights: { ...BALANCER_DEFAULTS.weights, flows: 0 },
      hysteresis: 0,
    });
    const cs = cands(3, (i) => ({ load: fresh(i === 0 ? 1 : 30) }));
    for (let k = 0; k < 9; k++) {
      const i = a.choose(req(`c${k}`, 100), cs)!.index;
      cs[i]!.clients++;
      cs[i]!.pending++;
    }
    expect(cs[0]!.clients).toBe(9);
  });

  it('treats scores within the hysteresis band as equal, avoids a busy member until the others catch up', () => {
    const a = new LeastLoad(BALANCER_DEFAULTS);
    const near = cands(2, (i) => ({ load: fresh(i === 0 ? 12 : 10), clients: i === 0 ? 0 : 3 }));
    expect(a.choose(req('x', 100), near)!.index).toBe(0); // 1 point of CPU apart: fewer clients wins
    const busy = cands(3, (i) => ({ load: fresh(i === 1 ? 95 : 5) }));
    const picks = [0, 0, 0];
    for (let k = 0; k < 30; k++) {
      const i = a.choose(req(`c${k}`, 100), busy)!.index;
      picks[i]!++;
      busy[i]!.clients++;
      busy[i]!.pending++;
    }
    // Each placement is assumed to cost clientCost until a sample shows it: 0.45 of extra load on the busy
    // member is worth about 9 clients on each of the others, within this burst.
    expect(picks[1]).toBeLessThan(picks[0]! / 2);
  });
});
