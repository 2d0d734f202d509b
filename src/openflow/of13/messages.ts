// OpenFlow 1.3 messages (OF1.3 spec section 7): body layouts after the 8-byte header.
// Offsets in comments are from the start of the message.

import { OfEncodeError, badLength, checkUint, checkUint64, malformed, need } from '../errors.js';
import { readFixedString, writeFixedString } from '../fixed-string.js';
import { OFP_HEADER_LEN, writeHeader } from '../header.js';
import { OFPT_HELLO, helloBodyLength, readHelloBody, writeHelloBody } from '../hello.js';
import type {
  FlowModCommand,
  FlowStats,
  FlowStatsRequestBody,
  MultipartReplyBody,
  MultipartRequestBody,
  OfMessage,
  SwitchDesc,
  TableStats,
} from '../model.js';
import {
  actionsLength,
  instructionsLength,
  readActions,
  readInstructions,
  writeActions,
  writeInstructions,
} from './actions.js';
import { matchWireLength, oxmListLength, readMatch, writeMatch } from './oxm.js';
import {
  OFP13_PORT_LEN,
  OFP13_PORT_STATS_LEN,
  checkPort13,
  checkPortCounters,
  readPort13,
  readPortStats13,
  writePort13,
  writePortStats13,
} from './port.js';
import { readU64, u16, u32, u64, zero } from '../wire.js';

export const OFPT13 = {
  HELLO: OFPT_HELLO,
  ERROR: 1,
  ECHO_REQUEST: 2,
  ECHO_REPLY: 3,
  EXPERIMENTER: 4,
  FEATURES_REQUEST: 5,
  FEATURES_REPLY: 6,
  GET_CONFIG_REQUEST: 7,
  GET_CONFIG_REPLY: 8,
  SET_CONFIG: 9,
  PACKET_IN: 10,
  FLOW_REMOVED: 11,
  PORT_STATUS: 12,
  PACKET_OUT: 13,
  FLOW_MOD: 14,
  MULTIPART_REQUEST: 18,
  MULTIPART_REPLY: 19,
  BARRIER_REQUEST: 20,
  BARRIER_REPLY: 21,
  ROLE_REQUEST: 24,
  ROLE_REPLY: 25,
} as const;

const OFPMP = { DESC: 0, FLOW: 1, AGGREGATE: 2, TABLE: 3, PORT_STATS: 4, PORT_DESC: 13 } as const;

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

const DESC_STR_LEN = 256;
const SERIAL_NUM_LEN = 32;
export const DESC_LEN = 4 * DESC_STR_LEN + SERIAL_NUM_LEN;
const FLOW_STATS_FIXED = 48;
const TABLE_STATS_LEN = 24;
const AGGREGATE_LEN = 24;

// ---------------------------------------------------------------------------------------------------
// Lengths (validating the message for 1.3 as they go)

