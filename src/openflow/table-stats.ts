// ofp_table_stats (OF1.0 spec 5.3.5, OF1.3 spec 7.3.5.4), one entry of a table statistics reply.

import { checkUint, checkUint64 } from './errors.js';
import { readFixedString, writeFixedString } from './fixed-string.js';
import type { FixedStruct } from './fixed-struct.js';
import type { OfVersion, TableStats } from './model.js';
import { OFP_VERSION_10 } from './model.js';
import { u32, u64 } from './wire.js';

/**
 * ofp_table_stats: table_id u8, pad 3, in 1.0 only name[32], wildcards u32 and max_entries u32, then
 * active_count u32, lookup_count u64, matched_count u64 (64 bytes in 1.0, 24 in 1.3).
 */
export function tableStats(version: OfVersion): FixedStruct<TableStats> {
  const named = version === OFP_VERSION_10;
  const counts = named ? 44 : 4;
  return {
    size: counts + 20,
    check(t) {
      checkUint(t.tableId, 8, 'table_id');
      if (named) {
        checkUint(t.wildcards, 32, 'wildcards');
        checkUint(t.maxEntries, 32, 'max_entries');
      }
      checkUint(t.activeCount, 32, 'active_count');
      checkUint64(t.lookupCount, 'lookup_count');
      checkUint64(t.matchedCount, 'matched_count');
    },
    write(buf, off, t) {
      u32(buf, off, (t.tableId << 24) >>> 0);
      if (named) {
        writeFixedString(buf, off + 4, 32, t.name, 'table name');
        u32(buf, off + 36, t.wildcards);
        u32(buf, off + 40, t.maxEntries);
      }
      u32(buf, off + counts, t.activeCount);
      u64(buf, off + counts + 4, t.lookupCount);
      u64(buf, off + counts + 12, t.matchedCount);
    },
    read: (buf, off) => ({
      tableId: buf[off] as number,
      activeCount: buf.readUInt32BE(off + counts),
      lookupCount: buf.readBigUInt64BE(off + counts + 4),
      matchedCount: buf.readBigUInt64BE(off + counts + 12),
      name: named ? readFixedString(buf, off + 4, 32) : '',
      wildcards: named ? buf.readUInt32BE(off + 36) : 0,
      maxEntries: named ? buf.readUInt32BE(off + 40) : 0,
    }),
  };
}
