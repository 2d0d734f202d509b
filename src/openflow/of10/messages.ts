// OpenFlow 1.0 messages (OF1.0 spec section 5): body layouts after the 8-byte header.
// Offsets in comments are from the start of the message.

import { OfEncodeError, badLength, checkUint, checkUint64, malformed, need } from '../errors.js';
import { readFixedString, writeFixedString } from '../fixed-string.js';
import { OFP_HEADER_LEN, writeHeader } from '../header.js';
import { OFPT_HELLO, helloBodyLength, readHelloBody, writeHelloBody } from '../hello.js';
import type {
  FlowStats,
  FlowStatsRequestBody,
  MultipartReplyBody,
  MultipartRequestBody,
  OfMessage,
  TableStats,
} from '../model.js';
import { OFPG_ANY } from '../model.js';
import { DESC_LEN, FLOW_MOD_COMMANDS, flowModCommandCode, readDesc, writeDesc } from '../of13/messages.js';
import {
  actionsAsInstructions10,
  actionsLength10,
  instructionsAsActions10,
  readActions10,
  writeActions10,
} from './actions.js';
import { readMatch10, writeMatch10 } from './match.js';
import {
  OFP10_PHY_PORT_LEN,
  OFP10_PORT_STATS_LEN,
  checkPhyPort,
  checkPortStats10,
  port16To32,
  port32To16,
  readPhyPort,
  readPortStats10,
  writePhyPort,
  writePortStats10,
} from './port.js';
import { u16, u32, u64, zero } from '../wire.js';

export const OFPT10 = {
  HELLO: OFPT_HELLO,
  ERROR: 1,
  ECHO_REQUEST: 2,
  ECHO_REPLY: 3,
  VENDOR: 4,
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
  STATS_REQUEST: 16,
  STATS_REPLY: 17,
  BARRIER_REQUEST: 18,
  BARRIER_REPLY: 19,
} as const;

/** OFPST_*; 13 is Open vSwitch's port description request in 1.0 (1.3's OFPMP_PORT_DESC number). */
const OFPST = { DESC: 0, FLOW: 1, AGGREGATE: 2, TABLE: 3, PORT: 4, PORT_DESC: 13 } as const;

const FLOW_STATS_FIXED = 88;
const TABLE_STATS_LEN = 64;
const AGGREGATE_LEN = 24;
const FLOW_STATS_REQUEST_LEN = 44;

export class UnknownType10 extends Error {
  constructor(readonly msgType: number) {
    super(`unknown OpenFlow 1.0 message type ${msgType}`);
  }
}

function only13(what: string): never {
  throw new OfEncodeError(`OpenFlow 1.0 has no ${what}`);
}

function checkFlowStatsRequest10(b: FlowStatsRequestBody): void {
  checkUint(b.tableId, 8, 'table_id');
  port32To16(b.outPort, 'out_port');
  if (b.outGroup !== OFPG_ANY) only13('out_group in flow stats requests');
  if (b.cookie !== 0n || b.cookieMask !== 0n) only13('cookie filter in flow stats requests');
}

function multipartRequestBodyLength10(b: MultipartRequestBody): number {
  switch (b.kind) {
    case 'desc':
    case 'table':
    case 'portDesc':
      return 0;
    case 'flow':
    case 'aggregate':
      checkFlowStatsRequest10(b);
      return FLOW_STATS_REQUEST_LEN;
    case 'port':
      port32To16(b.portNo, 'port_no');
      return 8;
    case 'other':
      checkUint(b.multipartType, 16, 'stats type');
      return b.body.length;
  }
}

function flowStatsLength10(s: FlowStats): number {
  checkUint(s.tableId, 8, 'table_id');
  checkUint(s.durationSec, 32, 'duration_sec');
  checkUint(s.durationNsec, 32, 'duration_nsec');
  checkUint(s.priority, 16, 'priority');
  checkUint(s.idleTimeout, 16, 'idle_timeout');
  checkUint(s.hardTimeout, 16, 'hard_timeout');
  checkUint64(s.cookie, 'cookie');
  checkUint64(s.packetCount, 'packet_count');
  checkUint64(s.byteCount, 'byte_count');
  return FLOW_STATS_FIXED + actionsLength10(instructionsAsActions10(s.instructions));
}

