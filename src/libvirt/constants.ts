// Numbers of libvirt's RPC protocol: src/rpc/virnetprotocol.x, src/remote/remote_protocol.x,
// src/rpc/virkeepaliveprotocol.x and include/libvirt/*.h. libvirt never renumbers them.

/** REMOTE_PROGRAM and its only version. */
export const REMOTE_PROGRAM = 0x20008086;
export const REMOTE_PROTOCOL_VERSION = 1;

/** KEEPALIVE_PROGRAM ("keep"): PING and PONG, both sent as VIR_NET_MESSAGE with an empty body. */
export const KEEPALIVE_PROGRAM = 0x6b656570;
export const KEEPALIVE_PROTOCOL_VERSION = 1;
export const KEEPALIVE_PROC_PING = 1;
export const KEEPALIVE_PROC_PONG = 2;

/** virNetMessageType. */
export const MessageType = {
  CALL: 0,
  REPLY: 1,
  MESSAGE: 2,
  STREAM: 3,
  CALL_WITH_FDS: 4,
  REPLY_WITH_FDS: 5,
} as const;

/** virNetMessageStatus. */
export const MessageStatus = {
  OK: 0,
  ERROR: 1,
  CONTINUE: 2,
} as const;

/** VIR_NET_MESSAGE_LEN_MAX: the length word, which counts itself. */
export const LENGTH_WORD_BYTES = 4;
/** VIR_NET_MESSAGE_HEADER_MAX: six 32-bit words. */
export const HEADER_BYTES = 24;
/**
 * VIR_NET_MESSAGE_MAX (header + payload, without the length word): 32 MiB in current libvirt (16 MiB
 * in older releases). virNetMessageDecodeLength subtracts the length word, then compares with this.
 */
export const MESSAGE_MAX = 33_554_432;

/** REMOTE_STRING_MAX (4 MiB in current libvirt, 1 MiB in old releases: accept the larger). */
export const REMOTE_STRING_MAX = 4_194_304;
/** REMOTE_DOMAIN_LIST_MAX. */
export const REMOTE_DOMAIN_LIST_MAX = 16_384;
/** REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX: parameters per domain record (4096 in older releases). */
export const REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX = 262_144;
/** REMOTE_AUTH_TYPE_LIST_MAX. */
export const REMOTE_AUTH_TYPE_LIST_MAX = 20;
/** VIR_UUID_BUFLEN. */
export const UUID_BYTES = 16;

/** enum remote_procedure (only the ones this client speaks). */
export const Procedure = {
  CONNECT_OPEN: 1,
  CONNECT_CLOSE: 2,
  NODE_GET_INFO: 6,
  DOMAIN_GET_XML_DESC: 14,
  CONNECT_GET_HOSTNAME: 59,
  CONNECT_SUPPORTS_FEATURE: 60,
  AUTH_LIST: 66,
  CONNECT_GET_LIB_VERSION: 157,
  CONNECT_LIST_ALL_DOMAINS: 273,
  CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: 316,
  CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY: 317,
  DOMAIN_EVENT_CALLBACK_LIFECYCLE: 318,
  CONNECT_GET_ALL_DOMAIN_STATS: 344,
} as const;

/** enum remote_auth_type. */
export const AuthType = {
  NONE: 0,
  SASL: 1,
  POLKIT: 2,
} as const;

/** VIR_DRV_FEATURE_PROGRAM_KEEPALIVE: asking for it also starts the daemon's own keepalive. */
export const FEATURE_PROGRAM_KEEPALIVE = 10;

/** virConnectFlags: VIR_CONNECT_RO. */
export const CONNECT_RO = 1;

/** virDomainEventID: VIR_DOMAIN_EVENT_ID_LIFECYCLE. */
export const DOMAIN_EVENT_ID_LIFECYCLE = 0;

/** virDomainStatsTypes: groups of virConnectGetAllDomainStats. 0 asks for every group the driver has. */
export const DomainStatsGroup = {
  ALL: 0,
  STATE: 1,
  CPU_TOTAL: 2,
  BALLOON: 4,
  VCPU: 8,
  INTERFACE: 16,
  BLOCK: 32,
  PERF: 64,
  IOTHREAD: 128,
  MEMORY: 256,
  DIRTYRATE: 512,
  VM: 1024,
} as const;

