// Vigil's configuration: one typebox schema that is at once the JSON Schema used to validate a config
// file, environment variables and flags, the source of their defaults, and the TypeScript type.
//
// Every leaf has a description: `vigil config print --explain` and the docs are generated from it.

import Type, { type Static } from 'typebox';
import { ConfigLoadBalancers } from '../balancer/objects.js';
import { BalancerSettingsSchema } from '../balancer/settings.js';
import { StoreSettingsSchema } from '../store/settings.js';

/** 'host:port' or '[v6]:port'; port 0 picks a free port. */
export const Endpoint = (def: string, description: string) =>
  Type.String({
    default: def,
    description,
    pattern: '^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9_.-]+):[0-9]{1,5}$',
    format_hint: 'HOST:PORT (IPv6 as [ADDR]:PORT)',
  });

const Seconds = (def: number, description: string, min = 1, max = 86_400) =>
  Type.Number({ default: def, minimum: min, maximum: max, description: `${description} (seconds)` });

export const LogSchema = Type.Object(
  {
    level: Type.Enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
      default: 'info',
      description: 'least severe log level written',
    }),
    format: Type.Enum(['auto', 'json', 'pretty'], {
      default: 'auto',
      description: 'log line format; auto = pretty on a terminal, JSON otherwise',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const ControllerSchema = Type.Object(
  {
    listen: Endpoint('0.0.0.0:6653', 'OpenFlow listener that the switches connect to'),
    echoIntervalSeconds: Seconds(5, 'idle time before the controller sends an echo request to a switch'),
    echoTimeoutSeconds: Seconds(15, 'no message for this long declares a switch dead'),
    maxMessageBytes: Type.Integer({
      default: 65_535,
      minimum: 1024,
      maximum: 65_535,
      description:
        'largest OpenFlow message accepted from a switch (the header’s length field stops at 65535)',
    }),
    statsIntervalSeconds: Seconds(10, 'flow and port statistics polling interval'),
    discoveryIntervalSeconds: Seconds(5, 'LLDP link discovery probe interval', 0.1, 3600),
    flowIdleTimeoutSeconds: Seconds(60, 'idle timeout of the L2 flows the controller installs', 1, 65_535),
  },
  { additionalProperties: false, default: {} },
);

export const CollectorSchema = Type.Object(
  {
    listen: Endpoint('0.0.0.0:6343', 'sFlow v5 UDP listener that the switches send datagrams to'),
    agents: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      default: [],
      maxItems: 4096,
      description: 'agent addresses allowed to send sFlow; empty allows every agent',
    }),
    windowSeconds: Seconds(10, 'sliding window over which traffic rates are computed', 1, 3600),
    maxDatagramBytes: Type.Integer({
      default: 65_535,
      minimum: 256,
      maximum: 65_535,
      description: 'largest sFlow datagram accepted',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const MonitorSchema = Type.Object(
  {
    libvirt: Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), {
      default: [],
      maxItems: 1024,
      description:
        'libvirt URIs of the compute hosts to monitor, e.g. qemu:///system or qemu+tcp://host/system',
    }),
    intervalSeconds: Seconds(5, 'how often every host is polled for all its domains’ stats', 0.1, 3600),
    callTimeoutSeconds: Seconds(10, 'a libvirt call not answered in this time fails', 0.1, 600),
  },
  { additionalProperties: false, default: {} },
);

export const ApiSchema = Type.Object(
  {
    listen: Endpoint('127.0.0.1:8080', 'REST API, event stream, /metrics and dashboard'),
    token: Type.String({
      default: '',
      maxLength: 4096,
      description:
        'bearer token required for every change (and for reads when readsNeedToken); empty disables changes',
      secret: true,
    }),
    readOnly: Type.Boolean({ default: false, description: 'refuse every change through the API' }),
    readsNeedToken: Type.Boolean({ default: false, description: 'require the token for reads too' }),
  },
  { additionalProperties: false, default: {} },
);

export const ConfigSchema = Type.Object(
  {
    log: LogSchema,
    store: StoreSettingsSchema,
    controller: ControllerSchema,
    collector: CollectorSchema,
    monitor: MonitorSchema,
    api: ApiSchema,
    balancer: BalancerSettingsSchema,
    loadBalancers: ConfigLoadBalancers,
  },
  { additionalProperties: false, default: {} },
);

export type Config = Static<typeof ConfigSchema>;
export type { StoreConfig } from '../store/settings.js';
