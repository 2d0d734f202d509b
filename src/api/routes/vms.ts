// Compute hosts and VMs, from the store: the latest sample of every VM and its metric history.

import Type from 'typebox';
import type { StoredSample } from '../../store/store.js';
import { V1, type ApiApp, type ApiDeps } from '../app.js';
import { errorResponses } from '../schemas/common.js';
import { ComputeHost, Series, SeriesQuery, Vm, type ComputeHost as Host } from '../schemas/vms.js';
import { notFound, HttpError } from '../errors.js';

export interface VmRouteOptions {
  /** A sample older than this counts as stale even if the monitor has not marked it. */
  staleAfterMs: number;
  /** Longest history window a request may ask for. */
  maxWindowMs: number;
  now: () => number;
}

const DEFAULT_WINDOW_S = 900;

/** Samples are the monitor's own JSON, passed through whole: plain JSON.stringify is ten times faster
 * than a schema serializer on open-ended objects. The schema still documents the shape. */
const plainJson = () => (data: unknown) => JSON.stringify(data);
const UUID_PARAM = Type.Object(
  { uuid: Type.String({ pattern: '^[A-Za-z0-9_.:@%+-]{1,256}$' }) },
  { additionalProperties: false },
);

export function withStale(s: StoredSample, now: number, staleAfterMs: number): StoredSample {
  const age = now - s.time;
  if (s.stale === true || age <= staleAfterMs) return s.stale === undefined ? { ...s, stale: false } : s;
  return { ...s, stale: true, staleSeconds: Math.max(0, age / 1000) };
}

const num = (s: StoredSample, k: string): number => s.metrics[k] ?? 0;

export function summariseHosts(samples: readonly StoredSample[]): Host[] {
  const byHost = new Map<string, Host & { cpuWeighted: number; cpuVcpus: number }>();
  for (const s of samples) {
    const name = typeof s.host === 'string' ? s.host : '';
    let h = byHost.get(name);
    if (!h) {
      h = {
        name,
        vms: 0,
        running: 0,
        stale: 0,
        vcpus: 0,
        cpu_percent: null,
        memory_used_bytes: 0,
        net_rx_bytes_per_s: 0,
        net_tx_bytes_per_s: 0,
        last_sample: null,
        cpuWeighted: 0,
        cpuVcpus: 0,
      };
      byHost.set(name, h);
    }
    h.vms++;
    if (s.state === 'running') h.running++;
    if (s.stale === true) h.stale++;
    const vcpus = s.metrics['vcpu.count'] ?? 1;
    h.vcpus += s.metrics['vcpu.count'] ?? 0;
    const cpu = s.metrics['cpu.percent'];
    if (cpu !== undefined) {
      h.cpuWeighted += cpu * vcpus;
      h.cpuVcpus += vcpus;
    }
    h.memory_used_bytes += s.metrics['memory.used_bytes'] ?? s.metrics['memory.rss_bytes'] ?? 0;
    h.net_rx_bytes_per_s += num(s, 'net.rx_bytes_per_s');
    h.net_tx_bytes_per_s += num(s, 'net.tx_bytes_per_s');
    h.last_sample = Math.max(h.last_sample ?? 0, s.time);
  }
  return [...byHost.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ cpuWeighted, cpuVcpus, ...h }) => ({
      ...h,
      cpu_percent: cpuVcpus > 0 ? cpuWeighted / cpuVcpus : null,
    }));
}

export function vmRoutes(app: ApiApp, deps: ApiDeps, opts: VmRouteOptions): void {
  const { store } = deps;
  const fresh = async () =>
    (await store.listSamples()).map((s) => withStale(s, opts.now(), opts.staleAfterMs));

  app.get(
    `${V1}/hosts`,
    {
      schema: {
        tags: ['compute'],
        summary: 'Compute hosts with their VMs’ summed load',
        response: { 200: Type.Object({ hosts: Type.Array(ComputeHost) }), ...errorResponses(401, 503) },
      },
    },
    async () => ({ hosts: summariseHosts(await fresh()) }),
  );

  app.get(
    `${V1}/vms`,
    {
      serializerCompiler: plainJson,
      schema: {
        tags: ['compute'],
        summary: 'Every VM with its latest sample (inventory and metrics)',
        querystring: Type.Object(
          {
            host: Type.Optional(Type.String({ maxLength: 1024 })),
            project: Type.Optional(Type.String({ maxLength: 256, description: 'Nova project name or uuid' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ vms: Type.Array(Vm) }), ...errorResponses(400, 401, 503) },
      },
    },
    async (req) => {
      const { host, project } = req.query;
      const vms = (await fresh()).filter((s) => {
        if (host !== undefined && s.host !== host) return false;
        if (project !== undefined) {
          const p = (s.nova as { project?: { name?: string; uuid?: string } } | undefined)?.project;
          if (p?.name !== project && p?.uuid !== project) return false;
        }
        return true;
      });
      return { vms: vms as Array<StoredSample & { name: string; host: string; stale: boolean }> };
    },
  );

  app.get(
    `${V1}/vms/:uuid`,
    {
      schema: {
        tags: ['compute'],
        summary: 'One VM’s latest sample',
        params: UUID_PARAM,
        response: { 200: Type.Object({ vm: Vm }), ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (req) => {
      const s = await store.getSample(req.params.uuid);
      if (!s) throw notFound(`VM ${req.params.uuid}`);
      return {
        vm: withStale(s, opts.now(), opts.staleAfterMs) as StoredSample & {
          name: string;
          host: string;
          stale: boolean;
        },
      };
    },
  );

  app.get(
    `${V1}/vms/:uuid/series`,
    {
      schema: {
        tags: ['compute'],
        summary: 'A VM’s metric history over a time window',
        params: UUID_PARAM,
        querystring: SeriesQuery,
        response: { 200: Series, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (req) => {
      const { uuid } = req.params;
      const q = req.query;
      const to = q.to ?? opts.now();
      const from = q.from ?? to - (q.window ?? DEFAULT_WINDOW_S) * 1000;
      if (from > to)
        throw new HttpError(
          400,
          'invalid_input',
          '/querystring/from must not be after to',
          '/querystring/from',
        );
      if (to - from > opts.maxWindowMs) {
        throw new HttpError(
          400,
          'invalid_input',
          `/querystring/from: the window may span at most ${opts.maxWindowMs / 1000} s`,
          '/querystring/from',
        );
      }
      if (!(await store.getSample(uuid))) throw notFound(`VM ${uuid}`);
      const names = [...new Set(q.metrics.split(','))];
      const series: Record<string, Array<[number, number]>> = {};
      await Promise.all(
        names.map(async (m) => {
          const pts = await store.readSeries(uuid, m, { from, to });
          series[m] = pts.map((p) => [p.time, p.value]);
        }),
      );
      return { uuid, from, to, series };
    },
  );
}
