// Flow-mod commands (OFPFC_*): the same numbers in OpenFlow 1.0 (a u16) and 1.3 (a u8).

import { OfEncodeError } from './errors.js';
import type { FlowModCommand } from './model.js';

/** Indexed by OFPFC_* code. */
export const FLOW_MOD_COMMANDS: readonly FlowModCommand[] = [
  'add',
  'modify',
  'modifyStrict',
  'delete',
  'deleteStrict',
];

export function flowModCommandCode(c: FlowModCommand): number {
  const i = FLOW_MOD_COMMANDS.indexOf(c);
  if (i < 0) throw new OfEncodeError(`unknown flow-mod command ${String(c)}`);
  return i;
}
