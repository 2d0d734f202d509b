import { describe, expect, it } from 'vitest';
import { formatMs, StepProgress } from '../../src/lab/step-progress.js';

describe('StepProgress', () => {
  it('numbers steps, times them, records them, and marks a failure', async () => {
    const lines: string[] = [];
    let now = 0;
    const p = new StepProgress(
      (l) => lines.push(l),
      2,
      () => now,
    );
    const v = await p.step('bridges', async () => {
      now += 1500;
      p.note('sFlow 1:64');
      return 7;
    });
    expect(v).toBe(7);
    await expect(
      p.step('VMs', async () => {
        now += 200;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(lines).toEqual([
      '[1/2] bridges ...',
      '      sFlow 1:64',
      '[1/2] bridges: done in 1.5 s',
      '[2/2] VMs ...',
      '[2/2] VMs: FAILED after 200 ms',
    ]);
    expect(p.done).toEqual([{ name: 'bridges', ms: 1500 }]);
  });

  it('formats durations for people', () => {
    expect(formatMs(12.4)).toBe('12 ms');
    expect(formatMs(12_340)).toBe('12.3 s');
    expect(formatMs(125_000)).toBe('2 min 05 s');
  });
});
