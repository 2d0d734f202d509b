// `vigil lab report`: the paper's Table 2 (each VM's traffic per interval) from a traffic run, measured two
// ways side by side (libvirt's vNIC counters and sFlow's sampled estimate), with the spread across VMs per
// interval, failed requests and latency percentiles. Pure: a run's result in, a report value out.

import { coefficientOfVariation, mean, relativeDifference } from './lab-stats.js';
import type { TrafficResult } from './traffic-run.js';

/** Largest libvirt/sFlow disagreement accepted for a VM in an interval. */
export const AGREEMENT_LIMIT = 0.15;
/** A VM that sent fewer bytes than this in a run did not serve. */
const SERVED_MIN_BYTES = 100_000;

export interface ReportCell {
  vm: string;
  libvirtBytes: number;
  sflowBytes: number;
  sflowSamples: number;
  /** |libvirt - sFlow| / libvirt; NaN when libvirt saw nothing. */
  difference: number;
  cpuSeconds: number;
  up: boolean;
}

export interface ReportInterval {
  index: number;
  startMs: number;
  endMs: number;
  cells: ReportCell[];
  /** Coefficient of variation of the libvirt bytes across the VMs that were up. */
  cv: number;
  /** (max - min) / mean of the libvirt bytes across the VMs that were up. */
  spread: number;
  ok: number;
  failed: number;
  pageP50: number;
  pageP95: number;
  pageP99: number;
  streamTtfbP50: number;
  streamTtfbP95: number;
}

export interface ReportVmTotal {
  vm: string;
  libvirtBytes: number;
  sflowBytes: number;
  /** Share of all bytes the VMs sent in the run (libvirt). */
  share: number;
}

export interface LabReport {
  runId: string;
  command: string;
  startedAt: string;
  target: 'vip' | 'direct';
  algorithm: string;
  intervalMs: number;
  clients: number;
  vms: string[];
  intervals: ReportInterval[];
  totals: ReportVmTotal[];
  events: string[];
  checks: {
    everyVmServed: boolean;
    /** Largest libvirt/sFlow difference over every VM and interval with traffic. */
    maxDifference: number;
    agreement: boolean;
    failedRequests: number;
    okRequests: number;
    meanCv: number;
    maxCv: number;
  };
}

export function buildReport(r: TrafficResult): LabReport {
  const vms = r.vms.map((v) => v.name);
  const intervals: ReportInterval[] = r.intervals.map((iv) => {
    const cells = vms.map((vm): ReportCell => {
      const x = iv.vms[vm];
      const libvirtBytes = x?.libvirtTxBytes ?? 0;
      const sflowBytes = x?.sflowBytes ?? 0;
      return {
        vm,
        libvirtBytes,
        sflowBytes,
        sflowSamples: x?.sflowSamples ?? 0,
        difference: relativeDifference(libvirtBytes, sflowBytes),
        cpuSeconds: x?.cpuSeconds ?? 0,
        up: x?.up ?? false,
      };
    });
    const upBytes = cells.filter((c) => c.up).map((c) => c.libvirtBytes);
    const m = mean(upBytes);
    return {
      index: iv.index,
      startMs: iv.startMs,
      endMs: iv.endMs,
      cells,
      cv: coefficientOfVariation(upBytes),
      spread: upBytes.length && m > 0 ? (Math.max(...upBytes) - Math.min(...upBytes)) / m : Number.NaN,
      ok: iv.ok,
      failed: iv.failed,
      pageP50: iv.pageLatency.p50,
      pageP95: iv.pageLatency.p95,
      pageP99: iv.pageLatency.p99,
      streamTtfbP50: iv.streamTtfb.p50,
      streamTtfbP95: iv.streamTtfb.p95,
    };
  });
  const all = intervals.flatMap((i) => i.cells);
  const grand = all.reduce((s, c) => s + c.libvirtBytes, 0);
  const totals = vms.map((vm) => {
    const cs = all.filter((c) => c.vm === vm);
    const libvirtBytes = cs.reduce((s, c) => s + c.libvirtBytes, 0);
    return {
      vm,
      libvirtBytes,
      sflowBytes: cs.reduce((s, c) => s + c.sflowBytes, 0),
      share: grand > 0 ? libvirtBytes / grand : 0,
    };
  });
  const diffs = all.filter((c) => c.libvirtBytes >= SERVED_MIN_BYTES).map((c) => c.difference);
  const maxDifference = diffs.length ? Math.max(...diffs) : Number.NaN;
  const cvs = intervals.map((i) => i.cv).filter((v) => Number.isFinite(v));
  const failedRequests = intervals.reduce((s, i) => s + i.failed, 0);
  return {
    runId: r.runId,
    command: r.command,
    startedAt: r.startedAt,
    target: r.target,
    algorithm: r.algorithm,
    intervalMs: r.options.intervalMs,
    clients: r.options.clients,
    vms,
    intervals,
    totals,
    events: r.events.map((e) => `${(e.atMs / 1000).toFixed(1)} s: ${e.what}`),
    checks: {
      everyVmServed: totals.length > 0 && totals.every((t) => t.libvirtBytes >= SERVED_MIN_BYTES),
      maxDifference,
      agreement: Number.isFinite(maxDifference) && maxDifference <= AGREEMENT_LIMIT,
      failedRequests,
      okRequests: intervals.reduce((s, i) => s + i.ok, 0),
      meanCv: mean(cvs),
      maxCv: cvs.length ? Math.max(...cvs) : Number.NaN,
    },
  };
}

