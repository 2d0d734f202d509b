import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expectedCodes,
  initialHealth,
  recordProbe,
  type HealthState,
} from '../../src/balancer/health-state.js';

describe('health state machine', () => {
  it('starts UP, goes DOWN after `fall` consecutive failures and UP after `rise` consecutive successes', () => {
    const rf = { rise: 2, fall: 3 };
    let s = initialHealth(0);
    const seq: Array<[boolean, string]> = [
      [false, 'UP'],
      [false, 'UP'],
      [true, 'UP'], // a success resets the failure count
      [false, 'UP'],
      [false, 'UP'],
      [false, 'DOWN'],
      [true, 'DOWN'],
      [false, 'DOWN'],
      [true, 'DOWN'],
      [true, 'UP'],
    ];
    seq.forEach(([ok, want], t) => {
      s = recordProbe(s, ok, rf, t + 1);
      expect(s.status, `probe ${t}`).toBe(want);
    });
    expect(s.since).toBe(10);
  });

  it('agrees with a reference model on random probe sequences', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        (rise, fall, oks) => {
          let s: HealthState = initialHealth(0);
          let up = true;
          let run = 0;
          oks.forEach((ok, i) => {
            s = recordProbe(s, ok, { rise, fall }, i);
            // Reference: count consecutive results that contradict the current status.
            if (ok !== up) run++;
            else run = 0;
            if (up && run >= fall) {
              up = false;
              run = 0;
            } else if (!up && run >= rise) {
              up = true;
              run = 0;
            }
            expect(s.status).toBe(up ? 'UP' : 'DOWN');
          });
        },
      ),
    );
  });

  it('parses expected codes like Octavia', () => {
    const ok = expectedCodes('200,202-204,302');
    expect([200, 202, 203, 204, 302].every(ok)).toBe(true);
    expect([201, 205, 301, 500].some(ok)).toBe(false);
  });
});
