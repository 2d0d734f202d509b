// ofp_flow_removed (OF1.0 spec 5.4.2, OF1.3 spec 7.4.2) from the cookie on, laid out alike in both
// versions: cookie u64, priority u16, reason u8, table_id u8, duration_sec u32, duration_nsec u32,
// idle_timeout u16, hard_timeout u16, packet_count u64, byte_count u64. OpenFlow 1.0 has padding where
// 1.3 has table_id and hard_timeout, and puts its match before these fields where 1.3 puts it after.

import { checkUint, checkUint64 } from './errors.js';
import type { FlowRemoved, Match, OfVersion } from './model.js';
import { OFP_VERSION_13 } from './model.js';
import { u16, u32, u64 } from './wire.js';

export const flowRemovedFields = {
  size: 40,

  check(msg: FlowRemoved, version: OfVersion): void {
    checkUint64(msg.cookie, 'cookie');
    checkUint(msg.priority, 16, 'priority');
    checkUint(msg.reason, 8, 'reason');
    if (version === OFP_VERSION_13) checkUint(msg.tableId, 8, 'table_id');
    checkUint(msg.durationSec, 32, 'duration_sec');
    checkUint(msg.durationNsec, 32, 'duration_nsec');
    checkUint(msg.idleTimeout, 16, 'idle_timeout');
    if (version === OFP_VERSION_13) checkUint(msg.hardTimeout, 16, 'hard_timeout');
    checkUint64(msg.packetCount, 'packet_count');
    checkUint64(msg.byteCount, 'byte_count');
  },

  /** Writes the fields at `at`. */
  write(buf: Buffer, at: number, msg: FlowRemoved, version: OfVersion): void {
    const has13 = version === OFP_VERSION_13;
    u64(buf, at, msg.cookie);
    u16(buf, at + 8, msg.priority);
    buf[at + 10] = msg.reason;
    buf[at + 11] = has13 ? msg.tableId : 0;
    u32(buf, at + 12, msg.durationSec);
    u32(buf, at + 16, msg.durationNsec);
    u16(buf, at + 20, msg.idleTimeout);
    u16(buf, at + 22, has13 ? msg.hardTimeout : 0);
    u64(buf, at + 24, msg.packetCount);
    u64(buf, at + 32, msg.byteCount);
  },

  /** The message of the fields at `at` (the caller checked they are there) and `match`. */
  read(buf: Buffer, at: number, match: Match, version: OfVersion): FlowRemoved {
    const has13 = version === OFP_VERSION_13;
    return {
      type: 'flowRemoved',
      cookie: buf.readBigUInt64BE(at),
      priority: buf.readUInt16BE(at + 8),
      reason: buf[at + 10] as number,
      tableId: has13 ? (buf[at + 11] as number) : 0,
      durationSec: buf.readUInt32BE(at + 12),
      durationNsec: buf.readUInt32BE(at + 16),
      idleTimeout: buf.readUInt16BE(at + 20),
      hardTimeout: has13 ? buf.readUInt16BE(at + 22) : 0,
      packetCount: buf.readBigUInt64BE(at + 24),
      byteCount: buf.readBigUInt64BE(at + 32),
      match,
    };
  },
};