export function of13Length(msg: OfMessage): number {
  switch (msg.type) {
    case 'hello':
      return OFP_HEADER_LEN + helloBodyLength(msg);
    case 'error':
      checkUint(msg.errType, 16, 'error type');
      checkUint(msg.code, 16, 'error code');
      return 12 + msg.data.length;
    case 'echoRequest':
    case 'echoReply':
      return OFP_HEADER_LEN + msg.data.length;
    case 'experimenter':
      checkUint(msg.experimenter, 32, 'experimenter');
      checkUint(msg.expType, 32, 'exp_type');
      return 16 + msg.data.length;
    case 'featuresRequest':
    case 'getConfigRequest':
    case 'barrierRequest':
    case 'barrierReply':
      return OFP_HEADER_LEN;
    case 'featuresReply':
      if (msg.ports.length > 0) throw new OfEncodeError('OpenFlow 1.3 features reply carries no ports');
      checkUint64(msg.datapathId, 'datapath id');
      checkUint(msg.nBuffers, 32, 'n_buffers');
      checkUint(msg.nTables, 8, 'n_tables');
      checkUint(msg.auxiliaryId, 8, 'auxiliary_id');
      checkUint(msg.capabilities, 32, 'capabilities');
      checkUint(msg.actions, 32, 'reserved');
      return 32;
    case 'getConfigReply':
    case 'setConfig':
      checkUint(msg.flags, 16, 'config flags');
      checkUint(msg.missSendLen, 16, 'miss_send_len');
      return 12;
    case 'packetIn':
      checkUint(msg.bufferId, 32, 'buffer_id');
      checkUint(msg.totalLen, 16, 'total_len');
      checkUint(msg.reason, 8, 'reason');
      checkUint(msg.tableId, 8, 'table_id');
      checkUint64(msg.cookie, 'cookie');
      return 24 + ((4 + oxmListLength(msg.match) + 7) & ~7) + 2 + msg.data.length;
    case 'flowRemoved':
      checkUint64(msg.cookie, 'cookie');
      checkUint(msg.priority, 16, 'priority');
      checkUint(msg.reason, 8, 'reason');
      checkUint(msg.tableId, 8, 'table_id');
      checkUint(msg.durationSec, 32, 'duration_sec');
      checkUint(msg.durationNsec, 32, 'duration_nsec');
      checkUint(msg.idleTimeout, 16, 'idle_timeout');
      checkUint(msg.hardTimeout, 16, 'hard_timeout');
      checkUint64(msg.packetCount, 'packet_count');
      checkUint64(msg.byteCount, 'byte_count');
      return 48 + ((4 + oxmListLength(msg.match) + 7) & ~7);
    case 'portStatus':
      checkUint(msg.reason, 8, 'reason');
      checkPort13(msg.port);
      return 16 + OFP13_PORT_LEN;
    case 'packetOut':
      checkUint(msg.bufferId, 32, 'buffer_id');
      checkUint(msg.inPort, 32, 'in_port');
      return 24 + actionsLength(msg.actions) + msg.data.length;
    case 'flowMod':
      checkUint64(msg.cookie, 'cookie');
      checkUint64(msg.cookieMask, 'cookie_mask');
      checkUint(msg.tableId, 8, 'table_id');
      checkUint(msg.idleTimeout, 16, 'idle_timeout');
      checkUint(msg.hardTimeout, 16, 'hard_timeout');
      checkUint(msg.priority, 16, 'priority');
      checkUint(msg.bufferId, 32, 'buffer_id');
      checkUint(msg.outPort, 32, 'out_port');
      checkUint(msg.outGroup, 32, 'out_group');
      checkUint(msg.flags, 16, 'flags');
      flowModCommandCode(msg.command);
      return 48 + ((4 + oxmListLength(msg.match) + 7) & ~7) + instructionsLength(msg.instructions);
    case 'roleRequest':
    case 'roleReply':
      checkUint(msg.role, 32, 'role');
      checkUint64(msg.generationId, 'generation_id');
      return 24;
    case 'multipartRequest':
      checkUint(msg.flags, 16, 'multipart flags');
      return 16 + multipartRequestBodyLength(msg.body);
    case 'multipartReply':
      checkUint(msg.flags, 16, 'multipart flags');
      return 16 + multipartReplyBodyLength(msg.body);
  }
}

function flowStatsRequestLength(b: FlowStatsRequestBody): number {
  checkUint(b.tableId, 8, 'table_id');
  checkUint(b.outPort, 32, 'out_port');
  checkUint(b.outGroup, 32, 'out_group');
  checkUint64(b.cookie, 'cookie');
  checkUint64(b.cookieMask, 'cookie_mask');
  return 32 + ((4 + oxmListLength(b.match) + 7) & ~7);
}

function multipartRequestBodyLength(b: MultipartRequestBody): number {
  switch (b.kind) {
    case 'desc':
    case 'table':
    case 'portDesc':
      return 0;
    case 'flow':
    case 'aggregate':
      return flowStatsRequestLength(b);
    case 'port':
      checkUint(b.portNo, 32, 'port_no');
      return 8;
    case 'other':
      checkUint(b.multipartType, 16, 'multipart type');
      return b.body.length;
  }
}

function flowStatsLength(s: FlowStats): number {
  checkUint(s.tableId, 8, 'table_id');
  checkUint(s.durationSec, 32, 'duration_sec');
  checkUint(s.durationNsec, 32, 'duration_nsec');
  checkUint(s.priority, 16, 'priority');
  checkUint(s.idleTimeout, 16, 'idle_timeout');
  checkUint(s.hardTimeout, 16, 'hard_timeout');
  checkUint(s.flags, 16, 'flags');
  checkUint64(s.cookie, 'cookie');
  checkUint64(s.packetCount, 'packet_count');
  checkUint64(s.byteCount, 'byte_count');
  return FLOW_STATS_FIXED + ((4 + oxmListLength(s.match) + 7) & ~7) + instructionsLength(s.instructions);
}

