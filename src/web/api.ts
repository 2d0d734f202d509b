// The dashboard's view of the REST API: typed fetches under /api/v1. A VM is the store's VM sample, as
// the API returns it: its type is declared once, in src/store/vm-sample.ts.

import type { VmSample } from '../store/vm-sample.js';

export type { ComputeHost } from '../api/schemas/vms.js';
export type Vm = VmSample;

export type OperatingStatus = 'ONLINE' | 'OFFLINE' | 'DEGRADED' | 'ERROR' | 'DRAINING' | 'NO_MONITOR';

export interface LoadBalancer {
  id: string;
  name: string;
  vip_address: string;
  operating_status: OperatingStatus;
  provisioning_status: string;
  pools: Array<{ id: string }>;
}

export interface Pool {
  id: string;
  name: string;
  loadbalancer_id: string;
  protocol: string;
  protocol_port: number | null;
  lb_algorithm: string;
  session_persistence: { type: string; idle_timeout_seconds: number };
  operating_status: OperatingStatus;
  healthmonitor_id: string | null;
}

export interface Member {
  id: string;
  name: string;
  address: string;
  protocol_port: number | null;
  vm_uuid?: string;
  weight: number;
  operating_status: OperatingStatus;
  admin_state_up: boolean;
}

export interface Stats {
  bytes_in: number;
  bytes_out: number;
  active_clients: number;
  total_clients: number;
}

export interface PoolStats extends Stats {
  members: Array<Stats & { member_id: string }>;
}

export interface Placement {
  time: number;
  pool_id: string;
  client: string;
  member_id: string;
  member_address?: string;
  vm_uuid?: string;
  vm_name?: string;
  algorithm: string;
  reason: string;
}

export interface SwitchPort {
  port_no: number;
  name: string;
  hw_addr: string;
  link_down: boolean;
  admin_down: boolean;
  stats?: {
    rx_bytes: number;
    tx_bytes: number;
    rx_packets: number;
    tx_packets: number;
    rx_dropped: number;
    tx_dropped: number;
    rx_errors: number;
    tx_errors: number;
  };
}

export interface Datapath {
  datapath_id: string;
  version: string;
  peer: string;
  connected_at: number;
  ports: SwitchPort[];
}

export interface FlowEntry {
  table_id: number;
  priority: number;
  cookie: string;
  match: Record<string, string>;
  actions: string[];
  packet_count: number;
  byte_count: number;
  duration_sec: number;
  idle_timeout: number;
  hard_timeout: number;
  owner?: string;
}

export interface Status {
  version: string;
  store: string;
  read_only: boolean;
  providers: { switches: boolean; traffic: boolean; balancer: boolean; internals: boolean };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(`api/v1${path}`, {
    headers: { accept: 'application/json' },
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = ((await res.json()) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, message);
  }
  return (await res.json()) as T;
}

export type Series = Record<string, Array<[number, number]>>;

export async function getSeries(uuid: string, metrics: string[], windowS: number): Promise<Series> {
  const q = new URLSearchParams({ metrics: metrics.join(','), window: String(windowS) });
  const r = await getJson<{ series: Series }>(`/vms/${encodeURIComponent(uuid)}/series?${q}`);
  return r.series;
}
