// Load-balancer objects shaped like OpenStack Octavia's (load balancer, pool, member, health monitor),
// in camelCase: Octavia's `lb_algorithm` is `algorithm`, `protocol_port` is `port`, `max_retries` is
// `rise`, `max_retries_down` is `fall`, `admin_state_up` is `adminStateUp`. One typebox object is the
// JSON Schema that validates config files and API bodies, and the TypeScript type.

import Type, { type Static } from 'typebox';

const Id = Type.String({
  pattern: '^[A-Za-z0-9_.-]{1,64}$',
  description: 'identifier: 1-64 characters of A-Z a-z 0-9 _ . -',
});

const Ipv4 = Type.String({
  pattern: '^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$',
  description: 'IPv4 address',
  format_hint: 'A.B.C.D',
});

const Mac = Type.String({
  pattern: '^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$',
  description: 'MAC address',
  format_hint: 'aa:bb:cc:dd:ee:ff',
});

const Port = Type.Integer({ minimum: 1, maximum: 65_535, description: 'TCP port' });

/** The placement algorithms (Octavia's lb_algorithm values plus the paper's LEAST_LOAD). */
export const ALGORITHMS = [
  'LEAST_LOAD',
  'ROUND_ROBIN',
  'WEIGHTED_ROUND_ROBIN',
  'LEAST_CONNECTIONS',
  'SOURCE_IP',
] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

export const HealthMonitorSchema = Type.Object(
  {
    type: Type.Enum(['TCP', 'HTTP'], {
      description: 'TCP: the member accepts a connection; HTTP: a GET answers with an expected code',
    }),
    delaySeconds: Type.Number({
      minimum: 0.1,
      maximum: 3600,
      default: 5,
      description: 'time between probes',
    }),
    timeoutSeconds: Type.Number({
      minimum: 0.1,
      maximum: 600,
      default: 3,
      description: 'a probe not answered in this time fails',
    }),
    rise: Type.Integer({
      minimum: 1,
      maximum: 10,
      default: 2,
      description: 'consecutive successes that bring a member up (Octavia max_retries)',
    }),
    fall: Type.Integer({
      minimum: 1,
      maximum: 10,
      default: 3,
      description: 'consecutive failures that take a member down (Octavia max_retries_down)',
    }),
    httpMethod: Type.Enum(['GET', 'HEAD'], { default: 'GET', description: 'HTTP probes only' }),
    urlPath: Type.String({
      pattern: '^/[\\x21-\\x7e]{0,1023}$',
      default: '/',
      description: 'HTTP probes only',
    }),
    expectedCodes: Type.String({
      pattern: '^[1-5][0-9]{2}(-[1-5][0-9]{2})?(,[1-5][0-9]{2}(-[1-5][0-9]{2})?)*$',
      default: '200',
      description: 'HTTP status codes that count as healthy: 200, 200-299 or 200,302',
    }),
  },
  { additionalProperties: false },
);
export type HealthMonitor = Static<typeof HealthMonitorSchema>;

export const MemberSchema = Type.Object(
  {
    id: Id,
    address: Ipv4,
    port: Port,
    weight: Type.Integer({
      minimum: 0,
      maximum: 256,
      default: 1,
      description: 'relative capacity; 0 drains the member (no new clients, existing ones stay)',
    }),
    adminStateUp: Type.Boolean({
      default: true,
      description: 'false disables the member: its clients are placed again',
    }),
    vm: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_.:@%+-]{1,256}$',
        description: 'UUID of the VM whose metrics score this member',
      }),
    ),
    mac: Type.Optional(Mac),
  },
  { additionalProperties: false },
);
export type Member = Static<typeof MemberSchema>;

export const SessionPersistenceSchema = Type.Object(
  {
    type: Type.Enum(['SOURCE_MAC', 'SOURCE_IP'], {
      default: 'SOURCE_MAC',
      description: 'client key of the affinity table: source MAC (as in the paper) or source IP',
    }),
    timeoutSeconds: Type.Number({
      minimum: 1,
      maximum: 86_400,
      default: 300,
      description: 'an affinity entry whose client sent nothing for this long is forgotten',
    }),
  },
  { additionalProperties: false },
);
export type SessionPersistence = Static<typeof SessionPersistenceSchema>;

export const PoolSchema = Type.Object(
  {
    id: Id,
    algorithm: Type.Enum([...ALGORITHMS], { default: 'LEAST_LOAD', description: 'placement algorithm' }),
    sessionPersistence: SessionPersistenceSchema,
    members: Type.Array(MemberSchema, { maxItems: 1024 }),
    healthMonitor: Type.Optional(HealthMonitorSchema),
  },
  { additionalProperties: false },
);
export type Pool = Static<typeof PoolSchema>;

export const VipSchema = Type.Object(
  {
    address: Ipv4,
    port: Port,
    protocol: Type.Enum(['TCP', 'HTTP'], {
      default: 'TCP',
      description: 'forwarding is at layer 4 for both',
    }),
    mac: Type.Optional(Mac),
  },
  { additionalProperties: false },
);
export type Vip = Static<typeof VipSchema>;

export const LoadBalancerSchema = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String({ maxLength: 255 })),
    adminStateUp: Type.Boolean({ default: true, description: 'false withdraws the VIP' }),
    vip: VipSchema,
    pool: PoolSchema,
  },
  { additionalProperties: false },
);
export type LoadBalancer = Static<typeof LoadBalancerSchema>;

/** Config section `loadBalancers`: the objects defined in the config file. */
export const LoadBalancersSchema = Type.Array(LoadBalancerSchema, {
  default: [],
  maxItems: 256,
  description: 'load balancers (VIP, pool, members, health monitor) defined in the config file',
});

/** Store record kind under which load balancers are kept. */
export const LOAD_BALANCER_RECORD = 'loadbalancer';

/**
 * What a schema cannot say: ids unique, one load balancer per VIP address and port, a VIP address that
 * is not also a member's. Returns one line per problem; empty when the set is consistent.
 */
export function checkLoadBalancers(lbs: readonly LoadBalancer[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const pools = new Set<string>();
  const services = new Map<string, string>();
  const vipAddresses = new Set(lbs.map((lb) => lb.vip.address));
  for (const lb of lbs) {
    if (ids.has(lb.id)) problems.push(`load balancer ${lb.id}: the id is used twice`);
    ids.add(lb.id);
    if (pools.has(lb.pool.id)) problems.push(`load balancer ${lb.id}: pool id ${lb.pool.id} is used twice`);
    pools.add(lb.pool.id);
    const service = `${lb.vip.address}:${lb.vip.port}`;
    const other = services.get(service);
    if (other !== undefined)
      problems.push(`load balancer ${lb.id}: VIP ${service} is already load balancer ${other}'s`);
    services.set(service, lb.id);
    const members = new Set<string>();
    for (const m of lb.pool.members) {
      if (members.has(m.id)) problems.push(`load balancer ${lb.id}: member id ${m.id} is used twice`);
      members.add(m.id);
      if (vipAddresses.has(m.address))
        problems.push(`load balancer ${lb.id}: member ${m.id} has a VIP's address ${m.address}`);
    }
  }
  return problems;
}
