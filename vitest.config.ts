import { defineConfig } from 'vitest/config';

// Tests that take over a shared daemon (restart libvirtd, boot QEMU VMs, build a whole lab) run after
// the others, one file at a time; everything else runs in parallel.
export const EXCLUSIVE = [
  'test/monitor/real-vms.test.ts',
  'test/lab/lab-e2e.test.ts',
  'test/e2e/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'parallel', include: ['test/**/*.test.ts'], exclude: EXCLUSIVE } },
      { extends: true, test: { name: 'exclusive', include: EXCLUSIVE, fileParallelism: false } },
    ],
  },
});
