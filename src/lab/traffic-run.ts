// `vigil lab traffic`: clients in their namespaces browse and stream from the VMs (through the VIP when
// Vigil balances, else straight to the VM addresses) for N intervals of wall-clock time. At every interval
// boundary the runner reads each VM's vNIC counters from libvirt and the sFlow estimate from the bridges'
// samples, so that the report shows both side by side. Results go to the state folder.

import dgram from 'node:dgram';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureLabRoute } from './host/lab-range.js';
import { runIn, spawnIn } from './host/netns.js';
import { requireProgram, run, waitFor } from './host/services.js';
import { summarize, type LatencySummary } from './lab-stats.js';
import { readState, type LabState } from './lab-state.js';
import { partStatuses } from './lab-status.js';
import { formatMs } from './step-progress.js';
import type { ClientConfig, ClientLine, IntervalReport, TargetCounts } from './traffic-client.js';
import { VnicCounterReader, type VnicCounters } from './vnic-counters.js';
import { VnicSflowTally, type VmTally } from './vnic-sflow-tally.js';

/** What the guest's httpd serves (see guest-image.ts). */
export const GUEST_PAGES = [
  '/pages/page-1.html',
  '/pages/page-2.html',
  '/pages/page-3.html',
  '/pages/page-4.html',
];
export const GUEST_SONGS = ['/songs/song-1.bin', '/songs/song-2.bin'];

export interface TrafficOptions {
  stateDir: string;
  /** Clients to use (default: every client namespace of the lab). */
  clients?: number;
  intervals: number;
  intervalMs: number;
  /** Share of client actions that are streams (0-1). */
  streamShare: number;
  thinkMs: number;
  streamKbps: number;
  /** VM to run a CPU hog in for the whole run. */
  hog?: string;
  /** VM to kill (virsh destroy) `killAfterMs` into the run. */
  kill?: string;
  killAfterMs?: number;
  seed?: number;
  runId?: string;
  write: (line: string) => void;
}

export interface VmInterval {
  /** libvirt: bytes the VM sent / received in the interval (from its vNIC counters). */
  libvirtTxBytes: number;
  libvirtRxBytes: number;
  /** Guest CPU seconds used in the interval. */
  cpuSeconds: number;
  /** sFlow: estimated bytes the VM sent, and the flow samples behind the estimate. */
  sflowBytes: number;
  sflowSamples: number;
  /** False when the domain was not running at the interval's end. */
  up: boolean;
}

export interface IntervalRecord {
  index: number;
  startMs: number;
  endMs: number;
  vms: Record<string, VmInterval>;
  ok: number;
  failed: number;
  bytes: number;
  pageLatency: LatencySummary;
  streamTtfb: LatencySummary;
  byTarget: Record<string, TargetCounts>;
  errors: Record<string, number>;
}

export interface TrafficResult {
  version: 1;
  runId: string;
  prefix: string;
  target: 'vip' | 'direct';
  algorithm: string;
  startedAt: string;
  command: string;
  options: Omit<TrafficOptions, 'write' | 'stateDir'> & { clients: number };
  vms: { name: string; ip: string; bridge: string }[];
  intervals: IntervalRecord[];
  events: { atMs: number; what: string }[];
  sflow: { datagrams: number; rejected: number; otherSamples: number };
  /** Times the libvirt connection was re-opened (libvirtd restarted during the run). */
  libvirtReconnects: number;
  clientFailures: string[];
}

/** A vNIC reading; `gone`: the domain stopped, and this is its last reading. */
export type Reading = VnicCounters & { gone?: boolean };

export interface Snapshot {
  libvirt: Map<string, Reading>;
  sflow: Record<string, VmTally>;
}

