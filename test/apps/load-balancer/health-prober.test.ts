import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HealthChecker,
  probeHttp,
  probeTcp,
  type HealthChange,
} from '../../../src/apps/load-balancer/health-prober.js';
import type { ServedHealthMonitor as HealthMonitor } from '../../../src/balancer/served-pool.js';

describe('health probes on real sockets', () => {
  let tcp: Server;
  let http: HttpServer;
  let silent: Server;
  let closedPort = 0;
  const port = (s: { address(): unknown }) => (s.address() as { port: number }).port;

  beforeAll(async () => {
    tcp = createServer((s) => s.end());
    http = createHttpServer((req, res) => {
      res.statusCode = req.url === '/healthy' ? 200 : 503;
      res.end('x');
    });
    // Accepts connections and never answers: an HTTP probe must time out.
    silent = createServer(() => undefined);
    const closed = createServer();
    for (const s of [tcp, http, silent, closed])
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    closedPort = port(closed);
    await new Promise<void>((r) => closed.close(() => r()));
  });

  afterAll(() => {
    tcp.close();
    http.close();
    silent.close();
  });

  it('TCP: a listening port passes, a closed one fails', async () => {
    expect((await probeTcp({ address: '127.0.0.1', port: port(tcp) }, 1000)).ok).toBe(true);
    const r = await probeTcp({ address: '127.0.0.1', port: closedPort }, 1000);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/ECONNREFUSED/);
  });

  it('HTTP: the status must be an expected code; a silent server times out', async () => {
    const mon = { httpMethod: 'GET' as const, urlPath: '/healthy', expectedCodes: '200' };
    expect(await probeHttp({ address: '127.0.0.1', port: port(http) }, mon, 1000)).toEqual({
      ok: true,
      detail: 'HTTP 200',
    });
    const bad = await probeHttp(
      { address: '127.0.0.1', port: port(http) },
      { ...mon, urlPath: '/sick' },
      1000,
    );
    expect(bad).toEqual({ ok: false, detail: 'HTTP 503 not in 200' });
    const t0 = Date.now();
    const slow = await probeHttp({ address: '127.0.0.1', port: port(silent) }, mon, 300);
    expect(slow.ok).toBe(false);
    expect(slow.detail).toMatch(/no answer within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('the checker reports DOWN after `fall` failures and UP again after `rise` successes', async () => {
    let healthy = true;
    const changes: HealthChange[] = [];
    const checker = new HealthChecker(
      (c) => changes.push(c),
      async () => ({ ok: healthy, detail: healthy ? 'ok' : 'refused' }),
    );
    const mon: HealthMonitor = {
      type: 'TCP',
      delaySeconds: 0.02,
      timeoutSeconds: 1,
      rise: 2,
      fall: 2,
      httpMethod: 'GET',
      urlPath: '/',
      expectedCodes: '200',
    };
    checker.watch('p', 'm1', { address: '127.0.0.1', port: 1 }, mon);
    await new Promise((r) => setTimeout(r, 80));
    expect(changes).toEqual([]);
    healthy = false;
    await waitFor(() => changes.length === 1);
    expect(changes[0]).toMatchObject({ pool: 'p', member: 'm1', status: 'DOWN', detail: 'refused' });
    healthy = true;
    await waitFor(() => changes.length === 2);
    expect(changes[1]).toMatchObject({ status: 'UP' });
    expect(checker.status('p', 'm1')).toBe('UP');
    checker.stop();
    healthy = false;
    await new Promise((r) => setTimeout(r, 100));
    expect(changes).toHaveLength(2);
  });
});

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('health checker sync', () => {
  it('keeps the state of members whose settings did not change and stops the others', async () => {
    const changes: HealthChange[] = [];
    const probed: string[] = [];
    const checker = new HealthChecker(
      (c) => changes.push(c),
      async (t) => {
        probed.push(t.address);
        return { ok: false, detail: 'refused' };
      },
    );
    const mon: HealthMonitor = {
      type: 'TCP',
      delaySeconds: 0.02,
      timeoutSeconds: 1,
      rise: 1,
      fall: 1,
      httpMethod: 'GET',
      urlPath: '/',
      expectedCodes: '200',
    };
    const a = { pool: 'p', member: 'a', target: { address: '10.213.4.11', port: 80 }, monitor: mon };
    const b = { pool: 'p', member: 'b', target: { address: '10.213.4.12', port: 80 }, monitor: mon };
    checker.sync([a, b]);
    await waitFor(() => changes.length === 2);
    checker.sync([a]);
    expect(checker.status('p', 'a')).toBe('DOWN');
    expect(checker.status('p', 'b')).toBeUndefined();
    probed.length = 0;
    await new Promise((r) => setTimeout(r, 100));
    expect(new Set(probed)).toEqual(new Set(['10.213.4.11']));
    // Changed settings start over (UP).
    checker.sync([{ ...a, target: { address: '10.213.4.13', port: 80 } }]);
    expect(checker.status('p', 'a')).toBe('UP');
    checker.stop();
  });
});
