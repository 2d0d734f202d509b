// The load balancer's objects, in OpenStack Octavia's v2 field names and status enums so operators find
// the shapes they know: load balancer (one VIP address), pool (the VIP port it serves, its algorithm and
// session persistence), member, health monitor. Vigil has no listeners yet: a pool carries the protocol and
// port of the VIP it serves. One typebox object per shape is the JSON Schema that validates API bodies and
// config files, the OpenAPI document's schema, and the TypeScript type. The objects' rules (ids, defaults,
// references, conflicts) are in catalog.ts; their statuses in status.ts.

import Type, { type Static } from 'typebox';

export const Id = Type.String({
  pattern: '^[A-Za-z0-9_.-]{1,64}$',
  description: 'identifier: 1-64 characters of A-Z a-z 0-9 _ . -',
});

export const Ipv4 = Type.String({
  pattern: '^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$',
  description: 'IPv4 address (A.B.C.D)',
});

export const Mac = Type.String({
  pattern: '^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$',
  description: 'Ethernet address, colon separated (aa:bb:cc:dd:ee:ff)',
});

const Port = Type.Integer({ minimum: 1, maximum: 65_535, description: 'TCP port' });
const Name = Type.String({ maxLength: 255 });
const Description = Type.String({ maxLength: 1024 });
/** RFC 3339 time, as Octavia writes created_at / updated_at. */
const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 time (UTC)' });
const Ref = Type.Object({ id: Id });
const VmUuid = Type.String({
  pattern: '^[A-Za-z0-9_.:@%+-]{1,64}$',
  description: 'UUID of the libvirt domain whose metrics score this member',
});
const Weight = Type.Integer({
  minimum: 0,
  maximum: 256,
  description: 'relative capacity; 0 drains the member (no new clients, existing ones stay)',
});

/** The placement algorithms: Octavia's lb_algorithm values Vigil implements, and the paper's LEAST_LOAD. */
export const ALGORITHMS = [
  'LEAST_LOAD',
  'ROUND_ROBIN',
  'LEAST_CONNECTIONS',
  'SOURCE_IP',
  'SOURCE_IP_PORT',
] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

/** What each algorithm does, for the API's and the config's documentation. */
export const ALGORITHM_HELP: Record<AlgorithmName, string> = {
  LEAST_LOAD: "the member whose VM's live metrics (CPU, vNIC traffic, memory, clients) score lowest",
  ROUND_ROBIN: 'members in turn, each as often as its weight',
  LEAST_CONNECTIONS: 'the member with the fewest live client flows per unit of weight',
  SOURCE_IP: "a hash of the client's IP address (weighted rendezvous hashing)",
  SOURCE_IP_PORT: "a hash of the client's IP address and the TCP source port of its first segment",
};

export const Algorithm = Type.Enum([...ALGORITHMS], {
  description: `placement algorithm: ${ALGORITHMS.map((a) => `${a} (${ALGORITHM_HELP[a]})`).join('; ')}`,
});

/** Octavia's operating status: how the object is serving traffic. */
export const OperatingStatus = Type.Enum(
  ['ONLINE', 'OFFLINE', 'DEGRADED', 'ERROR', 'DRAINING', 'NO_MONITOR'],
  {
    description: 'ONLINE, OFFLINE, DEGRADED, ERROR, DRAINING or NO_MONITOR (member without a health monitor)',
  },
);
export type OperatingStatus = Static<typeof OperatingStatus>;

/** Octavia's provisioning status: where the object stands in being applied to the switches. */
export const ProvisioningStatus = Type.Enum([
  'ACTIVE',
  'PENDING_CREATE',
  'PENDING_UPDATE',
  'PENDING_DELETE',
  'ERROR',
]);
export type ProvisioningStatus = Static<typeof ProvisioningStatus>;

export const SessionPersistence = Type.Object(
  {
    type: Type.Enum(['SOURCE_MAC', 'SOURCE_IP'], {
      description: 'client key of the affinity table: source MAC (as in the paper) or source IP',
    }),
    idle_timeout_seconds: Type.Integer({
      minimum: 1,
      maximum: 86_400,
      description: 'an affinity entry whose client sent nothing for this long is forgotten',
    }),
  },
  { additionalProperties: false },
);
export type SessionPersistence = Static<typeof SessionPersistence>;

