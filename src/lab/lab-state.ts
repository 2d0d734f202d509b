// The lab's state file: every bridge, link, namespace, domain and process the lab created, written as each
// is created (so a half-finished `lab up` can still be taken down), read by `lab down` and `lab status`.
// The file is input from disk: it is validated against one schema, and a bad file becomes a typed error.

import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';

export const DEFAULT_STATE_DIR = '/var/lib/vigil/lab';
export const STATE_FILE = 'state.json';
export const STATE_VERSION = 1;
const MAX_STATE_BYTES = 4 * 1024 * 1024;

const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
const Ipv4 = Type.String({ pattern: '^\\d{1,3}(\\.\\d{1,3}){3}$' });
const Mac = Type.String({ pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$' });

export const LabProcessSchema = Type.Object({
  role: Type.String({ minLength: 1, maxLength: 64 }),
  pid: Type.Integer({ minimum: 1 }),
  /** Start time in clock ticks since boot (/proc/PID/stat field 22): tells a reused pid from ours. */
  startTicks: Type.Integer({ minimum: 0 }),
  argv: Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 256 }),
  log: Type.Optional(Type.String({ maxLength: 4096 })),
});

export const LabDomainSchema = Type.Object({
  name: Name,
  uuid: Type.Optional(
    Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' }),
  ),
  ip: Ipv4,
  mac: Mac,
  bridge: Name,
  /** OVS port name of the vNIC (the tap device). */
  port: Name,
  /** Host ifindex of the vNIC: OVS's sFlow agent names input ports by it. */
  ifindex: Type.Optional(Type.Integer({ minimum: 0 })),
  consoleLog: Type.String({ maxLength: 4096 }),
});

export const LabClientSchema = Type.Object({
  name: Name,
  ns: Name,
  ip: Ipv4,
  mac: Mac,
  bridge: Name,
  port: Name,
});

export const LabStateSchema = Type.Object({
  version: Type.Literal(STATE_VERSION),
  prefix: Name,
  createdAt: Type.String({ maxLength: 64 }),
  /** 'vip': traffic goes to the VIP through Vigil's load balancer; 'direct': to VM addresses. */
  target: Type.Union([Type.Literal('vip'), Type.Literal('direct')]),
  vip: Ipv4,
  libvirtUri: Type.String({ maxLength: 1024 }),
  options: Type.Object({
    vms: Type.Integer({ minimum: 1 }),
    clients: Type.Integer({ minimum: 1 }),
    memoryMiB: Type.Integer({ minimum: 1 }),
    controllerPort: Type.Integer({ minimum: 1, maximum: 65535 }),
    collectorPort: Type.Integer({ minimum: 1, maximum: 65535 }),
    recorderPort: Type.Integer({ minimum: 1, maximum: 65535 }),
    apiPort: Type.Integer({ minimum: 1, maximum: 65535 }),
    algorithm: Type.String({ maxLength: 64 }),
    redisUrl: Type.Optional(Type.String({ maxLength: 1024 })),
  }),
  bridges: Type.Array(Name, { maxItems: 16 }),
  links: Type.Array(Type.Object({ portA: Name, portB: Name }), { maxItems: 16 }),
  clients: Type.Array(LabClientSchema, { maxItems: 256 }),
  domains: Type.Array(LabDomainSchema, { maxItems: 256 }),
  processes: Type.Array(LabProcessSchema, { maxItems: 64 }),
  dashboardUrl: Type.Optional(Type.String({ maxLength: 1024 })),
  /** Steps of `lab up` with their duration. */
  steps: Type.Array(Type.Object({ name: Type.String({ maxLength: 200 }), ms: Type.Number({ minimum: 0 }) }), {
    maxItems: 64,
  }),
});

export type LabState = Static<typeof LabStateSchema>;
export type LabProcess = Static<typeof LabProcessSchema>;
export type LabDomain = Static<typeof LabDomainSchema>;
export type LabClient = Static<typeof LabClientSchema>;

export type StateReadResult =
  | { ok: true; state: LabState }
  | { ok: false; reason: 'absent' }
  | { ok: false; reason: 'invalid'; error: string };

/** Parses a state file's text; every problem becomes a message, nothing is thrown. */
export function parseState(text: string): StateReadResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: 'invalid', error: `not JSON: ${(err as Error).message}` };
  }
  if (!Value.Check(LabStateSchema, value)) {
    const first = [...Value.Errors(LabStateSchema, value)].slice(0, 3);
    const detail = first.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    return { ok: false, reason: 'invalid', error: detail || 'does not match the state schema' };
  }
  for (const name of [
    ...value.bridges,
    ...value.domains.map((d) => d.name),
    ...value.clients.map((c) => c.ns),
  ]) {
    if (!name.startsWith(`${value.prefix}-`)) {
      return {
        ok: false,
        reason: 'invalid',
        error: `${name} does not start with the lab prefix ${value.prefix}-`,
      };
    }
  }
  return { ok: true, state: value };
}

export function statePath(stateDir: string): string {
  return join(stateDir, STATE_FILE);
}

export async function readState(stateDir: string): Promise<StateReadResult> {
  let text: string;
  try {
    text = await readFile(statePath(stateDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, reason: 'absent' };
    return { ok: false, reason: 'invalid', error: (err as Error).message };
  }
  if (text.length > MAX_STATE_BYTES)
    return { ok: false, reason: 'invalid', error: 'state file is too large' };
  return parseState(text);
}

/** Writes the state atomically (temporary file, then rename). */
export async function writeState(stateDir: string, state: LabState): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const path = statePath(stateDir);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}

export async function removeState(stateDir: string): Promise<void> {
  await rm(statePath(stateDir), { force: true });
}

export function emptyState(
  init: Pick<LabState, 'prefix' | 'vip' | 'target' | 'libvirtUri' | 'options'>,
): LabState {
  return {
    version: STATE_VERSION,
    createdAt: new Date().toISOString(),
    ...init,
    bridges: [],
    links: [],
    clients: [],
    domains: [],
    processes: [],
    steps: [],
  };
}
