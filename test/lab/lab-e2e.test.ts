// The small lab end to end, on the real services (Open vSwitch, libvirtd, QEMU): two VMs on two bridges and
// two clients come up from nothing, traffic flows, the report shows both VMs served with libvirt and sFlow
// agreeing within 15% and no request failed, and `lab down` leaves nothing named after the lab. In
// Chromium, the dashboard (built by scripts/setup, as the README's command does) lists the VMs and the
// switches connected since the lab came up, and after the traffic the pool's page shows its bytes.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, AGREEMENT_LIMIT } from '../../src/lab/lab-report.js';
import { readState, type LabState } from '../../src/lab/lab-state.js';
import { leftoverCount, scanLeftovers } from '../../src/lab/lab-status.js';
import { isRunning } from '../../src/lab/lab-process.js';
import { parseResult, runDir } from '../../src/lab/report-files.js';
import { labLoadBalancer } from '../../src/lab/vigil-config.js';
import { launchChromium } from '../../src/lab/host/chromium.js';

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

const SHOTS = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** The bytes a figure of the dashboard stands for ("0 B", "12.5 KiB"); NaN for anything else ("–"). */
function bytesShown(text: string | null): number {
  const m = /^(\d+(?:\.\d+)?) (\w+)$/.exec(text?.trim() ?? '');
  const unit = m ? UNITS.indexOf(m[2]!) : -1;
  return unit < 0 ? NaN : Number(m![1]) * 1024 ** unit;
}

/** "connected 12 s ago" / "connected 3 min ago" -> seconds (minutes are whole, rounded down). */
function connectedSecondsAgo(text: string): number {
  const m = /connected (\d+) (s|min) ago$/.exec(text);
  return m ? Number(m[1]) * (m[2] === 'min' ? 60 : 1) : NaN;
}

describe('vigil lab (small lab on real OVS, libvirtd and QEMU)', () => {
  let stateDir: string;
  let state: LabState | undefined;
  let upAt = 0;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];

  async function dashboardPage(): Promise<Page> {
    browser ??= await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return page;
  }

  beforeAll(async () => {
    if (process.getuid?.() !== 0) {
      throw new Error('the lab test needs root (it creates OVS bridges, namespaces and libvirt domains)');
    }
    stateDir = await mkdtemp(join(tmpdir(), 'vigil-lab-e2e-'));
    await mkdir(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
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
    upAt = Date.now();
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

  it('serves the dashboard: the VMs on the overview, each switch connected since the lab came up', async () => {
    expect(state?.dashboardUrl, 'the lab did not come up with Vigil').toBeDefined();
    const url = state!.dashboardUrl!;
    const root = await fetch(url);
    expect(root.status, await root.text()).toBe(200);
    const page = await dashboardPage();
    try {
      await page.goto(`${url}#/`);
      await page.waitForSelector('[data-live="up"]');
      await expect
        .poll(() => page.locator('table.vms tbody tr').count(), { timeout: 20_000 })
        .toBe(state!.domains.length);
      await page.screenshot({ path: join(SHOTS, 'lab-overview.png'), fullPage: true });

      await page.goto(`${url}#/switches`);
      const connected = page.locator('.card.switch > header .muted');
      await expect.poll(() => connected.count(), { timeout: 10_000 }).toBe(state!.bridges.length);
      const upFor = (Date.now() - upAt) / 1000;
      for (const text of await connected.allTextContents()) {
        const ago = connectedSecondsAgo(text);
        expect(ago, text).toBeGreaterThanOrEqual(0);
        expect(ago, `${text}, but the lab came up ${upFor.toFixed(0)} s ago`).toBeLessThanOrEqual(upFor + 1);
      }
      await page.screenshot({ path: join(SHOTS, 'lab-switches.png'), fullPage: true });
    } finally {
      await page.close();
    }
  }, 60_000);

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

  it('shows the traffic on the load-balancing page: the pool and its members moved bytes', async () => {
    expect(state?.dashboardUrl, 'the lab did not come up with Vigil').toBeDefined();
    const page = await dashboardPage();
    try {
      await page.goto(`${state!.dashboardUrl!}#/balancers`);
      const pool = page.locator(`[data-pool="${labLoadBalancer(state!).pools[0]!.id}"]`);
      const traffic = pool.locator('.dist', { hasText: 'Traffic' }).locator('.dist-title .muted');
      // The page reloads every 10 s.
      await expect
        .poll(async () => bytesShown(await traffic.textContent()), { timeout: 25_000 })
        .toBeGreaterThan(0);
      const bytesIn = await pool.locator('tbody tr td:nth-child(8)').allTextContents();
      expect(bytesIn).toHaveLength(state!.domains.length);
      expect(
        bytesIn.map(bytesShown).reduce((a, b) => a + b, 0),
        bytesIn.join(', '),
      ).toBeGreaterThan(0);
      await page.screenshot({ path: join(SHOTS, 'lab-load-balancing.png'), fullPage: true });
    } finally {
      await page.close();
    }
    expect(pageErrors).toEqual([]);
  }, 60_000);

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