// ---- what a client may send (create and update bodies), which a config file uses as well

export const LoadBalancerCreate = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    vip_address: Ipv4,
    vip_mac_address: Type.Optional(Mac),
    admin_state_up: Type.Optional(Type.Boolean({ description: 'false withdraws the VIP' })),
  },
  { additionalProperties: false },
);
export type LoadBalancerCreate = Static<typeof LoadBalancerCreate>;

export const LoadBalancerUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    admin_state_up: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type LoadBalancerUpdate = Static<typeof LoadBalancerUpdate>;

const PoolFields = {
  name: Type.Optional(Name),
  description: Type.Optional(Description),
  protocol: Type.Enum(['TCP', 'UDP', 'ICMP', 'ANY'], { description: 'Vigil balances TCP' }),
  protocol_port: Type.Optional(Type.Union([Port, Type.Null()], { description: 'the VIP port served' })),
  lb_algorithm: Algorithm,
  session_persistence: Type.Optional(SessionPersistence),
  admin_state_up: Type.Optional(Type.Boolean()),
};

export const PoolCreate = Type.Object(
  { loadbalancer_id: Id, ...PoolFields },
  { additionalProperties: false },
);
export type PoolCreate = Static<typeof PoolCreate>;

export const PoolUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    lb_algorithm: Type.Optional(Algorithm),
    session_persistence: Type.Optional(SessionPersistence),
    admin_state_up: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PoolUpdate = Static<typeof PoolUpdate>;

export const MemberCreate = Type.Object(
  {
    address: Ipv4,
    protocol_port: Type.Optional(
      Type.Union([Port, Type.Null()], { description: "default: the pool's port" }),
    ),
    name: Type.Optional(Name),
    mac_address: Type.Optional(Mac),
    vm_uuid: Type.Optional(VmUuid),
    weight: Type.Optional(Weight),
    backup: Type.Optional(
      Type.Boolean({ description: 'a backup member takes no new clients (as weight 0)' }),
    ),
    admin_state_up: Type.Optional(
      Type.Boolean({ description: 'false disables the member: its clients are placed again' }),
    ),
  },
  { additionalProperties: false },
);
export type MemberCreate = Static<typeof MemberCreate>;

export const MemberUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    weight: Type.Optional(Weight),
    backup: Type.Optional(Type.Boolean()),
    admin_state_up: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type MemberUpdate = Static<typeof MemberUpdate>;

export const HealthMonitorType = Type.Enum(['PING', 'TCP', 'HTTP']);
const Delay = Type.Integer({ minimum: 1, maximum: 3600, description: 'seconds between probes' });
const Timeout = Type.Integer({ minimum: 1, maximum: 3600, description: 'seconds a probe may take' });
const Retries = Type.Integer({ minimum: 1, maximum: 10, description: 'successes before a member is ONLINE' });
const RetriesDown = Type.Integer({
  minimum: 1,
  maximum: 10,
  description: 'failures before a member is ERROR',
});
const HttpMethod = Type.Enum(['GET', 'HEAD']);
const UrlPath = Type.String({ pattern: '^/[\\x21-\\x7e]{0,254}$' });
const ExpectedCodes = Type.String({
  pattern: '^[1-5][0-9]{2}([-,][1-5][0-9]{2})*$',
  description: 'HTTP status codes that count as healthy: 200, 200-204 or 200,302',
});

const HealthMonitorFields = {
  type: HealthMonitorType,
  delay: Delay,
  timeout: Timeout,
  max_retries: Retries,
  max_retries_down: Type.Optional(RetriesDown),
  name: Type.Optional(Name),
  http_method: Type.Optional(HttpMethod),
  url_path: Type.Optional(UrlPath),
  expected_codes: Type.Optional(ExpectedCodes),
  admin_state_up: Type.Optional(Type.Boolean()),
};

export const HealthMonitorCreate = Type.Object(
  { pool_id: Id, ...HealthMonitorFields },
  { additionalProperties: false },
);
export type HealthMonitorCreate = Static<typeof HealthMonitorCreate>;

