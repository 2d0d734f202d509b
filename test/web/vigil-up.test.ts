// The dashboard in real Chromium against Vigil itself: the whole `vigil up` runtime (controller,
// collector, monitor of libvirtd's test driver through the real RPC socket, load balancer, API) in
// this process, with nothing in between. A pool created through the API reaches the real
// load-balancer app and shows on the load-balancing page.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { launchChromium } from '../../src/lab/host/chromium.js';
import { ensureLibvirtd } from '../../src/lab/host/services.js';
import { silentLogger } from '../../src/log/logger.js';
import { VigilRuntime } from '../../src/runtime/vigil-runtime.js';

const SHOTS = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));
const TOKEN = 'vigil-up-browser-test';

let rt: VigilRuntime;
let base: string;
let browser: Browser;
let page: Page;
let webRoot: string;
const problems: string[] = [];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
async function api(method: string, path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  await ensureLibvirtd();
  webRoot = mkdtempSync(join(tmpdir(), 'vigil-up-web-'));
  await build({
    configFile: fileURLToPath(new URL('../../src/web/vite.config.ts', import.meta.url)),
    logLevel: 'warn',
    build: { outDir: webRoot, emptyOutDir: true, sourcemap: false },
  });
  mkdirSync(SHOTS, { recursive: true });
  const { config } = loadConfig({
    env: {},
    flags: {
      'controller.listen': '127.0.0.1:0',
      'collector.listen': '127.0.0.1:0',
      'api.listen': '127.0.0.1:0',
      'api.token': TOKEN,
      'monitor.libvirt': 'test+unix:///default',
      'monitor.intervalSeconds': '1',
    },
  });
  rt = await VigilRuntime.start({ config, logger: silentLogger(), version: 'test', webRoot });
  base = `http://127.0.0.1:${rt.addresses.api.port}`;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.on('pageerror', (e) => problems.push(e.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await rt?.stop();
  if (webRoot) rmSync(webRoot, { recursive: true, force: true });
});

describe('dashboard on a running vigil up', () => {
  it('lists the monitored domain and charts its samples as they arrive', async () => {
    await page.goto(`${base}/#/`);
    await page.waitForSelector('[data-live="up"]');
    // libvirtd's test driver has a running domain "test" (other tests may add their own for a while).
    await expect
      .poll(() => page.locator('table.vms tbody tr td:first-child a').allTextContents(), { timeout: 15_000 })
      .toContain('test');
    await page.screenshot({ path: join(SHOTS, 'vigil-up-overview.png'), fullPage: true });
    // The test driver reports state and vNIC counters (no CPU time): the VM page's network chart grows
    // with every poll, without a reload.
    await page.locator('table.vms tbody tr td:first-child a', { hasText: /^test$/ }).click();
    const chart = page.locator('figure[data-chart="Network"]').first();
    await expect
      .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(2);
    const before = Number(await chart.getAttribute('data-points'));
    await expect
      .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 15_000 })
      .toBeGreaterThan(before);
  });

  it('shows a pool created through the API, served by the load-balancer app', async () => {
    await page.goto(`${base}/#/balancers`);
    const lb = await api('POST', '/loadbalancers', {
      loadbalancer: { name: 'shop', vip_address: '10.213.9.100' },
    });
    expect(lb.status).toBe(201);
    const pool = await api('POST', '/pools', {
      pool: {
        loadbalancer_id: lb.json.loadbalancer.id,
        name: 'web',
        protocol: 'TCP',
        protocol_port: 80,
        lb_algorithm: 'LEAST_LOAD',
      },
    });
    expect(pool.status).toBe(201);
    const poolId = pool.json.pool.id as string;
    const member = await api('POST', `/pools/${poolId}/members`, {
      member: { address: '10.213.9.11', name: 'web-1' },
    });
    expect(member.status).toBe(201);
    await expect
      .poll(() => page.locator(`[data-pool="${poolId}"] h3`).textContent(), { timeout: 10_000 })
      .toBe('web');
    await expect.poll(() => page.locator(`[data-pool="${poolId}"] tbody tr`).count()).toBe(1);
    // What the page shows is what the switches are given.
    expect(rt.balancer.servedPools().map((p) => [p.vip.address, p.vip.port, p.members.length])).toEqual([
      ['10.213.9.100', 80, 1],
    ]);
    await page.screenshot({ path: join(SHOTS, 'vigil-up-load-balancing.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
