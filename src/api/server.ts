// The operator surfaces in one fastify app: REST API under /api/v1 (OpenAPI at /openapi.json, docs at
// /docs), the event stream, Prometheus /metrics and the web dashboard.

import Fastify, { LogController } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Logger } from 'pino';
import { silentLogger } from '../log/logger.js';
import { V1, type ApiApp, type ApiDeps } from './app.js';
import { authHook, type AuthOptions } from './auth.js';
import { errorHandler, sendError } from './errors.js';
import { DEFAULT_EVENT_STREAM, EventHub, parseTypes, type EventStreamOptions } from './event-stream.js';
import { VigilMetrics } from './prometheus.js';
import { BUILD_DASHBOARD, DEFAULT_WEB_ROOT, dashboardBuilt } from './web-root.js';
import { balancerRoutes } from './routes/balancer.js';
import { switchRoutes } from './routes/switches.js';
import { trafficRoutes } from './routes/traffic.js';
import { vmRoutes } from './routes/vms.js';
import { errorResponses } from './schemas/common.js';

export type { ApiDeps } from './app.js';

export interface ApiOptions extends AuthOptions {
  logger?: Logger;
  /** Largest request body accepted (bytes). */
  bodyLimitBytes?: number;
  /** Time allowed to receive a whole request (ms). */
  requestTimeoutMs?: number;
  /** Longest metric history one request may ask for. */
  maxSeriesWindowMs?: number;
  /** Folder of the built dashboard; false serves none. Default: web-dist/ of the installation. */
  webRoot?: string | false;
  eventStream?: Partial<EventStreamOptions>;
  /** Export Node.js process metrics on /metrics too. */
  processMetrics?: boolean;
  version?: string;
  now?: () => number;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;

const DASHBOARD_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface ApiServer {
  app: ApiApp;
  events: EventHub;
  metrics: VigilMetrics;
}

export async function createApiServer(deps: ApiDeps, options: ApiOptions = {}): Promise<ApiServer> {
  const log = options.logger ?? silentLogger();
  const now = options.now ?? Date.now;
  const app: ApiApp = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    routerOptions: { maxParamLength: 300 },
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const events = new EventHub(deps.store, log, { ...DEFAULT_EVENT_STREAM, ...options.eventStream });
  const metrics = new VigilMetrics({ ...deps, events }, { processMetrics: options.processMetrics ?? true });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Vigil API',
        version: options.version ?? '0.0.0',
        description:
          'VM load from libvirt and sFlow, switches and flow tables from OpenFlow, and metric-driven load ' +
          'balancing with Octavia-like resources. Changes need `Authorization: Bearer <token>`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      tags: [
        { name: 'compute', description: 'hosts and VMs from the libvirt monitor' },
        { name: 'switches', description: 'OpenFlow datapaths and flow tables' },
        { name: 'traffic', description: 'sFlow traffic estimates' },
        { name: 'load balancing', description: 'load balancers, pools, members, health monitors' },
        { name: 'system', description: 'status, events, metrics' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler(errorHandler(log));
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, {
      statusCode: 404,
      error: 'Not Found',
      code: 'not_found',
      message: `no route ${req.method} ${req.url.split('?')[0]}`,
    }),
  );
  app.addHook('onRequest', authHook(options));
  app.addHook('onResponse', async (req, reply) => {
    const line = {
      method: req.method,
      url: req.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      peer: req.ip,
    };
    if (reply.statusCode >= 500) log.warn(line, 'api: request failed');
    else if (reply.statusCode === 401 || reply.statusCode === 403) log.info(line, 'api: request refused');
    else log.debug(line, 'api: request');
  });
  app.addHook('onReady', async () => events.start());
  app.addHook('preClose', async () => events.stop());

  vmRoutes(app, deps, {
    maxWindowMs: options.maxSeriesWindowMs ?? 7 * 86_400_000,
    now,
  });
  switchRoutes(app, deps);
  trafficRoutes(app, deps);
  balancerRoutes(app, deps);

  app.get(
    `${V1}/status`,
    {
      schema: {
        tags: ['system'],
        summary: 'What this Vigil process runs and allows',
        response: {
          200: Type.Object({
            version: Type.String(),
            store: Type.String(),
            uptime_seconds: Type.Number(),
            read_only: Type.Boolean(),
            changes_enabled: Type.Boolean(),
            providers: Type.Object({
              switches: Type.Boolean(),
              traffic: Type.Boolean(),
              balancer: Type.Boolean(),
              internals: Type.Boolean(),
            }),
            event_stream_clients: Type.Integer(),
          }),
          ...errorResponses(401),
        },
      },
    },
    async () => ({
      version: options.version ?? '0.0.0',
      store: deps.store.kind,
      uptime_seconds: process.uptime(),
      read_only: options.readOnly === true,
      changes_enabled: options.readOnly !== true && !!options.token,
      providers: {
        switches: !!deps.switches,
        traffic: !!deps.traffic,
        balancer: !!deps.balancer,
        internals: !!deps.internals,
      },
      event_stream_clients: events.size,
    }),
  );

  app.get(
    `${V1}/events`,
    {
      exposeHeadRoute: false,
      schema: {
        tags: ['system'],
        summary:
          'Server-sent events: sample (a new VM sample), placement, member_health, switch_up, switch_down, ...',
        querystring: Type.Object(
          {
            types: Type.Optional(
              Type.String({
                pattern: '^[a-z0-9_,]{1,256}$',
                description: 'comma-separated event names; default all',
              }),
            ),
            vm: Type.Optional(
              Type.String({ pattern: '^[A-Za-z0-9_.:@%+-]{1,256}$', description: 'only samples of this VM' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.String({ description: 'text/event-stream' }),
          ...errorResponses(400, 401, 503),
        },
      },
    },
    async (req, reply) => {
      if (events.size >= (options.eventStream?.maxClients ?? DEFAULT_EVENT_STREAM.maxClients)) {
        return sendError(reply, {
          statusCode: 503,
          error: 'Service Unavailable',
          code: 'too_many_clients',
          message: 'the event stream has its maximum number of clients; retry later',
        });
      }
      reply.hijack();
      const filter = {
        types: parseTypes(req.query.types),
        ...(req.query.vm !== undefined ? { vm: req.query.vm } : {}),
      };
      events.add(reply.raw, filter, req.ip);
      return reply;
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const text = await metrics.render(now());
    return reply.type(metrics.registry.contentType).send(text);
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  if (webRoot !== false && dashboardBuilt(webRoot)) {
    await app.register(fastifyStatic, {
      root: webRoot,
      prefix: '/',
      wildcard: false,
      index: 'index.html',
      setHeaders(res, path: string) {
        res.header('x-content-type-options', 'nosniff');
        res.header('referrer-policy', 'no-referrer');
        if (path.endsWith('.html')) {
          res.header('cache-control', 'no-cache');
          res.header('content-security-policy', DASHBOARD_CSP);
        } else if (path.includes('/assets/')) {
          res.header('cache-control', 'public, max-age=31536000, immutable');
        }
      },
    });
  } else if (webRoot !== false) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(`The Vigil dashboard is not built: ${BUILD_DASHBOARD}, then reload this page.\n`),
    );
  }

  return { app, events, metrics };
}

/** Splits 'host:port' or '[v6]:port' (the config's endpoint format). */
export { parseEndpoint } from '../config/endpoint.js';