function multipartReplyBodyLength10(b: MultipartReplyBody): number {
  switch (b.kind) {
    case 'desc':
      return DESC_LEN;
    case 'flow': {
      let n = 0;
      for (const s of b.flows) n += flowStatsLength10(s);
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
        checkUint(t.wildcards, 32, 'wildcards');
        checkUint(t.maxEntries, 32, 'max_entries');
        checkUint(t.activeCount, 32, 'active_count');
        checkUint64(t.lookupCount, 'lookup_count');
        checkUint64(t.matchedCount, 'matched_count');
      }
      return TABLE_STATS_LEN * b.tables.length;
    case 'port':
      for (const p of b.ports) checkPortStats10(p);
      return OFP10_PORT_STATS_LEN * b.ports.length;
    case 'portDesc':
      for (const p of b.ports) checkPhyPort(p);
      return OFP10_PHY_PORT_LEN * b.ports.length;
    case 'other':
      checkUint(b.multipartType, 16, 'stats type');
      return b.body.length;
  }
}

export function of10Length(msg: OfMessage): number {
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
      checkUint(msg.experimenter, 32, 'vendor');
      if (msg.expType !== 0) only13('experimenter type (vendor messages carry only the vendor id)');
      return 12 + msg.data.length;
    case 'featuresRequest':
    case 'getConfigRequest':
    case 'barrierRequest':
    case 'barrierReply':
      return OFP_HEADER_LEN;
    case 'featuresReply':
      checkUint64(msg.datapathId, 'datapath id');
      checkUint(msg.nBuffers, 32, 'n_buffers');
      checkUint(msg.nTables, 8, 'n_tables');
      if (msg.auxiliaryId !== 0) only13('auxiliary connections');
      checkUint(msg.capabilities, 32, 'capabilities');
      checkUint(msg.actions, 32, 'actions');
      for (const p of msg.ports) checkPhyPort(p);
      return 32 + OFP10_PHY_PORT_LEN * msg.ports.length;
    case 'getConfigReply':
    case 'setConfig':
      checkUint(msg.flags, 16, 'config flags');
      checkUint(msg.missSendLen, 16, 'miss_send_len');
      return 12;
    case 'packetIn':
      checkUint(msg.bufferId, 32, 'buffer_id');
      checkUint(msg.totalLen, 16, 'total_len');
      checkUint(msg.reason, 8, 'reason');
      port32To16(msg.inPort, 'in_port');
      return 18 + msg.data.length;
    case 'flowRemoved':
      checkUint64(msg.cookie, 'cookie');
      checkUint(msg.priority, 16, 'priority');
      checkUint(msg.reason, 8, 'reason');
      checkUint(msg.durationSec, 32, 'duration_sec');
      checkUint(msg.durationNsec, 32, 'duration_nsec');
      checkUint(msg.idleTimeout, 16, 'idle_timeout');
      checkUint64(msg.packetCount, 'packet_count');
      checkUint64(msg.byteCount, 'byte_count');
      return 88;
    case 'portStatus':
      checkUint(msg.reason, 8, 'reason');
      checkPhyPort(msg.port);
      return 16 + OFP10_PHY_PORT_LEN;
    case 'packetOut':
      checkUint(msg.bufferId, 32, 'buffer_id');
      port32To16(msg.inPort, 'in_port');
      return 16 + actionsLength10(msg.actions) + msg.data.length;
    case 'flowMod':
      checkUint64(msg.cookie, 'cookie');
      if (msg.cookieMask !== 0n) only13('cookie mask');
      if (msg.tableId !== 0) only13('table id in flow-mods');
      if (msg.outGroup !== OFPG_ANY) only13('out_group');
      checkUint(msg.idleTimeout, 16, 'idle_timeout');
      checkUint(msg.hardTimeout, 16, 'hard_timeout');
      checkUint(msg.priority, 16, 'priority');
      checkUint(msg.bufferId, 32, 'buffer_id');
      port32To16(msg.outPort, 'out_port');
      checkUint(msg.flags, 16, 'flags');
      flowModCommandCode(msg.command);
      return 72 + actionsLength10(instructionsAsActions10(msg.instructions));
    case 'roleRequest':
    case 'roleReply':
      return only13('role messages');
    case 'multipartRequest':
      checkUint(msg.flags, 16, 'stats flags');
      return 12 + multipartRequestBodyLength10(msg.body);
    case 'multipartReply':
      checkUint(msg.flags, 16, 'stats flags');
      return 12 + multipartReplyBodyLength10(msg.body);
  }
}

