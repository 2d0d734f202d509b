// The thin I/O around balancer/health-state.ts: TCP connect and HTTP GET probes with a timeout, and a scheduler
// that probes every member of a pool every `delaySeconds` and reports status changes.

import { request } from 'node:http';
import { connect } from 'node:net';
import {
  expectedCodes,
  initialHealth,
  recordProbe,
  type HealthState,
  type HealthStatus,
} from '../../balancer/health-state.js';
import type { ServedHealthMonitor as HealthMonitor } from '../../balancer/served-pool.js';

export interface ProbeTarget {
  address: string;
  port: number;
}

export interface ProbeResult {
  ok: boolean;
  /** Why a probe failed, or the HTTP status. */
  detail: string;
}

/** Largest HTTP response head read from a probed member; the body is never read. */
const MAX_HEAD_BYTES = 16 * 1024;

export function probeTcp(target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.address, port: target.port });
    const done = (r: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => done({ ok: false, detail: `no connection within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('connect', () => done({ ok: true, detail: 'connected' }));
    socket.once('error', (err) => done({ ok: false, detail: err.message }));
  });
}

export function probeHttp(
  target: ProbeTarget,
  monitor: Pick<HealthMonitor, 'httpMethod' | 'urlPath' | 'expectedCodes'>,
  timeoutMs: number,
): Promise<ProbeResult> {
  const accept = expectedCodes(monitor.expectedCodes);
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const req = request({
      host: target.address,
      port: target.port,
      method: monitor.httpMethod,
      path: monitor.urlPath,
      headers: { connection: 'close', 'user-agent': 'vigil-health-monitor' },
      maxHeaderSize: MAX_HEAD_BYTES,
      agent: false,
    });
    const timer = setTimeout(
      () => done({ ok: false, detail: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    req.once('response', (res) => {
      const code = res.statusCode ?? 0;
      res.resume();
      done(
        accept(code)
          ? { ok: true, detail: `HTTP ${code}` }
          : { ok: false, detail: `HTTP ${code} not in ${monitor.expectedCodes}` },
      );
    });
    req.once('error', (err) => done({ ok: false, detail: err.message }));
    req.end();
  });
}

export type Probe = (target: ProbeTarget, monitor: HealthMonitor) => Promise<ProbeResult>;

/** The probe a monitor's type asks for. */
export const realProbe: Probe = (target, monitor) =>
  monitor.type === 'HTTP'
    ? probeHttp(target, monitor, monitor.timeoutSeconds * 1000)
    : probeTcp(target, monitor.timeoutSeconds * 1000);

export interface HealthChange {
  pool: string;
  member: string;
  status: HealthStatus;
  detail: string;
  time: number;
}

interface Watched {
  state: HealthState;
  timer?: NodeJS.Timeout;
  stopped: boolean;
  /** Target and monitor as JSON: a watch with the same settings keeps its state. */
  settings: string;
}

export interface HealthWatch {
  pool: string;
  member: string;
  target: ProbeTarget;
  monitor: HealthMonitor;
}

/**
 * Probes the members of pools and calls `onChange` when one goes UP or DOWN. One probe per member is in
 * flight at a time; the next starts `delaySeconds` after the previous one ended.
 */
export class HealthChecker {
  private readonly members = new Map<string, Watched>();

  constructor(
    private readonly onChange: (c: HealthChange) => void,
    private readonly probe: Probe = realProbe,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Starts probing one member; a member already watched with the same settings keeps its state. */
  watch(pool: string, member: string, target: ProbeTarget, monitor: HealthMonitor): void {
    const key = `${pool}\u0000${member}`;
    const settings = JSON.stringify([target, monitor]);
    if (this.members.get(key)?.settings === settings) return;
    this.unwatch(pool, member);
    const entry: Watched = { state: initialHealth(this.clock()), stopped: false, settings };
    this.members.set(key, entry);
    const cycle = async () => {
      const r = await this.probe(target, monitor).catch((err: unknown) => ({
        ok: false,
        detail: String(err),
      }));
      if (entry.stopped) return;
      const now = this.clock();
      const next = recordProbe(entry.state, r.ok, monitor, now);
      const changed = next.status !== entry.state.status;
      entry.state = next;
      if (changed) this.onChange({ pool, member, status: next.status, detail: r.detail, time: now });
      entry.timer = setTimeout(() => void cycle(), monitor.delaySeconds * 1000);
    };
    entry.timer = setTimeout(() => void cycle(), 0);
  }

  /** Watches exactly these members: others stop being probed, unchanged ones keep their state. */
  sync(watches: readonly HealthWatch[]): void {
    const keep = new Set(watches.map((w) => `${w.pool}\u0000${w.member}`));
    for (const key of [...this.members.keys()]) {
      if (keep.has(key)) continue;
      const [pool, member] = key.split('\u0000') as [string, string];
      this.unwatch(pool, member);
    }
    for (const w of watches) this.watch(w.pool, w.member, w.target, w.monitor);
  }

  status(pool: string, member: string): HealthStatus | undefined {
    return this.members.get(`${pool}\u0000${member}`)?.state.status;
  }

  unwatch(pool: string, member: string): void {
    const key = `${pool}\u0000${member}`;
    const e = this.members.get(key);
    if (!e) return;
    e.stopped = true;
    clearTimeout(e.timer);
    this.members.delete(key);
  }

  stop(): void {
    for (const e of this.members.values()) {
      e.stopped = true;
      clearTimeout(e.timer);
    }
    this.members.clear();
  }
}
