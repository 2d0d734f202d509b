// The lab's layout as pure data: two bridges (two compute nodes) joined by a link, N VMs and M client
// namespaces alternating between them, one VIP. Every name starts with the lab's prefix and every address
// comes from the lab's /24, so `lab down` can tell the lab's parts from everything else on the host.

export const DEFAULT_PREFIX = 'vlab';
export const DEFAULT_SUBNET = '10.213.10';
export const MAX_VMS = 89; // .11-.99
export const MAX_CLIENTS = 99; // .101-.199

export interface LabOptions {
  /** Name prefix: 'vlab' by default; a lowercase word of 4-6 characters starting with 'vlab'. */
  prefix: string;
  /** First three octets of the lab's /24, e.g. '10.213.10'. */
  subnet: string;
  vms: number;
  clients: number;
  memoryMiB: number;
  /** OpenFlow listener port the bridges connect to. */
  controllerPort: number;
  /** sFlow collector port of Vigil. */
  collectorPort: number;
  /** sFlow port of the lab's own traffic recorder (second sFlow target). */
  recorderPort: number;
  /** HTTP port of Vigil's API and dashboard. */
  apiPort: number;
}

export interface PlannedBridge {
  name: string;
  /** 16 hex digits. */
  datapathId: string;
}

export interface PlannedVm {
  /** libvirt domain name, also the OVS port name of its vNIC. */
  name: string;
  ip: string;
  mac: string;
  bridge: string;
}

export interface PlannedClient {
  /** Short name inside the topology: the namespace is `${prefix}-${name}`. */
  name: string;
  ns: string;
  ip: string;
  mac: string;
  bridge: string;
}

export interface LabPlan {
  prefix: string;
  prefixLength: 24;
  vip: string;
  vipMac: string;
  bridges: [PlannedBridge, PlannedBridge];
  vms: PlannedVm[];
  clients: PlannedClient[];
}

export type PlanResult = { ok: true; plan: LabPlan } | { ok: false; error: string };

const PREFIX_RE = /^vlab[a-z0-9]{0,2}$/;
const SUBNET_RE = /^10\.213\.(\d{1,3})$/;

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Checks the options and lays the lab out; bad options become an error message, never an exception. */
export function planLab(o: LabOptions): PlanResult {
  if (!PREFIX_RE.test(o.prefix)) {
    return {
      ok: false,
      error: `prefix ${JSON.stringify(o.prefix)}: must be 'vlab' plus up to 2 of [a-z0-9]`,
    };
  }
  const sub = SUBNET_RE.exec(o.subnet);
  if (!sub || Number(sub[1]) > 255) {
    return { ok: false, error: `subnet ${JSON.stringify(o.subnet)}: must be 10.213.X (the lab's /24)` };
  }
  if (!Number.isInteger(o.vms) || o.vms < 1 || o.vms > MAX_VMS) {
    return { ok: false, error: `--vms ${o.vms}: must be 1-${MAX_VMS}` };
  }
  if (!Number.isInteger(o.clients) || o.clients < 1 || o.clients > MAX_CLIENTS) {
    return { ok: false, error: `--clients ${o.clients}: must be 1-${MAX_CLIENTS}` };
  }
  if (!Number.isInteger(o.memoryMiB) || o.memoryMiB < 64 || o.memoryMiB > 4096) {
    return { ok: false, error: `--memory ${o.memoryMiB}: must be 64-4096 MiB` };
  }
  const ports = [o.controllerPort, o.collectorPort, o.recorderPort, o.apiPort];
  if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65_535)) {
    return { ok: false, error: `ports ${ports.join(', ')}: each must be 1-65535` };
  }
  if (new Set(ports).size !== ports.length) {
    return { ok: false, error: `ports ${ports.join(', ')}: must differ from each other` };
  }
  const third = Number(sub[1]);
  const bridges: [PlannedBridge, PlannedBridge] = [
    { name: `${o.prefix}-n1`, datapathId: `0000d50a${hex2(third)}000001` },
    { name: `${o.prefix}-n2`, datapathId: `0000d50a${hex2(third)}000002` },
  ];
  const vms: PlannedVm[] = [];
  for (let i = 0; i < o.vms; i++) {
    vms.push({
      name: `${o.prefix}-vm${i + 1}`,
      ip: `${o.subnet}.${11 + i}`,
      mac: `52:54:00:d5:${hex2(third)}:${hex2(11 + i)}`,
      bridge: bridges[i % 2]!.name,
    });
  }
  const clients: PlannedClient[] = [];
  for (let i = 0; i < o.clients; i++) {
    const name = `c${i + 1}`;
    clients.push({
      name,
      ns: `${o.prefix}-${name}`,
      ip: `${o.subnet}.${101 + i}`,
      mac: `02:d5:${hex2(third)}:00:00:${hex2(101 + i)}`,
      bridge: bridges[i % 2]!.name,
    });
  }
  return {
    ok: true,
    plan: {
      prefix: o.prefix,
      prefixLength: 24,
      vip: `${o.subnet}.10`,
      vipMac: `02:d5:${hex2(third)}:00:00:0a`,
      bridges,
      vms,
      clients,
    },
  };
}

/** Whether a name belongs to a lab with this prefix (bridges, ports, namespaces, domains). */
export function isLabName(prefix: string, name: string): boolean {
  return name.startsWith(`${prefix}-`);
}