function msgType10(msg: OfMessage): number {
  switch (msg.type) {
    case 'hello':
      return OFPT10.HELLO;
    case 'error':
      return OFPT10.ERROR;
    case 'echoRequest':
      return OFPT10.ECHO_REQUEST;
    case 'echoReply':
      return OFPT10.ECHO_REPLY;
    case 'experimenter':
      return OFPT10.VENDOR;
    case 'featuresRequest':
      return OFPT10.FEATURES_REQUEST;
    case 'featuresReply':
      return OFPT10.FEATURES_REPLY;
    case 'getConfigRequest':
      return OFPT10.GET_CONFIG_REQUEST;
    case 'getConfigReply':
      return OFPT10.GET_CONFIG_REPLY;
    case 'setConfig':
      return OFPT10.SET_CONFIG;
    case 'packetIn':
      return OFPT10.PACKET_IN;
    case 'flowRemoved':
      return OFPT10.FLOW_REMOVED;
    case 'portStatus':
      return OFPT10.PORT_STATUS;
    case 'packetOut':
      return OFPT10.PACKET_OUT;
    case 'flowMod':
      return OFPT10.FLOW_MOD;
    case 'barrierRequest':
      return OFPT10.BARRIER_REQUEST;
    case 'barrierReply':
      return OFPT10.BARRIER_REPLY;
    case 'multipartRequest':
      return OFPT10.STATS_REQUEST;
    case 'multipartReply':
      return OFPT10.STATS_REPLY;
    case 'roleRequest':
    case 'roleReply':
      return only13('role messages');
  }
}

function statsType(b: MultipartRequestBody | MultipartReplyBody): number {
  switch (b.kind) {
    case 'desc':
      return OFPST.DESC;
    case 'flow':
      return OFPST.FLOW;
    case 'aggregate':
      return OFPST.AGGREGATE;
    case 'table':
      return OFPST.TABLE;
    case 'port':
      return OFPST.PORT;
    case 'portDesc':
      return OFPST.PORT_DESC;
    case 'other':
      return b.multipartType;
  }
}

