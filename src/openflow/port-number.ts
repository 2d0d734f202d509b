// A port number as one version's wire holds it: 16 bits in OpenFlow 1.0 (reserved ports 0xff00..0xffff),
// 32 bits in 1.3. The model keeps the 1.3 numbers in both versions.

import type { FixedStruct } from './fixed-struct.js';
import { zero } from './wire.js';

export interface PortNumberField {
  /** 2 or 4 bytes. */
  readonly size: number;
  /** Throws OfEncodeError when the version has no number for `port` (`what` names the field). */
  check(port: number, what: string): void;
  /** Writes `port` (checked) at `off`. */
  write(buf: Buffer, off: number, port: number, what: string): void;
  read(buf: Buffer, off: number): number;
}

/** A port number padded to 8 bytes: ofp_port_stats_request, and the start of ofp_port_stats. */
export function paddedPortNo(field: PortNumberField): FixedStruct<number> {
  return {
    size: 8,
    check: (port) => field.check(port, 'port_no'),
    write(buf, off, port) {
      field.write(buf, off, port, 'port_no');
      zero(buf, off + field.size, off + 8);
    },
    read: (buf, off) => field.read(buf, off),
  };
}
