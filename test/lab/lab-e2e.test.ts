// The small lab end to end, on the real services (Open vSwitch, libvirtd, QEMU): two VMs on two bridges and
// two clients come up from nothing, traffic flows, the report shows both VMs served with libvirt and sFlow
// agreeing within 15% and no request failed, and `lab down` leaves nothing named after the lab.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, AGREEMENT_LIMIT } from '../../src/lab/lab-report.js';
import { readState, type LabState } from '../../src/lab/lab-state.js';
import { leftoverCount, scanLeftovers } from '../../src/lab/lab-status.js';
import { isRunning } from '../../src/lab/lab-process.js';
import { parseResult, runDir } from '../../src/lab/report-files.js';

const PREFIX = 'vlabt';
const CLI = fileURLToPath(new URL('./support/lab-cli-main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function vigilLab(args: string[], timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'lab', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function explain(r: CliResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
}

describe('vigil lab (small lab on real OVS, libvirtd and QEMU)', () => {
  let stateDir: string;
  let state: LabState | undefined;

  beforeAll(async () => {
    if (process.getuid?.() !== 0) {
      throw new Error('the lab test needs root (it creates OVS bridges, namespaces and libvirt domains)');
    }
    stateDir = await mkdtemp(join(tmpdir(), 'vigil-lab-e2e-'));
  });

  afterAll(async () => {
    // Safety net when a step failed half-way: remove whatever the state file records.
    if (stateDir) {
      await vigilLab(['down', '--state-dir', stateDir], 120_000);
      await rm(stateDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('comes up from nothing: two VMs on two bridges, two client namespaces', async () => {
    const before = await scanLeftovers(PREFIX, 'qemu:///system');
    expect(
      leftoverCount(before),
      `parts named ${PREFIX}-* exist before the test: ${JSON.stringify(before)}`,
    ).toBe(0);
    const r = await vigilLab(
      [
        'up',
        '--vms',
        '2',
        '--clients',
        '2',
        '--memory',
        '96',
        '--prefix',
        PREFIX,
        '--no-install',
        '--sflow-sampling',
        '8',
        '--controller-port',
        '26653',
        '--collector-port',
        '26343',
        '--recorder-port',
        '26344',
        '--api-port',
        '28080',
        '--state-dir',
        stateDir,
      ],
      240_000,
    );
    // A missing package or service shows up here with the package to install (see explain()).
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toMatch(/\[\d\/\d\] 2 VMs .*: done in/);
    const read = await readState(stateDir);
    expect(read.ok).toBe(true);
    state = read.ok ? read.state : undefined;
    expect(state!.bridges).toEqual([`${PREFIX}-n1`, `${PREFIX}-n2`]);
    expect(state!.domains.map((d) => d.bridge)).toEqual([`${PREFIX}-n1`, `${PREFIX}-n2`]);
    expect(state!.domains.every((d) => typeof d.ifindex === 'number')).toBe(true);

    const status = await vigilLab(['status', '--state-dir', stateDir], 60_000);
    expect(status.code, explain(status)).toBe(0);
    expect(status.stdout).not.toContain('DOWN');
  }, 300_000);

  it('carries traffic; the report shows both VMs served, libvirt and sFlow agreeing, no request failed', async () => {
    expect(state, 'the lab did not come up').toBeDefined();
    const r = await vigilLab(
      [
        'traffic',
        '--intervals',
        '2',
        '--interval',
        '15s',
        '--mix',
        '50:50',
        '--stream-kbps',
        '8000',
        '--think',
        '100ms',
        '--state-dir',
        stateDir,
      ],
      180_000,
    );
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toMatch(/\[interval 2\/2, .*\] \d+ ok/);
    const result = parseResult(await readFile(join(await runDir(stateDir), 'traffic.json'), 'utf8'));
    const rep = buildReport(result);
    expect(rep.intervals).toHaveLength(2);
    const targets = new Set(result.intervals.flatMap((i) => Object.keys(i.byTarget)));
    // Every request went to the VIP: the controller's load balancer spread the clients over the VMs.
    expect(state!.target).toBe('vip');
    expect([...targets]).toEqual([state!.vip]);
    expect(rep.checks.everyVmServed, JSON.stringify(rep.totals)).toBe(true);
    expect(rep.checks.failedRequests, JSON.stringify(result.intervals.map((i) => i.errors))).toBe(0);
    expect(rep.checks.okRequests).toBeGreaterThan(20);
    expect(rep.checks.maxDifference, JSON.stringify(rep.intervals.map((i) => i.cells))).toBeLessThanOrEqual(
      AGREEMENT_LIMIT,
    );
    for (const iv of rep.intervals) for (const c of iv.cells) expect(c.sflowSamples).toBeGreaterThan(50);
    const md = await readFile(join(await runDir(stateDir), `lab-${rep.runId}.md`), 'utf8');
    expect(md).toContain('libvirt and sFlow agree within 15%: yes');
  }, 240_000);

  it('goes down leaving no bridge, namespace, domain, interface or process behind', async () => {
    expect(state, 'the lab did not come up').toBeDefined();
    const r = await vigilLab(['down', '--state-dir', stateDir], 120_000);
    expect(r.code, explain(r)).toBe(0);
    const left = await scanLeftovers(PREFIX, 'qemu:///system');
    expect(left).toEqual({ bridges: [], namespaces: [], domains: [], interfaces: [] });
    for (const p of state!.processes) expect(await isRunning(p)).toBe(false);
    expect((await readState(stateDir)).ok).toBe(false);
  }, 180_000);
});
