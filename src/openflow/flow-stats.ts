// ofp_flow_stats (OF1.0 spec 5.3.5, OF1.3 spec 7.3.5.2), one entry of a flow statistics reply: length
// u16, table_id u8, pad, then the version's layout. From duration_sec to byte_count both versions lay the
// fields out alike; 1.0 puts its match before them and its actions after, 1.3 its match and instructions
// after.

import { checkUint, checkUint64 } from './errors.js';
import type { FlowStats, Instruction, Match, OfVersion } from './model.js';
import { OFP_VERSION_13 } from './model.js';
import { u16, u32, u64 } from './wire.js';

/** One version's entries, as long as their match and instructions. */
export interface FlowStatsEntry {
  /** Bytes before the variable part; the shortest entry a reply may hold. */
  readonly fixedLength: number;
  readonly minLength: number;
  /** Validates the entry and returns its length. */
  length(s: FlowStats): number;
  /** Writes the entry from byte 4 on (after length, table_id and pad); returns its whole length. */
  write(buf: Buffer, off: number, s: FlowStats): number;
  /** Reads the entry in [off, end), whose length field the caller checked. */
  read(buf: Buffer, off: number, end: number): FlowStats;
}

/**
 * The fields from duration_sec on: duration_sec u32, duration_nsec u32, priority u16, idle_timeout u16,
 * hard_timeout u16, flags u16 (1.0: padding), pad 4, cookie u64, packet_count u64, byte_count u64.
 */
export const flowStatsFields = {
  size: 44,

  /** Checks an entry's fields but its match and instructions. */
  check(s: FlowStats, version: OfVersion): void {
    checkUint(s.tableId, 8, 'table_id');
    checkUint(s.durationSec, 32, 'duration_sec');
    checkUint(s.durationNsec, 32, 'duration_nsec');
    checkUint(s.priority, 16, 'priority');
    checkUint(s.idleTimeout, 16, 'idle_timeout');
    checkUint(s.hardTimeout, 16, 'hard_timeout');
    if (version === OFP_VERSION_13) checkUint(s.flags, 16, 'flags');
    checkUint64(s.cookie, 'cookie');
    checkUint64(s.packetCount, 'packet_count');
    checkUint64(s.byteCount, 'byte_count');
  },

  /** Writes the fields from duration_sec on at `at`. */
  write(buf: Buffer, at: number, s: FlowStats, version: OfVersion): void {
    u32(buf, at, s.durationSec);
    u32(buf, at + 4, s.durationNsec);
    u16(buf, at + 8, s.priority);
    u16(buf, at + 10, s.idleTimeout);
    u16(buf, at + 12, s.hardTimeout);
    u16(buf, at + 14, version === OFP_VERSION_13 ? s.flags : 0);
    u32(buf, at + 16, 0);
    u64(buf, at + 20, s.cookie);
    u64(buf, at + 28, s.packetCount);
    u64(buf, at + 36, s.byteCount);
  },

  /** The entry at `entry` whose fields from duration_sec on are at `at`, with its match and instructions. */
  read(
    buf: Buffer,
    entry: number,
    at: number,
    match: Match,
    instructions: Instruction[],
    version: OfVersion,
  ): FlowStats {
    return {
      tableId: buf[entry + 2] as number,
      durationSec: buf.readUInt32BE(at),
      durationNsec: buf.readUInt32BE(at + 4),
      priority: buf.readUInt16BE(at + 8),
      idleTimeout: buf.readUInt16BE(at + 10),
      hardTimeout: buf.readUInt16BE(at + 12),
      flags: version === OFP_VERSION_13 ? buf.readUInt16BE(at + 14) : 0,
      cookie: buf.readBigUInt64BE(at + 20),
      packetCount: buf.readBigUInt64BE(at + 28),
      byteCount: buf.readBigUInt64BE(at + 36),
      match,
      instructions,
    };
  },
};
