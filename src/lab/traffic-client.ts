// One lab client, run inside its network namespace (`ip netns exec NS node traffic-client.js CONFIG`):
// browses (small pages, with think time) and streams (long downloads paced to a bit rate) from its
// targets over HTTP, and reports on stdout, as JSON lines, per interval of wall-clock time: requests
// ok/failed, bytes received, page latencies and stream times to first byte, per target.
// Bytes of a download are credited to the interval in which they arrive; a request to the interval in
// which it ends. On a failure the client moves to its next target (a re-placed client).

import http from 'node:http';
import { pathToFileURL } from 'node:url';

export interface ClientConfig {
  clientId: string;
  /** Target addresses, preferred first (the VIP alone when the load balancer places clients). */
  targets: string[];
  port: number;
  /** Wall-clock start (ms since the epoch) shared by every client, and the interval length. */
  startAt: number;
  intervalMs: number;
  intervals: number;
  /** Share of actions that are streams (0-1); the rest are page loads. */
  streamShare: number;
  thinkMs: number;
  /** Stream pacing in kbit/s (0: as fast as the network allows). */
  streamKbps: number;
  pages: string[];
  songs: string[];
  timeoutMs: number;
  seed: number;
}

export interface TargetCounts {
  ok: number;
  failed: number;
  bytes: number;
}

export interface IntervalReport {
  t: 'interval';
  clientId: string;
  index: number;
  ok: number;
  failed: number;
  bytes: number;
  pageLatencyMs: number[];
  streamTtfbMs: number[];
  byTarget: Record<string, TargetCounts>;
  errors: Record<string, number>;
}

export interface TickReport {
  t: 'tick';
  clientId: string;
  ok: number;
  failed: number;
  bytes: number;
  target: string;
}

export type ClientLine =
  | IntervalReport
  | TickReport
  | { t: 'done'; clientId: string }
  | { t: 'fatal'; clientId: string; error: string };

/** Pause after a failed request, so that a dead target is not hammered. */
const FAILURE_PAUSE_MS = 250;
/** Latency arrays are capped per interval so a report line stays small. */
const MAX_LATENCIES = 20_000;

function emptyInterval(clientId: string, index: number): IntervalReport {
  return {
    t: 'interval',
    clientId,
    index,
    ok: 0,
    failed: 0,
    bytes: 0,
    pageLatencyMs: [],
    streamTtfbMs: [],
    byTarget: {},
    errors: {},
  };
}

