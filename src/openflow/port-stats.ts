// ofp_port_stats (OF1.0 spec 5.3.5, OF1.3 spec 7.3.5.6): the version's port number padded to 8 bytes,
// twelve u64 counters in the same order in both versions, then in 1.3 only duration_sec u32 and
// duration_nsec u32 (104 bytes in 1.0, 112 in 1.3).

import { checkUint, checkUint64 } from './errors.js';
import type { FixedStruct } from './fixed-struct.js';
import type { OfVersion, PortStats } from './model.js';
import { OFP_VERSION_13 } from './model.js';
import { u32, u64 } from './wire.js';

const PORT_COUNTERS = [
  'rxPackets',
  'txPackets',
  'rxBytes',
  'txBytes',
  'rxDropped',
  'txDropped',
  'rxErrors',
  'txErrors',
  'rxFrameErr',
  'rxOverErr',
  'rxCrcErr',
  'collisions',
] as const;

/** `portNo`: the version's port number padded to 8 bytes (as ofp_port_stats_request is). */
export function portStats(version: OfVersion, portNo: FixedStruct<number>): FixedStruct<PortStats> {
  const duration = version === OFP_VERSION_13;
  const counters = portNo.size;
  const end = counters + 8 * PORT_COUNTERS.length;
  return {
    size: duration ? end + 8 : end,
    check(s) {
      portNo.check(s.portNo);
      if (duration) {
        checkUint(s.durationSec, 32, 'duration_sec');
        checkUint(s.durationNsec, 32, 'duration_nsec');
      }
      for (const k of PORT_COUNTERS) checkUint64(s[k], k);
    },
    write(buf, off, s) {
      portNo.write(buf, off, s.portNo);
      for (let i = 0; i < PORT_COUNTERS.length; i++) u64(buf, off + counters + 8 * i, s[PORT_COUNTERS[i]!]);
      if (duration) {
        u32(buf, off + end, s.durationSec);
        u32(buf, off + end + 4, s.durationNsec);
      }
    },
    read(buf, off) {
      const c = off + counters;
      return {
        portNo: portNo.read(buf, off),
        rxPackets: buf.readBigUInt64BE(c),
        txPackets: buf.readBigUInt64BE(c + 8),
        rxBytes: buf.readBigUInt64BE(c + 16),
        txBytes: buf.readBigUInt64BE(c + 24),
        rxDropped: buf.readBigUInt64BE(c + 32),
        txDropped: buf.readBigUInt64BE(c + 40),
        rxErrors: buf.readBigUInt64BE(c + 48),
        txErrors: buf.readBigUInt64BE(c + 56),
        rxFrameErr: buf.readBigUInt64BE(c + 64),
        rxOverErr: buf.readBigUInt64BE(c + 72),
        rxCrcErr: buf.readBigUInt64BE(c + 80),
        collisions: buf.readBigUInt64BE(c + 88),
        durationSec: duration ? buf.readUInt32BE(off + end) : 0,
        durationNsec: duration ? buf.readUInt32BE(off + end + 4) : 0,
      };
    },
  };
}