function multipartReplyBodyLength(b: MultipartReplyBody): number {
  switch (b.kind) {
    case 'desc':
      return DESC_LEN;
    case 'flow': {
      let n = 0;
      for (const s of b.flows) n += flowStatsLength(s);
      return n;
    }
    case 'aggregate':
      checkUint64(b.stats.packetCount, 'packet_count');
      checkUint64(b.stats.byteCount, 'byte_count');
      checkUint(b.stats.flowCount, 32, 'flow_count');
      return AGGREGATE_LEN;
    case 'table':
      for (const t of b.tables) {
        checkUint(t.tableId, 8, 'table_id');
        checkUint(t.activeCount, 32, 'active_count');
        checkUint64(t.lookupCount, 'lookup_count');
        checkUint64(t.matchedCount, 'matched_count');
      }
      return TABLE_STATS_LEN * b.tables.length;
    case 'port':
      for (const p of b.ports) {
        checkUint(p.portNo, 32, 'port_no');
        checkUint(p.durationSec, 32, 'duration_sec');
        checkUint(p.durationNsec, 32, 'duration_nsec');
        checkPortCounters(p);
      }
      return OFP13_PORT_STATS_LEN * b.ports.length;
    case 'portDesc':
      for (const p of b.ports) checkPort13(p);
      return OFP13_PORT_LEN * b.ports.length;
    case 'other':
      checkUint(b.multipartType, 16, 'multipart type');
      return b.body.length;
  }
}

// ---------------------------------------------------------------------------------------------------
// Writing (after of13Length validated the message and sized the buffer)

function msgType13(msg: OfMessage): number {
  switch (msg.type) {
    case 'hello':
      return OFPT13.HELLO;
    case 'error':
      return OFPT13.ERROR;
    case 'echoRequest':
      return OFPT13.ECHO_REQUEST;
    case 'echoReply':
      return OFPT13.ECHO_REPLY;
    case 'experimenter':
      return OFPT13.EXPERIMENTER;
    case 'featuresRequest':
      return OFPT13.FEATURES_REQUEST;
    case 'featuresReply':
      return OFPT13.FEATURES_REPLY;
    case 'getConfigRequest':
      return OFPT13.GET_CONFIG_REQUEST;
    case 'getConfigReply':
      return OFPT13.GET_CONFIG_REPLY;
    case 'setConfig':
      return OFPT13.SET_CONFIG;
    case 'packetIn':
      return OFPT13.PACKET_IN;
    case 'flowRemoved':
      return OFPT13.FLOW_REMOVED;
    case 'portStatus':
      return OFPT13.PORT_STATUS;
    case 'packetOut':
      return OFPT13.PACKET_OUT;
    case 'flowMod':
      return OFPT13.FLOW_MOD;
    case 'barrierRequest':
      return OFPT13.BARRIER_REQUEST;
    case 'barrierReply':
      return OFPT13.BARRIER_REPLY;
    case 'roleRequest':
      return OFPT13.ROLE_REQUEST;
    case 'roleReply':
      return OFPT13.ROLE_REPLY;
    case 'multipartRequest':
      return OFPT13.MULTIPART_REQUEST;
    case 'multipartReply':
      return OFPT13.MULTIPART_REPLY;
  }
}