/** Writes `msg` of total length `len` (from of10Length) at `off`. */
export function writeOf10(buf: Buffer, off: number, xid: number, msg: OfMessage, len: number): void {
  writeHeader(buf, off, 0x01, msgType10(msg), len, xid);
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
      buf.set(msg.data, off + 12);
      return;
    case 'featuresRequest':
    case 'getConfigRequest':
    case 'barrierRequest':
    case 'barrierReply':
      return;
    case 'featuresReply': {
      u64(buf, off + 8, msg.datapathId);
      u32(buf, off + 16, msg.nBuffers);
      u32(buf, off + 20, (msg.nTables << 24) >>> 0);
      u32(buf, off + 24, msg.capabilities);
      u32(buf, off + 28, msg.actions);
      let p = off + 32;
      for (const port of msg.ports) {
        writePhyPort(buf, p, port);
        p += OFP10_PHY_PORT_LEN;
      }
      return;
    }
    case 'getConfigReply':
    case 'setConfig':
      u16(buf, off + 8, msg.flags);
      u16(buf, off + 10, msg.missSendLen);
      return;
    case 'packetIn':
      u32(buf, off + 8, msg.bufferId);
      u16(buf, off + 12, msg.totalLen);
      u16(buf, off + 14, port32To16(msg.inPort, 'in_port'));
      buf[off + 16] = msg.reason;
      buf[off + 17] = 0;
      buf.set(msg.data, off + 18);
      return;
    case 'flowRemoved':
      writeMatch10(buf, off + 8, msg.match);
      u64(buf, off + 48, msg.cookie);
      u16(buf, off + 56, msg.priority);
      buf[off + 58] = msg.reason;
      buf[off + 59] = 0;
      u32(buf, off + 60, msg.durationSec);
      u32(buf, off + 64, msg.durationNsec);
      u16(buf, off + 68, msg.idleTimeout);
      u16(buf, off + 70, 0);
      u64(buf, off + 72, msg.packetCount);
      u64(buf, off + 80, msg.byteCount);
      return;
    case 'portStatus':
      buf[off + 8] = msg.reason;
      zero(buf, off + 9, off + 16);
      writePhyPort(buf, off + 16, msg.port);
      return;
    case 'packetOut': {
      u32(buf, off + 8, msg.bufferId);
      u16(buf, off + 12, port32To16(msg.inPort, 'in_port'));
      const al = writeActions10(buf, off + 16, msg.actions);
      u16(buf, off + 14, al);
      buf.set(msg.data, off + 16 + al);
      return;
    }
    case 'flowMod':
      writeMatch10(buf, off + 8, msg.match);
      u64(buf, off + 48, msg.cookie);
      u16(buf, off + 56, flowModCommandCode(msg.command));
      u16(buf, off + 58, msg.idleTimeout);
      u16(buf, off + 60, msg.hardTimeout);
      u16(buf, off + 62, msg.priority);
      u32(buf, off + 64, msg.bufferId);
      u16(buf, off + 68, port32To16(msg.outPort, 'out_port'));
      u16(buf, off + 70, msg.flags);
      writeActions10(buf, off + 72, instructionsAsActions10(msg.instructions));
      return;
    case 'multipartRequest':
      u16(buf, off + 8, statsType(msg.body));
      u16(buf, off + 10, msg.flags);
      writeStatsRequestBody(buf, off + 12, msg.body);
      return;
    case 'multipartReply':
      u16(buf, off + 8, statsType(msg.body));
      u16(buf, off + 10, msg.flags);
      writeStatsReplyBody(buf, off + 12, msg.body);
      return;
    case 'roleRequest':
    case 'roleReply':
      only13('role messages');
  }
}

function writeStatsRequestBody(buf: Buffer, off: number, b: MultipartRequestBody): void {
  switch (b.kind) {
    case 'desc':
    case 'table':
    case 'portDesc':
      return;
    case 'flow':
    case 'aggregate':
      writeMatch10(buf, off, b.match);
      buf[off + 40] = b.tableId;
      buf[off + 41] = 0;
      u16(buf, off + 42, port32To16(b.outPort, 'out_port'));
      return;
    case 'port':
      u16(buf, off, port32To16(b.portNo, 'port_no'));
      zero(buf, off + 2, off + 8);
      return;
    case 'other':
      buf.set(b.body, off);
      return;
  }
}