export const HealthMonitorUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    delay: Type.Optional(Delay),
    timeout: Type.Optional(Timeout),
    max_retries: Type.Optional(Retries),
    max_retries_down: Type.Optional(RetriesDown),
    admin_state_up: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type HealthMonitorUpdate = Static<typeof HealthMonitorUpdate>;

// ---- the objects as kept in the store and shown by the API

const Common = {
  provisioning_status: ProvisioningStatus,
  operating_status: OperatingStatus,
  created_at: Timestamp,
  updated_at: Type.Union([Timestamp, Type.Null()]),
};

export const LoadBalancer = Type.Object({
  id: Id,
  name: Name,
  description: Description,
  vip_address: Ipv4,
  vip_mac_address: Type.Optional(Mac),
  admin_state_up: Type.Boolean(),
  pools: Type.Array(Ref),
  ...Common,
});
export type LoadBalancer = Static<typeof LoadBalancer>;

export const Pool = Type.Object({
  id: Id,
  name: Name,
  description: Description,
  loadbalancer_id: Id,
  protocol: Type.Literal('TCP'),
  protocol_port: Port,
  lb_algorithm: Algorithm,
  session_persistence: SessionPersistence,
  admin_state_up: Type.Boolean(),
  members: Type.Array(Ref),
  healthmonitor_id: Type.Union([Id, Type.Null()]),
  ...Common,
});
export type Pool = Static<typeof Pool>;

export const Member = Type.Object({
  id: Id,
  pool_id: Id,
  name: Name,
  address: Ipv4,
  protocol_port: Port,
  mac_address: Type.Optional(Mac),
  vm_uuid: Type.Optional(VmUuid),
  weight: Weight,
  backup: Type.Boolean(),
  admin_state_up: Type.Boolean(),
  ...Common,
});
export type Member = Static<typeof Member>;

export const HealthMonitor = Type.Object({
  id: Id,
  name: Name,
  pool_id: Id,
  type: HealthMonitorType,
  delay: Delay,
  timeout: Timeout,
  max_retries: Retries,
  max_retries_down: RetriesDown,
  http_method: Type.Optional(HttpMethod),
  url_path: Type.Optional(UrlPath),
  expected_codes: Type.Optional(ExpectedCodes),
  admin_state_up: Type.Boolean(),
  ...Common,
});
export type HealthMonitor = Static<typeof HealthMonitor>;

// ---- the config file's load balancers: Octavia's fully populated graph (a load balancer with its pools,
// their members and health monitor in one object), with ids given, so a restarted Vigil and its store
// agree on every object's identity.

export const ConfigHealthMonitor = Type.Object(
  { id: Type.Optional(Id), ...HealthMonitorFields },
  { additionalProperties: false },
);
export const ConfigMember = Type.Object(
  { id: Id, ...MemberCreate.properties },
  { additionalProperties: false },
);
export const ConfigPool = Type.Object(
  {
    id: Id,
    ...PoolFields,
    members: Type.Array(ConfigMember, { maxItems: 1024, default: [] }),
    healthmonitor: Type.Optional(ConfigHealthMonitor),
  },
  { additionalProperties: false },
);
export const ConfigLoadBalancer = Type.Object(
  {
    id: Id,
    ...LoadBalancerCreate.properties,
    pools: Type.Array(ConfigPool, { maxItems: 64, default: [] }),
  },
  { additionalProperties: false },
);
export type ConfigLoadBalancer = Static<typeof ConfigLoadBalancer>;
export type ConfigPool = Static<typeof ConfigPool>;
export type ConfigMember = Static<typeof ConfigMember>;

/** Config section `loadBalancers`. */
export const ConfigLoadBalancers = Type.Array(ConfigLoadBalancer, {
  default: [],
  maxItems: 256,
  description:
    'load balancers defined in the config file, as Octavia fully populated objects (pools, members, ' +
    'health monitor nested) with their ids; created in the store on the first start, after which the ' +
    "store's copy (with changes made through the API) is the one served",
});

/** Store record kinds of the objects. */
export const RECORDS = {
  lb: 'octavia-loadbalancer',
  pool: 'octavia-pool',
  member: 'octavia-member',
  monitor: 'octavia-healthmonitor',
} as const;