/** Small deterministic generator (mulberry32), so runs are repeatable per seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Client {
  private readonly cur: IntervalReport[] = [];
  private totals = { ok: 0, failed: 0, bytes: 0 };
  private targetIndex = 0;
  private readonly rand: () => number;
  private readonly endAt: number;
  private flushed = 0;

  constructor(
    private readonly c: ClientConfig,
    private readonly out: (line: ClientLine) => void,
  ) {
    this.rand = random(c.seed);
    this.endAt = c.startAt + c.intervalMs * c.intervals;
    for (let i = 0; i < c.intervals; i++) this.cur.push(emptyInterval(c.clientId, i));
  }

  private intervalAt(t: number): IntervalReport | undefined {
    const i = Math.floor((t - this.c.startAt) / this.c.intervalMs);
    return i >= 0 && i < this.c.intervals ? this.cur[i] : undefined;
  }

  private target(): string {
    return this.c.targets[this.targetIndex % this.c.targets.length]!;
  }

  private counts(r: IntervalReport, target: string): TargetCounts {
    return (r.byTarget[target] ??= { ok: 0, failed: 0, bytes: 0 });
  }

  private credit(target: string, bytes: number): void {
    const r = this.intervalAt(Date.now());
    this.totals.bytes += bytes;
    if (!r) return;
    r.bytes += bytes;
    this.counts(r, target).bytes += bytes;
  }

  private finish(target: string, ok: boolean, kind: 'page' | 'stream', ms: number, error?: string): void {
    const now = Date.now();
    if (now >= this.endAt || error === 'run-ended') return; // ended by the run's end, not by the server
    const r = this.intervalAt(now);
    if (ok) this.totals.ok++;
    else this.totals.failed++;
    if (!r) return;
    const t = this.counts(r, target);
    if (ok) {
      r.ok++;
      t.ok++;
      const list = kind === 'page' ? r.pageLatencyMs : r.streamTtfbMs;
      if (list.length < MAX_LATENCIES) list.push(Math.round(ms * 10) / 10);
    } else {
      r.failed++;
      t.failed++;
      const key = error ?? 'error';
      r.errors[key] = (r.errors[key] ?? 0) + 1;
    }
  }

  /** Emits the reports of every interval that has ended. */
  flush(now: number): void {
    while (
      this.flushed < this.c.intervals &&
      now >= this.c.startAt + (this.flushed + 1) * this.c.intervalMs
    ) {
      this.out(this.cur[this.flushed]!);
      this.flushed++;
    }
  }

  tick(): void {
    this.out({ t: 'tick', clientId: this.c.clientId, ...this.totals, target: this.target() });
  }

  /** One GET; resolves when done. Streams are paced by pausing the response. */
  private get(path: string, kind: 'page' | 'stream'): Promise<boolean> {
    const target = this.target();
    const started = performance.now();
    const remaining = this.endAt - Date.now();
    return new Promise((resolve) => {
      let settled = false;
      let firstByte = -1;
      let received = 0;
      const done = (ok: boolean, error?: string) => {
        if (settled) return;
        settled = true;
        const ms = kind === 'page' ? performance.now() - started : firstByte - started;
        this.finish(target, ok, kind, ms, error);
        if (!ok && error !== 'run-ended') this.targetIndex++;
        resolve(ok);
      };
      const req = http.get(
        { host: target, port: this.c.port, path, agent: false, timeout: this.c.timeoutMs },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            done(false, `http-${res.statusCode}`);
            return;
          }
          const bytesPerMs =
            this.c.streamKbps > 0 && kind === 'stream' ? (this.c.streamKbps * 1000) / 8 / 1000 : 0;
          res.on('data', (chunk: Buffer) => {
            if (firstByte < 0) firstByte = performance.now();
            received += chunk.length;
            this.credit(target, chunk.length);
            if (bytesPerMs > 0) {
              const due = started + received / bytesPerMs;
              const wait = due - performance.now();
              if (wait > 1) {
                res.pause();
                setTimeout(() => res.resume(), Math.min(wait, 1000));
              }
            }
          });
          res.on('end', () => {
            const expected = Number(res.headers['content-length']);
            if (Number.isFinite(expected) && expected !== received) done(false, 'short-body');
            else done(true);
          });
          res.on('error', () => done(false, 'reset'));
          res.on('aborted', () => done(false, 'aborted'));
        },
      );
      req.on('timeout', () => {
        req.destroy(new Error('timeout'));
      });
      req.on('error', (err: NodeJS.ErrnoException) =>
        done(
          false,
          err.message === 'timeout' || err.message === 'run-ended' ? err.message : (err.code ?? 'error'),
        ),
      );
      // The run's end cuts in-flight downloads short; finish() ignores them.
      const cut = setTimeout(() => req.destroy(new Error('run-ended')), Math.max(0, remaining));
      req.on('close', () => clearTimeout(cut));
    });
  }

  async run(): Promise<void> {
    const wait = this.c.startAt - Date.now();
    if (wait > 0) await sleep(wait);
    while (Date.now() < this.endAt) {
      const stream = this.rand() < this.c.streamShare;
      let ok: boolean;
      if (stream) {
        ok = await this.get(pick(this.c.songs, this.rand), 'stream');
      } else {
        ok = await this.get(pick(this.c.pages, this.rand), 'page');
        const think = this.c.thinkMs * (0.5 + this.rand());
        if (think > 0) await sleep(Math.min(think, Math.max(0, this.endAt - Date.now())));
      }
      if (!ok) await sleep(Math.min(FAILURE_PAUSE_MS, Math.max(0, this.endAt - Date.now())));
    }
  }
}

function pick(list: string[], rand: () => number): string {
  return list[Math.floor(rand() * list.length)] ?? '/';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Parses and checks the configuration handed over on the command line. */
export function parseClientConfig(text: string): ClientConfig {
  const c = JSON.parse(text) as ClientConfig;
  const finite = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
  if (typeof c.clientId !== 'string' || !Array.isArray(c.targets) || c.targets.length === 0) {
    throw new Error('clientId and targets are required');
  }
  for (const k of [
    'port',
    'startAt',
    'intervalMs',
    'intervals',
    'streamShare',
    'thinkMs',
    'streamKbps',
    'timeoutMs',
    'seed',
  ] as const) {
    if (!finite(c[k])) throw new Error(`${k} must be a number`);
  }
  if (!Array.isArray(c.pages) || !Array.isArray(c.songs) || c.pages.length + c.songs.length === 0) {
    throw new Error('pages and songs are required');
  }
  return c;
}

export async function runClient(c: ClientConfig, out: (line: ClientLine) => void): Promise<void> {
  const client = new Client(c, out);
  const timer = setInterval(() => {
    client.tick();
    client.flush(Date.now());
  }, 1000);
  try {
    await client.run();
    const endAt = c.startAt + c.intervalMs * c.intervals;
    if (Date.now() < endAt) await sleep(endAt - Date.now());
    client.flush(Date.now() + 1);
    client.tick();
  } finally {
    clearInterval(timer);
  }
  out({ t: 'done', clientId: c.clientId });
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain && process.argv[2] !== undefined) {
  let config: ClientConfig;
  const write = (l: ClientLine) => process.stdout.write(`${JSON.stringify(l)}\n`);
  try {
    config = parseClientConfig(process.argv[2]);
  } catch (err) {
    write({ t: 'fatal', clientId: '?', error: (err as Error).message });
    process.exit(2);
  }
  runClient(config, write).then(
    () => process.exit(0),
    (err: Error) => {
      write({ t: 'fatal', clientId: config.clientId, error: err.message });
      process.exit(1);
    },
  );
}
