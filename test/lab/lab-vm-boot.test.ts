import { describe, expect, it } from 'vitest';
import { LAB_KERNEL_ARGS, withKernelArgs } from '../../src/lab/lab-vm-boot.js';
import { inBatches } from '../../src/lab/lab-up.js';
import { domainXml } from '../../src/lab/vm.js';

describe('lab VM boot', () => {
  it('adds no_timer_check to the guest kernel command line, keeping the rest', () => {
    const xml = domainXml({
      name: 'vlab-vm1',
      kernel: '/k',
      initrd: '/i',
      ip: '10.213.10.11/24',
      bridge: 'vlab-n1',
      mac: '52:54:00:d5:0a:0b',
      consoleLog: '/c',
    });
    const out = withKernelArgs(xml, LAB_KERNEL_ARGS);
    const cmdline = /<cmdline>([^<]*)<\/cmdline>/.exec(out)?.[1] ?? '';
    expect(cmdline.split(' ')).toContain('no_timer_check');
    expect(cmdline).toContain('vigil.ip=10.213.10.11/24');
    expect(out.replace('no_timer_check ', '')).toBe(xml);
    expect(withKernelArgs(xml, [])).toBe(xml);
  });

  it('inBatches runs at most n at once, runs everything, and reports the first failure', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    await inBatches([1, 2, 3, 4, 5, 6, 7], 3, async (i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5 + (i % 3) * 3));
      seen.push(i);
      running--;
    });
    expect(peak).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await expect(
      inBatches([1, 2, 3], 2, async (i) => {
        if (i === 2) throw new Error('two');
      }),
    ).rejects.toThrow('two');
  });
});
