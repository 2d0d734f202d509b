// The OpenFlow 1.0 messages whose wire differs from 1.3's (OF1.0 spec section 5), and the 1.0 parts of
// the stats messages. 1.0 has 16-bit port numbers, a fixed 40-byte match, a plain action list where 1.3
// has instructions, and no table id, cookie mask or out_group in flow-mods. Offsets are from the start
// of the message.

import { OfEncodeError, checkUint, checkUint64, exactly, malformed, need } from '../errors.js';
import { arrayLength, readArray, writeArray } from '../fixed-struct.js';
import { FLOW_MOD_COMMANDS, flowModCommandCode } from '../flow-mod-command.js';
import { flowRemovedFields } from '../flow-removed.js';
import { flowStatsFields, type FlowStatsEntry } from '../flow-stats.js';
import type { MessageCodec } from '../message-table.js';
import type { FlowStatsRequestBody } from '../model.js';
import { OFPG_ANY, OFP_VERSION_10 } from '../model.js';
import type { BodyCodec } from '../multipart.js';
import { packetOutReader } from '../packet-out.js';
import { switchFeatures } from '../switch-features.js';
import { readU16, readU32, u16, u32, u64 } from '../wire.js';
import {
  actions10,
  actionsAsInstructions10,
  actionsLength10,
  instructionsAsActions10,
  readActions10,
  writeActions10,
} from './actions.js';
import { OFP10_MATCH_LEN, readMatch10, writeMatch10 } from './match.js';
import { phyPort, port16To32, port32To16, portNumber10 } from './port.js';

function only13(what: string): never {
  throw new OfEncodeError(`OpenFlow 1.0 has no ${what}`);
}

/** The switch's features and its ports. */
export const featuresReply: MessageCodec<'featuresReply'> = {
  length(msg) {
    if (msg.auxiliaryId !== 0) only13('auxiliary connections');
    switchFeatures.check(msg, 'actions');
    return switchFeatures.size + arrayLength(phyPort, msg.ports);
  },
  write(buf, off, msg) {
    switchFeatures.write(buf, off, msg);
    writeArray(phyPort, buf, off + switchFeatures.size, msg.ports);
  },
  read(buf, off, end) {
    need(off, switchFeatures.size, end, 'features reply');
    const ports = readArray(phyPort, buf, off + switchFeatures.size, end, 'features reply ports');
    return switchFeatures.read(buf, off, 0, ports);
  },
};

/** ofp_packet_in: buffer_id, total_len, in_port u16, reason, pad, frame. */
export const packetIn: MessageCodec<'packetIn'> = {
  length(msg) {
    checkUint(msg.bufferId, 32, 'buffer_id');
    checkUint(msg.totalLen, 16, 'total_len');
    port32To16(msg.inPort, 'in_port');
    checkUint(msg.reason, 8, 'reason');
    return 18 + msg.data.length;
  },
  write(buf, off, msg) {
    u32(buf, off + 8, msg.bufferId);
    u16(buf, off + 12, msg.totalLen);
    u16(buf, off + 14, port32To16(msg.inPort, 'in_port'));
    buf[off + 16] = msg.reason;
    buf[off + 17] = 0;
    buf.set(msg.data, off + 18);
  },
  read(buf, off, end) {
    need(off, 18, end, 'packet-in');
    const inPort = port16To32(readU16(buf, off + 14));
    return {
      type: 'packetIn',
      bufferId: readU32(buf, off + 8),
      totalLen: readU16(buf, off + 12),
      reason: buf[off + 16] as number,
      tableId: 0,
      cookie: 0n,
      inPort,
      match: { inPort },
      data: buf.subarray(off + 18, end),
    };
  },
};

/** ofp_packet_out: buffer_id, in_port u16, actions_len, the actions, the frame. */
export const packetOut: MessageCodec<'packetOut'> = {
  length(msg) {
    checkUint(msg.bufferId, 32, 'buffer_id');
    port32To16(msg.inPort, 'in_port');
    return 16 + actionsLength10(msg.actions) + msg.data.length;
  },
  write(buf, off, msg) {
    u32(buf, off + 8, msg.bufferId);
    u16(buf, off + 12, port32To16(msg.inPort, 'in_port'));
    const al = writeActions10(buf, off + 16, msg.actions);
    u16(buf, off + 14, al);
    buf.set(msg.data, off + 16 + al);
  },
  read: packetOutReader(portNumber10, actions10),
};

