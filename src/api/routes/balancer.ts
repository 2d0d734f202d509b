// Load balancers, pools, members and health monitors: Octavia v2's resources, bodies and status enums
// ({"pool": {...}} in, {"pool": {...}} out), under /api/v1. Changes reach the switches before the reply.

import Type, { type TSchema } from 'typebox';
import { CHANGE_SECURITY, V1, need, type ApiApp, type ApiDeps } from '../app.js';
import { HttpError, notFound } from '../errors.js';
import { ServiceError } from '../providers.js';
import { Channels } from '../../store/store.js';
import {
  AffinityEntry,
  HealthMonitor,
  HealthMonitorCreate,
  HealthMonitorUpdate,
  LoadBalancer,
  LoadBalancerCreate,
  LoadBalancerUpdate,
  Member,
  MemberCreate,
  MemberUpdate,
  Placement,
  PoolStats,
  Pool,
  PoolCreate,
  PoolUpdate,
  Stats,
} from '../schemas/balancer.js';
import { Id, IdParams, errorResponses } from '../schemas/common.js';

const wrap = <K extends string, T extends TSchema>(key: K, schema: T) =>
  Type.Object({ [key]: schema } as { [P in K]: T }, { additionalProperties: false });

/** Runs a change, turning the service's field names into pointers into the request body. */
async function change<T>(wrapper: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ServiceError && err.kind === 'invalid' && err.field) {
      const field = `/body/${wrapper}/${err.field}`;
      throw new HttpError(400, 'invalid_input', `${field}: ${err.message}`, field);
    }
    throw err;
  }
}

const PoolMemberParams = Type.Object({ pool_id: Id, member_id: Id }, { additionalProperties: false });
const PoolParams = Type.Object({ pool_id: Id }, { additionalProperties: false });

/** Which load-balancing object a change route touches, from its URL. */
export function changedObject(url: string): { kind: string; id?: string } | undefined {
  const m =
    /^\/api\/v1\/(loadbalancers|pools|healthmonitors)(?:\/([^/?]+))?(?:\/members(?:\/([^/?]+))?)?/.exec(url);
  if (!m) return undefined;
  if (url.includes('/members')) return { kind: 'member', ...(m[3] ? { id: m[3] } : {}) };
  const kind = m[1] === 'loadbalancers' ? 'loadbalancer' : m[1] === 'pools' ? 'pool' : 'healthmonitor';
  return { kind, ...(m[2] ? { id: m[2] } : {}) };
}