/** Writes `msg` of total length `len` (from of13Length) at `off`. */
export function writeOf13(buf: Buffer, off: number, xid: number, msg: OfMessage, len: number): void {
  writeHeader(buf, off, 0x04, msgType13(msg), len, xid);
  switch (msg.type) {
    case 'hello':
      writeHelloBody(buf, off + 8, msg);
      return;
    case 'error':
      u16(buf, off + 8, msg.errType);
      u16(buf, off + 10, msg.code);
      buf.set(msg.data, off + 12);
      return;
    case 'echoRequest':
    case 'echoReply':
      buf.set(msg.data, off + 8);
      return;
    case 'experimenter':
      u32(buf, off + 8, msg.experimenter);
      u32(buf, off + 12, msg.expType);
      buf.set(msg.data, off + 16);
      return;
    case 'featuresRequest':
    case 'getConfigRequest':
    case 'barrierRequest':
    case 'barrierReply':
      return;
    case 'featuresReply':
      u64(buf, off + 8, msg.datapathId);
      u32(buf, off + 16, msg.nBuffers);
      buf[off + 20] = msg.nTables;
      buf[off + 21] = msg.auxiliaryId;
      u16(buf, off + 22, 0);
      u32(buf, off + 24, msg.capabilities);
      u32(buf, off + 28, msg.actions);
      return;
    case 'getConfigReply':
    case 'setConfig':
      u16(buf, off + 8, msg.flags);
      u16(buf, off + 10, msg.missSendLen);
      return;
    case 'packetIn': {
      u32(buf, off + 8, msg.bufferId);
      u16(buf, off + 12, msg.totalLen);
      buf[off + 14] = msg.reason;
      buf[off + 15] = msg.tableId;
      u64(buf, off + 16, msg.cookie);
      const ml = writeMatch(buf, off + 24, msg.match);
      u16(buf, off + 24 + ml, 0);
      buf.set(msg.data, off + 26 + ml);
      return;
    }
    case 'flowRemoved':
      u64(buf, off + 8, msg.cookie);
      u16(buf, off + 16, msg.priority);
      buf[off + 18] = msg.reason;
      buf[off + 19] = msg.tableId;
      u32(buf, off + 20, msg.durationSec);
      u32(buf, off + 24, msg.durationNsec);
      u16(buf, off + 28, msg.idleTimeout);
      u16(buf, off + 30, msg.hardTimeout);
      u64(buf, off + 32, msg.packetCount);
      u64(buf, off + 40, msg.byteCount);
      writeMatch(buf, off + 48, msg.match);
      return;
    case 'portStatus':
      buf[off + 8] = msg.reason;
      zero(buf, off + 9, off + 16);
      writePort13(buf, off + 16, msg.port);
      return;
    case 'packetOut': {
      u32(buf, off + 8, msg.bufferId);
      u32(buf, off + 12, msg.inPort);
      zero(buf, off + 18, off + 24);
      const al = writeActions(buf, off + 24, msg.actions);
      u16(buf, off + 16, al);
      buf.set(msg.data, off + 24 + al);
      return;
    }
    case 'flowMod': {
      u64(buf, off + 8, msg.cookie);
      u64(buf, off + 16, msg.cookieMask);
      buf[off + 24] = msg.tableId;
      buf[off + 25] = flowModCommandCode(msg.command);
      u16(buf, off + 26, msg.idleTimeout);
      u16(buf, off + 28, msg.hardTimeout);
      u16(buf, off + 30, msg.priority);
      u32(buf, off + 32, msg.bufferId);
      u32(buf, off + 36, msg.outPort);
      u32(buf, off + 40, msg.outGroup);
      u16(buf, off + 44, msg.flags);
      u16(buf, off + 46, 0);
      const ml = writeMatch(buf, off + 48, msg.match);
      writeInstructions(buf, off + 48 + ml, msg.instructions);
      return;
    }
    case 'roleRequest':
    case 'roleReply':
      u32(buf, off + 8, msg.role);
      u32(buf, off + 12, 0);
      u64(buf, off + 16, msg.generationId);
      return;
    case 'multipartRequest':
      u16(buf, off + 8, multipartRequestType(msg.body));
      u16(buf, off + 10, msg.flags);
      u32(buf, off + 12, 0);
      writeMultipartRequestBody(buf, off + 16, msg.body);
      return;
    case 'multipartReply':
      u16(buf, off + 8, multipartReplyType(msg.body));
      u16(buf, off + 10, msg.flags);
      u32(buf, off + 12, 0);
      writeMultipartReplyBody(buf, off + 16, msg.body);
      return;
  }
}

function kindType(kind: Exclude<MultipartRequestBody['kind'], 'other'>): number {
  switch (kind) {
    case 'desc':
      return OFPMP.DESC;
    case 'flow':
      return OFPMP.FLOW;
    case 'aggregate':
      return OFPMP.AGGREGATE;
    case 'table':
      return OFPMP.TABLE;
    case 'port':
      return OFPMP.PORT_STATS;
    case 'portDesc':
      return OFPMP.PORT_DESC;
  }
}

