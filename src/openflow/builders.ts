// Small constructors with the usual defaults, so apps write only what matters to them.

import type {
  Action,
  FlowMod,
  FlowStatsRequestBody,
  Instruction,
  Match,
  OutputAction,
  PacketOut,
} from './model.js';
import { OFP_NO_BUFFER, OFPCML_NO_BUFFER, OFPG_ANY, OFPP, OFPTT_ALL } from './model.js';

/** OFP_DEFAULT_PRIORITY. */
export const DEFAULT_PRIORITY = 0x8000;

/** A flow-mod with defaults: add, cookie 0, table 0, no timeouts, priority 0x8000, no buffer, any port/group. */
export function flowMod(fields: Partial<Omit<FlowMod, 'type'>> & { match?: Match }): FlowMod {
  return {
    type: 'flowMod',
    command: fields.command ?? 'add',
    cookie: fields.cookie ?? 0n,
    cookieMask: fields.cookieMask ?? 0n,
    tableId: fields.tableId ?? 0,
    idleTimeout: fields.idleTimeout ?? 0,
    hardTimeout: fields.hardTimeout ?? 0,
    priority: fields.priority ?? DEFAULT_PRIORITY,
    bufferId: fields.bufferId ?? OFP_NO_BUFFER,
    outPort: fields.outPort ?? OFPP.ANY,
    outGroup: fields.outGroup ?? OFPG_ANY,
    flags: fields.flags ?? 0,
    match: fields.match ?? {},
    instructions: fields.instructions ?? [],
  };
}

/** A packet-out with defaults: no buffer, in_port CONTROLLER, no data. */
/** What a flow (or aggregate) statistics request for every flow of every table asks: no restriction. */
export function allFlows(): FlowStatsRequestBody {
  return { tableId: OFPTT_ALL, outPort: OFPP.ANY, outGroup: OFPG_ANY, cookie: 0n, cookieMask: 0n, match: {} };
}

export function packetOut(fields: Partial<Omit<PacketOut, 'type'>>): PacketOut {
  return {
    type: 'packetOut',
    bufferId: fields.bufferId ?? OFP_NO_BUFFER,
    inPort: fields.inPort ?? OFPP.CONTROLLER,
    actions: fields.actions ?? [],
    data: fields.data ?? Buffer.alloc(0),
  };
}

export function applyActions(...actions: Action[]): Instruction {
  return { type: 'applyActions', actions };
}

export function output(port: number, maxLen: number = OFPCML_NO_BUFFER): OutputAction {
  return { type: 'output', port, maxLen };
}

/** "Output to one port", as an action list and as the instruction list applying it. */
export interface OutputTo {
  /** Frozen, as is `instructions`: shared by every flow that uses the port, encoded once. */
  actions: Action[];
  instructions: Instruction[];
}

const outputCache = new Map<number, OutputTo>();

/**
 * The frozen action and instruction lists that output to `port`, one pair per port number (kept for the
 * first 65,536 ports asked for): a switching app's flows to a port all share them, so each is built and
 * encoded once (see `frozen`).
 */
export function outputTo(port: number): OutputTo {
  let o = outputCache.get(port);
  if (o === undefined) {
    const actions = frozen([output(port)]);
    o = { actions, instructions: frozen([applyActions(...actions)]) };
    if (outputCache.size < 65_536) outputCache.set(port, o);
  }
  return o;
}

/**
 * Freezes an action or instruction list all the way down and returns it. The OpenFlow 1.3 codec encodes a
 * frozen list once and copies its bytes after that, so a list shared by many flow-mods (the same rewrite
 * for every client of a member) costs one copy per message. Buffers inside (set-field IPv6 values, opaque
 * bodies) cannot be frozen: they must not change after this.
 */
export function frozen<T extends readonly Action[] | readonly Instruction[]>(list: T): T {
  return deepFreeze(list);
}

function deepFreeze<T>(x: T): T {
  if (typeof x !== 'object' || x === null || Object.isFrozen(x) || ArrayBuffer.isView(x)) return x;
  for (const v of Object.values(x)) deepFreeze(v);
  return Object.freeze(x);
}
