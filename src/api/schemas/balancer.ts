// Load balancers, pools, members and health monitors, in the field names and status enums of
// OpenStack Octavia's v2 API, so operators find the shapes they already know. Vigil has no listeners:
// a pool carries the protocol and port of the VIP it serves.

import Type, { type Static } from 'typebox';
import { Id, Ipv4Address, MacAddress, Timestamp, EpochMs } from './common.js';

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

const Name = Type.String({ maxLength: 255 });
const Description = Type.String({ maxLength: 1024 });
const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const Ref = Type.Object({ id: Id });

export const Algorithm = Type.String({
  pattern: '^[A-Z][A-Z0-9_]{0,31}$',
  description:
    'placement algorithm, e.g. LEAST_CPU, LEAST_LOAD, ROUND_ROBIN, RANDOM (see /api/v1/algorithms)',
});

export const SessionPersistence = Type.Object(
  {
    type: Type.Enum(['SOURCE_MAC', 'SOURCE_IP'], {
      description: 'client key of the affinity table: source MAC (the default) or source IP',
    }),
    idle_timeout_seconds: Type.Integer({
      minimum: 1,
      maximum: 86_400,
      description: 'an idle client is forgotten after this',
    }),
  },
  { additionalProperties: false },
);

export const LoadBalancer = Type.Object({
  id: Id,
  name: Name,
  description: Description,
  vip_address: Ipv4Address,
  vip_mac_address: Type.Optional(MacAddress),
  admin_state_up: Type.Boolean(),
  provisioning_status: ProvisioningStatus,
  operating_status: OperatingStatus,
  pools: Type.Array(Ref),
  created_at: Timestamp,
  updated_at: Type.Union([Timestamp, Type.Null()]),
});
export type LoadBalancer = Static<typeof LoadBalancer>;

export const LoadBalancerCreate = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    vip_address: Ipv4Address,
    vip_mac_address: Type.Optional(MacAddress),
    admin_state_up: Type.Optional(Type.Boolean()),
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

export const Pool = Type.Object({
  id: Id,
  name: Name,
  description: Description,
  loadbalancer_id: Id,
  protocol: Type.Enum(['TCP', 'UDP', 'ICMP', 'ANY']),
  protocol_port: Type.Union([Port, Type.Null()], { description: 'VIP port served; null serves every port' }),
  lb_algorithm: Algorithm,
  session_persistence: SessionPersistence,
  admin_state_up: Type.Boolean(),
  provisioning_status: ProvisioningStatus,
  operating_status: OperatingStatus,
  members: Type.Array(Ref),
  healthmonitor_id: Type.Union([Id, Type.Null()]),
  created_at: Timestamp,
  updated_at: Type.Union([Timestamp, Type.Null()]),
});
export type Pool = Static<typeof Pool>;

export const PoolCreate = Type.Object(
  {
    loadbalancer_id: Id,
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    protocol: Type.Enum(['TCP', 'UDP', 'ICMP', 'ANY']),
    protocol_port: Type.Optional(Type.Union([Port, Type.Null()])),
    lb_algorithm: Algorithm,
    session_persistence: Type.Optional(SessionPersistence),
    admin_state_up: Type.Optional(Type.Boolean()),
  },
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

export const Member = Type.Object({
  id: Id,
  pool_id: Id,
  name: Name,
  address: Ipv4Address,
  protocol_port: Type.Union([Port, Type.Null()]),
  mac_address: Type.Optional(MacAddress),
  vm_uuid: Type.Optional(Type.String({ maxLength: 64, description: 'the libvirt domain behind the member' })),
  weight: Type.Integer({ minimum: 0, maximum: 256 }),
  backup: Type.Boolean(),
  admin_state_up: Type.Boolean(),
  provisioning_status: ProvisioningStatus,
  operating_status: OperatingStatus,
  created_at: Timestamp,
  updated_at: Type.Union([Timestamp, Type.Null()]),
});
export type Member = Static<typeof Member>;

export const MemberCreate = Type.Object(
  {
    address: Ipv4Address,
    protocol_port: Type.Optional(Type.Union([Port, Type.Null()])),
    name: Type.Optional(Name),
    mac_address: Type.Optional(MacAddress),
    vm_uuid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 256 })),
    backup: Type.Optional(Type.Boolean()),
    admin_state_up: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type MemberCreate = Static<typeof MemberCreate>;