function multipartRequestType(b: MultipartRequestBody): number {
  return b.kind === 'other' ? b.multipartType : kindType(b.kind);
}
function multipartReplyType(b: MultipartReplyBody): number {
  return b.kind === 'other' ? b.multipartType : kindType(b.kind);
}

function writeMultipartRequestBody(buf: Buffer, off: number, b: MultipartRequestBody): void {
  switch (b.kind) {
    case 'desc':
    case 'table':
    case 'portDesc':
      return;
    case 'flow':
    case 'aggregate':
      u32(buf, off, (b.tableId << 24) >>> 0);
      u32(buf, off + 4, b.outPort);
      u32(buf, off + 8, b.outGroup);
      u32(buf, off + 12, 0);
      u64(buf, off + 16, b.cookie);
      u64(buf, off + 24, b.cookieMask);
      writeMatch(buf, off + 32, b.match);
      return;
    case 'port':
      u32(buf, off, b.portNo);
      u32(buf, off + 4, 0);
      return;
    case 'other':
      buf.set(b.body, off);
      return;
  }
}

function writeDesc(buf: Buffer, off: number, d: SwitchDesc): void {
  writeFixedString(buf, off, DESC_STR_LEN, d.mfrDesc, 'mfr_desc');
  writeFixedString(buf, off + 256, DESC_STR_LEN, d.hwDesc, 'hw_desc');
  writeFixedString(buf, off + 512, DESC_STR_LEN, d.swDesc, 'sw_desc');
  writeFixedString(buf, off + 768, SERIAL_NUM_LEN, d.serialNum, 'serial_num');
  writeFixedString(buf, off + 800, DESC_STR_LEN, d.dpDesc, 'dp_desc');
}

export function readDesc(buf: Buffer, off: number): SwitchDesc {
  return {
    mfrDesc: readFixedString(buf, off, DESC_STR_LEN),
    hwDesc: readFixedString(buf, off + 256, DESC_STR_LEN),
    swDesc: readFixedString(buf, off + 512, DESC_STR_LEN),
    serialNum: readFixedString(buf, off + 768, SERIAL_NUM_LEN),
    dpDesc: readFixedString(buf, off + 800, DESC_STR_LEN),
  };
}

export { writeDesc };

function writeMultipartReplyBody(buf: Buffer, off: number, b: MultipartReplyBody): void {
  switch (b.kind) {
    case 'desc':
      writeDesc(buf, off, b.desc);
      return;
    case 'flow':
      for (const s of b.flows) {
        const start = off;
        buf[off + 2] = s.tableId;
        buf[off + 3] = 0;
        u32(buf, off + 4, s.durationSec);
        u32(buf, off + 8, s.durationNsec);
        u16(buf, off + 12, s.priority);
        u16(buf, off + 14, s.idleTimeout);
        u16(buf, off + 16, s.hardTimeout);
        u16(buf, off + 18, s.flags);
        u32(buf, off + 20, 0);
        u64(buf, off + 24, s.cookie);
        u64(buf, off + 32, s.packetCount);
        u64(buf, off + 40, s.byteCount);
        off += FLOW_STATS_FIXED;
        off += writeMatch(buf, off, s.match);
        off += writeInstructions(buf, off, s.instructions);
        u16(buf, start, off - start);
      }
      return;
    case 'aggregate':
      u64(buf, off, b.stats.packetCount);
      u64(buf, off + 8, b.stats.byteCount);
      u32(buf, off + 16, b.stats.flowCount);
      u32(buf, off + 20, 0);
      return;
    case 'table':
      for (const t of b.tables) {
        u32(buf, off, (t.tableId << 24) >>> 0);
        u32(buf, off + 4, t.activeCount);
        u64(buf, off + 8, t.lookupCount);
        u64(buf, off + 16, t.matchedCount);
        off += TABLE_STATS_LEN;
      }
      return;
    case 'port':
      for (const p of b.ports) {
        writePortStats13(buf, off, p);
        off += OFP13_PORT_STATS_LEN;
      }
      return;
    case 'portDesc':
      for (const p of b.ports) {
        writePort13(buf, off, p);
        off += OFP13_PORT_LEN;
      }
      return;
    case 'other':
      buf.set(b.body, off);
      return;
  }
}

