// The OpenFlow 1.3 messages whose wire differs from 1.0's (OF1.3 spec section 7), and the 1.3 parts of
// the multipart messages. Offsets are from the start of the message.

import { OfEncodeError, checkUint, checkUint64, exactly, malformed, need } from '../errors.js';
import { FLOW_MOD_COMMANDS, flowModCommandCode } from '../flow-mod-command.js';
import { flowRemovedFields } from '../flow-removed.js';
import { flowStatsFields, type FlowStatsEntry } from '../flow-stats.js';
import type { MessageCodec, MessageOf } from '../message-table.js';
import type { FlowStatsRequestBody } from '../model.js';
import { OFP_VERSION_13 } from '../model.js';
import type { BodyCodec } from '../multipart.js';
import { packetOutReader } from '../packet-out.js';
import { switchFeatures } from '../switch-features.js';
import { readU16, readU32, readU64, u16, u32, u64, zero } from '../wire.js';
import {
  actions13,
  actionsLength,
  instructionsLength,
  readInstructions,
  writeActions,
  writeInstructions,
} from './actions.js';
import { matchLength, matchWireLength, readMatch, writeMatch } from './oxm.js';
import { portNumber13 } from './port.js';

/** The switch's features; no ports (1.3 describes them in a multipart reply). */
export const featuresReply: MessageCodec<'featuresReply'> = {
  length(msg) {
    if (msg.ports.length > 0) throw new OfEncodeError('OpenFlow 1.3 features reply carries no ports');
    switchFeatures.check(msg, 'reserved');
    checkUint(msg.auxiliaryId, 8, 'auxiliary_id');
    return switchFeatures.size;
  },
  write: (buf, off, msg) => switchFeatures.write(buf, off, msg),
  read(buf, off, end) {
    exactly(end - off, switchFeatures.size, 'features reply', off);
    return switchFeatures.read(buf, off, buf[off + 21] as number, []);
  },
};

/** ofp_packet_in: buffer_id, total_len, reason, table_id, cookie, match, pad 2, frame. */
export const packetIn: MessageCodec<'packetIn'> = {
  length(msg) {
    checkUint(msg.bufferId, 32, 'buffer_id');
    checkUint(msg.totalLen, 16, 'total_len');
    checkUint(msg.reason, 8, 'reason');
    checkUint(msg.tableId, 8, 'table_id');
    checkUint64(msg.cookie, 'cookie');
    return 24 + matchLength(msg.match) + 2 + msg.data.length;
  },
  write(buf, off, msg) {
    u32(buf, off + 8, msg.bufferId);
    u16(buf, off + 12, msg.totalLen);
    buf[off + 14] = msg.reason;
    buf[off + 15] = msg.tableId;
    u64(buf, off + 16, msg.cookie);
    const ml = writeMatch(buf, off + 24, msg.match);
    u16(buf, off + 24 + ml, 0);
    buf.set(msg.data, off + 26 + ml);
  },
  read(buf, off, end) {
    need(off, 24, end, 'packet-in');
    const match = readMatch(buf, off + 24, end);
    const dataOff = off + 24 + matchWireLength(buf, off + 24) + 2;
    need(dataOff, 0, end, 'packet-in padding');
    return {
      type: 'packetIn',
      bufferId: readU32(buf, off + 8),
      totalLen: readU16(buf, off + 12),
      reason: buf[off + 14] as number,
      tableId: buf[off + 15] as number,
      cookie: readU64(buf, off + 16),
      inPort: match.inPort ?? 0,
      match,
      data: buf.subarray(dataOff, end),
    };
  },
};

/** ofp_packet_out: buffer_id, in_port u32, actions_len, pad 6, the actions, the frame. */
export const packetOut: MessageCodec<'packetOut'> = {
  length(msg) {
    checkUint(msg.bufferId, 32, 'buffer_id');
    checkUint(msg.inPort, 32, 'in_port');
    return 24 + actionsLength(msg.actions) + msg.data.length;
  },
  write(buf, off, msg) {
    u32(buf, off + 8, msg.bufferId);
    u32(buf, off + 12, msg.inPort);
    zero(buf, off + 18, off + 24);
    const al = writeActions(buf, off + 24, msg.actions);
    u16(buf, off + 16, al);
    buf.set(msg.data, off + 24 + al);
  },
  read: packetOutReader(portNumber13, actions13),
};

const FLOW_REMOVED_FIXED = 8 + flowRemovedFields.size;