const MB = 1e6;

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '';
}

function pct(n: number): string {
  return Number.isFinite(n) ? `${(n * 100).toFixed(1)}%` : 'n/a';
}

function csvField(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per interval and VM. */
export function renderCsv(rep: LabReport): string {
  const head = [
    'interval',
    'vm',
    'libvirt_mb',
    'sflow_mb',
    'difference_pct',
    'sflow_samples',
    'cpu_seconds',
    'up',
    'interval_cv',
    'interval_spread',
    'requests_ok',
    'requests_failed',
    'page_p50_ms',
    'page_p95_ms',
    'page_p99_ms',
    'stream_ttfb_p50_ms',
    'stream_ttfb_p95_ms',
  ];
  const lines = [head.join(',')];
  for (const iv of rep.intervals) {
    for (const c of iv.cells) {
      lines.push(
        [
          iv.index + 1,
          c.vm,
          fixed(c.libvirtBytes / MB, 3),
          fixed(c.sflowBytes / MB, 3),
          fixed(c.difference * 100, 2),
          c.sflowSamples,
          fixed(c.cpuSeconds, 2),
          c.up,
          fixed(iv.cv, 4),
          fixed(iv.spread, 4),
          iv.ok,
          iv.failed,
          fixed(iv.pageP50, 1),
          fixed(iv.pageP95, 1),
          fixed(iv.pageP99, 1),
          fixed(iv.streamTtfbP50, 1),
          fixed(iv.streamTtfbP95, 1),
        ]
          .map(csvField)
          .join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function ms(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(1)}` : '–';
}

export function renderMarkdown(rep: LabReport, chartFile?: string): string {
  const out: string[] = [];
  const minutes = rep.intervalMs / 60_000;
  out.push(`# Lab run ${rep.runId}`);
  out.push('');
  out.push(`Made by: \`${rep.command}\``);
  out.push('');
  out.push(
    `Started ${rep.startedAt}; ${rep.vms.length} VMs, ${rep.clients} clients, ${rep.intervals.length} intervals of ` +
      `${minutes >= 1 ? `${fixed(minutes, minutes % 1 ? 1 : 0)} min` : `${rep.intervalMs / 1000} s`}; traffic to ` +
      `${rep.target === 'vip' ? `the VIP, placed by ${rep.algorithm}` : 'the VM addresses (no load balancer)'}.`,
  );
  out.push('');
  out.push('## Traffic sent per VM and interval (MB): libvirt vNIC counters / sFlow estimate');
  out.push('');
  out.push(
    `| interval | ${rep.vms.join(' | ')} | CV | spread | ok | failed | page p50/p95/p99 ms | stream TTFB p50/p95 ms |`,
  );
  out.push(`|---:|${rep.vms.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|---:|`);
  for (const iv of rep.intervals) {
    const cells = iv.cells.map((c) =>
      c.up || c.libvirtBytes > 0
        ? `${fixed(c.libvirtBytes / MB, 1)} / ${fixed(c.sflowBytes / MB, 1)}`
        : 'down',
    );
    out.push(
      `| ${iv.index + 1} | ${cells.join(' | ')} | ${pct(iv.cv)} | ${pct(iv.spread)} | ${iv.ok} | ${iv.failed} | ` +
        `${ms(iv.pageP50)} / ${ms(iv.pageP95)} / ${ms(iv.pageP99)} | ${ms(iv.streamTtfbP50)} / ${ms(iv.streamTtfbP95)} |`,
    );
  }
  out.push(
    `| total | ${rep.totals.map((t) => `${fixed(t.libvirtBytes / MB, 1)} / ${fixed(t.sflowBytes / MB, 1)} (${pct(t.share)})`).join(' | ')} | | | ` +
      `${rep.checks.okRequests} | ${rep.checks.failedRequests} | | |`,
  );
  out.push('');
  out.push(
    'CV: coefficient of variation of the VMs’ libvirt bytes in the interval; spread: (max − min) / mean.',
  );
  out.push('');
  out.push('## Guest CPU seconds per VM and interval (libvirt)');
  out.push('');
  out.push(`| interval | ${rep.vms.join(' | ')} |`);
  out.push(`|---:|${rep.vms.map(() => '---:').join('|')}|`);
  for (const iv of rep.intervals) {
    out.push(`| ${iv.index + 1} | ${iv.cells.map((c) => fixed(c.cpuSeconds, 1)).join(' | ')} |`);
  }
  out.push('');
  out.push('## Checks');
  out.push('');
  out.push(`- every VM served: ${rep.checks.everyVmServed ? 'yes' : 'NO'}`);
  out.push(
    `- libvirt and sFlow agree within ${AGREEMENT_LIMIT * 100}%: ${rep.checks.agreement ? 'yes' : 'NO'} ` +
      `(largest difference ${pct(rep.checks.maxDifference)})`,
  );
  out.push(
    `- requests failed: ${rep.checks.failedRequests} of ${rep.checks.okRequests + rep.checks.failedRequests}`,
  );
  out.push(`- CV per interval: mean ${pct(rep.checks.meanCv)}, largest ${pct(rep.checks.maxCv)}`);
  if (rep.events.length) {
    out.push('');
    out.push('## Events');
    out.push('');
    for (const e of rep.events) out.push(`- ${e}`);
  }
  if (chartFile) {
    out.push('');
    out.push(`![traffic per VM and interval](${chartFile})`);
  }
  out.push('');
  return out.join('\n');
}
