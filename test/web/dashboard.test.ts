// The dashboard in real Chromium against a running Vigil API whose store is fed live samples.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { build } from 'vite';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../src/lab/host/chromium.js';
import { auth, harness, type Harness } from '../api/support/harness.js';
import { demoVms } from '../api/support/vm-feed.js';

const SHOTS = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));
const VMS = demoVms();

let h: Harness;
let base: string;
let browser: Browser;
let page: Page;
let webRoot: string;
let clock = Date.now() - 60_000;

/** One monitor poll of every VM, 5 s after the previous one. */
async function poll(): Promise<void> {
  clock = Math.max(clock + 5000, Date.now() - 30_000);
  await h.feed.poll(clock);
}

async function points(selector: string): Promise<number> {
  return Number(await page.locator(selector).first().getAttribute('data-points'));
}

async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, Record<string, string>> }> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, Record<string, string>> };
}

beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), 'vigil-web-'));
  await build({
    configFile: fileURLToPath(new URL('../../src/web/vite.config.ts', import.meta.url)),
    logLevel: 'warn',
    build: { outDir: webRoot, emptyOutDir: true, sourcemap: false },
  });
  mkdirSync(SHOTS, { recursive: true });

  h = await harness({ webRoot });
  for (let i = 0; i < 6; i++) await poll();
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  (globalThis as { pageProblems?: string[] }).pageProblems = problems;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
  if (webRoot) rmSync(webRoot, { recursive: true, force: true });
});