// ---------------------------------------------------------------------------------------------------
// Reading: [off, end) is exactly one message whose header was checked by the caller.

function exactly(len: number, expected: number, what: string, off: number): void {
  if (len !== expected) badLength(`${what} length ${len}, expected ${expected}`, off);
}

export function readOf13(buf: Buffer, off: number, end: number, type: number): OfMessage {
  const len = end - off;
  switch (type) {
    case OFPT13.HELLO:
      return readHelloBody(buf, off + 8, end, 0x04);
    case OFPT13.ERROR:
      need(off + 8, 4, end, 'error body');
      return {
        type: 'error',
        errType: buf.readUInt16BE(off + 8),
        code: buf.readUInt16BE(off + 10),
        data: buf.subarray(off + 12, end),
      };
    case OFPT13.ECHO_REQUEST:
      return { type: 'echoRequest', data: buf.subarray(off + 8, end) };
    case OFPT13.ECHO_REPLY:
      return { type: 'echoReply', data: buf.subarray(off + 8, end) };
    case OFPT13.EXPERIMENTER:
      need(off + 8, 8, end, 'experimenter header');
      return {
        type: 'experimenter',
        experimenter: buf.readUInt32BE(off + 8),
        expType: buf.readUInt32BE(off + 12),
        data: buf.subarray(off + 16, end),
      };
    case OFPT13.FEATURES_REQUEST:
      exactly(len, 8, 'features request', off);
      return { type: 'featuresRequest' };
    case OFPT13.GET_CONFIG_REQUEST:
      exactly(len, 8, 'get-config request', off);
      return { type: 'getConfigRequest' };
    case OFPT13.BARRIER_REQUEST:
      exactly(len, 8, 'barrier request', off);
      return { type: 'barrierRequest' };
    case OFPT13.BARRIER_REPLY:
      exactly(len, 8, 'barrier reply', off);
      return { type: 'barrierReply' };
    case OFPT13.FEATURES_REPLY:
      exactly(len, 32, 'features reply', off);
      return {
        type: 'featuresReply',
        datapathId: buf.readBigUInt64BE(off + 8),
        nBuffers: buf.readUInt32BE(off + 16),
        nTables: buf[off + 20] as number,
        auxiliaryId: buf[off + 21] as number,
        capabilities: buf.readUInt32BE(off + 24),
        actions: buf.readUInt32BE(off + 28),
        ports: [],
      };
    case OFPT13.GET_CONFIG_REPLY:
    case OFPT13.SET_CONFIG:
      exactly(len, 12, 'switch config', off);
      return {
        type: type === OFPT13.SET_CONFIG ? 'setConfig' : 'getConfigReply',
        flags: buf.readUInt16BE(off + 8),
        missSendLen: buf.readUInt16BE(off + 10),
      };
    case OFPT13.PACKET_IN: {
      need(off, 24, end, 'packet-in');
      const match = readMatch(buf, off + 24, end);
      const dataOff = off + 24 + matchWireLength(buf, off + 24) + 2;
      need(dataOff, 0, end, 'packet-in padding');
      return {
        type: 'packetIn',
        bufferId: buf.readUInt32BE(off + 8),
        totalLen: buf.readUInt16BE(off + 12),
        reason: buf[off + 14] as number,
        tableId: buf[off + 15] as number,
        cookie: readU64(buf, off + 16),
        inPort: match.inPort ?? 0,
        match,
        data: buf.subarray(dataOff, end),
      };
    }
    case OFPT13.FLOW_REMOVED: {
      need(off, 48, end, 'flow-removed');
      const match = readMatch(buf, off + 48, end);
      exactly(len, 48 + matchWireLength(buf, off + 48), 'flow-removed', off);
      return {
        type: 'flowRemoved',
        cookie: buf.readBigUInt64BE(off + 8),
        priority: buf.readUInt16BE(off + 16),
        reason: buf[off + 18] as number,
        tableId: buf[off + 19] as number,
        durationSec: buf.readUInt32BE(off + 20),
        durationNsec: buf.readUInt32BE(off + 24),
        idleTimeout: buf.readUInt16BE(off + 28),
        hardTimeout: buf.readUInt16BE(off + 30),
        packetCount: buf.readBigUInt64BE(off + 32),
        byteCount: buf.readBigUInt64BE(off + 40),
        match,
      };
    }
    case OFPT13.PORT_STATUS:
      exactly(len, 16 + OFP13_PORT_LEN, 'port-status', off);
      return { type: 'portStatus', reason: buf[off + 8] as number, port: readPort13(buf, off + 16) };
    case OFPT13.PACKET_OUT: {
      need(off, 24, end, 'packet-out');
      const al = buf.readUInt16BE(off + 16);
      need(off + 24, al, end, 'packet-out actions');
      return {
        type: 'packetOut',
        bufferId: buf.readUInt32BE(off + 8),
        inPort: buf.readUInt32BE(off + 12),
        actions: readActions(buf, off + 24, off + 24 + al),
        data: buf.subarray(off + 24 + al, end),
      };
    }
    case OFPT13.FLOW_MOD: {
      need(off, 48, end, 'flow-mod');
      const cmd = buf[off + 25] as number;
      const command = FLOW_MOD_COMMANDS[cmd];
      if (command === undefined) malformed(`flow-mod command ${cmd}`, off + 25);
      const match = readMatch(buf, off + 48, end);
      const insOff = off + 48 + matchWireLength(buf, off + 48);
      return {
        type: 'flowMod',
        command,
        cookie: buf.readBigUInt64BE(off + 8),
        cookieMask: buf.readBigUInt64BE(off + 16),
        tableId: buf[off + 24] as number,
        idleTimeout: buf.readUInt16BE(off + 26),
        hardTimeout: buf.readUInt16BE(off + 28),
        priority: buf.readUInt16BE(off + 30),
        bufferId: buf.readUInt32BE(off + 32),
        outPort: buf.readUInt32BE(off + 36),
        outGroup: buf.readUInt32BE(off + 40),
        flags: buf.readUInt16BE(off + 44),
        match,
        instructions: readInstructions(buf, insOff, end),
      };
    }
    case OFPT13.ROLE_REQUEST:
    case OFPT13.ROLE_REPLY:
      exactly(len, 24, 'role message', off);
      return {
        type: type === OFPT13.ROLE_REQUEST ? 'roleRequest' : 'roleReply',
        role: buf.readUInt32BE(off + 8),
        generationId: buf.readBigUInt64BE(off + 16),
      };
    case OFPT13.MULTIPART_REQUEST:
      need(off, 16, end, 'multipart request header');
      return {
        type: 'multipartRequest',
        flags: buf.readUInt16BE(off + 10),
        body: readMultipartRequestBody(buf, off + 16, end, buf.readUInt16BE(off + 8)),
      };
    case OFPT13.MULTIPART_REPLY:
      need(off, 16, end, 'multipart reply header');
      return {
        type: 'multipartReply',
        flags: buf.readUInt16BE(off + 10),
        body: readMultipartReplyBody(buf, off + 16, end, buf.readUInt16BE(off + 8)),
      };
    default:
      throw new UnknownType13(type);
  }
}

