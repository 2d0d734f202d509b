// OpenFlow 1.3 actions (OF1.3 spec 7.2.5) and instructions (7.2.4). Every action and instruction is
// {type u16, len u16, ...} with len a multiple of 8 covering its padding.

import type { ActionListCodec } from '../action-tlv.js';
import { otherActionLength, readElements, readOtherAction, writeOtherAction } from '../action-tlv.js';
import { OfEncodeError, badLength, checkUint, checkUint64, malformed } from '../errors.js';
import type { Action, Instruction } from '../model.js';
import {
  OFPXMC_OPENFLOW_BASIC,
  checkValue,
  oxmFieldByName,
  oxmFieldByNum,
  readValue,
  writeOxm,
  type FieldValue,
} from './oxm.js';
import { u16, u32, u64, zero } from '../wire.js';

const OFPAT_OUTPUT = 0;
const OFPAT_PUSH_VLAN = 17;
const OFPAT_POP_VLAN = 18;
const OFPAT_SET_QUEUE = 21;
const OFPAT_GROUP = 22;
const OFPAT_DEC_NW_TTL = 24;
const OFPAT_SET_FIELD = 25;

const OFPIT_GOTO_TABLE = 1;
const OFPIT_WRITE_METADATA = 2;
const OFPIT_WRITE_ACTIONS = 3;
const OFPIT_APPLY_ACTIONS = 4;
const OFPIT_CLEAR_ACTIONS = 5;
const OFPIT_METER = 6;

export function actionLength(a: Action): number {
  switch (a.type) {
    case 'output':
      checkUint(a.port, 32, 'output port');
      checkUint(a.maxLen, 16, 'output max_len');
      return 16;
    case 'setField': {
      const d = oxmFieldByName(a.field);
      if (!d) throw new OfEncodeError(`set-field of unknown field ${String(a.field)}`);
      checkValue(d, a.value, a.field);
      return (8 + d.size + 7) & ~7;
    }
    case 'pushVlan':
      checkUint(a.ethType, 16, 'push_vlan ethertype');
      return 8;
    case 'popVlan':
    case 'decNwTtl':
      return 8;
    case 'group':
      checkUint(a.groupId, 32, 'group id');
      return 8;
    case 'setQueue':
      checkUint(a.queueId, 32, 'queue id');
      return 8;
    case 'enqueue':
      throw new OfEncodeError('enqueue is an OpenFlow 1.0 action: use setQueue + output');
    case 'other':
      return otherActionLength(a);
  }
}

// A frozen list (see `frozen` in builders.ts: frozen all the way down) cannot change, so its bytes are
// validated and encoded once and then copied: the lists a load balancer shares between all the clients
// of one member cost one copy per flow instead of an encoding.
const encodedActions = new WeakMap<readonly Action[], Buffer>();
const encodedInstructions = new WeakMap<readonly Instruction[], Buffer>();

/** The bytes of a frozen list, encoded (and so validated) the first time it is seen; undefined if not frozen. */
function frozenBytes<T extends object>(
  cache: WeakMap<T, Buffer>,
  list: T,
  length: (list: T) => number,
  write: (buf: Buffer, off: number, list: T) => number,
): Buffer | undefined {
  if (!Object.isFrozen(list)) return undefined;
  let b = cache.get(list);
  if (b === undefined) {
    b = Buffer.alloc(length(list));
    write(b, 0, list);
    cache.set(list, b);
  }
  return b;
}

const frozenActionBytes = (actions: readonly Action[]) =>
  frozenBytes(encodedActions, actions, actionsLengthOf, writeActionsOf);
const frozenInstructionBytes = (ins: readonly Instruction[]) =>
  frozenBytes(encodedInstructions, ins, instructionsLengthOf, writeInstructionsOf);

export function actionsLength(actions: readonly Action[]): number {
  return frozenActionBytes(actions)?.length ?? actionsLengthOf(actions);
}

function actionsLengthOf(actions: readonly Action[]): number {
  let n = 0;
  for (let i = 0; i < actions.length; i++) n += actionLength(actions[i] as Action);
  return n;
}

/** Writes actions validated by actionsLength; returns the bytes written. */
export function writeActions(buf: Buffer, off: number, actions: readonly Action[]): number {
  const b = frozenActionBytes(actions);
  return b === undefined ? writeActionsOf(buf, off, actions) : b.copy(buf, off);
}

