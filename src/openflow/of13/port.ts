// OpenFlow 1.3 port numbers (32-bit) and ofp_port (OF1.3 spec 7.2.1, 64 bytes).

import { readMac, writeMac } from '../../net/mac-address.js';
import { checkUint } from '../errors.js';
import type { FixedStruct } from '../fixed-struct.js';
import type { PortDesc } from '../model.js';
import { checkPortWords, readPortDesc, writePortTail } from '../port-desc.js';
import { paddedPortNo, type PortNumberField } from '../port-number.js';
import { u16, u32 } from '../wire.js';

export const portNumber13: PortNumberField = {
  size: 4,
  check: (p, what) => checkUint(p, 32, what),
  write: (buf, off, p) => u32(buf, off, p),
  read: (buf, off) => buf.readUInt32BE(off),
};

/** port_no and 4 bytes of padding: ofp_port_stats_request, and the start of ofp_port and ofp_port_stats. */
export const paddedPortNo13 = paddedPortNo(portNumber13);

/** port_no, pad 4, hw_addr, pad 2, the name and six words, curr_speed u32, max_speed u32. */
export const port13: FixedStruct<PortDesc> = {
  size: 64,
  check(p) {
    paddedPortNo13.check(p.portNo);
    checkPortWords(p, ['currSpeed', 'maxSpeed']);
  },
  write(buf, off, p) {
    paddedPortNo13.write(buf, off, p.portNo);
    writeMac(buf, off + 8, p.hwAddr);
    u16(buf, off + 14, 0);
    const speeds = writePortTail(buf, off + 16, p);
    u32(buf, speeds, p.currSpeed);
    u32(buf, speeds + 4, p.maxSpeed);
  },
  read: (buf, off) =>
    readPortDesc(
      buf,
      off + 16,
      paddedPortNo13.read(buf, off),
      readMac(buf, off + 8),
      buf.readUInt32BE(off + 56),
      buf.readUInt32BE(off + 60),
    ),
};
