// Small constructors with the usual defaults, so apps write only what matters to them.

import type { Action, FlowMod, Instruction, Match, OutputAction, PacketOut } from './model.js';
import { OFP_NO_BUFFER, OFPCML_NO_BUFFER, OFPG_ANY, OFPP } from './model.js';

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
