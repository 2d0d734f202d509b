// Compute hosts and VMs, from the store: the latest sample of every VM and its metric history.

import Type from 'typebox';
import { withStaleness } from '../../store/sample-staleness.js';
import { V1, type ApiApp, type ApiDeps } from '../app.js';
import { errorResponses } from '../schemas/common.js';
import { summariseHosts } from '../host-summary.js';
import { ComputeHost, Series, SeriesQuery, Vm } from '../schemas/vms.js';
import { notFound, HttpError } from '../errors.js';

export interface VmRouteOptions {
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

export function vmRoutes(app: ApiApp, deps: ApiDeps, opts: VmRouteOptions): void {
  const { store } = deps;
  const fresh = async () => (await store.listSamples()).map((s) => withStaleness(s, opts.now()));

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
          const p = s.nova?.project;
          if (p?.name !== project && p?.uuid !== project) return false;
        }
        return true;
      });
      return { vms };
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
      return { vm: withStaleness(s, opts.now()) };
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
