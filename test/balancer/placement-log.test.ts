// The placement log's ring: what `add` stores comes back, newest first, as independent records, whatever
// the slots held before (other pools, more or fewer candidates, scores or none).

import { describe, expect, it } from 'vitest';
import { fnv1a } from '../../src/store/hash.js';
import { LeastLoad } from '../../src/balancer/least-load.js';
import type { Candidate } from '../../src/balancer/placement-algorithm.js';
import { PlacementLog, type PlacementInput, type PlacementRecord } from '../../src/balancer/placement-log.js';
import { BALANCER_DEFAULTS } from '../../src/balancer/settings.js';

const ids = (n: number, pool: string): string[] => Array.from({ length: n }, (_, i) => `${pool}-m${i}`);

/** Placement `seq` of a pool with n candidates: every number is derived from seq, so each differs. */
function placement(seq: number, n: number, pool = 'p', scored = true) {
  const input: PlacementInput = {
    time: 1_000 + seq,
    loadBalancer: `lb-${pool}`,
    pool,
    client: `c${seq}`,
    member: `${pool}-m${seq % n}`,
    algorithm: scored ? 'LEAST_LOAD' : 'ROUND_ROBIN',
    reason: seq % 3 === 0 ? 'member-gone' : 'new-client',
    candidates: ids(n, pool),
  };
  const loads = Array.from({ length: n }, (_, i) => ({ clients: seq * 10 + i, pending: seq + i / 2 }));
  const scores = scored ? Array.from({ length: n }, (_, i) => seq + i / 8) : undefined;
  const want: PlacementRecord = {
    ...input,
    clients: loads.map((l) => l.clients),
    pending: loads.map((l) => l.pending),
  };
  if (scores) want.scores = [...scores];
  return { input, loads, scores, want };
}

function addAll(log: PlacementLog, ps: Array<ReturnType<typeof placement>>): number[] {
  return ps.map((p) => log.add(p.input, p.loads, p.scores));
}