const FLOW_REMOVED_LEN = 8 + OFP10_MATCH_LEN + flowRemovedFields.size;

/** The match, then the flow's fields. */
export const flowRemoved: MessageCodec<'flowRemoved'> = {
  length(msg) {
    flowRemovedFields.check(msg, OFP_VERSION_10);
    return FLOW_REMOVED_LEN;
  },
  write(buf, off, msg) {
    writeMatch10(buf, off + 8, msg.match);
    flowRemovedFields.write(buf, off + 8 + OFP10_MATCH_LEN, msg, OFP_VERSION_10);
  },
  read(buf, off, end) {
    exactly(end - off, FLOW_REMOVED_LEN, 'flow-removed', off);
    return flowRemovedFields.read(buf, off + 8 + OFP10_MATCH_LEN, readMatch10(buf, off + 8), OFP_VERSION_10);
  },
};

/** ofp_flow_mod: match, cookie, command u16, timeouts, priority, buffer_id, out_port u16, flags, actions. */
export const flowMod: MessageCodec<'flowMod'> = {
  length(msg) {
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
  },
  write(buf, off, msg) {
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
  },
  read(buf, off, end) {
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
  },
};

// ---------------------------------------------------------------------------------------------------
// Stats bodies

/** ofp_flow_stats_request: match, table_id, pad, out_port u16 (no cookie or group filter). */
export const flowStatsRequest: BodyCodec<FlowStatsRequestBody> = {
  length(b) {
    checkUint(b.tableId, 8, 'table_id');
    port32To16(b.outPort, 'out_port');
    if (b.outGroup !== OFPG_ANY) only13('out_group in flow stats requests');
    if (b.cookie !== 0n || b.cookieMask !== 0n) only13('cookie filter in flow stats requests');
    return OFP10_MATCH_LEN + 4;
  },
  write(buf, off, b) {
    writeMatch10(buf, off, b.match);
    buf[off + 40] = b.tableId;
    buf[off + 41] = 0;
    u16(buf, off + 42, port32To16(b.outPort, 'out_port'));
  },
  read(buf, off, end) {
    exactly(end - off, OFP10_MATCH_LEN + 4, 'flow stats request body', off);
    return {
      match: readMatch10(buf, off),
      tableId: buf[off + 40] as number,
      outPort: port16To32(buf.readUInt16BE(off + 42)),
      outGroup: OFPG_ANY,
      cookie: 0n,
      cookieMask: 0n,
    };
  },
};

/** After length, table_id and pad: the match, the flow's fields, its actions. */
const FLOW_STATS_FIXED = 4 + OFP10_MATCH_LEN + flowStatsFields.size;

export const flowStats: FlowStatsEntry = {
  fixedLength: FLOW_STATS_FIXED,
  minLength: FLOW_STATS_FIXED,
  length(s) {
    flowStatsFields.check(s, OFP_VERSION_10);
    return FLOW_STATS_FIXED + actionsLength10(instructionsAsActions10(s.instructions));
  },
  write(buf, off, s) {
    writeMatch10(buf, off + 4, s.match);
    flowStatsFields.write(buf, off + 4 + OFP10_MATCH_LEN, s, OFP_VERSION_10);
    return (
      FLOW_STATS_FIXED + writeActions10(buf, off + FLOW_STATS_FIXED, instructionsAsActions10(s.instructions))
    );
  },
  read(buf, off, end) {
    const match = readMatch10(buf, off + 4);
    const actions = readActions10(buf, off + FLOW_STATS_FIXED, end);
    return flowStatsFields.read(
      buf,
      off,
      off + 4 + OFP10_MATCH_LEN,
      match,
      actionsAsInstructions10(actions),
      OFP_VERSION_10,
    );
  },
};