export function balancerRoutes(app: ApiApp, deps: ApiDeps): void {
  const svc = () => need(deps.balancer, 'the load balancer');

  // Every successful change is announced on the events channel, so dashboards and other processes
  // see it at once.
  app.addHook('onResponse', async (req, reply) => {
    if (req.method === 'GET' || req.method === 'HEAD' || reply.statusCode >= 300) return;
    const obj = changedObject(req.url);
    if (!obj) return;
    const action = req.method === 'POST' ? 'create' : req.method === 'DELETE' ? 'delete' : 'update';
    await deps.store
      .publish(Channels.events, { type: 'lb_config', time: Date.now(), action, ...obj })
      .catch((err: unknown) => req.log.warn({ err }, 'api: could not announce a load-balancer change'));
  });
  const tags = ['load balancing'];
  const reads = errorResponses(400, 401, 404, 503);
  const changes = errorResponses(400, 401, 403, 404, 409, 413, 503);

  app.get(
    `${V1}/algorithms`,
    {
      schema: {
        tags,
        summary: 'Placement algorithms a pool may use',
        response: { 200: Type.Object({ algorithms: Type.Array(Type.String()) }), ...reads },
      },
    },
    async () => ({ algorithms: [...svc().algorithms()] }),
  );

  // Load balancers.
  app.get(
    `${V1}/loadbalancers`,
    {
      schema: {
        tags,
        summary: 'Load balancers (one VIP each)',
        response: { 200: Type.Object({ loadbalancers: Type.Array(LoadBalancer) }), ...reads },
      },
    },
    async () => ({ loadbalancers: await svc().listLoadBalancers() }),
  );
  app.post(
    `${V1}/loadbalancers`,
    {
      schema: {
        tags,
        summary: 'Create a load balancer',
        security: CHANGE_SECURITY,
        body: wrap('loadbalancer', LoadBalancerCreate),
        response: { 201: wrap('loadbalancer', LoadBalancer), ...changes },
      },
    },
    async (req, reply) => {
      const lb = await change('loadbalancer', () => svc().createLoadBalancer(req.body.loadbalancer));
      return reply.code(201).send({ loadbalancer: lb });
    },
  );
  app.get(
    `${V1}/loadbalancers/:id`,
    {
      schema: {
        tags,
        summary: 'One load balancer',
        params: IdParams,
        response: { 200: wrap('loadbalancer', LoadBalancer), ...reads },
      },
    },
    async (req) => {
      const lb = await svc().getLoadBalancer(req.params.id);
      if (!lb) throw notFound(`load balancer ${req.params.id}`);
      return { loadbalancer: lb };
    },
  );
  app.put(
    `${V1}/loadbalancers/:id`,
    {
      schema: {
        tags,
        summary: 'Update a load balancer',
        security: CHANGE_SECURITY,
        params: IdParams,
        body: wrap('loadbalancer', LoadBalancerUpdate),
        response: { 200: wrap('loadbalancer', LoadBalancer), ...changes },
      },
    },
    async (req) => ({
      loadbalancer: await change('loadbalancer', () =>
        svc().updateLoadBalancer(req.params.id, req.body.loadbalancer),
      ),
    }),
  );
  app.delete(
    `${V1}/loadbalancers/:id`,
    {
      schema: {
        tags,
        summary: 'Delete a load balancer (409 while it has pools, unless cascade=true)',
        security: CHANGE_SECURITY,
        params: IdParams,
        querystring: Type.Object(
          { cascade: Type.Boolean({ default: false }) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...changes },
      },
    },
    async (req, reply) => {
      await svc().deleteLoadBalancer(req.params.id, { cascade: req.query.cascade });
      return reply.code(204).send(null);
    },
  );
  app.get(
    `${V1}/loadbalancers/:id/stats`,
    {
      schema: {
        tags,
        summary: 'Traffic and clients of a load balancer',
        params: IdParams,
        response: { 200: Type.Object({ stats: Stats }), ...reads },
      },
    },
    async (req) => ({ stats: await svc().loadBalancerStats(req.params.id) }),
  );

  // Pools.
  app.get(
    `${V1}/pools`,
    {
      schema: {
        tags,
        summary: 'Pools',
        querystring: Type.Object({ loadbalancer_id: Type.Optional(Id) }, { additionalProperties: false }),
        response: { 200: Type.Object({ pools: Type.Array(Pool) }), ...reads },
      },
    },
    async (req) => {
      const id = req.query.loadbalancer_id;
      return { pools: await svc().listPools(id === undefined ? undefined : { loadbalancerId: id }) };
    },
  );
  app.post(
    `${V1}/pools`,
    {
      schema: {
        tags,
        summary: 'Create a pool on a load balancer',
        security: CHANGE_SECURITY,
        body: wrap('pool', PoolCreate),
        response: { 201: wrap('pool', Pool), ...changes },
      },
    },
    async (req, reply) => {
      const pool = await change('pool', () => svc().createPool(req.body.pool));
      return reply.code(201).send({ pool });
    },
  );
  app.get(
    `${V1}/pools/:pool_id`,
    {
      schema: {
        tags,
        summary: 'One pool',
        params: PoolParams,
        response: { 200: wrap('pool', Pool), ...reads },
      },
    },
    async (req) => {
      const pool = await svc().getPool(req.params.pool_id);
      if (!pool) throw notFound(`pool ${req.params.pool_id}`);
      return { pool };
    },
  );
  app.put(
    `${V1}/pools/:pool_id`,
    {
      schema: {
        tags,
        summary: 'Update a pool',
        security: CHANGE_SECURITY,
        params: PoolParams,
        body: wrap('pool', PoolUpdate),
        response: { 200: wrap('pool', Pool), ...changes },
      },
    },
    async (req) => {
      return { pool: await change('pool', () => svc().updatePool(req.params.pool_id, req.body.pool)) };
    },
  );
  app.delete(
    `${V1}/pools/:pool_id`,
    {
      schema: {
        tags,
        summary: 'Delete a pool with its members, health monitor, flows and affinity',
        security: CHANGE_SECURITY,
        params: PoolParams,
        response: { 204: Type.Null(), ...changes },
      },
    },
    async (req, reply) => {
      await svc().deletePool(req.params.pool_id);
      return reply.code(204).send(null);
    },
  );
  app.get(
    `${V1}/pools/:pool_id/stats`,
    {
      schema: {
        tags,
        summary: 'Traffic and clients of a pool and of each member',
        params: PoolParams,
        response: {
          200: Type.Object({ stats: PoolStats }),
          ...reads,
        },
      },
    },
    async (req) => ({ stats: await svc().poolStats(req.params.pool_id) }),
  );
  app.get(
    `${V1}/pools/:pool_id/affinity`,
    {
      schema: {
        tags,
        summary: 'The pool’s affinity table: which client is served by which member',
        params: PoolParams,
        response: { 200: Type.Object({ affinity: Type.Array(AffinityEntry) }), ...reads },
      },
    },
    async (req) => {
      const id = req.params.pool_id;
      if (!(await svc().getPool(id))) throw notFound(`pool ${id}`);
      const entries = await deps.store.listAffinity(id);
      return { affinity: entries.sort((a, b) => b.lastSeen - a.lastSeen) };
    },
  );

  // Members.
  app.get(
    `${V1}/pools/:pool_id/members`,
    {
      schema: {
        tags,
        summary: 'Members of a pool',
        params: PoolParams,
        response: { 200: Type.Object({ members: Type.Array(Member) }), ...reads },
      },
    },
    async (req) => {
      if (!(await svc().getPool(req.params.pool_id))) throw notFound(`pool ${req.params.pool_id}`);
      return { members: await svc().listMembers(req.params.pool_id) };
    },
  );
  app.post(
    `${V1}/pools/:pool_id/members`,
    {
      schema: {
        tags,
        summary: 'Add a member (a VM’s address) to a pool',
        security: CHANGE_SECURITY,
        params: PoolParams,
        body: wrap('member', MemberCreate),
        response: { 201: wrap('member', Member), ...changes },
      },
    },
    async (req, reply) => {
      const member = await change('member', () => svc().createMember(req.params.pool_id, req.body.member));
      return reply.code(201).send({ member });
    },
  );
  app.get(
    `${V1}/pools/:pool_id/members/:member_id`,
    {
      schema: {
        tags,
        summary: 'One member',
        params: PoolMemberParams,
        response: { 200: wrap('member', Member), ...reads },
      },
    },
    async (req) => {
      const m = await svc().getMember(req.params.pool_id, req.params.member_id);
      if (!m) throw notFound(`member ${req.params.member_id} of pool ${req.params.pool_id}`);
      return { member: m };
    },
  );
  app.put(
    `${V1}/pools/:pool_id/members/:member_id`,
    {
      schema: {
        tags,
        summary: 'Update a member (weight, admin state)',
        security: CHANGE_SECURITY,
        params: PoolMemberParams,
        body: wrap('member', MemberUpdate),
        response: { 200: wrap('member', Member), ...changes },
      },
    },
    async (req) => ({
      member: await change('member', () =>
        svc().updateMember(req.params.pool_id, req.params.member_id, req.body.member),
      ),
    }),
  );
  app.delete(
    `${V1}/pools/:pool_id/members/:member_id`,
    {
      schema: {
        tags,
        summary: 'Remove a member; its clients are placed again',
        security: CHANGE_SECURITY,
        params: PoolMemberParams,
        response: { 204: Type.Null(), ...changes },
      },
    },
    async (req, reply) => {
      await svc().deleteMember(req.params.pool_id, req.params.member_id);
      return reply.code(204).send(null);
    },
  );

  // Health monitors.
  app.get(
    `${V1}/healthmonitors`,
    {
      schema: {
        tags,
        summary: 'Health monitors',
        response: { 200: Type.Object({ healthmonitors: Type.Array(HealthMonitor) }), ...reads },
      },
    },
    async () => ({ healthmonitors: await svc().listHealthMonitors() }),
  );
  app.post(
    `${V1}/healthmonitors`,
    {
      schema: {
        tags,
        summary: 'Create a pool’s health monitor (one per pool)',
        security: CHANGE_SECURITY,
        body: wrap('healthmonitor', HealthMonitorCreate),
        response: { 201: wrap('healthmonitor', HealthMonitor), ...changes },
      },
    },
    async (req, reply) => {
      const b = req.body.healthmonitor;
      if (b.timeout > b.delay) {
        throw new HttpError(
          400,
          'invalid_input',
          '/body/healthmonitor/timeout must not exceed delay',
          '/body/healthmonitor/timeout',
        );
      }
      const hm = await change('healthmonitor', () => svc().createHealthMonitor(b));
      return reply.code(201).send({ healthmonitor: hm });
    },
  );
  app.get(
    `${V1}/healthmonitors/:id`,
    {
      schema: {
        tags,
        summary: 'One health monitor',
        params: IdParams,
        response: { 200: wrap('healthmonitor', HealthMonitor), ...reads },
      },
    },
    async (req) => {
      const hm = await svc().getHealthMonitor(req.params.id);
      if (!hm) throw notFound(`health monitor ${req.params.id}`);
      return { healthmonitor: hm };
    },
  );
  app.put(
    `${V1}/healthmonitors/:id`,
    {
      schema: {
        tags,
        summary: 'Update a health monitor',
        security: CHANGE_SECURITY,
        params: IdParams,
        body: wrap('healthmonitor', HealthMonitorUpdate),
        response: { 200: wrap('healthmonitor', HealthMonitor), ...changes },
      },
    },
    async (req) => ({
      healthmonitor: await change('healthmonitor', () =>
        svc().updateHealthMonitor(req.params.id, req.body.healthmonitor),
      ),
    }),
  );
  app.delete(
    `${V1}/healthmonitors/:id`,
    {
      schema: {
        tags,
        summary: 'Delete a health monitor; its members become NO_MONITOR',
        security: CHANGE_SECURITY,
        params: IdParams,
        response: { 204: Type.Null(), ...changes },
      },
    },
    async (req, reply) => {
      await svc().deleteHealthMonitor(req.params.id);
      return reply.code(204).send(null);
    },
  );

  // The placement log.
  app.get(
    `${V1}/placements`,
    {
      schema: {
        tags,
        summary: 'The placement log, newest first: which client went to which VM, and why',
        querystring: Type.Object(
          { pool_id: Type.Optional(Id), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ placements: Type.Array(Placement) }), ...reads },
      },
    },
    async (req) => {
      const q = req.query;
      const placements = await svc().placements({
        ...(q.pool_id !== undefined ? { poolId: q.pool_id } : {}),
        limit: q.limit,
      });
      return { placements: placements.slice(0, q.limit) };
    },
  );
}