/** virConnectGetAllDomainStatsFlags. */
export const DomainStatsFlag = {
  ACTIVE: 1,
  INACTIVE: 2,
  PERSISTENT: 4,
  TRANSIENT: 8,
  RUNNING: 16,
  PAUSED: 32,
  SHUTOFF: 64,
  OTHER: 128,
  /** Report only what can be had without waiting on a busy domain. */
  NOWAIT: 1 << 29,
  BACKING: 1 << 30,
  ENFORCE_STATS: 2 ** 31,
} as const;

/** virConnectListAllDomainsFlags (0 = all). */
export const ListDomainsFlag = {
  ACTIVE: 1,
  INACTIVE: 2,
  PERSISTENT: 4,
  TRANSIENT: 8,
  RUNNING: 16,
  PAUSED: 32,
  SHUTOFF: 64,
  OTHER: 128,
} as const;

/** virDomainXMLFlags. */
export const DomainXmlFlag = {
  SECURE: 1,
  INACTIVE: 2,
  UPDATE_CPU: 4,
  MIGRATABLE: 8,
} as const;

/** virTypedParameterType. */
export const TypedParamType = {
  INT: 1,
  UINT: 2,
  LLONG: 3,
  ULLONG: 4,
  DOUBLE: 5,
  BOOLEAN: 6,
  STRING: 7,
} as const;
export type TypedParamType = (typeof TypedParamType)[keyof typeof TypedParamType];

/** virDomainState, the value of the `state.state` statistic. */
export const DomainState = {
  NOSTATE: 0,
  RUNNING: 1,
  BLOCKED: 2,
  PAUSED: 3,
  SHUTDOWN: 4,
  SHUTOFF: 5,
  CRASHED: 6,
  PMSUSPENDED: 7,
} as const;

/** virDomainEventType, the `event` of a lifecycle event. */
export const LifecycleEventType = {
  DEFINED: 0,
  UNDEFINED: 1,
  STARTED: 2,
  SUSPENDED: 3,
  RESUMED: 4,
  STOPPED: 5,
  SHUTDOWN: 6,
  PMSUSPENDED: 7,
  CRASHED: 8,
} as const;

/**
 * The lifecycle events' details that a live migration produces (virDomainEvent*DetailType): on the source
 * SUSPENDED/MIGRATED then STOPPED/MIGRATED; on the target STARTED/MIGRATED then RESUMED/MIGRATED.
 */
export const LifecycleDetail = {
  STARTED_MIGRATED: 1,
  SUSPENDED_MIGRATED: 1,
  RESUMED_MIGRATED: 1,
  STOPPED_MIGRATED: 3,
} as const;

const LIFECYCLE_NAMES = [
  'defined',
  'undefined',
  'started',
  'suspended',
  'resumed',
  'stopped',
  'shutdown',
  'pmsuspended',
  'crashed',
] as const;
export type LifecycleEventName = (typeof LIFECYCLE_NAMES)[number] | 'unknown';

export function lifecycleEventName(event: number): LifecycleEventName {
  return LIFECYCLE_NAMES[event] ?? 'unknown';
}

/** virDomainState names, indexed by the state's number (DomainState). */
export const DOMAIN_STATE_NAMES = [
  'nostate',
  'running',
  'blocked',
  'paused',
  'shutdown',
  'shutoff',
  'crashed',
  'pmsuspended',
] as const;
export type DomainStateName = (typeof DOMAIN_STATE_NAMES)[number] | 'unknown';

/** The name of a virDomainState number; 'unknown' for a code libvirt does not define (or none). */
export function domainStateName(code: number | undefined): DomainStateName {
  return code !== undefined && Number.isInteger(code) && code >= 0 && code < DOMAIN_STATE_NAMES.length
    ? DOMAIN_STATE_NAMES[code]!
    : 'unknown';
}