function writeStatsReplyBody(buf: Buffer, off: number, b: MultipartReplyBody): void {
  switch (b.kind) {
    case 'desc':
      writeDesc(buf, off, b.desc);
      return;
    case 'flow':
      for (const s of b.flows) {
        const start = off;
        buf[off + 2] = s.tableId;
        buf[off + 3] = 0;
        writeMatch10(buf, off + 4, s.match);
        u32(buf, off + 44, s.durationSec);
        u32(buf, off + 48, s.durationNsec);
        u16(buf, off + 52, s.priority);
        u16(buf, off + 54, s.idleTimeout);
        u16(buf, off + 56, s.hardTimeout);
        zero(buf, off + 58, off + 64);
        u64(buf, off + 64, s.cookie);
        u64(buf, off + 72, s.packetCount);
        u64(buf, off + 80, s.byteCount);
        off += FLOW_STATS_FIXED;
        off += writeActions10(buf, off, instructionsAsActions10(s.instructions));
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
        writeFixedString(buf, off + 4, 32, t.name, 'table name');
        u32(buf, off + 36, t.wildcards);
        u32(buf, off + 40, t.maxEntries);
        u32(buf, off + 44, t.activeCount);
        u64(buf, off + 48, t.lookupCount);
        u64(buf, off + 56, t.matchedCount);
        off += TABLE_STATS_LEN;
      }
      return;
    case 'port':
      for (const p of b.ports) {
        writePortStats10(buf, off, p);
        off += OFP10_PORT_STATS_LEN;
      }
      return;
    case 'portDesc':
      for (const p of b.ports) {
        writePhyPort(buf, off, p);
        off += OFP10_PHY_PORT_LEN;
      }
      return;
    case 'other':
      buf.set(b.body, off);
      return;
  }
}