/** The flow's fields, then its match. */
export const flowRemoved: MessageCodec<'flowRemoved'> = {
  length(msg) {
    flowRemovedFields.check(msg, OFP_VERSION_13);
    return FLOW_REMOVED_FIXED + matchLength(msg.match);
  },
  write(buf, off, msg) {
    flowRemovedFields.write(buf, off + 8, msg, OFP_VERSION_13);
    writeMatch(buf, off + FLOW_REMOVED_FIXED, msg.match);
  },
  read(buf, off, end) {
    need(off, FLOW_REMOVED_FIXED, end, 'flow-removed');
    const match = readMatch(buf, off + FLOW_REMOVED_FIXED, end);
    exactly(
      end - off,
      FLOW_REMOVED_FIXED + matchWireLength(buf, off + FLOW_REMOVED_FIXED),
      'flow-removed',
      off,
    );
    return flowRemovedFields.read(buf, off + 8, match, OFP_VERSION_13);
  },
};

/** ofp_flow_mod: the flow's fields, then its match and instructions. */
export const flowMod: MessageCodec<'flowMod'> = {
  length(msg) {
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
    return 48 + matchLength(msg.match) + instructionsLength(msg.instructions);
  },
  write(buf, off, msg) {
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
  },
  read(buf, off, end) {
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
  },
};

/** ofp_role_request (and reply): role u32, pad 4, generation_id u64. */
type Role = MessageOf<'roleRequest' | 'roleReply'>;

function role<K extends 'roleRequest' | 'roleReply'>(type: K): MessageCodec<K> {
  return {
    length(msg: Role) {
      checkUint(msg.role, 32, 'role');
      checkUint64(msg.generationId, 'generation_id');
      return 24;
    },
    write(buf, off, msg: Role) {
      u32(buf, off + 8, msg.role);
      u32(buf, off + 12, 0);
      u64(buf, off + 16, msg.generationId);
    },
    read(buf, off, end) {
      exactly(end - off, 24, 'role message', off);
      return {
        type,
        role: buf.readUInt32BE(off + 8),
        generationId: buf.readBigUInt64BE(off + 16),
      } as MessageOf<K>;
    },
  };
}
export const roleRequest = role('roleRequest');
export const roleReply = role('roleReply');

// ---------------------------------------------------------------------------------------------------
// Multipart bodies

/** ofp_flow_stats_request: table_id, pad 3, out_port, out_group, pad 4, cookie, cookie_mask, match. */
export const flowStatsRequest: BodyCodec<FlowStatsRequestBody> = {
  length(b) {
    checkUint(b.tableId, 8, 'table_id');
    checkUint(b.outPort, 32, 'out_port');
    checkUint(b.outGroup, 32, 'out_group');
    checkUint64(b.cookie, 'cookie');
    checkUint64(b.cookieMask, 'cookie_mask');
    return 32 + matchLength(b.match);
  },
  write(buf, off, b) {
    u32(buf, off, (b.tableId << 24) >>> 0);
    u32(buf, off + 4, b.outPort);
    u32(buf, off + 8, b.outGroup);
    u32(buf, off + 12, 0);
    u64(buf, off + 16, b.cookie);
    u64(buf, off + 24, b.cookieMask);
    writeMatch(buf, off + 32, b.match);
  },
  read(buf, off, end) {
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
  },
};

/** After length, table_id and pad: the flow's fields, its match and instructions. */
const FLOW_STATS_FIXED = 4 + flowStatsFields.size;

export const flowStats: FlowStatsEntry = {
  fixedLength: FLOW_STATS_FIXED,
  // The fixed part and the shortest match.
  minLength: FLOW_STATS_FIXED + 8,
  length(s) {
    flowStatsFields.check(s, OFP_VERSION_13);
    return FLOW_STATS_FIXED + matchLength(s.match) + instructionsLength(s.instructions);
  },
  write(buf, off, s) {
    flowStatsFields.write(buf, off + 4, s, OFP_VERSION_13);
    const ml = writeMatch(buf, off + FLOW_STATS_FIXED, s.match);
    return FLOW_STATS_FIXED + ml + writeInstructions(buf, off + FLOW_STATS_FIXED + ml, s.instructions);
  },
  read(buf, off, end) {
    const match = readMatch(buf, off + FLOW_STATS_FIXED, end);
    const instructions = readInstructions(
      buf,
      off + FLOW_STATS_FIXED + matchWireLength(buf, off + FLOW_STATS_FIXED),
      end,
    );
    return flowStatsFields.read(buf, off, off + 4, match, instructions, OFP_VERSION_13);
  },
};
