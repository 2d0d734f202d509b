// OpenFlow 1.0 actions (OF1.0 spec 5.2.4): {type u16, len u16, ...}, len a multiple of 8.

import { readMac, writeMac } from '../../net/mac-address.js';
import type { ActionListCodec } from '../action-tlv.js';
import { otherActionLength, readElements, readOtherAction, writeOtherAction } from '../action-tlv.js';
import { OfEncodeError, badLength, checkUint } from '../errors.js';
import type { Action, Instruction } from '../model.js';
import { OFPVID_PRESENT } from '../model.js';
import { port16To32, port32To16 } from './port.js';
import { u16, u32, zero } from '../wire.js';

const OFPAT10 = {
  OUTPUT: 0,
  SET_VLAN_VID: 1,
  SET_VLAN_PCP: 2,
  STRIP_VLAN: 3,
  SET_DL_SRC: 4,
  SET_DL_DST: 5,
  SET_NW_SRC: 6,
  SET_NW_DST: 7,
  SET_NW_TOS: 8,
  SET_TP_SRC: 9,
  SET_TP_DST: 10,
  ENQUEUE: 11,
} as const;

function unsupported(what: string): never {
  throw new OfEncodeError(`OpenFlow 1.0 has no ${what} action`);
}

function checkMac(v: unknown, what: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffffffff) {
    throw new OfEncodeError(`${what} ${String(v)} is not a 48-bit MAC address`);
  }
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number') throw new OfEncodeError(`${what} must be a number`);
  return v;
}

export function actionLength10(a: Action): number {
  switch (a.type) {
    case 'output':
      port32To16(a.port, 'output port');
      checkUint(a.maxLen, 16, 'output max_len');
      return 8;
    case 'popVlan':
      return 8;
    case 'enqueue':
      port32To16(a.port, 'enqueue port');
      checkUint(a.queueId, 32, 'queue id');
      return 16;
    case 'setField':
      switch (a.field) {
        case 'ethSrc':
        case 'ethDst':
          checkMac(a.value, a.field);
          return 16;
        case 'vlanVid': {
          const v = num(a.value, 'vlanVid');
          if ((v & ~0xfff) !== OFPVID_PRESENT)
            throw new OfEncodeError('set vlanVid needs OFPVID_PRESENT | vid');
          return 8;
        }
        case 'vlanPcp':
          checkUint(num(a.value, a.field), 8, a.field);
          return 8;
        case 'ipDscp': {
          const v = num(a.value, a.field);
          if (!Number.isInteger(v) || v < 0 || v > 63) throw new OfEncodeError(`ipDscp ${v} is not 6 bits`);
          return 8;
        }
        case 'ipv4Src':
        case 'ipv4Dst':
          checkUint(num(a.value, a.field), 32, a.field);
          return 8;
        case 'tcpSrc':
        case 'tcpDst':
        case 'udpSrc':
        case 'udpDst':
          checkUint(num(a.value, a.field), 16, a.field);
          return 8;
        default:
          return unsupported(`set ${a.field}`);
      }
    case 'other':
      return otherActionLength(a);
    default:
      return unsupported(a.type);
  }
}

export function actionsLength10(actions: readonly Action[]): number {
  let n = 0;
  for (let i = 0; i < actions.length; i++) n += actionLength10(actions[i] as Action);
  return n;
}

function setFieldType(field: string): number {
  switch (field) {
    case 'ethSrc':
      return OFPAT10.SET_DL_SRC;
    case 'ethDst':
      return OFPAT10.SET_DL_DST;
    case 'vlanVid':
      return OFPAT10.SET_VLAN_VID;
    case 'vlanPcp':
      return OFPAT10.SET_VLAN_PCP;
    case 'ipDscp':
      return OFPAT10.SET_NW_TOS;
    case 'ipv4Src':
      return OFPAT10.SET_NW_SRC;
    case 'ipv4Dst':
      return OFPAT10.SET_NW_DST;
    case 'tcpSrc':
    case 'udpSrc':
      return OFPAT10.SET_TP_SRC;
    default:
      return OFPAT10.SET_TP_DST;
  }
}