function exactly(len: number, expected: number, what: string, off: number): void {
  if (len !== expected) badLength(`${what} length ${len}, expected ${expected}`, off);
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

export function readOf10(buf: Buffer, off: number, end: number, type: number): OfMessage {
  const len = end - off;
  switch (type) {
    case OFPT10.HELLO:
      return readHelloBody(buf, off + 8, end, 0x01);
    case OFPT10.ERROR:
      need(off + 8, 4, end, 'error body');
      return {
        type: 'error',
        errType: buf.readUInt16BE(off + 8),
        code: buf.readUInt16BE(off + 10),
        data: buf.subarray(off + 12, end),
      };
    case OFPT10.ECHO_REQUEST:
      return { type: 'echoRequest', data: buf.subarray(off + 8, end) };
    case OFPT10.ECHO_REPLY:
      return { type: 'echoReply', data: buf.subarray(off + 8, end) };
    case OFPT10.VENDOR:
      need(off + 8, 4, end, 'vendor id');
      return {
        type: 'experimenter',
        experimenter: buf.readUInt32BE(off + 8),
        expType: 0,
        data: buf.subarray(off + 12, end),
      };
    case OFPT10.FEATURES_REQUEST:
      exactly(len, 8, 'features request', off);
      return { type: 'featuresRequest' };
    case OFPT10.GET_CONFIG_REQUEST:
      exactly(len, 8, 'get-config request', off);
      return { type: 'getConfigRequest' };
    case OFPT10.BARRIER_REQUEST:
      exactly(len, 8, 'barrier request', off);
      return { type: 'barrierRequest' };
    case OFPT10.BARRIER_REPLY:
      exactly(len, 8, 'barrier reply', off);
      return { type: 'barrierReply' };
    case OFPT10.FEATURES_REPLY:
      need(off, 32, end, 'features reply');
      return {
        type: 'featuresReply',
        datapathId: buf.readBigUInt64BE(off + 8),
        nBuffers: buf.readUInt32BE(off + 16),
        nTables: buf[off + 20] as number,
        auxiliaryId: 0,
        capabilities: buf.readUInt32BE(off + 24),
        actions: buf.readUInt32BE(off + 28),
        ports: fixedArray(buf, off + 32, end, OFP10_PHY_PORT_LEN, 'features reply ports', (o) =>
          readPhyPort(buf, o),
        ),
      };
    case OFPT10.GET_CONFIG_REPLY:
    case OFPT10.SET_CONFIG:
      exactly(len, 12, 'switch config', off);
      return {
        type: type === OFPT10.SET_CONFIG ? 'setConfig' : 'getConfigReply',
        flags: buf.readUInt16BE(off + 8),
        missSendLen: buf.readUInt16BE(off + 10),
      };
    case OFPT10.PACKET_IN: {
      need(off, 18, end, 'packet-in');
      const inPort = port16To32(buf.readUInt16BE(off + 14));
      return {
        type: 'packetIn',
        bufferId: buf.readUInt32BE(off + 8),
        totalLen: buf.readUInt16BE(off + 12),
        reason: buf[off + 16] as number,
        tableId: 0,
        cookie: 0n,
        inPort,
        match: { inPort },
        data: buf.subarray(off + 18, end),
      };
    }
    case OFPT10.FLOW_REMOVED:
      exactly(len, 88, 'flow-removed', off);
      return {
        type: 'flowRemoved',
        match: readMatch10(buf, off + 8),
        cookie: buf.readBigUInt64BE(off + 48),
        priority: buf.readUInt16BE(off + 56),
        reason: buf[off + 58] as number,
        tableId: 0,
        durationSec: buf.readUInt32BE(off + 60),
        durationNsec: buf.readUInt32BE(off + 64),
        idleTimeout: buf.readUInt16BE(off + 68),
        hardTimeout: 0,
        packetCount: buf.readBigUInt64BE(off + 72),
        byteCount: buf.readBigUInt64BE(off + 80),
      };
    case OFPT10.PORT_STATUS:
      exactly(len, 16 + OFP10_PHY_PORT_LEN, 'port-status', off);
      return { type: 'portStatus', reason: buf[off + 8] as number, port: readPhyPort(buf, off + 16) };
    case OFPT10.PACKET_OUT: {
      need(off, 16, end, 'packet-out');
      const al = buf.readUInt16BE(off + 14);
      need(off + 16, al, end, 'packet-out actions');
      return {
        type: 'packetOut',
        bufferId: buf.readUInt32BE(off + 8),
        inPort: port16To32(buf.readUInt16BE(off + 12)),
        actions: readActions10(buf, off + 16, off + 16 + al),
        data: buf.subarray(off + 16 + al, end),
      };
    }
    case OFPT10.FLOW_MOD: {
      need(off, 72, end, 'flow-mod');
      const cmd = buf.readUInt16BE(off + 56);
      const command = FLOW_MOD_COMMANDS[cmd];
      if (command === undefined) malformed(`flow-mod command ${cmd}`, off + 56);
      return {
        type: 'flowMod',
        match: readMatch10(buf, off + 8),
        cookie: buf.readBigUInt64BE(off + 48),
        cookieMask: 0n,
        command,
        tableId: 0,
        idleTimeout: buf.readUInt16BE(off + 58),
        hardTimeout: buf.readUInt16BE(off + 60),
        priority: buf.readUInt16BE(off + 62),
        bufferId: buf.readUInt32BE(off + 64),
        outPort: port16To32(buf.readUInt16BE(off + 68)),
        outGroup: OFPG_ANY,
        flags: buf.readUInt16BE(off + 70),
        instructions: actionsAsInstructions10(readActions10(buf, off + 72, end)),
      };
    }
    case OFPT10.STATS_REQUEST:
      need(off, 12, end, 'stats request header');
      return {
        type: 'multipartRequest',
        flags: buf.readUInt16BE(off + 10),
        body: readStatsRequestBody(buf, off + 12, end, buf.readUInt16BE(off + 8)),
      };
    case OFPT10.STATS_REPLY:
      need(off, 12, end, 'stats reply header');
      return {
        type: 'multipartReply',
        flags: buf.readUInt16BE(off + 10),
        body: readStatsReplyBody(buf, off + 12, end, buf.readUInt16BE(off + 8)),
      };
    default:
      throw new UnknownType10(type);
  }
}

function readFlowStatsRequest10(buf: Buffer, off: number, end: number): FlowStatsRequestBody {
  exactly(end - off, FLOW_STATS_REQUEST_LEN, 'flow stats request body', off);
  return {
    match: readMatch10(buf, off),
    tableId: buf[off + 40] as number,
    outPort: port16To32(buf.readUInt16BE(off + 42)),
    outGroup: OFPG_ANY,
    cookie: 0n,
    cookieMask: 0n,
  };
}

function readStatsRequestBody(buf: Buffer, off: number, end: number, st: number): MultipartRequestBody {
  switch (st) {
    case OFPST.DESC:
      exactly(end - off, 0, 'desc request body', off);
      return { kind: 'desc' };
    case OFPST.TABLE:
      exactly(end - off, 0, 'table stats request body', off);
      return { kind: 'table' };
    case OFPST.PORT_DESC:
      exactly(end - off, 0, 'port desc request body', off);
      return { kind: 'portDesc' };
    case OFPST.FLOW:
      return { kind: 'flow', ...readFlowStatsRequest10(buf, off, end) };
    case OFPST.AGGREGATE:
      return { kind: 'aggregate', ...readFlowStatsRequest10(buf, off, end) };
    case OFPST.PORT:
      exactly(end - off, 8, 'port stats request body', off);
      return { kind: 'port', portNo: port16To32(buf.readUInt16BE(off)) };
    default:
      return { kind: 'other', multipartType: st, body: buf.subarray(off, end) };
  }
}

function readTableStats10(buf: Buffer, off: number): TableStats {
  return {
    tableId: buf[off] as number,
    name: readFixedString(buf, off + 4, 32),
    wildcards: buf.readUInt32BE(off + 36),
    maxEntries: buf.readUInt32BE(off + 40),
    activeCount: buf.readUInt32BE(off + 44),
    lookupCount: buf.readBigUInt64BE(off + 48),
    matchedCount: buf.readBigUInt64BE(off + 56),
  };
}

function readStatsReplyBody(buf: Buffer, off: number, end: number, st: number): MultipartReplyBody {
  switch (st) {
    case OFPST.DESC:
      exactly(end - off, DESC_LEN, 'desc reply body', off);
      return { kind: 'desc', desc: readDesc(buf, off) };
    case OFPST.FLOW: {
      const flows: FlowStats[] = [];
      while (off < end) {
        need(off, FLOW_STATS_FIXED, end, 'flow stats entry');
        const elen = buf.readUInt16BE(off);
        if (elen < FLOW_STATS_FIXED) badLength(`flow stats entry length ${elen}`, off);
        need(off, elen, end, 'flow stats entry');
        flows.push({
          tableId: buf[off + 2] as number,
          match: readMatch10(buf, off + 4),
          durationSec: buf.readUInt32BE(off + 44),
          durationNsec: buf.readUInt32BE(off + 48),
          priority: buf.readUInt16BE(off + 52),
          idleTimeout: buf.readUInt16BE(off + 54),
          hardTimeout: buf.readUInt16BE(off + 56),
          flags: 0,
          cookie: buf.readBigUInt64BE(off + 64),
          packetCount: buf.readBigUInt64BE(off + 72),
          byteCount: buf.readBigUInt64BE(off + 80),
          instructions: actionsAsInstructions10(readActions10(buf, off + FLOW_STATS_FIXED, off + elen)),
        });
        off += elen;
      }
      return { kind: 'flow', flows };
    }
    case OFPST.AGGREGATE:
      exactly(end - off, AGGREGATE_LEN, 'aggregate reply body', off);
      return {
        kind: 'aggregate',
        stats: {
          packetCount: buf.readBigUInt64BE(off),
          byteCount: buf.readBigUInt64BE(off + 8),
          flowCount: buf.readUInt32BE(off + 16),
        },
      };
    case OFPST.TABLE:
      return {
        kind: 'table',
        tables: fixedArray(buf, off, end, TABLE_STATS_LEN, 'table stats', (o) => readTableStats10(buf, o)),
      };
    case OFPST.PORT:
      return {
        kind: 'port',
        ports: fixedArray(buf, off, end, OFP10_PORT_STATS_LEN, 'port stats', (o) => readPortStats10(buf, o)),
      };
    case OFPST.PORT_DESC:
      return {
        kind: 'portDesc',
        ports: fixedArray(buf, off, end, OFP10_PHY_PORT_LEN, 'port desc', (o) => readPhyPort(buf, o)),
      };
    default:
      return { kind: 'other', multipartType: st, body: buf.subarray(off, end) };
  }
}