describe('placement log ring', () => {
  it('wraps around: the newest `capacity` records, newest first, with their own numbers', () => {
    const log = new PlacementLog(4);
    const ps = Array.from({ length: 11 }, (_, seq) => placement(seq, 3));
    expect(addAll(log, ps)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(log.recent()).toEqual([ps[10]!.want, ps[9]!.want, ps[8]!.want, ps[7]!.want]);
    expect(log.recent(2)).toEqual([ps[10]!.want, ps[9]!.want]);
    expect(log.size).toBe(4);
    expect(log.total).toBe(11);
    expect(log.get(7)).toEqual(ps[7]!.want);
    expect(log.get(10)).toEqual(ps[10]!.want);
    expect(log.get(6)).toBeUndefined(); // overwritten by 10
    expect(log.get(11)).toBeUndefined(); // not yet added
    expect(log.get(-1)).toBeUndefined();
  });

  it('before it is full, holds only what was added', () => {
    const log = new PlacementLog(5);
    const ps = [placement(0, 2), placement(1, 2)];
    addAll(log, ps);
    expect(log.recent()).toEqual([ps[1]!.want, ps[0]!.want]);
    expect(log.size).toBe(2);
    expect(log.get(2)).toBeUndefined();
  });

  it('reuses a slot for a pool with more candidates, then fewer, without mixing their numbers', () => {
    const log = new PlacementLog(2);
    const ps = [
      placement(0, 1, 'small'),
      placement(1, 1, 'small'),
      placement(2, 6, 'big'), // slot 0, which had room for 1 candidate
      placement(3, 2, 'mid'), // slot 1, which had room for 1 candidate
      placement(4, 2, 'mid'), // slot 0 again, which now has room for 6
      placement(5, 7, 'big'), // slot 1, which had room for 2
    ];
    for (const [seq, p] of ps.entries()) {
      log.add(p.input, p.loads, p.scores);
      expect(log.get(seq)).toEqual(p.want);
      if (seq > 0) expect(log.recent()).toEqual([p.want, ps[seq - 1]!.want]);
    }
    expect(log.get(4)!.clients).toHaveLength(2);
    expect(log.get(5)!.scores).toHaveLength(7);
  });

  it('filters by pool, newest first, up to the limit', () => {
    const log = new PlacementLog(6);
    const pools = ['a', 'b', 'a', 'a', 'b', 'a', 'c'];
    const ps = pools.map((pool, seq) => placement(seq, 2, pool));
    addAll(log, ps);
    expect(log.recent(10, 'a')).toEqual([ps[5]!.want, ps[3]!.want, ps[2]!.want]); // seq 0 overwritten
    expect(log.recent(2, 'a')).toEqual([ps[5]!.want, ps[3]!.want]);
    expect(log.recent(10, 'b').map((r) => r.client)).toEqual(['c4', 'c1']);
    expect(log.recent(10, 'c').map((r) => r.client)).toEqual(['c6']);
    expect(log.recent(10, 'none')).toEqual([]);
  });

  it('has scores only when they were given, also in a slot that had scores before', () => {
    const log = new PlacementLog(1);
    const scored = placement(0, 3, 'p', true);
    log.add(scored.input, scored.loads, scored.scores);
    expect(log.get(0)!.scores).toEqual([0, 0.125, 0.25]);

    const plain = placement(1, 3, 'p', false);
    log.add(plain.input, plain.loads);
    const r = log.get(1)!;
    expect('scores' in r).toBe(false);
    expect(r).toEqual(plain.want);
  });

  it('copies the numbers in: later changes to the caller’s arrays do not reach the log', () => {
    const log = new PlacementLog(2);
    const p = placement(5, 3);
    log.add(p.input, p.loads, p.scores);
    p.loads[0]!.clients = -1;
    p.scores![1] = -1;
    expect(log.get(0)).toEqual(p.want);
  });

  it('reads back independent copies: changing one does not change the log', () => {
    const log = new PlacementLog(2);
    const p = placement(2, 3);
    log.add(p.input, p.loads, p.scores);
    const a = log.get(0)!;
    (a.clients as number[])[0] = -1;
    (a.pending as number[])[1] = -1;
    (a.scores as number[])[2] = -1;
    a.member = 'changed';
    a.time = 0;
    const [b] = log.recent();
    expect(b).toEqual(p.want);
    expect(b).not.toBe(a);
    expect(b!.clients).not.toBe(a.clients);
    // The candidate list is shared by reference, as before (readonly, one per pool configuration).
    expect(b!.candidates).toBe(p.input.candidates);
  });

  it('keeps LEAST_LOAD’s scores although the algorithm reuses its scratch array', () => {
    const cands = (n: number, busy: number): Candidate[] =>
      Array.from({ length: n }, (_, i) => ({
        id: `m${i}`,
        position: i,
        idHash: fnv1a(`m${i}`),
        weight: 1,
        clients: i,
        connections: 0,
        pending: 0,
        load: { sampleTime: 0, cpuPercent: i === busy ? 90 : 10 },
      }));
    const a = new LeastLoad(BALANCER_DEFAULTS);
    const log = new PlacementLog(4);
    const seen: number[][] = [];
    // 3 candidates, 5 (the scratch grows), 5 again (reused), then 2 (shrinks to a shorter view).
    for (const [n, busy] of [
      [3, 0],
      [5, 4],
      [5, 1],
      [2, 1],
    ] as const) {
      const cs = cands(n, busy);
      const choice = a.choose({ clientKey: 'c', ipHash: 1, flowHash: 1, now: 100 }, cs)!;
      expect(choice.scores).toHaveLength(n);
      seen.push(Array.from(choice.scores!));
      log.add(placement(0, n).input, cs, choice.scores);
    }
    expect(
      log
        .recent()
        .reverse()
        .map((r) => r.scores),
    ).toEqual(seen);
    expect(seen[1]![4]).toBeGreaterThan(seen[1]![0]!);
    expect(seen[2]![1]).toBeGreaterThan(seen[2]![4]!);
  });
});
