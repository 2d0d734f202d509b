// `vigil monitor` as a service: libvirtd's test driver in, a real redis-server store out.
// Needs libvirt-daemon, libvirt-clients and redis-server.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitorService } from '../../src/cli/commands/monitor.js';
import { loadConfig } from '../../src/config/load.js';
import { ensureLibvirtd } from '../../src/lab/host/services.js';
import { silentLogger } from '../../src/log/logger.js';
import { storeName } from '../../src/store/checked.js';
import {
  HOST_INVENTORY_RECORD,
  parseHostInventory,
  type HostInventory,
} from '../../src/store/host-inventory.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { RedisServer } from '../support/redis-server.js';

const COUNT = 20;

function domainsFile(): string {
  const doms = Array.from(
    { length: COUNT },
    (_, i) =>
      `<domain type='test'><name>vmon-s${i}</name><uuid>766d6f6e-7376-4000-8000-${i.toString(16).padStart(12, '0')}</uuid>` +
      `<memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>`,
  );
  return `<node><cpu><mhz>2000</mhz><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads></cpu><memory>8388608</memory>${doms.join('')}</node>`;
}

describe('the monitor service writing to the store', () => {
  let redis: RedisServer;
  let dir: string;

  beforeAll(async () => {
    await ensureLibvirtd();
    redis = await RedisServer.start();
    dir = await mkdtemp(join(tmpdir(), 'vmon-'));
    await writeFile(join(dir, 'domains.xml'), domainsFile());
  });
  afterAll(async () => {
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores every VM’s sample with its time series, and publishes them', async () => {
    const uri = `test+unix://${join(dir, 'domains.xml')}`;
    const { config } = loadConfig({
      env: {},
      flags: {
        'store.kind': 'redis',
        'store.redisUrl': redis.url,
        'store.keyPrefix': 'vmontest',
        'monitor.libvirt': [uri],
        'monitor.intervalSeconds': 0.2,
      },
    });
    const reader = await RedisStore.connect({
      url: redis.url,
      keyPrefix: 'vmontest',
      limits: { sampleTtlMs: 60_000, seriesRetentionMs: 3_600_000, seriesMaxPoints: 4096 },
    });
    const published: unknown[] = [];
    const sub = await reader.subscribe('samples', (m) => published.push(m));
    const service = await startMonitorService(config, silentLogger());
    try {
      const deadline = Date.now() + 10_000;
      while ((await reader.listSamples()).length < COUNT || published.length < 3 * COUNT) {
        if (Date.now() > deadline) throw new Error('samples did not reach the store');
        await new Promise((r) => setTimeout(r, 100));
      }
      const stored = await reader.listSamples();
      expect(stored.map((s) => s.name).sort()).toEqual(
        Array.from({ length: COUNT }, (_, i) => `vmon-s${i}`).sort(),
      );
      const one = stored.find((s) => s.name === 'vmon-s3')!;
      expect(one).toMatchObject({ host: uri, state: 'running', stale: false });
      expect(one.metrics['state.code']).toBe(1);
      const series = await reader.readSeries(one.uuid, 'state.code', { from: 0, to: Date.now() + 1000 });
      expect(series.length).toBeGreaterThanOrEqual(2);
      expect(series.every((p) => p.value === 1)).toBe(true);
      expect(service.monitor.status()[0]).toMatchObject({ connected: true, domains: COUNT });
    } finally {
      await service.stop();
      await sub.unsubscribe();
      await reader.close();
    }
  });

  it('keeps each host’s domain inventory in the store for the sFlow side of other processes', async () => {
    const uri = `test+unix://${join(dir, 'domains.xml')}`;
    const { config } = loadConfig({
      env: {},
      flags: {
        'store.kind': 'redis',
        'store.redisUrl': redis.url,
        'store.keyPrefix': 'vmoninv',
        'monitor.libvirt': [uri],
        'monitor.intervalSeconds': 0.2,
      },
    });
    const reader = await RedisStore.connect({
      url: redis.url,
      keyPrefix: 'vmoninv',
      limits: { sampleTtlMs: 60_000, seriesRetentionMs: 3_600_000, seriesMaxPoints: 4096 },
    });
    const service = await startMonitorService(config, silentLogger());
    try {
      const deadline = Date.now() + 10_000;
      let inventory: HostInventory | undefined;
      while ((inventory?.domains.length ?? 0) < COUNT) {
        if (Date.now() > deadline) throw new Error('the inventory did not reach the store');
        await new Promise((r) => setTimeout(r, 100));
        const c = parseHostInventory(await reader.getRecord(HOST_INVENTORY_RECORD, storeName(uri)));
        if (c.ok) inventory = c.value;
      }
      expect(inventory!.host).toBe(uri);
      expect(inventory!.domains.map((d) => d.name).sort()).toEqual(
        Array.from({ length: COUNT }, (_, i) => `vmon-s${i}`).sort(),
      );
      expect(inventory!.domains.find((d) => d.name === 'vmon-s3')?.uuid).toBe(
        '766d6f6e-7376-4000-8000-000000000003',
      );
    } finally {
      await service.stop();
      await reader.close();
    }
  });
});