function writeActionsOf(buf: Buffer, off: number, actions: readonly Action[]): number {
  const start = off;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i] as Action;
    switch (a.type) {
      case 'output':
        u32(buf, off, (OFPAT_OUTPUT << 16) | 16);
        u32(buf, off + 4, a.port);
        u16(buf, off + 8, a.maxLen);
        zero(buf, off + 10, off + 16);
        off += 16;
        break;
      case 'setField': {
        const d = oxmFieldByName(a.field);
        if (!d) throw new OfEncodeError(`set-field of unknown field ${String(a.field)}`);
        const len = (8 + d.size + 7) & ~7;
        u16(buf, off, OFPAT_SET_FIELD);
        u16(buf, off + 2, len);
        const n = writeOxm(buf, off + 4, d, a.value as FieldValue, undefined);
        zero(buf, off + 4 + n, off + len);
        off += len;
        break;
      }
      case 'pushVlan':
        u32(buf, off, (OFPAT_PUSH_VLAN << 16) | 8);
        u16(buf, off + 4, a.ethType);
        u16(buf, off + 6, 0);
        off += 8;
        break;
      case 'popVlan':
      case 'decNwTtl':
        u32(buf, off, ((a.type === 'popVlan' ? OFPAT_POP_VLAN : OFPAT_DEC_NW_TTL) << 16) | 8);
        u32(buf, off + 4, 0);
        off += 8;
        break;
      case 'group':
      case 'setQueue':
        u32(buf, off, ((a.type === 'group' ? OFPAT_GROUP : OFPAT_SET_QUEUE) << 16) | 8);
        u32(buf, off + 4, a.type === 'group' ? a.groupId : a.queueId);
        off += 8;
        break;
      case 'enqueue':
        throw new OfEncodeError('enqueue is an OpenFlow 1.0 action');
      case 'other':
        off += writeOtherAction(buf, off, a);
        break;
    }
  }
  return off - start;
}

export const actions13: ActionListCodec = { length: actionsLength, write: writeActions, read: readActions };

function checkActionLen(len: number, expected: number, name: string, off: number): void {
  if (len !== expected) badLength(`${name} action length ${len}, expected ${expected}`, off);
}

/** Reads the action list in [off, end). */
export function readActions(buf: Buffer, off: number, end: number): Action[] {
  return readElements(buf, off, end, 'action', readAction);
}

function readAction(buf: Buffer, off: number, len: number, type: number): Action {
  switch (type) {
    case OFPAT_OUTPUT:
      checkActionLen(len, 16, 'output', off);
      return { type: 'output', port: buf.readUInt32BE(off + 4), maxLen: buf.readUInt16BE(off + 8) };
    case OFPAT_PUSH_VLAN:
      checkActionLen(len, 8, 'push_vlan', off);
      return { type: 'pushVlan', ethType: buf.readUInt16BE(off + 4) };
    case OFPAT_POP_VLAN:
      checkActionLen(len, 8, 'pop_vlan', off);
      return { type: 'popVlan' };
    case OFPAT_DEC_NW_TTL:
      checkActionLen(len, 8, 'dec_nw_ttl', off);
      return { type: 'decNwTtl' };
    case OFPAT_GROUP:
      checkActionLen(len, 8, 'group', off);
      return { type: 'group', groupId: buf.readUInt32BE(off + 4) };
    case OFPAT_SET_QUEUE:
      checkActionLen(len, 8, 'set_queue', off);
      return { type: 'setQueue', queueId: buf.readUInt32BE(off + 4) };
    case OFPAT_SET_FIELD:
      return readSetField(buf, off, len);
    default:
      return readOtherAction(buf, off, len);
  }
}

function readSetField(buf: Buffer, off: number, len: number): Action {
  const cls = buf.readUInt16BE(off + 4);
  const fieldAndMask = buf[off + 6] as number;
  const oxmLen = buf[off + 7] as number;
  if (8 + oxmLen > len) badLength(`set-field OXM of ${oxmLen} bytes overruns its action`, off);
  const d =
    cls === OFPXMC_OPENFLOW_BASIC && (fieldAndMask & 1) === 0 ? oxmFieldByNum(fieldAndMask >>> 1) : undefined;
  if (d === undefined || ((8 + oxmLen + 7) & ~7) !== len) {
    // A field we do not model (or a masked set-field, OF1.5): keep it verbatim.
    return readOtherAction(buf, off, len);
  }
  if (oxmLen !== d.size) badLength(`set-field ${d.name} length ${oxmLen}`, off);
  return { type: 'setField', field: d.name, value: readValue(buf, off + 8, d.size) } as Action;
}