/** Signals an unknown message type to the dispatcher (which reports 'bad-type'). */
export class UnknownType13 extends Error {
  constructor(readonly msgType: number) {
    super(`unknown OpenFlow 1.3 message type ${msgType}`);
  }
}

function readFlowStatsRequest(buf: Buffer, off: number, end: number): FlowStatsRequestBody {
  need(off, 32, end, 'flow stats request');
  const match = readMatch(buf, off + 32, end);
  exactly(end - off, 32 + matchWireLength(buf, off + 32), 'flow stats request body', off);
  return {
    tableId: buf[off] as number,
    outPort: buf.readUInt32BE(off + 4),
    outGroup: buf.readUInt32BE(off + 8),
    cookie: buf.readBigUInt64BE(off + 16),
    cookieMask: buf.readBigUInt64BE(off + 24),
    match,
  };
}

function readMultipartRequestBody(
  buf: Buffer,
  off: number,
  end: number,
  mpType: number,
): MultipartRequestBody {
  switch (mpType) {
    case OFPMP.DESC:
      exactly(end - off, 0, 'desc request body', off);
      return { kind: 'desc' };
    case OFPMP.TABLE:
      exactly(end - off, 0, 'table stats request body', off);
      return { kind: 'table' };
    case OFPMP.PORT_DESC:
      exactly(end - off, 0, 'port desc request body', off);
      return { kind: 'portDesc' };
    case OFPMP.FLOW:
      return { kind: 'flow', ...readFlowStatsRequest(buf, off, end) };
    case OFPMP.AGGREGATE:
      return { kind: 'aggregate', ...readFlowStatsRequest(buf, off, end) };
    case OFPMP.PORT_STATS:
      exactly(end - off, 8, 'port stats request body', off);
      return { kind: 'port', portNo: buf.readUInt32BE(off) };
    default:
      return { kind: 'other', multipartType: mpType, body: buf.subarray(off, end) };
  }
}