const START_DELAY_MS = 2500;
/** OVS's sFlow agent sends its datagrams about once a second: wait that long before the last reading. */
const SFLOW_FLUSH_MS = 2500;
const CLIENT_SCRIPT = new URL(
  `./traffic-client${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function runIdNow(d = new Date()): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Targets of client i: the VIP, or (without a load balancer) its own VM first, the others after. */
export function clientTargets(state: LabState, i: number): string[] {
  if (state.target === 'vip') return [state.vip];
  const ips = state.domains.map((d) => d.ip);
  const k = i % ips.length;
  return [...ips.slice(k), ...ips.slice(0, k)];
}

/** Per-VM differences between two snapshots. */
export function intervalVms(state: LabState, a: Snapshot, b: Snapshot): Record<string, VmInterval> {
  const out: Record<string, VmInterval> = {};
  for (const d of state.domains) {
    const la = a.libvirt.get(d.name);
    const lb = b.libvirt.get(d.name);
    const sa = a.sflow[d.name] ?? { bytes: 0, samples: 0 };
    const sb = b.sflow[d.name] ?? { bytes: 0, samples: 0 };
    out[d.name] = {
      libvirtTxBytes: la && lb ? Math.max(0, lb.txBytes - la.txBytes) : 0,
      libvirtRxBytes: la && lb ? Math.max(0, lb.rxBytes - la.rxBytes) : 0,
      cpuSeconds: la && lb ? Math.max(0, lb.cpuTimeNs - la.cpuTimeNs) / 1e9 : 0,
      sflowBytes: Math.round(sb.bytes - sa.bytes),
      sflowSamples: sb.samples - sa.samples,
      up: lb !== undefined && !lb.gone,
    };
  }
  return out;
}

/** Merges the clients' reports of one interval. */
export function mergeClientIntervals(
  reports: readonly IntervalReport[],
): Omit<IntervalRecord, 'index' | 'startMs' | 'endMs' | 'vms'> {
  const pages: number[] = [];
  const ttfb: number[] = [];
  const byTarget: Record<string, TargetCounts> = {};
  const errors: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let bytes = 0;
  for (const r of reports) {
    ok += r.ok;
    failed += r.failed;
    bytes += r.bytes;
    for (const v of r.pageLatencyMs) pages.push(v);
    for (const v of r.streamTtfbMs) ttfb.push(v);
    for (const [t, c] of Object.entries(r.byTarget)) {
      const m = (byTarget[t] ??= { ok: 0, failed: 0, bytes: 0 });
      m.ok += c.ok;
      m.failed += c.failed;
      m.bytes += c.bytes;
    }
    for (const [e, n] of Object.entries(r.errors)) errors[e] = (errors[e] ?? 0) + n;
  }
  return { ok, failed, bytes, pageLatency: summarize(pages), streamTtfb: summarize(ttfb), byTarget, errors };
}

function mb(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}

export async function runTraffic(
  o: TrafficOptions,
  command = 'vigil lab traffic',
): Promise<{ result: TrafficResult; dir: string }> {
  const read = await readState(o.stateDir);
  if (!read.ok) {
    throw new Error(
      read.reason === 'absent'
        ? `no lab in ${o.stateDir}: run \`vigil lab up\` first`
        : `state file: ${read.error}`,
    );
  }
  const state = read.state;
  const down = (await partStatuses(state)).filter((p) => !p.up);
  if (down.length > 0)
    throw new Error(`lab parts are not up: ${down.map((p) => `${p.kind} ${p.name}`).join(', ')}`);
  const clientCount = o.clients ?? state.clients.length;
  if (!Number.isInteger(clientCount) || clientCount < 1 || clientCount > state.clients.length) {
    throw new Error(`--clients ${clientCount}: the lab has ${state.clients.length} client namespaces`);
  }
  if (!Number.isInteger(o.intervals) || o.intervals < 1 || o.intervals > 1000)
    throw new Error('--intervals: 1-1000');
  if (!(o.intervalMs >= 1000)) throw new Error('--interval: at least 1 s');
  if (!(o.streamShare >= 0 && o.streamShare <= 1)) throw new Error('--mix: the stream share must be 0-1');
  const vmByName = new Map(state.domains.map((d) => [d.name, d]));
  for (const [flag, vm] of [
    ['--hog', o.hog],
    ['--kill', o.kill],
  ] as const) {
    if (vm !== undefined && !vmByName.has(vm)) {
      throw new Error(`${flag} ${vm}: no such lab VM (${state.domains.map((d) => d.name).join(', ')})`);
    }
  }
  // Nothing the clients send to the lab's range may leave the host, even if the route went meanwhile.
  await ensureLabRoute();
  const runId = o.runId ?? runIdNow();
  const dir = join(o.stateDir, 'runs', runId);
  await mkdir(dir, { recursive: true });

  const vnics = new Map<number, string>();
  for (const d of state.domains) if (d.ifindex !== undefined) vnics.set(d.ifindex, d.name);
  const tally = new VnicSflowTally(vnics);
  const sock = dgram.createSocket('udp4');
  sock.on('message', (m) => tally.add(m));
  await new Promise<void>((resolve, reject) => {
    sock.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `the lab's sFlow recorder port ${state.options.recorderPort} is in use: is another \`lab traffic\` running?`,
            )
          : err,
      ),
    );
    sock.bind(state.options.recorderPort, '127.0.0.1', () => resolve());
  });
  const libvirt = await VnicCounterReader.open(state.libvirtUri).catch((err: Error) => {
    sock.close();
    throw new Error(`libvirt ${state.libvirtUri}: ${err.message}`);
  });
  const ports = new Map(state.domains.map((d) => [d.name, d.port]));
  // A domain that stops (killed) takes its counters with it: its last reading stands for its final count.
  const lastSeen = new Map<string, VnicCounters>();
  const readLibvirt = async (): Promise<Map<string, VnicCounters>> => {
    const now = await libvirt.read(ports);
    for (const [vm, c] of now) lastSeen.set(vm, c);
    return now;
  };
  const snapshot = async (): Promise<Snapshot> => {
    const now = await readLibvirt();
    const merged = new Map<string, Reading>(now);
    for (const [vm, c] of lastSeen) if (!merged.has(vm)) merged.set(vm, { ...c, gone: true });
    return { libvirt: merged, sflow: tally.snapshot() };
  };

  // The hog starts before the first interval and, when the load balancer places the clients, until
  // Vigil's metrics show it: each client is placed once, on its first request.
  let hogNote: string | undefined;
  if (o.hog) {
    const vm = vmByName.get(o.hog)!;
    await requireProgram('curl', 'curl');
    const seconds = Math.ceil((START_DELAY_MS + HOG_WARMUP_MS + o.intervals * o.intervalMs) / 1000) + 5;
    await runIn(state.clients[0]!.ns, [
      'curl',
      '-sf',
      '-m',
      '10',
      `http://${vm.ip}/cgi-bin/hog?seconds=${seconds}`,
    ]);
    o.write(`hog: ${vm.name} burns a CPU for ${seconds} s`);
    hogNote = `CPU hog running in ${vm.name} from before the first interval`;
    if (state.target === 'vip' && state.dashboardUrl) {
      const seen = await waitForHogInMetrics(state.dashboardUrl, vm.name, HOG_WARMUP_MS);
      o.write(
        seen === undefined
          ? `hog: Vigil's metrics did not show it within ${HOG_WARMUP_MS / 1000} s; starting anyway`
          : `hog: Vigil sees ${vm.name} at ${seen.toFixed(0)} % CPU`,
      );
    }
  }

  const startAt = Date.now() + START_DELAY_MS;
  const endAt = startAt + o.intervals * o.intervalMs;
  const events: TrafficResult['events'] = [];
  const reports: IntervalReport[][] = Array.from({ length: o.intervals }, () => []);
  const ticks = new Map<string, { ok: number; failed: number; bytes: number }>();
  const clientFailures: string[] = [];
  const timers: NodeJS.Timeout[] = [];
  o.write(
    `traffic: ${clientCount} clients -> ${state.target === 'vip' ? `VIP ${state.vip}` : 'VM addresses (no load balancer)'}, ` +
      `${o.intervals} x ${formatMs(o.intervalMs)}, streams ${Math.round(o.streamShare * 100)}% at ${o.streamKbps} kbit/s`,
  );

  try {
    const snaps: Snapshot[] = [];
    const boundary = (k: number) =>
      new Promise<void>((resolve) => {
        timers.push(
          setTimeout(
            () => {
              snapshot().then(
                (s) => {
                  snaps[k] = s;
                  resolve();
                },
                (err: Error) => {
                  // The once-a-second readings stand in: at most a second old.
                  o.write(`libvirt read at boundary ${k} failed (${err.message}): using the last reading`);
                  snaps[k] = { libvirt: new Map(lastSeen), sflow: tally.snapshot() };
                  resolve();
                },
              );
            },
            Math.max(0, startAt + k * o.intervalMs - Date.now() + (k === o.intervals ? SFLOW_FLUSH_MS : 0)),
          ),
        );
      });
    const boundaries = Array.from({ length: o.intervals + 1 }, (_, k) => boundary(k));

    if (hogNote) events.push({ atMs: 0, what: hogNote });
    if (o.kill) {
      const vm = vmByName.get(o.kill)!;
      const after = o.killAfterMs ?? Math.floor((o.intervals * o.intervalMs) / 2);
      timers.push(
        setTimeout(
          () => {
            const at = Date.now() - startAt;
            run('virsh', ['-c', state.libvirtUri, 'destroy', vm.name]).then(
              () => {
                events.push({ atMs: at, what: `${vm.name} killed (virsh destroy)` });
                o.write(`kill: ${vm.name} destroyed`);
              },
              (err: Error) => o.write(`kill: ${vm.name} could not be destroyed: ${err.message}`),
            );
          },
          Math.max(0, startAt + after - Date.now()),
        ),
      );
    }

    const clientRuns = state.clients.slice(0, clientCount).map((c, i) => {
      const cfg: ClientConfig = {
        clientId: c.name,
        targets: clientTargets(state, i),
        port: 80,
        startAt,
        intervalMs: o.intervalMs,
        intervals: o.intervals,
        streamShare: o.streamShare,
        thinkMs: o.thinkMs,
        streamKbps: o.streamKbps,
        pages: GUEST_PAGES,
        songs: GUEST_SONGS,
        timeoutMs: 5_000,
        seed: (o.seed ?? 1) * 1000 + i,
      };
      const nodeArgs = CLIENT_SCRIPT.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [];
      const child = spawnIn(
        c.ns,
        [process.execPath, ...nodeArgs, fileURLToPath(CLIENT_SCRIPT), JSON.stringify(cfg)],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => {
        if (stderr.length < 4000) stderr += d.toString();
      });
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (text) => {
        let l: ClientLine;
        try {
          l = JSON.parse(text) as ClientLine;
        } catch {
          return;
        }
        if (l.t === 'tick') ticks.set(c.name, { ok: l.ok, failed: l.failed, bytes: l.bytes });
        else if (l.t === 'interval' && Number.isInteger(l.index) && l.index >= 0 && l.index < o.intervals)
          reports[l.index]!.push(l);
        else if (l.t === 'fatal') clientFailures.push(`${c.name}: ${l.error}`);
      });
      return new Promise<void>((resolve) => {
        child.on('close', (code) => {
          if (code !== 0)
            clientFailures.push(
              `${c.name}: exited with ${code}${stderr ? `: ${stderr.trim().slice(-500)}` : ''}`,
            );
          resolve();
        });
      });
    });

    const poll = setInterval(() => void readLibvirt().catch(() => {}), 1000);
    timers.push(poll);
    const progress = setInterval(
      () => {
        const now = Date.now();
        if (now < startAt) return;
        let ok = 0;
        let failed = 0;
        let bytes = 0;
        for (const t of ticks.values()) {
          ok += t.ok;
          failed += t.failed;
          bytes += t.bytes;
        }
        const k = Math.min(o.intervals, Math.floor((now - startAt) / o.intervalMs) + 1);
        o.write(
          `[interval ${k}/${o.intervals}, ${formatMs(now - startAt)} of ${formatMs(endAt - startAt)}] ` +
            `${ok} ok, ${failed} failed, ${mb(bytes)} received`,
        );
      },
      Math.min(5000, Math.max(1000, o.intervalMs / 4)),
    );
    timers.push(progress);

    await Promise.all(clientRuns);
    await Promise.all(boundaries);

    const intervals: IntervalRecord[] = [];
    for (let k = 0; k < o.intervals; k++) {
      intervals.push({
        index: k,
        startMs: k * o.intervalMs,
        endMs: (k + 1) * o.intervalMs,
        vms: intervalVms(state, snaps[k]!, snaps[k + 1]!),
        ...mergeClientIntervals(reports[k]!),
      });
    }
    const { write: _w, stateDir: _s, ...rest } = o;
    const result: TrafficResult = {
      version: 1,
      runId,
      prefix: state.prefix,
      target: state.target,
      algorithm: state.options.algorithm,
      startedAt: new Date(startAt).toISOString(),
      command,
      options: { ...rest, clients: clientCount },
      vms: state.domains.map((d) => ({ name: d.name, ip: d.ip, bridge: d.bridge })),
      intervals,
      events,
      sflow: { datagrams: tally.datagrams, rejected: tally.rejected, otherSamples: tally.otherSamples },
      libvirtReconnects: libvirt.reconnects,
      clientFailures,
    };
    await writeFile(join(dir, 'traffic.json'), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(join(o.stateDir, 'runs', 'latest'), `${runId}\n`);
    const total = intervals.reduce((a, i) => ({ ok: a.ok + i.ok, failed: a.failed + i.failed }), {
      ok: 0,
      failed: 0,
    });
    o.write(`traffic done: ${total.ok} requests ok, ${total.failed} failed; results in ${dir}`);
    if (clientFailures.length) o.write(`client problems: ${clientFailures.join('; ')}`);
    return { result, dir };
  } finally {
    for (const t of timers) clearTimeout(t);
    sock.close();
    await libvirt.close();
  }
}

/** Longest wait for a hog to show in Vigil's metrics before the clients start. */
const HOG_WARMUP_MS = 30_000;

/** Polls Vigil's API until the VM's CPU shows the hog (>= 50 %); its CPU %, or undefined on timeout. */
async function waitForHogInMetrics(
  dashboardUrl: string,
  vmName: string,
  timeoutMs: number,
): Promise<number | undefined> {
  let cpu: number | undefined;
  const busy = async (): Promise<boolean> => {
    try {
      const res = await fetch(new URL('api/v1/vms', dashboardUrl), { signal: AbortSignal.timeout(2000) });
      if (!res.ok) return false;
      const body = (await res.json()) as { vms?: Array<{ name?: string; metrics?: Record<string, number> }> };
      cpu = body.vms?.find((v) => v.name === vmName)?.metrics?.['cpu.percent'];
      return cpu !== undefined && cpu >= 50;
    } catch {
      return false; // not answering: try again
    }
  };
  return waitFor(`${vmName}'s hog`, busy, timeoutMs, 500).then(
    () => cpu,
    () => undefined,
  );
}
