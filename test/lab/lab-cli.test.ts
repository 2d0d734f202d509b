import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandLine } from '../../src/cli/commands/lab.js';

const CLI = fileURLToPath(new URL('./support/lab-cli-main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function vigilLab(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'lab', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('vigil lab command line', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-lab-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records the command without where the state is kept', () => {
    expect(commandLine(['lab', 'traffic', '--state-dir', '/x/y', '--intervals', '5', '--state-dir=/z'])).toBe(
      'vigil lab traffic --intervals 5',
    );
    expect(commandLine(['lab', 'traffic', '--mix', "a b'c"])).toBe(`vigil lab traffic --mix 'a b'\\''c'`);
  });

  it('status and down with no lab recorded; report with no run', async () => {
    const status = await vigilLab(['status', '--state-dir', dir]);
    expect(status.code).toBe(3);
    expect(status.stdout).toContain('no lab recorded');
    const down = await vigilLab(['down', '--state-dir', dir]);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('nothing to remove');
    const report = await vigilLab(['report', '--state-dir', dir]);
    expect(report.code).toBe(1);
    expect(report.stderr).toContain('run `vigil lab traffic` first');
  }, 60_000);

  it('refuses bad flags before doing anything', async () => {
    const r = await vigilLab(['up', '--vms', '0', '--state-dir', dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--vms must be an integer 1-89');
    const t = await vigilLab(['traffic', '--interval', 'soon', '--state-dir', dir]);
    expect(t.code).not.toBe(0);
    expect(t.stderr).toContain('expected a duration');
  }, 60_000);

  it('down refuses a state file naming anything outside the lab, and removes nothing', async () => {
    const bad = join(dir, 'bad');
    await rm(bad, { recursive: true, force: true });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(bad);
    await writeFile(
      join(bad, 'state.json'),
      JSON.stringify({
        version: 1,
        prefix: 'vlabz',
        createdAt: 'x',
        target: 'direct',
        vip: '10.213.10.10',
        libvirtUri: 'qemu:///system',
        options: {
          vms: 1,
          clients: 1,
          memoryMiB: 96,
          controllerPort: 1,
          collectorPort: 2,
          recorderPort: 3,
          apiPort: 4,
          algorithm: 'LEAST_LOAD',
        },
        bridges: ['br-ex'],
        links: [],
        clients: [],
        domains: [],
        processes: [],
        steps: [],
      }),
    );
    const r = await vigilLab(['down', '--state-dir', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('br-ex does not start with the lab prefix');
    expect(r.stderr).toContain('nothing was removed');
  }, 60_000);
});
