import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  parseClientConfig,
  random,
  runClient,
  type ClientConfig,
  type ClientLine,
  type IntervalReport,
} from '../../src/lab/traffic-client.js';

const PAGE = Buffer.alloc(4096, 0x61);
const SONG = Buffer.alloc(256 * 1024, 0x62);

let server: http.Server;
let port: number;
const served: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    served.push(req.url ?? '');
    if (req.url === '/missing') {
      res.writeHead(404).end();
      return;
    }
    const body = req.url?.startsWith('/songs/') ? SONG : PAGE;
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function config(over: Partial<ClientConfig>): ClientConfig {
  return {
    clientId: 't',
    targets: ['127.0.0.1'],
    port,
    startAt: Date.now() + 200,
    intervalMs: 800,
    intervals: 2,
    streamShare: 0,
    thinkMs: 20,
    streamKbps: 0,
    pages: ['/pages/a.html'],
    songs: ['/songs/a.bin'],
    timeoutMs: 2000,
    seed: 7,
    ...over,
  };
}

async function collect(c: ClientConfig): Promise<ClientLine[]> {
  const lines: ClientLine[] = [];
  await runClient(c, (l) => lines.push(l));
  return lines;
}

const intervals = (lines: ClientLine[]) => lines.filter((l): l is IntervalReport => l.t === 'interval');

describe('traffic client', () => {
  it('browses: every page counted once, bytes per interval, latencies recorded, then done', async () => {
    served.length = 0;
    const lines = await collect(config({}));
    const iv = intervals(lines);
    expect(iv.map((i) => i.index)).toEqual([0, 1]);
    const ok = iv.reduce((s, i) => s + i.ok, 0);
    expect(ok).toBeGreaterThan(10);
    // Requests that ended after the run's end are neither ok nor failed.
    expect(served.length - ok).toBeLessThanOrEqual(1);
    for (const i of iv) {
      expect(i.failed).toBe(0);
      expect(i.bytes).toBe(i.ok * PAGE.length);
      expect(i.pageLatencyMs).toHaveLength(i.ok);
      expect(i.byTarget['127.0.0.1']).toEqual({ ok: i.ok, failed: 0, bytes: i.bytes });
    }
    expect(lines.at(-1)).toEqual({ t: 'done', clientId: 't' });
  });

  it('paces streams to the configured bit rate', async () => {
    // 256 KiB at 2048 kbit/s = 1.0 s per song: about 2 songs in 2 s.
    const lines = await collect(config({ streamShare: 1, streamKbps: 2048, intervalMs: 1000, intervals: 2 }));
    const bytes = intervals(lines).reduce((s, i) => s + i.bytes, 0);
    const expected = ((2048 * 1000) / 8) * 2;
    expect(bytes).toBeGreaterThan(expected * 0.6);
    expect(bytes).toBeLessThan(expected * 1.25);
    expect(intervals(lines).flatMap((i) => i.streamTtfbMs).length).toBeGreaterThanOrEqual(1);
  });

  it('counts a failure and moves on to its next target (a re-placed client)', async () => {
    // The server listens on 127.0.0.1 only: connections to 127.0.0.2 on its port are refused.
    const lines = await collect(config({ targets: ['127.0.0.2', '127.0.0.1'] }));
    const iv = intervals(lines);
    const failed = iv.reduce((s, i) => s + i.failed, 0);
    const ok = iv.reduce((s, i) => s + i.ok, 0);
    expect(failed).toBe(1);
    expect(iv[0]!.errors.ECONNREFUSED).toBe(1);
    expect(iv[0]!.byTarget['127.0.0.2']).toEqual({ ok: 0, failed: 1, bytes: 0 });
    expect(ok).toBeGreaterThan(5);
    expect(iv.reduce((s, i) => s + (i.byTarget['127.0.0.1']?.ok ?? 0), 0)).toBe(ok);
  });

  it('reports HTTP errors as failures by status', async () => {
    const lines = await collect(config({ pages: ['/missing'], intervals: 1 }));
    const iv = intervals(lines)[0]!;
    expect(iv.ok).toBe(0);
    expect(iv.failed).toBeGreaterThan(0);
    expect(iv.errors['http-404']).toBe(iv.failed);
  });

  it('parseClientConfig rejects incomplete configurations; random() is deterministic in [0, 1)', () => {
    expect(() => parseClientConfig('{}')).toThrow(/targets/);
    expect(() => parseClientConfig(JSON.stringify({ ...config({}), intervalMs: 'x' }))).toThrow(/intervalMs/);
    expect(parseClientConfig(JSON.stringify(config({}))).targets).toEqual(['127.0.0.1']);
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = random(seed);
        const b = random(seed);
        for (let i = 0; i < 5; i++) {
          const x = a();
          expect(x).toBe(b());
          expect(x >= 0 && x < 1).toBe(true);
        }
      }),
    );
  });
});
