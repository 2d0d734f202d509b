import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Keepalive } from '../../src/libvirt/keepalive.js';

describe('Keepalive', () => {
  it('pings after each silent interval and declares the peer dead after count pings', () => {
    const ka = new Keepalive({ intervalMs: 1000, count: 3 }, 0);
    expect(ka.tick(999)).toBe('none');
    expect(ka.tick(1000)).toBe('ping');
    expect(ka.tick(1500)).toBe('none');
    expect(ka.tick(2000)).toBe('ping');
    expect(ka.tick(3000)).toBe('ping');
    expect(ka.unanswered).toBe(3);
    expect(ka.tick(3999)).toBe('none');
    expect(ka.tick(4000)).toBe('dead');
  });

  it('anything received resets the count', () => {
    const ka = new Keepalive({ intervalMs: 1000, count: 2 }, 0);
    expect(ka.tick(1000)).toBe('ping');
    expect(ka.tick(2000)).toBe('ping');
    ka.received(2100);
    expect(ka.unanswered).toBe(0);
    expect(ka.tick(3000)).toBe('none');
    expect(ka.nextDue(3000)).toBe(100);
    expect(ka.tick(3100)).toBe('ping');
  });

  it('never declares a peer dead that keeps talking', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 999 }), { minLength: 1, maxLength: 200 }), (gaps) => {
        const ka = new Keepalive({ intervalMs: 1000, count: 1 }, 0);
        let now = 0;
        for (const g of gaps) {
          now += g;
          if (ka.tick(now) === 'dead') return false;
          ka.received(now);
        }
        return true;
      }),
    );
  });

  it('declares a silent peer dead after interval x (count + 1), whatever the tick rate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 700 }),
        (interval, count, rawStep) => {
          // The client ticks when the next PING is due, so at least once an interval.
          const step = Math.min(rawStep, interval);
          const ka = new Keepalive({ intervalMs: interval, count }, 0);
          let now = 0;
          let pings = 0;
          for (;;) {
            now += step;
            const a = ka.tick(now);
            if (a === 'ping') pings++;
            if (a === 'dead') break;
          }
          return pings === count && now >= interval * (count + 1) && now < interval * (count + 1) + step;
        },
      ),
    );
  });
});