export const MemberUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 256 })),
    backup: Type.Optional(Type.Boolean()),
    admin_state_up: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type MemberUpdate = Static<typeof MemberUpdate>;

export const HealthMonitorType = Type.Enum(['PING', 'TCP', 'HTTP']);

export const HealthMonitor = Type.Object({
  id: Id,
  name: Name,
  pool_id: Id,
  type: HealthMonitorType,
  delay: Type.Integer({ minimum: 1, maximum: 3600, description: 'seconds between probes' }),
  timeout: Type.Integer({ minimum: 1, maximum: 3600, description: 'seconds a probe may take' }),
  max_retries: Type.Integer({ minimum: 1, maximum: 10, description: 'successes before a member is ONLINE' }),
  max_retries_down: Type.Integer({
    minimum: 1,
    maximum: 10,
    description: 'failures before a member is ERROR',
  }),
  http_method: Type.Optional(Type.Enum(['GET', 'HEAD'])),
  url_path: Type.Optional(Type.String({ pattern: '^/[\\x21-\\x7e]{0,254}$' })),
  expected_codes: Type.Optional(Type.String({ pattern: '^[1-5][0-9]{2}([-,][1-5][0-9]{2})*$' })),
  admin_state_up: Type.Boolean(),
  provisioning_status: ProvisioningStatus,
  operating_status: OperatingStatus,
  created_at: Timestamp,
  updated_at: Type.Union([Timestamp, Type.Null()]),
});
export type HealthMonitor = Static<typeof HealthMonitor>;

export const HealthMonitorCreate = Type.Object(
  {
    pool_id: Id,
    type: HealthMonitorType,
    delay: Type.Integer({ minimum: 1, maximum: 3600 }),
    timeout: Type.Integer({ minimum: 1, maximum: 3600 }),
    max_retries: Type.Integer({ minimum: 1, maximum: 10 }),
    max_retries_down: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    name: Type.Optional(Name),
    http_method: Type.Optional(Type.Enum(['GET', 'HEAD'])),
    url_path: Type.Optional(Type.String({ pattern: '^/[\\x21-\\x7e]{0,254}$' })),
    expected_codes: Type.Optional(Type.String({ pattern: '^[1-5][0-9]{2}([-,][1-5][0-9]{2})*$' })),
    admin_state_up: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type HealthMonitorCreate = Static<typeof HealthMonitorCreate>;

export const HealthMonitorUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    delay: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    max_retries: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    max_retries_down: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    admin_state_up: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type HealthMonitorUpdate = Static<typeof HealthMonitorUpdate>;

/** Octavia's statistics, counted in clients (the affinity table) rather than TCP connections. */
export const Stats = Type.Object({
  bytes_in: Type.Number({ minimum: 0, description: 'bytes from clients to the VIP' }),
  bytes_out: Type.Number({ minimum: 0, description: 'bytes from the VIP back to clients' }),
  active_clients: Type.Integer({ minimum: 0, description: 'clients with a live affinity entry' }),
  total_clients: Type.Integer({ minimum: 0, description: 'clients placed since start' }),
});
export type Stats = Static<typeof Stats>;

export const MemberStats = Type.Object({ member_id: Id, ...Stats.properties });
export type MemberStats = Static<typeof MemberStats>;

/** One placement decision: "client X went to VM Y because ...". */
export const Placement = Type.Object({
  time: EpochMs,
  pool_id: Id,
  client: Type.String({ description: 'client key: MAC or IP, as the pool persists sessions' }),
  member_id: Id,
  member_address: Type.Optional(Ipv4Address),
  vm_uuid: Type.Optional(Type.String()),
  vm_name: Type.Optional(Type.String()),
  algorithm: Type.String(),
  reason: Type.String({ description: 'why this member, in words' }),
  scores: Type.Optional(
    Type.Record(Type.String(), Type.Number(), { description: 'candidate member id -> score' }),
  ),
});
export type Placement = Static<typeof Placement>;

export const AffinityEntry = Type.Object({
  pool: Type.String(),
  client: Type.String(),
  member: Type.String(),
  created: EpochMs,
  lastSeen: EpochMs,
  expiresAt: EpochMs,
});