export function instructionsLength(ins: readonly Instruction[]): number {
  return frozenInstructionBytes(ins)?.length ?? instructionsLengthOf(ins);
}

function instructionsLengthOf(ins: readonly Instruction[]): number {
  let n = 0;
  for (let i = 0; i < ins.length; i++) {
    const x = ins[i] as Instruction;
    switch (x.type) {
      case 'gotoTable':
        checkUint(x.tableId, 8, 'goto table id');
        n += 8;
        break;
      case 'writeMetadata':
        checkUint64(x.metadata, 'metadata');
        checkUint64(x.metadataMask, 'metadata mask');
        n += 24;
        break;
      case 'writeActions':
      case 'applyActions':
        n += 8 + actionsLength(x.actions);
        break;
      case 'clearActions':
        n += 8;
        break;
      case 'meter':
        checkUint(x.meterId, 32, 'meter id');
        n += 8;
        break;
      default:
        throw new OfEncodeError(`unknown instruction ${String((x as { type: unknown }).type)}`);
    }
  }
  return n;
}

export function writeInstructions(buf: Buffer, off: number, ins: readonly Instruction[]): number {
  const b = frozenInstructionBytes(ins);
  return b === undefined ? writeInstructionsOf(buf, off, ins) : b.copy(buf, off);
}

function writeInstructionsOf(buf: Buffer, off: number, ins: readonly Instruction[]): number {
  const start = off;
  for (let i = 0; i < ins.length; i++) {
    const x = ins[i] as Instruction;
    switch (x.type) {
      case 'gotoTable':
        u32(buf, off, (OFPIT_GOTO_TABLE << 16) | 8);
        u32(buf, off + 4, (x.tableId << 24) >>> 0);
        off += 8;
        break;
      case 'writeMetadata':
        u32(buf, off, (OFPIT_WRITE_METADATA << 16) | 24);
        u32(buf, off + 4, 0);
        u64(buf, off + 8, x.metadata);
        u64(buf, off + 16, x.metadataMask);
        off += 24;
        break;
      case 'writeActions':
      case 'applyActions': {
        const n = writeActions(buf, off + 8, x.actions);
        u16(buf, off, x.type === 'applyActions' ? OFPIT_APPLY_ACTIONS : OFPIT_WRITE_ACTIONS);
        u16(buf, off + 2, 8 + n);
        u32(buf, off + 4, 0);
        off += 8 + n;
        break;
      }
      case 'clearActions':
        u32(buf, off, (OFPIT_CLEAR_ACTIONS << 16) | 8);
        u32(buf, off + 4, 0);
        off += 8;
        break;
      case 'meter':
        u32(buf, off, (OFPIT_METER << 16) | 8);
        u32(buf, off + 4, x.meterId);
        off += 8;
        break;
    }
  }
  return off - start;
}

export function readInstructions(buf: Buffer, off: number, end: number): Instruction[] {
  return readElements(buf, off, end, 'instruction', readInstruction);
}

function readInstruction(buf: Buffer, off: number, len: number, type: number): Instruction {
  switch (type) {
    case OFPIT_GOTO_TABLE:
      if (len !== 8) badLength(`goto_table length ${len}`, off);
      return { type: 'gotoTable', tableId: buf[off + 4] as number };
    case OFPIT_WRITE_METADATA:
      if (len !== 24) badLength(`write_metadata length ${len}`, off);
      return {
        type: 'writeMetadata',
        metadata: buf.readBigUInt64BE(off + 8),
        metadataMask: buf.readBigUInt64BE(off + 16),
      };
    case OFPIT_WRITE_ACTIONS:
    case OFPIT_APPLY_ACTIONS:
      return {
        type: type === OFPIT_APPLY_ACTIONS ? 'applyActions' : 'writeActions',
        actions: readActions(buf, off + 8, off + len),
      };
    case OFPIT_CLEAR_ACTIONS:
      if (len !== 8) badLength(`clear_actions length ${len}`, off);
      return { type: 'clearActions' };
    case OFPIT_METER:
      if (len !== 8) badLength(`meter length ${len}`, off);
      return { type: 'meter', meterId: buf.readUInt32BE(off + 4) };
    default:
      malformed(`unknown instruction type ${type}`, off);
  }
}