function fixedArray<T>(
  buf: Buffer,
  off: number,
  end: number,
  size: number,
  what: string,
  read: (o: number) => T,
): T[] {
  if ((end - off) % size !== 0)
    badLength(`${what} body of ${end - off} bytes is not a multiple of ${size}`, off);
  const out: T[] = [];
  for (; off < end; off += size) out.push(read(off));
  return out;
}

function readTableStats13(buf: Buffer, off: number): TableStats {
  return {
    tableId: buf[off] as number,
    activeCount: buf.readUInt32BE(off + 4),
    lookupCount: buf.readBigUInt64BE(off + 8),
    matchedCount: buf.readBigUInt64BE(off + 16),
    name: '',
    wildcards: 0,
    maxEntries: 0,
  };
}

function readMultipartReplyBody(buf: Buffer, off: number, end: number, mpType: number): MultipartReplyBody {
  switch (mpType) {
    case OFPMP.DESC:
      exactly(end - off, DESC_LEN, 'desc reply body', off);
      return { kind: 'desc', desc: readDesc(buf, off) };
    case OFPMP.FLOW: {
      const flows: FlowStats[] = [];
      while (off < end) {
        need(off, FLOW_STATS_FIXED, end, 'flow stats entry');
        const elen = buf.readUInt16BE(off);
        if (elen < FLOW_STATS_FIXED + 8) badLength(`flow stats entry length ${elen}`, off);
        need(off, elen, end, 'flow stats entry');
        const eEnd = off + elen;
        const match = readMatch(buf, off + FLOW_STATS_FIXED, eEnd);
        flows.push({
          tableId: buf[off + 2] as number,
          durationSec: buf.readUInt32BE(off + 4),
          durationNsec: buf.readUInt32BE(off + 8),
          priority: buf.readUInt16BE(off + 12),
          idleTimeout: buf.readUInt16BE(off + 14),
          hardTimeout: buf.readUInt16BE(off + 16),
          flags: buf.readUInt16BE(off + 18),
          cookie: buf.readBigUInt64BE(off + 24),
          packetCount: buf.readBigUInt64BE(off + 32),
          byteCount: buf.readBigUInt64BE(off + 40),
          match,
          instructions: readInstructions(
            buf,
            off + FLOW_STATS_FIXED + matchWireLength(buf, off + FLOW_STATS_FIXED),
            eEnd,
          ),
        });
        off = eEnd;
      }
      return { kind: 'flow', flows };
    }
    case OFPMP.AGGREGATE:
      exactly(end - off, AGGREGATE_LEN, 'aggregate reply body', off);
      return {
        kind: 'aggregate',
        stats: {
          packetCount: buf.readBigUInt64BE(off),
          byteCount: buf.readBigUInt64BE(off + 8),
          flowCount: buf.readUInt32BE(off + 16),
        },
      };
    case OFPMP.TABLE:
      return {
        kind: 'table',
        tables: fixedArray(buf, off, end, TABLE_STATS_LEN, 'table stats', (o) => readTableStats13(buf, o)),
      };
    case OFPMP.PORT_STATS:
      return {
        kind: 'port',
        ports: fixedArray(buf, off, end, OFP13_PORT_STATS_LEN, 'port stats', (o) => readPortStats13(buf, o)),
      };
    case OFPMP.PORT_DESC:
      return {
        kind: 'portDesc',
        ports: fixedArray(buf, off, end, OFP13_PORT_LEN, 'port desc', (o) => readPort13(buf, o)),
      };
    default:
      return { kind: 'other', multipartType: mpType, body: buf.subarray(off, end) };
  }
}