describe('dashboard in Chromium', () => {
  it('serves the page with a content security policy', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('<div id="app">');
  });

  it('lists the VMs on the overview and updates the chart as samples arrive', async () => {
    await page.goto(`${base}/#/`);
    await page.waitForSelector('[data-live="up"]');
    const rows = page.locator('table.vms tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const names = await page.locator('table.vms tbody tr td:first-child a').allTextContents();
    expect(names).toEqual(['db-1', 'web-1', 'web-2']);
    expect(await page.locator('section.host').count()).toBe(2);
    const cpu = await page.locator(`tr[data-vm="${VMS[1]!.uuid}"] [data-field="cpu"]`).textContent();
    expect(cpu).toBe(`${(VMS[1]!.load * 100).toFixed(0)} %`);

    const chart = 'figure[data-chart^="CPU by VM"]';
    await expect.poll(() => points(chart)).toBeGreaterThanOrEqual(5);
    const before = await points(chart);
    h.feed.vms[1]!.load = 0.95;
    await poll();
    await expect.poll(() => points(chart), { timeout: 10_000 }).toBe(before + 1);
    await expect
      .poll(() => page.locator(`tr[data-vm="${VMS[1]!.uuid}"] [data-field="cpu"]`).textContent())
      .toBe('95 %');
    await poll();
    await expect.poll(() => points(chart), { timeout: 10_000 }).toBe(before + 2);
    await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'overview-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('shows a VM with its charts over a chosen window, live', async () => {
    const vm = VMS[0]!;
    await page.goto(`${base}/#/vm/${vm.uuid}`);
    await expect.poll(() => page.locator('.page.vm h2').textContent()).toContain(vm.name);
    const cpu = 'figure[data-chart="CPU"]';
    await expect.poll(() => points(cpu)).toBeGreaterThanOrEqual(5);
    const before = await points(cpu);
    await poll();
    await expect.poll(() => points(cpu), { timeout: 10_000 }).toBe(before + 1);
    await page.getByRole('button', { name: '5 min', exact: true }).click();
    await expect
      .poll(() => page.getByRole('button', { name: '5 min', exact: true }).getAttribute('aria-pressed'))
      .toBe('true');
    await expect.poll(() => points('figure[data-chart="Network"]')).toBeGreaterThanOrEqual(5);
    expect(await page.locator('.facts').textContent()).toContain('shop');
    await page.screenshot({ path: join(SHOTS, 'vm.png'), fullPage: true });
  });

  it('shows a pool created through the API on the load-balancer page, with placements', async () => {
    await page.goto(`${base}/#/balancers`);
    await expect.poll(() => page.locator('.empty').textContent()).toContain('No load balancer');
    const lb = await api('POST', '/loadbalancers', {
      loadbalancer: { name: 'shop-frontend', vip_address: '10.213.9.100' },
    });
    expect(lb.status).toBe(201);
    const pool = await api('POST', '/pools', {
      pool: {
        loadbalancer_id: lb.json.loadbalancer!.id,
        name: 'web',
        protocol: 'TCP',
        protocol_port: 80,
        lb_algorithm: 'LEAST_CONNECTIONS',
      },
    });
    expect(pool.status).toBe(201);
    const poolId = pool.json.pool!.id!;
    await expect
      .poll(() => page.locator(`[data-pool="${poolId}"] h3`).textContent(), { timeout: 5000 })
      .toBe('web');

    const members: string[] = [];
    for (const [i, vm] of VMS.slice(0, 2).entries()) {
      const m = await api('POST', `/pools/${poolId}/members`, {
        member: { address: `10.213.9.${11 + i}`, protocol_port: 80, vm_uuid: vm.uuid, weight: i + 1 },
      });
      expect(m.status).toBe(201);
      members.push(m.json.member!.id!);
    }
    await api('POST', '/healthmonitors', {
      healthmonitor: {
        pool_id: poolId,
        type: 'HTTP',
        delay: 1,
        timeout: 1,
        max_retries: 1,
        max_retries_down: 1,
        url_path: '/health',
      },
    });
    await expect.poll(() => page.locator(`[data-pool="${poolId}"] tbody tr`).count()).toBe(2);
    for (let c = 1; c <= 7; c++) {
      const client = `02:00:00:00:01:0${c}`;
      expect(await h.driver.place(poolId, client)).toBeDefined();
      h.driver.traffic(client, 1500 * c, 6000 * c);
    }
    await h.driver.setHealth(poolId, '10.213.9.11', false);
    await expect.poll(() => page.locator('.log li').count()).toBe(7);
    const first = await page.locator('.log li').first().textContent();
    expect(first).toMatch(
      /client 02:00:00:00:01:07 went to web-[12] because new client; LEAST_CONNECTIONS chose it/,
    );
    await expect.poll(() => page.locator(`tr[data-member="${members[0]}"]`).textContent()).toContain('ERROR');
    await expect
      .poll(() => page.locator(`[data-pool="${poolId}"] .dist-bar > span`).count())
      .toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'load-balancing.png'), fullPage: true });
  });

  it('shows whole load-balancer and pool names or ids, with a tooltip only where one is cut', async () => {
    const name = 'checkout-frontend-eu-west-1-blue-pool-01';
    expect(name).toHaveLength(40);
    const lb = await api('POST', '/loadbalancers', { loadbalancer: { vip_address: '10.213.9.101' } });
    const lbId = lb.json.loadbalancer!.id!;
    const pool = (body: Record<string, unknown>) =>
      api('POST', '/pools', {
        pool: { loadbalancer_id: lbId, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN', ...body },
      }).then((r) => r.json.pool!.id!);
    const named = await pool({ name, protocol_port: 8080 });
    const unnamed = await pool({ protocol_port: 8081 });
    await page.goto(`${base}/#/balancers`);
    const heading = (id: string) => page.locator(`[data-pool="${id}"] h3`);
    await expect.poll(() => heading(named).textContent(), { timeout: 5000 }).toBe(name);
    expect(await heading(unnamed).textContent()).toBe(unnamed);
    expect(await page.locator(`[data-lb="${lbId}"] .lb-head h3`).textContent()).toBe(lbId);
    expect(await heading(named).getAttribute('title')).toBeNull();

    await page.setViewportSize({ width: 320, height: 768 });
    try {
      await expect.poll(() => heading(named).getAttribute('title')).toBe(name);
      const shown = await heading(named).evaluate((el) => ({
        cut: el.scrollWidth > el.clientWidth,
        ellipsis: el.ownerDocument.defaultView?.getComputedStyle(el).textOverflow,
        text: el.textContent,
      }));
      expect(shown).toEqual({ cut: true, ellipsis: 'ellipsis', text: name });
      await page.screenshot({ path: join(SHOTS, 'load-balancing-narrow.png'), fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1366, height: 768 });
    }
    await expect.poll(() => heading(named).getAttribute('title')).toBeNull();
  });

  it('shows switches with ports and flow tables', async () => {
    await page.goto(`${base}/#/switches`);
    await expect
      .poll(() => page.locator('[data-dpid="00000000000000a1"] table.flows tbody tr').count())
      .toBe(2);
    expect(await page.locator('table.flows').textContent()).toContain('ip_dst=10.213.9.100');
    expect(await page.locator('table.ports tbody tr').count()).toBe(3);
    await page.screenshot({ path: join(SHOTS, 'switches.png'), fullPage: true });
  });

  it('says which part of Vigil is missing instead of failing', async () => {
    const bare = await harness({ webRoot }, { omit: ['switches', 'balancer', 'traffic', 'internals'] });
    try {
      await bare.app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(bare.app.server.address() as AddressInfo).port}`;
      const p = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await p.goto(`${url}/#/balancers`);
      await expect
        .poll(() => p.locator('.problem').textContent())
        .toBe('The load balancer is not running in this Vigil.');
      await p.goto(`${url}/#/switches`);
      await expect
        .poll(() => p.locator('.problem').textContent())
        .toBe('The OpenFlow controller is not running in this Vigil.');
      await p.goto(`${url}/#/`);
      await expect.poll(() => p.locator('.empty').textContent()).toContain('No VM samples yet');
      await p.screenshot({ path: join(SHOTS, 'overview-empty.png') });
      await p.close();
    } finally {
      await bare.close();
    }
  });

  it('raised no page errors', () => {
    expect((globalThis as { pageProblems?: string[] }).pageProblems).toEqual([]);
  });
});