/** Writes actions validated by actionsLength10; returns the bytes written. */
export function writeActions10(buf: Buffer, off: number, actions: readonly Action[]): number {
  const start = off;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i] as Action;
    switch (a.type) {
      case 'output':
        u32(buf, off, (OFPAT10.OUTPUT << 16) | 8);
        u16(buf, off + 4, port32To16(a.port, 'output port'));
        u16(buf, off + 6, a.maxLen);
        off += 8;
        break;
      case 'popVlan':
        u32(buf, off, (OFPAT10.STRIP_VLAN << 16) | 8);
        u32(buf, off + 4, 0);
        off += 8;
        break;
      case 'enqueue':
        u32(buf, off, (OFPAT10.ENQUEUE << 16) | 16);
        u16(buf, off + 4, port32To16(a.port, 'enqueue port'));
        zero(buf, off + 6, off + 12);
        u32(buf, off + 12, a.queueId);
        off += 16;
        break;
      case 'setField': {
        const t = setFieldType(a.field);
        if (t === OFPAT10.SET_DL_SRC || t === OFPAT10.SET_DL_DST) {
          u32(buf, off, (t << 16) | 16);
          writeMac(buf, off + 4, a.value as number);
          zero(buf, off + 10, off + 16);
          off += 16;
          break;
        }
        u32(buf, off, (t << 16) | 8);
        const v = a.value as number;
        switch (t) {
          case OFPAT10.SET_NW_SRC:
          case OFPAT10.SET_NW_DST:
            u32(buf, off + 4, v);
            break;
          case OFPAT10.SET_VLAN_PCP:
            u32(buf, off + 4, (v << 24) >>> 0);
            break;
          case OFPAT10.SET_NW_TOS:
            u32(buf, off + 4, (v << 26) >>> 0);
            break;
          case OFPAT10.SET_VLAN_VID:
            u32(buf, off + 4, ((v & 0xfff) << 16) >>> 0);
            break;
          default:
            u32(buf, off + 4, (v << 16) >>> 0);
        }
        off += 8;
        break;
      }
      case 'other':
        off += writeOtherAction(buf, off, a);
        break;
      default:
        unsupported(a.type);
    }
  }
  return off - start;
}

function expectLen(len: number, expected: number, off: number): void {
  if (len !== expected) badLength(`action length ${len}, expected ${expected}`, off);
}

export function readActions10(buf: Buffer, off: number, end: number): Action[] {
  return readElements(buf, off, end, 'action', readAction10);
}

function readAction10(buf: Buffer, off: number, len: number, type: number): Action {
  switch (type) {
    case OFPAT10.OUTPUT:
      expectLen(len, 8, off);
      return {
        type: 'output',
        port: port16To32(buf.readUInt16BE(off + 4)),
        maxLen: buf.readUInt16BE(off + 6),
      };
    case OFPAT10.SET_VLAN_VID:
      expectLen(len, 8, off);
      return {
        type: 'setField',
        field: 'vlanVid',
        value: OFPVID_PRESENT | (buf.readUInt16BE(off + 4) & 0xfff),
      };
    case OFPAT10.SET_VLAN_PCP:
      expectLen(len, 8, off);
      return { type: 'setField', field: 'vlanPcp', value: buf[off + 4] as number };
    case OFPAT10.STRIP_VLAN:
      expectLen(len, 8, off);
      return { type: 'popVlan' };
    case OFPAT10.SET_DL_SRC:
    case OFPAT10.SET_DL_DST:
      expectLen(len, 16, off);
      return {
        type: 'setField',
        field: type === OFPAT10.SET_DL_SRC ? 'ethSrc' : 'ethDst',
        value: readMac(buf, off + 4),
      };
    case OFPAT10.SET_NW_SRC:
    case OFPAT10.SET_NW_DST:
      expectLen(len, 8, off);
      return {
        type: 'setField',
        field: type === OFPAT10.SET_NW_SRC ? 'ipv4Src' : 'ipv4Dst',
        value: buf.readUInt32BE(off + 4),
      };
    case OFPAT10.SET_NW_TOS:
      expectLen(len, 8, off);
      return { type: 'setField', field: 'ipDscp', value: (buf[off + 4] as number) >>> 2 };
    case OFPAT10.SET_TP_SRC:
    case OFPAT10.SET_TP_DST:
      expectLen(len, 8, off);
      return {
        type: 'setField',
        field: type === OFPAT10.SET_TP_SRC ? 'tcpSrc' : 'tcpDst',
        value: buf.readUInt16BE(off + 4),
      };
    case OFPAT10.ENQUEUE:
      expectLen(len, 16, off);
      return {
        type: 'enqueue',
        port: port16To32(buf.readUInt16BE(off + 4)),
        queueId: buf.readUInt32BE(off + 12),
      };
    default:
      return readOtherAction(buf, off, len);
  }
}

export const actions10: ActionListCodec = {
  length: actionsLength10,
  write: writeActions10,
  read: readActions10,
};

/** The 1.0 action list of a model instruction list: [] or one applyActions. */
export function instructionsAsActions10(ins: readonly Instruction[]): readonly Action[] {
  if (ins.length === 0) return [];
  const first = ins[0] as Instruction;
  if (ins.length > 1 || first.type !== 'applyActions') {
    throw new OfEncodeError('OpenFlow 1.0 flows take a single applyActions instruction');
  }
  return first.actions;
}

export function actionsAsInstructions10(actions: Action[]): Instruction[] {
  return actions.length === 0 ? [] : [{ type: 'applyActions', actions }];
}
